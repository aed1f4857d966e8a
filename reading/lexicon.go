package reading

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A kind is what a phrase of the lexicon means to the reader.
type kind uint8

const (
	kNone kind = iota
	kIllness
	kIllnessWeak
	kSchool
	kChildren
	kSpoiled
	kForeignObject
	kPest
	kInFood
	kHygiene
	kPriceWeight
	kNoLicence
	kFakeGrade
	kOnlineOrder
	kService
	kFine
	kNegator
	kBreaker
	kConnector
	kNeutral
	kPlace // gazetteer
)

var sections = map[string]kind{
	"illness": kIllness, "illness_weak": kIllnessWeak, "school": kSchool, "children": kChildren,
	"spoiled": kSpoiled, "foreign_object": kForeignObject, "pest": kPest, "infood": kInFood,
	"hygiene": kHygiene, "price_weight": kPriceWeight, "no_licence": kNoLicence, "fake_grade": kFakeGrade,
	"online_order": kOnlineOrder, "service": kService, "fine": kFine, "negator": kNegator,
	"negator_after": kNegator, "breaker": kBreaker, "connector": kConnector, "neutral": kNeutral,
}

// A word of a Latin or Cyrillic phrase; a stem may continue ("отрав" finds
// "отравились").
type word struct {
	text string
	stem bool
}

// An entry is one phrase of the lexicon or the gazetteer.
type entry struct {
	text  string // as written, normalized, without the stars
	kind  kind
	after bool   // a negator that also denies what precedes it
	words []word // nil for a phrase starting with a CJK character: it matches anywhere
	place int    // gazetteer: index of the place
}

// A matcher finds, at each position of a normalized text, the entry that
// matches the longest stretch, looking only at entries that start with the
// rune at hand.
type matcher struct {
	byFirst map[rune][]*entry
	maybe   [1 << 16]bool // first runes modulo 2^16: skips the map lookup for nearly every rune that starts nothing
}

func newMatcher(entries []*entry) *matcher {
	m := &matcher{byFirst: map[rune][]*entry{}}
	for _, e := range entries {
		r, _ := utf8.DecodeRuneInString(e.text)
		m.byFirst[r] = append(m.byFirst[r], e)
		m.maybe[r&0xFFFF] = true
	}
	for _, es := range m.byFirst {
		slices.SortStableFunc(es, func(a, b *entry) int { return len(b.text) - len(a.text) })
	}
	return m
}

// newEntry parses one phrase; stars mark stems.
func newEntry(phrase string, k kind) (*entry, error) {
	phrase = strings.Join(strings.Fields(phrase), " ")
	plain := strings.ReplaceAll(phrase, "*", "")
	if plain == "" {
		return nil, fmt.Errorf("empty phrase")
	}
	if Normalize(plain) != plain {
		return nil, fmt.Errorf("phrase %q is not normalized (%q)", plain, Normalize(plain))
	}
	e := &entry{text: plain, kind: k}
	if r, _ := utf8.DecodeRuneInString(plain); r >= 0x2E80 {
		if strings.Contains(phrase, "*") {
			return nil, fmt.Errorf("phrase %q: Chinese phrases match anywhere and take no stars", phrase)
		}
		return e, nil
	}
	for _, w := range strings.Split(phrase, " ") {
		stem := strings.HasSuffix(w, "*")
		w = strings.TrimSuffix(w, "*")
		if w == "" || strings.Contains(w, "*") {
			return nil, fmt.Errorf("phrase %q: a star ends a word", phrase)
		}
		e.words = append(e.words, word{w, stem})
	}
	return e, nil
}

// parseLexicon reads the sectioned phrase list of data/lexicon.txt. A
// phrase listed under two meanings is an error, except a negator also
// listed as one that follows what it denies.
func parseLexicon(data string) ([]*entry, error) {
	var out []*entry
	seen := map[string]*entry{}
	k, after := kNone, false
	for n, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' && line[len(line)-1] == ']' {
			name := line[1 : len(line)-1]
			var ok bool
			if k, ok = sections[name]; !ok {
				return nil, fmt.Errorf("lexicon line %d: unknown section %q", n+1, name)
			}
			after = name == "negator_after"
			continue
		}
		if k == kNone {
			return nil, fmt.Errorf("lexicon line %d: phrase before any section", n+1)
		}
		e, err := newEntry(line, k)
		if err != nil {
			return nil, fmt.Errorf("lexicon line %d: %w", n+1, err)
		}
		e.after = after
		if prev, ok := seen[e.text]; ok {
			if prev.kind == k && k == kNegator {
				prev.after = prev.after || after
				continue
			}
			if prev.kind != k {
				return nil, fmt.Errorf("lexicon line %d: %q is listed under two meanings", n+1, e.text)
			}
			continue // a repeat in the same section
		}
		seen[e.text] = e
		out = append(out, e)
	}
	return out, nil
}

// A token is an entry found in a normalized text, at t[start:end].
type token struct {
	e          *entry
	start, end int
}

// scan returns the entries found in the normalized text t, left to right,
// without overlap: at each position the match that reaches furthest wins,
// and scanning resumes after it.
func (m *matcher) scan(t string, out []token) []token {
	prev := rune(-1) // -1: start of text, a boundary
	for i := 0; i < len(t); {
		r, size := utf8.DecodeRuneInString(t[i:])
		// A phrase starting with a Latin or Cyrillic letter starts a word:
		// inside a word nothing can match.
		if m.maybe[r&0xFFFF] && (r >= 0x2E80 || !isWordRune(prev)) {
			var best *entry
			bestEnd := 0
			for _, e := range m.byFirst[r] {
				if end := e.match(t, i, prev); end > bestEnd {
					best, bestEnd = e, end
				}
			}
			if best != nil {
				out = append(out, token{best, i, bestEnd})
				prev, _ = utf8.DecodeLastRuneInString(t[:bestEnd])
				i = bestEnd
				continue
			}
		}
		prev = r
		i += size
	}
	return out
}

// match returns where e ends when it starts at t[i:], or 0.
func (e *entry) match(t string, i int, prev rune) int {
	if e.words == nil {
		if strings.HasPrefix(t[i:], e.text) {
			return i + len(e.text)
		}
		return 0
	}
	if isWordRune(prev) {
		return 0
	}
	j := i
	for k, w := range e.words {
		if k > 0 {
			if j >= len(t) || t[j] != ' ' {
				return 0
			}
			j++
		}
		if !strings.HasPrefix(t[j:], w.text) {
			return 0
		}
		j += len(w.text)
		if w.stem {
			for j < len(t) {
				r, size := utf8.DecodeRuneInString(t[j:])
				if !isWordRune(r) {
					break
				}
				j += size
			}
		} else if r, _ := utf8.DecodeRuneInString(t[j:]); j < len(t) && isWordRune(r) {
			return 0
		}
	}
	return j
}

// isWordRune reports whether r continues a Latin or Cyrillic word; CJK
// characters do not, so "在beidaihe吃饭" still finds beidaihe.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
