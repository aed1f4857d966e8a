package names

import (
	"fmt"
	"io/fs"
	"strings"
	"unicode"
	"unicode/utf8"
)

// parsePolyphones reads polyphones.tsv: a Chinese word and its syllables,
// one per character. A one-character entry sets the character's default
// reading.
func parsePolyphones(fsys fs.FS, file string) (*speller, error) {
	sp := newSpeller()
	seen := map[string]int{}
	err := readTSV(fsys, file, 2, 2, func(line int, f []string) error {
		zh, syl := f[0], strings.Fields(f[1])
		for _, r := range zh {
			if !unicode.Is(unicode.Han, r) {
				return fmt.Errorf("%q has a character that is not Chinese (%q)", zh, r)
			}
		}
		n := utf8.RuneCountInString(zh)
		if n == 0 || n != len(syl) {
			return fmt.Errorf("%q has %d characters but %d syllables", zh, n, len(syl))
		}
		for _, s := range syl {
			if _, ok := palladiusSyllable(s); !ok {
				return fmt.Errorf("%q is not a pinyin syllable", s)
			}
		}
		if prev, ok := seen[zh]; ok {
			return fmt.Errorf("%s is already defined on line %d", zh, prev)
		}
		seen[zh] = line
		if n == 1 {
			r, _ := utf8.DecodeRuneInString(zh)
			sp.chars[r] = syl[0]
			return nil
		}
		sp.phrases[zh] = syl
		sp.maxPhrase = max(sp.maxPhrase, n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sp, nil
}
