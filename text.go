package shian

import (
	"fmt"
	"strings"
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
