package names

import (
	"regexp"
	"strings"
	"unicode"
)

// A shop name is a proper name followed by trade words: 老二位 + 海鲜大排档.
// The proper name is spelled (pinyin, Palladius); the trade words are
// translated through the glossary. The rules, also in docs/names.md:
//
//   - Trade words are the longest glossary words read backwards from the
//     end of the name (重庆老火锅 → 重庆 + 老火锅, not 老 + 火锅). When the
//     name ends in a branch (…店 after the trade words, or in brackets:
//     老二位海鲜大排档（保二路店）), the branch is set apart and the trade
//     words are read backwards from where it starts. A name with no trade
//     words at its end but some at its start (烧烤王老五) takes those.
//   - A numbered outlet at the end (2号店, 第一分店) is set apart after trade
//     words and written "(No. 2)" / "(№ 2)".
//   - A brand (肯德基) is a proper name with a known rendering.
//   - English: proper name, then the trade words in Chinese order, then
//     the branch in brackets: "Lao Er Wei Seafood Stall (Bao Er Lu Branch)".
//   - Russian: the trade words first, joined by commas, the first
//     capitalised, then the proper name, then the branch: "Морепродукты
//     Лао Эр Вэй (филиал Бао Эр Лу)". Russian puts the kind of place before
//     its name (кафе «Берёзка»), and a nominative phrase needs no case
//     endings on the transcribed name.
//   - Syllables are capitalised and spaced ("Lao Er Wei", "Лао Эр Вэй"):
//     the syllables of a shop's name are not reliably words.
//   - Letters and digits in the name stay as written. A name that gives
//     nothing to spell or translate comes back as it was: the result is
//     never empty for a name that is not blank.

// VisitorName is a shop's name for visitors.
type VisitorName struct {
	EN, RU string
}

// part is a segment of a name: a glossary entry or text to spell.
type part struct {
	entry *Entry
	text  string
}

// Visitor returns the English and Russian names of a shop known only by
// its Chinese name.
func (n *Namer) Visitor(name string) VisitorName {
	clean := strings.TrimSpace(strings.ToValidUTF8(name, ""))
	if clean == "" {
		return VisitorName{}
	}
	main, branch := splitBranch(clean)
	main, number := n.splitNumber(main)
	proper, trade, inner := n.split(main)
	if branch == "" {
		branch = inner
	}
	var en, ru []string
	if pe := n.renderProper(proper, false); pe != "" {
		en = append(en, pe)
	}
	for _, e := range trade {
		en = append(en, e.EN)
	}
	var tradeRU []string
	for _, e := range trade {
		tradeRU = append(tradeRU, e.RU)
	}
	if len(tradeRU) > 0 {
		ru = append(ru, capitalize(strings.Join(tradeRU, ", ")))
	}
	if pr := n.renderProper(proper, true); pr != "" {
		ru = append(ru, pr)
	}
	if branch != "" {
		if b := n.Pinyin(branch); b != "" {
			en = append(en, "("+b+" Branch)")
		}
		if b := n.Palladius(branch); b != "" {
			ru = append(ru, "(филиал "+b+")")
		}
	}
	if number != "" {
		en = append(en, "(No. "+number+")")
		ru = append(ru, "(№ "+number+")")
	}
	out := VisitorName{EN: strings.Join(en, " "), RU: strings.Join(ru, " ")}
	if out.EN == "" {
		out.EN = clean
	}
	if out.RU == "" {
		out.RU = clean
	}
	return out
}

// branchSuffixes end a branch name: 北戴河店, 保二路分店.
var branchSuffixes = []string{"分店", "店"}

// brackets folds full-width brackets to ASCII.
var brackets = strings.NewReplacer("（", "(", "）", ")")

// splitBranch sets apart a bracketed branch at the end of a name
// ("…（保二路店）" → "…", "保二路"). Bracketed text that is not a branch
// stays in the name.
func splitBranch(s string) (main, branch string) {
	s = brackets.Replace(s)
	if !strings.HasSuffix(s, ")") {
		return s, ""
	}
	open := strings.LastIndex(s, "(")
	if open <= 0 {
		return s, ""
	}
	inner := strings.TrimSpace(s[open+1 : len(s)-1])
	for _, suf := range branchSuffixes {
		if b, ok := strings.CutSuffix(inner, suf); ok && b != "" {
			return strings.TrimSpace(s[:open]), b
		}
	}
	return s, ""
}

// numbered matches a numbered outlet at the end of a name: 2号店, 第3分店,
// 一店, 第12号.
var numbered = regexp.MustCompile(`^(.+?)第?([0-9]+|[一二三四五六七八九十])(号店|分店|号|店)$`)

