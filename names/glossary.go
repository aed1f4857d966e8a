package names

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kinds of glossary entries. A brand is a proper name with a known
// rendering (麦当劳 McDonald's): it stands where the proper name stands.
// Every other kind is a trade word, translated and placed by the rules of
// Namer.Visitor.
const (
	KindShop    = "shop"    // kinds of shop: 饺子馆, 超市, 大排档
	KindDish    = "dish"    // dishes and foods: 饺子, 皮皮虾
	KindCuisine = "cuisine" // 川菜, 西餐
	KindDrink   = "drink"   // 咖啡, 奶茶
	KindLocal   = "local"   // Qinhuangdao specialities: 四条包子, 浑锅
	KindBrand   = "brand"   // 肯德基
)

var kinds = map[string]bool{KindShop: true, KindDish: true, KindCuisine: true, KindDrink: true, KindLocal: true, KindBrand: true}

// Entry is one glossary word.
type Entry struct {
	ZH, EN, RU string
	Kind       string
	// Synonyms are other words a visitor may search for it with, in any
	// language (饺子: dumplings, jiaozi, пельмени).
	Synonyms []string
	Line     int // line in glossary.tsv
}

// Glossary is the food and trade vocabulary of shop names.
type Glossary struct {
	entries []*Entry
	byZH    map[string]*Entry
	maxLen  int // longest zh in runes
	syn     map[string][]string
}

// parseGlossary reads glossary.tsv: zh, en, ru, kind, synonyms (separated
// by |). A duplicated zh, an empty field, a zh that is not all Chinese, an
// unknown kind or a Russian rendering without Cyrillic (brands excepted)
// fails the load.
func parseGlossary(fsys fs.FS, file string) (*Glossary, error) {
	g := &Glossary{byZH: map[string]*Entry{}}
	err := readTSV(fsys, file, 4, 5, func(line int, f []string) error {
		e := &Entry{ZH: f[0], EN: f[1], RU: f[2], Kind: f[3], Line: line}
		for i, name := range []string{"zh", "en", "ru", "kind"} {
			if f[i] == "" {
				return fmt.Errorf("%s is empty", name)
			}
		}
		for _, r := range e.ZH {
			if !unicode.Is(unicode.Han, r) {
				return fmt.Errorf("zh %q has a character that is not Chinese (%q)", e.ZH, r)
			}
		}
		if !kinds[e.Kind] {
			return fmt.Errorf("unknown kind %q (shop, dish, cuisine, drink, local, brand)", e.Kind)
		}
		if e.Kind != KindBrand && !hasScript(e.RU, unicode.Cyrillic) {
			return fmt.Errorf("ru %q has no Cyrillic letter", e.RU)
		}
		if !hasScript(e.EN, unicode.Latin) || hasScript(e.EN, unicode.Han) {
			return fmt.Errorf("en %q must be written in Latin letters", e.EN)
		}
		if len(f) == 5 && f[4] != "" {
			for _, s := range strings.Split(f[4], "|") {
				s = strings.TrimSpace(s)
				if s == "" {
					return fmt.Errorf("empty synonym in %q", f[4])
				}
				e.Synonyms = append(e.Synonyms, s)
			}
		}
		if prev, ok := g.byZH[e.ZH]; ok {
			return fmt.Errorf("%s is already defined on line %d", e.ZH, prev.Line)
		}
		g.byZH[e.ZH] = e
		g.entries = append(g.entries, e)
		g.maxLen = max(g.maxLen, len([]rune(e.ZH)))
		return nil
	})
	if err != nil {
		return nil, err
	}
	g.syn = buildSynonyms(g.entries)
	return g, nil
}

func hasScript(s string, t *unicode.RangeTable) bool {
	for _, r := range s {
		if unicode.Is(t, r) {
			return true
		}
	}
	return false
}

// Len is the number of entries.
func (g *Glossary) Len() int { return len(g.entries) }

// Entries returns the entries in file order.
func (g *Glossary) Entries() []*Entry { return append([]*Entry(nil), g.entries...) }

// Lookup returns the entry of a Chinese word.
func (g *Glossary) Lookup(zh string) (*Entry, bool) {
	e, ok := g.byZH[zh]
	return e, ok
}

func normTerm(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// buildSynonyms links an entry's names (zh, en, ru) with each other and
// with each of its synonyms, both ways. Synonyms of one entry are not
// linked with each other: 海鲜烧烤 lists both "seafood" and "bbq", and a
// search for one must not become a search for the other. Entries that
// share a term merge through it (海鲜 and 海鲜大排档 both answer
// "seafood").
func buildSynonyms(entries []*Entry) map[string][]string {
	sets := map[string]map[string]bool{}
	link := func(a, b string) {
		if a == b {
			return
		}
		for _, p := range [][2]string{{a, b}, {b, a}} {
			if sets[p[0]] == nil {
				sets[p[0]] = map[string]bool{}
			}
			sets[p[0]][p[1]] = true
		}
	}
	for _, e := range entries {
		names := []string{normTerm(e.ZH), normTerm(e.EN), normTerm(e.RU)}
		for i, a := range names {
			for _, b := range names[i+1:] {
				link(a, b)
			}
			for _, s := range e.Synonyms {
				link(a, normTerm(s))
			}
		}
	}
	out := make(map[string][]string, len(sets))
	for k, set := range sets {
		list := make([]string, 0, len(set))
		for v := range set {
			list = append(list, v)
		}
		// Shortest first: for the store's LIKE search a short term (хого)
		// already finds what its longer forms (хого из баранины) would.
		sort.Slice(list, func(i, j int) bool {
			li, lj := utf8.RuneCountInString(list[i]), utf8.RuneCountInString(list[j])
			if li != lj {
				return li < lj
			}
			return list[i] < list[j]
		})
		out[k] = list
	}
	return out
}

// Synonyms returns the glossary's synonyms in the shape of Meilisearch's
// synonyms setting: every term (lower case) mapped to the terms that mean
// the same, in both directions. The map is a copy.
func (g *Glossary) Synonyms() map[string][]string {
	out := make(map[string][]string, len(g.syn))
	for k, v := range g.syn {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// maxExpansions bounds Expand, whose terms become OR-ed LIKE patterns.
const maxExpansions = 24

// Expand returns the query (normalised: lower case, spaces collapsed)
// followed by what it may also mean, for the store's fallback search,
// which has no synonyms of its own and ORs the terms as substring (LIKE)
// patterns: the synonyms of the whole query, shortest first, then, for a
// query of several words, the query with one word replaced by each of its
// synonyms. A term containing one already listed is left out (the shorter
// one finds it), and at most maxExpansions terms come back. It returns nil
// for a blank query.
func (g *Glossary) Expand(query string) []string {
	q := normTerm(query)
	if q == "" {
		return nil
	}
	out := []string{q}
	seen := map[string]bool{q: true}
	add := func(s string) {
		for _, have := range out {
			if strings.Contains(s, have) {
				return // a LIKE on have already finds s
			}
		}
		if !seen[s] && len(out) < maxExpansions {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range g.syn[q] {
		add(s)
	}
	words := strings.Fields(q)
	if len(words) > 1 {
		for i, w := range words {
			for _, s := range g.syn[w] {
				alt := append(append(append([]string(nil), words[:i]...), s), words[i+1:]...)
				add(strings.Join(alt, " "))
			}
		}
	}
	return out
}
