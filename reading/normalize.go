package reading

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxScan bounds the bytes of text read, far above the 2000-character limit
// of a description, so that a pathological input costs little.
const MaxScan = 16 << 10

//go:embed data/t2s.txt
var t2sData string

// t2s folds the traditional characters of common complaint words to their
// simplified form, so each word is listed once (髒 is 脏, 嘔吐 is 呕吐).
// t2sDense is the same over the CJK block, looked up by index: Normalize
// meets a Chinese character at every step.
var (
	t2s      = parseT2S(t2sData)
	t2sDense = denseT2S(t2s)
)

const cjkFirst, cjkLast = 0x4E00, 0x9FFF

func denseT2S(m map[rune]rune) []rune {
	d := make([]rune, cjkLast-cjkFirst+1)
	for r, s := range m {
		if r < cjkFirst || r > cjkLast {
			panic("reading: t2s folds a character outside the CJK block")
		}
		d[r-cjkFirst] = s
	}
	return d
}

func parseT2S(data string) map[rune]rune {
	m := map[rune]rune{}
	for _, line := range strings.Split(data, "\n") {
		if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
			continue
		}
		for _, pair := range strings.Fields(line) {
			r := []rune(pair)
			if len(r) != 2 {
				panic("reading: t2s pair " + pair + " is not two characters")
			}
			m[r[0]] = r[1]
		}
	}
	return m
}

// Normalize prepares text for matching: lower case; full-width ASCII folded
// to ASCII (ｂｅｉｄａｉｈｅ, １２); traditional characters folded to
// simplified; ё to е; curly apostrophes to '; invisible and bidirectional
// control characters removed (they can hide inside a word); a letter
// repeated three times or more kept twice ("отравилисььь", "soooo"; a
// double stays: "good", "cc"); every
// run of white space, '_' and '-' made one space. Invalid UTF-8 is dropped
// and only the first MaxScan bytes are read.
func Normalize(s string) string {
	if len(s) > MaxScan {
		s = s[:MaxScan]
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading space
	var last rune
	run := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size <= 1:
			continue
		case invisible(r):
			continue
		case r == 0x3000:
			r = ' '
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == '’' || r == '‘' || r == '`' || r == 'ʼ':
			r = '\''
		}
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case r < 0x2E80: // CJK and later scripts have no case
			r = unicode.ToLower(r)
		case r >= cjkFirst && r <= cjkLast:
			if f := t2sDense[r-cjkFirst]; f != 0 {
				r = f
			}
		}
		if r == 'ё' {
			r = 'е'
		}
		if r == ' ' || r == '_' || r == '-' || (r < 0x3000 && unicode.IsSpace(r)) {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			last, run = 0, 0
			continue
		}
		if r == last && unicode.IsLetter(r) && r < 0x2E80 {
			run++
			if run >= 2 {
				continue // a third or later repeat
			}
		} else {
			last, run = r, 0
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// invisible reports characters people cannot see: zero-width spaces and
// joiners, the byte-order mark, soft hyphens, bidirectional controls and
// other format characters. Removed, they cannot split a word or spoof one.
func invisible(r rune) bool {
	switch {
	case r < 0xAD, r >= 0x2E80 && r < 0xFEFF:
		return false // ASCII, Chinese: the common case, without a table lookup
	case r == 0xAD, r == 0x180E, r == 0xFEFF:
		return true
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E, r >= 0x2060 && r <= 0x206F:
		return true
	}
	return r > 0x7F && unicode.Is(unicode.Cf, r)
}

// Visible reports whether text holds anything a person can read: intake
// refuses a description made only of invisible or bidirectional-control
// characters and spaces.
func Visible(text string) bool {
	for _, r := range text {
		if r != utf8.RuneError && !invisible(r) && !unicode.IsSpace(r) && !unicode.IsControl(r) {
			return true
		}
	}
	return false
}
