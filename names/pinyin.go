package names

import (
	"strings"
	"sync"
	"unicode"

	"github.com/mozillazg/go-pinyin"
)

// go-pinyin has no phrase table: it gives every character its first
// reading, so 长城 comes out "zhang cheng", 重庆 "zhong qing" and 银行
// "yin xing". The polyphones file (data/polyphones.tsv) corrects it: a
// phrase entry (longest first) wins over a character entry, which wins over
// go-pinyin.

// speller spells Chinese text in toneless pinyin.
type speller struct {
	phrases   map[string][]string
	chars     map[rune]string
	maxPhrase int // length in runes of the longest phrase
	args      pinyin.Args
	// known caches go-pinyin's answers (rune → string, "" for none):
	// go-pinyin rewrites every answer through regular expressions, which
	// was most of the cost of naming a shop.
	known sync.Map
}

func newSpeller() *speller {
	return &speller{phrases: map[string][]string{}, chars: map[rune]string{}, args: pinyin.NewArgs()}
}

// token is one piece of spelled text: a pinyin syllable of one Chinese
// character (han), or a run of letters and digits kept as written.
type token struct {
	text string
	han  bool
}

// spell splits s into tokens. Characters that are neither Chinese with a
// known reading, letters nor digits separate tokens and are dropped.
// Full-width letters and digits are folded to ASCII.
func (sp *speller) spell(s string) []token {
	rs := []rune(s)
	var out []token
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, token{text: word.String()})
			word.Reset()
		}
	}
	for i := 0; i < len(rs); {
		r := foldWidth(rs[i])
		if !unicode.Is(unicode.Han, r) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' && word.Len() > 0 {
				word.WriteRune(r)
			} else {
				flush()
			}
			i++
			continue
		}
		flush()
		if n, py := sp.phraseAt(rs, i); n > 0 {
			for _, p := range py {
				out = append(out, token{text: p, han: true})
			}
			i += n
			continue
		}
		if py := sp.reading(r); py != "" {
			out = append(out, token{text: py, han: true})
		}
		i++
	}
	flush()
	return out
}

// reading is the pinyin of one character: the polyphones file's, else
// go-pinyin's first reading; "" when it has none Palladius can spell.
func (sp *speller) reading(r rune) string {
	if py, ok := sp.chars[r]; ok {
		return py
	}
	if v, ok := sp.known.Load(r); ok {
		return v.(string)
	}
	py := ""
	if all := pinyin.SinglePinyin(r, sp.args); len(all) > 0 && validSyllable(all[0]) {
		py = all[0]
	}
	sp.known.Store(r, py)
	return py
}

func (sp *speller) phraseAt(rs []rune, i int) (int, []string) {
	for n := min(sp.maxPhrase, len(rs)-i); n >= 2; n-- {
		if py, ok := sp.phrases[string(rs[i:i+n])]; ok {
			return n, py
		}
	}
	return 0, nil
}

// foldWidth maps full-width ASCII forms (Ａ, １, ＃) to ASCII.
func foldWidth(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	if r == 0x3000 {
		return ' '
	}
	return r
}

// validSyllable reports whether go-pinyin's answer is a syllable Palladius
// can spell (it answers "n" for 嗯 and "m" for 呣, which have no vowel).
func validSyllable(s string) bool {
	_, ok := palladiusSyllable(s)
	return ok
}

// Syllables spells s as lower-case words for a search index: one toneless
// pinyin syllable per Chinese character (ü written v, as typed on a
// keyboard), with the polyphones file's readings, and runs of letters or
// digits as they are, lower-cased.
func (n *Namer) Syllables(s string) []string {
	ts := n.sp.spell(s)
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = strings.ToLower(t.text)
	}
	return out
}

// Pinyin spells s in pinyin: syllables capitalised and spaced ("老二位" →
// "Lao Er Wei"); letters and digits stay as written. It returns "" when s
// has nothing to spell.
func (n *Namer) Pinyin(s string) string {
	return spacedLatin(n.sp.spell(s))
}

// Palladius spells s in Cyrillic by the Palladius system, syllables
// capitalised and spaced ("老二位" → "Лао Эр Вэй"); letters and digits stay
// as written.
func (n *Namer) Palladius(s string) string {
	return spacedCyrillic(n.sp.spell(s))
}

func spacedLatin(ts []token) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		if t.han {
			parts = append(parts, capitalize(pinyinDisplay(t.text)))
		} else {
			parts = append(parts, t.text)
		}
	}
	return strings.Join(parts, " ")
}

func spacedCyrillic(ts []token) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		if t.han {
			c, _ := palladiusSyllable(t.text)
			parts = append(parts, capitalize(c))
		} else {
			parts = append(parts, t.text)
		}
	}
	return strings.Join(parts, " ")
}

// joinedLatin spells one word the way road and place names are written:
// syllables joined, an apostrophe before a syllable starting with a, o or
// e ("Bao'er", "Xi'an"), the first letter capitalised.
func joinedLatin(ts []token) string {
	var b strings.Builder
	prevHan := false
	for i, t := range ts {
		if !t.han {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t.text)
			prevHan = false
			continue
		}
		p := pinyinDisplay(t.text)
		if prevHan && strings.ContainsAny(p[:1], "aoe") {
			b.WriteByte('\'')
		} else if i > 0 && !prevHan {
			b.WriteByte(' ')
		}
		b.WriteString(p)
		prevHan = true
	}
	return capitalize(b.String())
}

// joinedCyrillic is joinedLatin in Palladius: syllables joined ("Бэйдайхэ"),
// with a hard sign after н before a vowel (长安 → "Чанъань").
func joinedCyrillic(ts []token) string {
	var b strings.Builder
	prev := ""
	for i, t := range ts {
		if !t.han {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t.text)
			prev = ""
			continue
		}
		c, _ := palladiusSyllable(t.text)
		if prev == "" && i > 0 {
			b.WriteByte(' ')
		}
		if strings.HasSuffix(prev, "н") && startsWithVowel(c) {
			b.WriteString("ъ")
		}
		b.WriteString(c)
		prev = c
	}
	return capitalize(b.String())
}

func startsWithVowel(s string) bool {
	for _, r := range s {
		return strings.ContainsRune("аоуэяеюиы", r)
	}
	return false
}

// pinyinDisplay writes ü as the letter it is (go-pinyin spells it v).
func pinyinDisplay(s string) string {
	if strings.ContainsRune(s, 'v') {
		return strings.ReplaceAll(s, "v", "ü")
	}
	return s
}

func capitalize(s string) string {
	for i, r := range s {
		u := unicode.ToUpper(r)
		if u == r {
			return s
		}
		return string(u) + s[i+len(string(r)):]
	}
	return s
}
