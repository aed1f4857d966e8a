package triage

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A phrase is a word to look for in free text. Latin and Cyrillic phrases
// must start at a word boundary ("funing" is not found in "refunding");
// whole phrases must also end at one, stems need not ("vomit" finds
// "vomiting"). Chinese has no word boundaries and matches anywhere.
type phrase struct {
	text  string // lower case, single spaces
	value string // district code, or "" for keywords
	stem  bool
}

// districtPhrases are the names people use for each district in Chinese
// (simplified and traditional), pinyin/English and Russian. Where one name
// contains another (北戴河新区 ⊃ 北戴河) the longer wins at the same position.
var districtPhrases = []phrase{
	{text: "北戴河新区", value: "bdhxinqu"}, {text: "北戴河新區", value: "bdhxinqu"},
	{text: "beidaihe new area", value: "bdhxinqu"}, {text: "beidaihe new district", value: "bdhxinqu"},
	{text: "beidaihe xinqu", value: "bdhxinqu"}, {text: "beidaihexinqu", value: "bdhxinqu"},
	{text: "новый район бэйдайхэ", value: "bdhxinqu"}, {text: "новом районе бэйдайхэ", value: "bdhxinqu"},

	{text: "经济技术开发区", value: "etdz"}, {text: "開發區", value: "etdz"}, {text: "开发区", value: "etdz"},
	{text: "经开区", value: "etdz"}, {text: "etdz", value: "etdz"}, {text: "qetdz", value: "etdz"},
	{text: "development zone", value: "etdz"}, {text: "зона развития", value: "etdz"},
	{text: "зоне развития", value: "etdz"}, {text: "зоны развития", value: "etdz"},

	{text: "北戴河", value: "beidaihe"}, {text: "beidaihe", value: "beidaihe"},
	{text: "бэйдайхэ", value: "beidaihe"}, {text: "бэйдайхе", value: "beidaihe"},
	{text: "бейдайхэ", value: "beidaihe"}, {text: "бейдайхе", value: "beidaihe"},

	{text: "山海关", value: "shanhaiguan"}, {text: "山海關", value: "shanhaiguan"},
	{text: "shanhaiguan", value: "shanhaiguan"}, {text: "shanhai pass", value: "shanhaiguan"},
	{text: "шаньхайгуань", value: "shanhaiguan"}, {text: "шанхайгуань", value: "shanhaiguan"},

	{text: "海港区", value: "haigang"}, {text: "海港區", value: "haigang"}, {text: "海港", value: "haigang"},
	{text: "haigang", value: "haigang"}, {text: "хайган", value: "haigang"},

	{text: "抚宁", value: "funing"}, {text: "撫寧", value: "funing"},
	{text: "funing", value: "funing"}, {text: "фунин", value: "funing"},

	{text: "青龙", value: "qinglong"}, {text: "青龍", value: "qinglong"},
	{text: "qinglong", value: "qinglong"}, {text: "цинлун", value: "qinglong"},

	{text: "昌黎", value: "changli"}, {text: "changli", value: "changli"}, {text: "чанли", value: "changli"},

	{text: "卢龙", value: "lulong"}, {text: "盧龍", value: "lulong"},
	{text: "lulong", value: "lulong"}, {text: "лулун", value: "lulong"},
}

// illnessPhrases signal a suspected food poisoning. Words that people also
// use for "disgusting" (恶心, тошнотворно, nauseating) are left out on
// purpose: they would make every hygiene complaint urgent.
var illnessPhrases = []phrase{
	{text: "食物中毒"}, {text: "中毒"}, {text: "呕吐"}, {text: "吐了"}, {text: "上吐下泻"},
	{text: "腹泻"}, {text: "拉肚子"}, {text: "闹肚子"}, {text: "拉稀"}, {text: "吃坏"},
	{text: "肚子疼"}, {text: "肚子痛"}, {text: "腹痛"}, {text: "发烧"}, {text: "发高烧"}, {text: "高烧"},
	{text: "送医"}, {text: "就医"}, {text: "住院"}, {text: "急诊"}, {text: "输液"}, {text: "打点滴"},

	{text: "food poisoning"}, {text: "poisoned"}, {text: "poisoning"}, {text: "vomit", stem: true},
	{text: "threw up"}, {text: "throwing up"}, {text: "diarrh", stem: true}, {text: "fever", stem: true},
	{text: "stomach ache"}, {text: "stomachache"}, {text: "stomach pain"}, {text: "got sick"},
	{text: "fell ill"}, {text: "hospitali", stem: true}, {text: "ambulance"}, {text: "emergency room"},

	{text: "отравл", stem: true}, {text: "отравил", stem: true}, {text: "рвот", stem: true},
	{text: "вырвал", stem: true}, {text: "стошнил", stem: true}, {text: "понос", stem: true},
	{text: "диаре", stem: true}, {text: "госпитализ", stem: true}, {text: "скорую"}, {text: "скорая помощь"},
	{text: "болит живот"}, {text: "живот болит"}, {text: "боли в животе"},
}

