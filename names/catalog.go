package names

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Item is one item of the national catering inspection checklist.
type Item struct {
	Code       string
	ZH, EN, RU string
	// Key marks a key item (关键项): one non-compliance fails the
	// inspection.
	Key      bool
	Severity string // high, medium, low
}

// Severities of catalog items.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
)

type matcher struct {
	code  string
	words []string
	size  int // characters in words, the strength of the match
	line  int
}

// Catalog is the inspection item catalog and its matcher.
type Catalog struct {
	items    []Item
	byCode   map[string]int
	matchers []matcher
}

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,40}$`)

func parseCatalog(fsys fs.FS, file string) (*Catalog, error) {
	c := &Catalog{byCode: map[string]int{}}
	err := readTSV(fsys, file, 7, 7, func(line int, f []string) error {
		it := Item{Code: f[0], ZH: f[1], EN: f[2], RU: f[3], Severity: f[5]}
		if !codeRE.MatchString(it.Code) {
			return fmt.Errorf("code %q must be lower-case letters, digits and _", it.Code)
		}
		if it.ZH == "" || it.EN == "" || it.RU == "" {
			return fmt.Errorf("zh, en and ru are required")
		}
		if !hasScript(it.RU, unicode.Cyrillic) {
			return fmt.Errorf("ru %q has no Cyrillic letter", it.RU)
		}
		switch f[4] {
		case "1":
			it.Key = true
		case "0":
		default:
			return fmt.Errorf("key must be 1 or 0, got %q", f[4])
		}
		switch it.Severity {
		case SeverityHigh, SeverityMedium, SeverityLow:
		default:
			return fmt.Errorf("severity must be high, medium or low, got %q", it.Severity)
		}
		if prev, ok := c.byCode[it.Code]; ok {
			return fmt.Errorf("code %s is already defined (item %d)", it.Code, prev+1)
		}
		if f[6] == "" {
			return fmt.Errorf("match is empty")
		}
		var ms []matcher
		for _, alt := range strings.Split(f[6], "|") {
			m := matcher{code: it.Code, line: line}
			for _, w := range strings.Split(alt, "&") {
				w = strings.TrimSpace(w)
				if w == "" {
					return fmt.Errorf("empty word in match %q", f[6])
				}
				m.words = append(m.words, w)
				m.size += utf8.RuneCountInString(w)
			}
			ms = append(ms, m)
		}
		c.byCode[it.Code] = len(c.items)
		c.items = append(c.items, it)
		c.matchers = append(c.matchers, ms...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Items returns the catalog in checklist order.
func (c *Catalog) Items() []Item { return append([]Item(nil), c.items...) }

// Item returns the item with a code.
func (c *Catalog) Item(code string) (Item, bool) {
	i, ok := c.byCode[code]
	if !ok {
		return Item{}, false
	}
	return c.items[i], true
}

// Match finds the catalog item a free-text finding is about ("餐具消毒不到位"
// → tableware_disinfection): the match alternative with the most
// characters all present in the text wins. ok is false when none matches;
// the finding is then kept as written.
func (c *Catalog) Match(text string) (code string, ok bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", false
	}
	best := -1
	for i := range c.matchers {
		m := &c.matchers[i]
		if best >= 0 && m.size <= c.matchers[best].size {
			continue
		}
		all := true
		for _, w := range m.words {
			if !strings.Contains(text, w) {
				all = false
				break
			}
		}
		if all {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return c.matchers[best].code, true
}

// MatchAll matches every finding; codes[i] is the code of texts[i], or ""
// when it matched nothing. It returns nil when nothing matched, so that a
// shop without catalog items stores nothing extra.
func (c *Catalog) MatchAll(texts []string) []string {
	var codes []string
	for i, t := range texts {
		if code, ok := c.Match(t); ok {
			if codes == nil {
				codes = make([]string, len(texts))
			}
			codes[i] = code
		}
	}
	return codes
}

// Rendered is a finding as shown to a reader of one language.
type Rendered struct {
	Text string
	// Lang is the language Text is in: the language asked for, or "zh"
	// when the finding is not in the catalog (the page marks it lang="zh").
	Lang string
	// Note is the short marker shown beside an untranslated finding, in the
	// reader's language ("(in Chinese)"); empty when Text is in that
	// language.
	Note string
}

var untranslatedNote = map[string]string{"en": "(in Chinese)", "ru": "(на китайском)"}

// Render writes a finding for a reader of lang (zh, en or ru; anything
// else reads English). text is the finding as recorded and code its
// catalog code ("" when unmatched). A Chinese reader gets the finding as
// recorded; others get the catalog's wording, or the Chinese with a note
// when the finding matched no item.
func (c *Catalog) Render(code, text, lang string) Rendered {
	if lang == "zh" {
		if text == "" {
			if it, ok := c.Item(code); ok {
				text = it.ZH
			}
		}
		return Rendered{Text: text, Lang: "zh"}
	}
	if lang != "ru" {
		lang = "en"
	}
	if it, ok := c.Item(code); ok {
		if lang == "ru" {
			return Rendered{Text: it.RU, Lang: "ru"}
		}
		return Rendered{Text: it.EN, Lang: "en"}
	}
	if !isHan(text) {
		return Rendered{Text: text} // language unknown: shown as recorded
	}
	return Rendered{Text: text, Lang: "zh", Note: untranslatedNote[lang]}
}
