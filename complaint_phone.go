package shian

import "strings"

// NormalizePhone turns a phone number as people write it into one form:
// a Chinese mobile (13812341234, with or without +86/0086), a Chinese
// landline with its area code (03351234567), or an international number
// for visitors (+79161234567, E.164, 8–15 digits). It reports false for
// anything else.
func NormalizePhone(s string) (string, bool) {
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
