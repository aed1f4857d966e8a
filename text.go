package shian

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text is one message in the three languages of the public side: zh, en, ru.
// The API's problem messages, the pages' catalog and the bot's replies are
// all tables of Text.
type Text [3]string

// In returns the text in lang, Chinese for any other language.
func (t Text) In(lang string) string {
	switch lang {
	case "en":
		return t[1]
	case "ru":
		return t[2]
	}
	return t[0]
}

// Format returns the text in lang with args filled in. A text without
// verbs ignores its arguments (a translation may leave a detail out).
func (t Text) Format(lang string, args ...any) string {
	s := t.In(lang)
	if len(args) == 0 || !strings.Contains(s, "%") {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Clip shortens s to at most n characters (runes), marking the cut with
// "…": user input quoted back in an error message or a log line stays
// short and never ends in half a UTF-8 sequence.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for cut := range s {
		if i == n {
			return s[:cut] + "…"
		}
		i++
	}
	return s
}

// ClipBytes shortens s to at most n bytes, cut on a rune boundary and
// marked with "…" (three bytes more), for channels that count bytes, such
// as WeChat's 2048-byte text reply.
func ClipBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// FreeText checks a free-text field a person typed (a complaint's names,
// address and description, a staff note, a rating comment) and returns how
// many characters a reader sees. Two tricks are refused or ignored here,
// for every field at once (issue 19):
//
//   - Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069)
//     make a name or note display in another order than it is stored
//     ("Spoofing" in Unicode TR #36); nothing in zh/en/ru text needs them,
//     so they are an error naming the field (EINVALID, key "text_bidi"). In
//     a one-line field (multiline false: names, addresses) the bare marks
//     U+200E/U+200F/U+061C are refused too; a long text may carry one
//     pasted from a right-to-left source.
//   - Invisible characters do not count: format characters (zero-width
//     space and joiners, BOM, soft hyphen, the marks above), default-
//     ignorable fillers and variation selectors. A run of spaces counts as
//     one, so ten zero-width spaces or ten blanks are not a description.
func FreeText(field, s string, multiline bool) (visible int, err error) {
	space := false
	for _, r := range s {
		switch {
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
			!multiline && (r == 0x200E || r == 0x200F || r == 0x061C):
			e := FieldError(field, "contains a bidirectional control character (U+%04X)", r)
			e.Key, e.Args = "text_bidi", []any{field}
			return 0, e
		case invisible(r):
		case unicode.IsSpace(r):
			if !space && visible > 0 {
				visible++
			}
			space = true
			continue
		default:
			visible++
		}
		space = false
	}
	if space && visible > 0 {
		visible-- // a trailing run of spaces
	}
	return visible, nil
}

// invisible reports whether r shows nothing by itself: a format or control
// character, or one of Unicode's default-ignorable code points that are
// letters or marks (Hangul fillers, variation selectors, the combining
// grapheme joiner, Mongolian and Khmer invisible signs).
func invisible(r rune) bool {
	switch {
	case unicode.In(r, unicode.Cf, unicode.Cc, unicode.Co, unicode.Cs):
		return !unicode.IsSpace(r)
	case r == 0x034F, r == 0x115F, r == 0x1160, r == 0x17B4, r == 0x17B5, r == 0x3164, r == 0xFFA0,
		r >= 0x180B && r <= 0x180F, r >= 0xFE00 && r <= 0xFE0F, r >= 0xE0100 && r <= 0xE01EF, r == 0x2800:
		return true
	}
	return false
}

// EditDistance is the Levenshtein distance between two sequences (runes of
// a name, pinyin syllables): the bot's and the shop resolver's measure of
// how near a typed name is to a registered one.
func EditDistance[T comparable](a, b []T) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