// schoolPhrases signal that children or a school canteen are concerned.
var schoolPhrases = []phrase{
	{text: "学校"}, {text: "幼儿园"}, {text: "学生"}, {text: "食堂"}, {text: "校园"}, {text: "小学"},
	{text: "中学"}, {text: "托儿所"}, {text: "托育"},
	{text: "school", stem: true}, {text: "kindergarten", stem: true}, {text: "student", stem: true},
	{text: "pupil", stem: true}, {text: "canteen", stem: true}, {text: "cafeteria", stem: true}, {text: "nursery"},
	{text: "школ", stem: true}, {text: "детский сад"}, {text: "детского сада"}, {text: "детском саду"},
	{text: "детсад", stem: true}, {text: "ученик", stem: true}, {text: "студент", stem: true},
}

// maxScan bounds the text scanned, far above the 2000-character limit of a
// description, so that a pathological input costs nothing.
const maxScan = 16 << 10

// normalize prepares text for phrase search: lower case, full-width ASCII
// folded to ASCII (ｂｅｉｄａｉｈｅ, １２), ё to е, every run of white space
// and punctuation-like separators to one space. Invalid UTF-8 is dropped.
func normalize(s string) string {
	if len(s) > maxScan {
		s = strings.ToValidUTF8(s[:maxScan], "") // the cut may split a rune
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true // drop leading space
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size <= 1:
			continue
		case r == 0x3000:
			r = ' '
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		}
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
		case r < 0x2E80: // CJK and later scripts have no case
			r = unicode.ToLower(r)
		}
		if r == 'ё' {
			r = 'е'
		}
		if r == ' ' || r == '_' || r == '-' || (r < 0x3000 && unicode.IsSpace(r)) {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// A matcher finds the earliest phrase of a list in one pass over the text,
// looking only at the phrases that start with the rune at hand.
type matcher struct {
	byFirst map[rune][]phrase // first rune → phrases, longest first
	maybe   [256]bool         // low byte of first runes: skips most map lookups
}

func newMatcher(list []phrase) *matcher {
	m := &matcher{byFirst: map[rune][]phrase{}}
	for _, p := range list {
		r, _ := utf8.DecodeRuneInString(p.text)
		m.byFirst[r] = append(m.byFirst[r], p)
		m.maybe[r&0xFF] = true
	}
	for _, ps := range m.byFirst {
		slices.SortStableFunc(ps, func(a, b phrase) int { return len(b.text) - len(a.text) })
	}
	return m
}

// These tables are derived from the phrase lists once and never change.
var (
	districtMatcher = newMatcher(districtPhrases)
	illnessMatcher  = newMatcher(illnessPhrases)
	schoolMatcher   = newMatcher(schoolPhrases)
)

// first returns the phrase found earliest in the normalized text t (the
// longest one at that position), honouring word boundaries; ok is false when
// none is found.
func (m *matcher) first(t string) (phrase, bool) {
	prev := rune(-1) // -1: start of text, a boundary
	for i, r := range t {
		if !m.maybe[r&0xFF] {
			prev = r
			continue
		}
		for _, p := range m.byFirst[r] {
			if !strings.HasPrefix(t[i:], p.text) {
				continue
			}
			if bounded(p) {
				after, _ := utf8.DecodeRuneInString(t[i+len(p.text):])
				if isWordRune(prev) || (!p.stem && isWordRune(after)) {
					continue
				}
			}
			return p, true
		}
		prev = r
	}
	return phrase{}, false
}

// bounded reports whether p needs word boundaries: Latin, Cyrillic and
// digits do, Chinese does not.
func bounded(p phrase) bool {
	r, _ := utf8.DecodeRuneInString(p.text)
	return r < 0x2E80
}

// isWordRune reports whether r continues a Latin or Cyrillic word; CJK
// characters do not, so "在beidaihe吃饭" still finds beidaihe.
func isWordRune(r rune) bool {
	return r >= 0 && r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// MentionedDistrict returns the district named in free text (an address, a
// shop name, a description), the earliest mention winning and a functional
// zone's name winning over the district name it contains (北戴河新区 is not
// 北戴河). ok is false when no district is named.
func MentionedDistrict(text string) (district string, ok bool) {
	p, ok := districtMatcher.first(normalize(text))
	return p.value, ok
}

// Keywords are the words that raised a complaint's priority, kept so a
// supervisor can see why; "" when none was found.
type Keywords struct {
	Illness string // a word suggesting food poisoning: category foodborne_illness, urgent
	School  string // a word suggesting a school or children: at least high
}

// MatchKeywords looks for illness and school words in Chinese, English and
// Russian. Negations ("没有拉肚子") are not understood: keywords only raise
// priority, and a supervisor can lower it.
func MatchKeywords(text string) Keywords {
	t := normalize(text)
	var k Keywords
	if p, ok := illnessMatcher.first(t); ok {
		k.Illness = p.text
	}
	if p, ok := schoolMatcher.first(t); ok {
		k.School = p.text
	}
	return k
}
