package shian

import (
	"fmt"
	"strings"
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
