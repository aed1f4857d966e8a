package shian

import "strings"

// NormalizePhone turns a phone number as people write it into one form:
// a Chinese mobile (13812341234, with or without +86/0086), a Chinese
// landline with its area code (03351234567), or an international number
// for visitors (+79161234567, E.164, 8–15 digits). It reports false for
// anything else. Numbers in a visitor's local format need the form's
// language: see NormalizePhoneIn.
func NormalizePhone(s string) (string, bool) { return NormalizePhoneIn(s, "zh") }

// NormalizePhoneIn is NormalizePhone for a form in lang, which says how a
// visitor writes a number of home without its country code: in Russian,
// 8 916 123-45-67 (or 7 916 …) is +79161234567; in English, a UK mobile
// 07700 900123 is +447700900123. A Chinese number keeps its meaning in
// every language, except that in English an 11-digit number starting 07
// is a UK mobile and not a landline of a 07xx area code with a 7-digit
// number (the rarer reading for a visitor's form).
func NormalizePhoneIn(s, lang string) (string, bool) {
	if len(s) > 100 {
		return "", false
	}
	plus := false
	var d strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r >= '０' && r <= '９': // full-width digits from Chinese keyboards
			d.WriteRune('0' + (r - '０'))
		case (r == '+' || r == '＋') && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return "", false
		}
	}
	n := d.String()
	if !plus && strings.HasPrefix(n, "00") {
		plus, n = true, n[2:]
	}
	if plus {
		if rest, ok := strings.CutPrefix(n, "86"); ok && isMobileCN(rest) {
			return rest, true
		}
		if len(n) < 8 || len(n) > 15 || n[0] == '0' || strings.HasPrefix(n, "86") {
			return "", false
		}
		return "+" + n, true
	}
	switch {
	case isMobileCN(n):
		return n, true
	case lang == "ru" && len(n) == 11 && (n[0] == '8' || n[0] == '7') && n[1] != '0':
		return "+7" + n[1:], true // Russia: trunk prefix 8, or the country code without +
	case lang == "en" && len(n) == 11 && strings.HasPrefix(n, "07"):
		return "+44" + n[1:], true // UK mobile: 07xxx xxxxxx
	case len(n) >= 10 && len(n) <= 12 && n[0] == '0' && n[1] != '0':
		return n, true // area code (3–4 digits with the 0) and a 7–8 digit number
	}
	return "", false
}

func isMobileCN(n string) bool {
	return len(n) == 11 && n[0] == '1' && n[1] >= '3' && n[1] <= '9'
}

// MaskPhone shows a normalised phone the way the service always displays
// it: the first three and last four characters, the rest as stars
// (138****1234).
func MaskPhone(p string) string {
	if len(p) < 8 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// PhoneLast4 returns the last four digits of a normalised phone, the proof
// a complainant gives to track a ticket.
func PhoneLast4(p string) string {
	if len(p) < 4 {
		return ""
	}
	return p[len(p)-4:]
}

// PhoneHint is the format help shown beside the phone field of a form in
// lang: the forms a visitor of that language writes are understood.
func PhoneHint(lang string) string {
	switch lang {
	case "en":
		return "A Chinese mobile (138 1234 5678), a UK mobile (07700 900123), or any number with + and the country code (+44 7700 900123)."
	case "ru":
		return "Российский номер (8 916 123-45-67 или +7 916 123-45-67), китайский мобильный (138 1234 5678) или любой номер с + и кодом страны."
	}
	return "手机号（138 1234 5678）、带区号的座机（0335-1234567），境外号码请加 + 和国家代码（+7 916 123 45 67）。"
}