var chineseDigits = map[string]string{"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "十": "10"}

// splitNumber sets apart the number of a numbered outlet (张记饺子馆2号店 →
// 张记饺子馆, "2"), but only after trade words, so that a proper name
// ending in a numeral (老九号) keeps it.
func (n *Namer) splitNumber(s string) (main, number string) {
	m := numbered.FindStringSubmatch(s)
	if m == nil {
		return s, ""
	}
	rs := []rune(m[1])
	if len(n.tradeBefore(rs, len(rs))) == 0 {
		return s, ""
	}
	number = m[2]
	if d, ok := chineseDigits[number]; ok {
		number = d
	}
	return m[1], number
}

// maxBranch bounds an unbracketed branch name (北戴河店), so that a
// one-character food word deep inside a name is not taken for the end of
// its trade words.
const maxBranch = 6

// split divides the main part of a name into the proper name, the trade
// words and an unbracketed branch.
func (n *Namer) split(s string) (proper []part, trade []*Entry, branch string) {
	rs := []rune(s)
	if t := n.tradeBefore(rs, len(rs)); len(t) > 0 {
		return n.properParts(rs[:len(rs)-runeLen(t)]), t, ""
	}
	// A branch after the trade words: 张记饺子馆北戴河店.
	for _, suf := range branchSuffixes {
		body, ok := strings.CutSuffix(s, suf)
		if !ok {
			continue
		}
		brs := []rune(body)
		for cut := len(brs) - 1; cut > 0 && cut >= len(brs)-maxBranch; cut-- {
			if t := n.tradeBefore(brs, cut); len(t) > 0 {
				return n.properParts(brs[:cut-runeLen(t)]), t, string(brs[cut:])
			}
		}
		break
	}
	// Trade words at the start: 烧烤王老五.
	start := 0
	for start < len(rs) {
		e := n.longestAt(rs, start)
		if e == nil || e.Kind == KindBrand {
			break
		}
		trade = append(trade, e)
		start += len([]rune(e.ZH))
	}
	return n.properParts(rs[start:]), trade, ""
}

// tradeBefore reads glossary words backwards from end, longest first,
// stopping at a brand or at text that is not a glossary word.
func (n *Namer) tradeBefore(rs []rune, end int) []*Entry {
	var rev []*Entry
	for end > 0 {
		var hit *Entry
		for l := min(n.gl.maxLen, end); l >= 1; l-- {
			if e, ok := n.gl.byZH[string(rs[end-l:end])]; ok {
				hit = e
				break
			}
		}
		if hit == nil || hit.Kind == KindBrand {
			break
		}
		rev = append(rev, hit)
		end -= len([]rune(hit.ZH))
	}
	out := make([]*Entry, len(rev))
	for i, e := range rev {
		out[len(rev)-1-i] = e
	}
	return out
}

func (n *Namer) longestAt(rs []rune, i int) *Entry {
	for l := min(n.gl.maxLen, len(rs)-i); l >= 1; l-- {
		if e, ok := n.gl.byZH[string(rs[i:i+l])]; ok {
			return e
		}
	}
	return nil
}

func runeLen(es []*Entry) int {
	n := 0
	for _, e := range es {
		n += len([]rune(e.ZH))
	}
	return n
}

// properParts marks the brands in a proper name (longest first, left to
// right); the rest is text to spell.
func (n *Namer) properParts(rs []rune) []part {
	var out []part
	textStart := 0
	for i := 0; i < len(rs); {
		e := n.longestAt(rs, i)
		if e == nil || e.Kind != KindBrand {
			i++
			continue
		}
		if textStart < i {
			out = append(out, part{text: string(rs[textStart:i])})
		}
		out = append(out, part{entry: e})
		i += len([]rune(e.ZH))
		textStart = i
	}
	if textStart < len(rs) {
		out = append(out, part{text: string(rs[textStart:])})
	}
	return out
}

func (n *Namer) renderProper(parts []part, cyrillic bool) string {
	var words []string
	for _, p := range parts {
		switch {
		case p.entry != nil && cyrillic:
			words = append(words, p.entry.RU)
		case p.entry != nil:
			words = append(words, p.entry.EN)
		case cyrillic:
			if s := n.Palladius(p.text); s != "" {
				words = append(words, s)
			}
		default:
			if s := n.Pinyin(p.text); s != "" {
				words = append(words, s)
			}
		}
	}
	return strings.Join(words, " ")
}

// isHan reports whether s has a Chinese character.
func isHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
