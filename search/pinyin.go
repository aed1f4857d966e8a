package search

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-pinyin"

	"shian"
)

// Meilisearch's official builds do not match pinyin against Chinese text, so
// the indexer spells every name and alias in pinyin three ways: spaced
// ("lao wang hai xian"), joined from every syllable on ("laowanghaixian",
// "wanghaixian", "haixian", "xian", so that a prefix query such as
// "haixian" finds the shop), and initials from every syllable on ("lwhx",
// "whx", "hx", "x").

// phrases corrects go-pinyin's per-character reading of polyphonic
// characters in the words shop names use. The longest phrase at a position
// wins over charReadings, which wins over go-pinyin.
var phrases = map[string][]string{
	// 长: chang in names (charReadings), zhang in titles.
	"市长": {"shi", "zhang"}, "校长": {"xiao", "zhang"}, "厂长": {"chang", "zhang"},
	"店长": {"dian", "zhang"}, "家长": {"jia", "zhang"}, "村长": {"cun", "zhang"}, "成长": {"cheng", "zhang"},
	// 重
	"重庆": {"chong", "qing"}, "重阳": {"chong", "yang"},
	// 行: hang in names (charReadings), xing in these words.
	"步行": {"bu", "xing"}, "旅行": {"lv", "xing"}, "自行": {"zi", "xing"}, "行政": {"xing", "zheng"},
	"流行": {"liu", "xing"}, "出行": {"chu", "xing"}, "发行": {"fa", "xing"}, "运行": {"yun", "xing"},
	"行人": {"xing", "ren"}, "执行": {"zhi", "xing"}, "平行": {"ping", "xing"}, "风行": {"feng", "xing"},
	"行者": {"xing", "zhe"},
	// 乐
	"快乐": {"kuai", "le"}, "欢乐": {"huan", "le"}, "渔家乐": {"yu", "jia", "le"}, "农家乐": {"nong", "jia", "le"},
	"音乐": {"yin", "yue"}, "乐器": {"yue", "qi"}, "乐府": {"yue", "fu"},
	// 调
	"调料": {"tiao", "liao"}, "调味": {"tiao", "wei"}, "调和": {"tiao", "he"}, "烹调": {"peng", "tiao"},
	"空调": {"kong", "tiao"}, "调制": {"tiao", "zhi"}, "调酒": {"tiao", "jiu"},
	// 藏
	"西藏": {"xi", "zang"}, "藏族": {"zang", "zu"}, "藏式": {"zang", "shi"}, "藏餐": {"zang", "can"},
	"宝藏": {"bao", "zang"}, "藏香": {"zang", "xiang"},
	// 和
	"暖和": {"nuan", "huo"}, "和面": {"huo", "mian"}, "搅和": {"jiao", "huo"},
	// 都
	"成都": {"cheng", "du"}, "首都": {"shou", "du"}, "都市": {"du", "shi"}, "古都": {"gu", "du"},
	"京都": {"jing", "du"}, "都城": {"du", "cheng"},
	// others seen on menus and signboards
	"厦门": {"xia", "men"}, "单县": {"shan", "xian"}, "扒鸡": {"pa", "ji"}, "扒肉": {"pa", "rou"},
	"扒肘": {"pa", "zhou"}, "蛤蜊": {"ge", "li"}, "文蛤": {"wen", "ge"}, "花蛤": {"hua", "ge"},
	"蛤蟆": {"ha", "ma"}, "仿佛": {"fang", "fu"}, "大夫": {"dai", "fu"}, "便宜": {"pian", "yi"},
	"薄荷": {"bo", "he"}, "好客": {"hao", "ke"}, "什锦": {"shi", "jin"}, "雪茄": {"xue", "jia"},
	"的士": {"di", "shi"}, "蚵仔": {"e", "zai"}, "朝鲜": {"chao", "xian"}, "朝阳": {"chao", "yang"},
}

// charReadings overrides go-pinyin's first reading of a character where
// shop names use another one far more often.
var charReadings = map[rune]string{
	'长': "chang", // 长城, 长寿, 长江 …
	'行': "hang",  // 银行, 商行, 车行, 茶行 …
	'佛': "fo",    // 佛跳墙
	'似': "si",
	'曾': "zeng", // the surname
}

// maxPhrase is the length in characters of the longest entry of phrases.
const maxPhrase = 3

var pinyinArgs = pinyin.NewArgs()

// syllables spells s as lower-case words: one pinyin syllable per Chinese
// character (phrases and charReadings first), and runs of letters or
// digits as they are. Other characters separate words.
func syllables(s string) []string {
	rs := []rune(s)
	var out []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, strings.ToLower(word.String()))
			word.Reset()
		}
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		if !unicode.Is(unicode.Han, r) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				word.WriteRune(r)
			} else {
				flush()
			}
			i++
			continue
		}
		flush()
		if n, py := phraseAt(rs, i); n > 0 {
			out = append(out, py...)
			i += n
			continue
		}
		if py, ok := charReadings[r]; ok {
			out = append(out, py)
		} else if py := pinyin.SinglePinyin(r, pinyinArgs); len(py) > 0 {
			out = append(out, py[0])
		}
		i++
	}
	flush()
	return out
}

func phraseAt(rs []rune, i int) (int, []string) {
	for n := min(maxPhrase, len(rs)-i); n >= 2; n-- {
		if py, ok := phrases[string(rs[i:i+n])]; ok {
			return n, py
		}
	}
	return 0, nil
}

// FuzzySyllable folds a toneless syllable to the sound an input-method slip
// keeps: zh/z, ch/c, sh/s, n/l (initials) and -ng/-n (finals) fall together,
// so 为/位/魏 (wei), 张/赃 (zhang/zang) and 城/陈 (cheng/chen) spell alike.
// Tones are already gone: go-pinyin's normal style has none.
func FuzzySyllable(s string) string {
	switch {
	case strings.HasPrefix(s, "zh"), strings.HasPrefix(s, "ch"), strings.HasPrefix(s, "sh"):
		s = s[:1] + s[2:]
	case len(s) > 1 && s[0] == 'n':
		s = "l" + s[1:]
	}
	if n := len(s); n > 2 && strings.HasSuffix(s, "ng") && s[n-3] != 'o' {
		s = s[:n-1] // ang→an, eng→en, ing→in; ong has no -on to meet
	}
	return s
}

// Fuzzy returns the fuzzy spelling of text: the FuzzySyllable of each
// syllable, space-separated ("" when text has no Chinese characters). The
// index holds it for every name, and a Chinese query is also matched
// through it, so a slip of the input method (老二为 for 老二位) still finds
// the shop.
func Fuzzy(text string) string {
	if !hasHan(text) {
		return ""
	}
	syl := syllables(text)
	for i, s := range syl {
		syl[i] = FuzzySyllable(s)
	}
	return strings.Join(syl, " ")
}

// Spelling is the pinyin of one name.
type Spelling struct {
	Spaced   string   // "lao wang hai xian"
	Fuzzy    string   // "lao wan hai xian": see FuzzySyllable
	Joined   []string // "laowanghaixian", "wanghaixian", "haixian", "xian"
	Initials []string // "lwhx", "whx", "hx", "x"
}

// Spell returns the pinyin of a name; ok is false when the name has no
// Chinese characters (nothing to add to what Meilisearch already matches).
func Spell(name string) (sp Spelling, ok bool) {
	if !hasHan(name) {
		return Spelling{}, false
	}
	syl := syllables(name)
	if len(syl) == 0 {
		return Spelling{}, false
	}
	sp.Spaced = strings.Join(syl, " ")
	fz := make([]string, len(syl))
	for i, s := range syl {
		fz[i] = FuzzySyllable(s)
	}
	sp.Fuzzy = strings.Join(fz, " ")
	for i := range syl {
		sp.Joined = append(sp.Joined, strings.Join(syl[i:], ""))
		var b strings.Builder
		for _, s := range syl[i:] {
			b.WriteByte(s[0])
		}
		sp.Initials = append(sp.Initials, b.String())
	}
	return sp, true
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// searchNames returns the Chinese names a shop is searched by: its name,
// its aliases and the short forms of both (see ShortNames).
func searchNames(s *shian.Shop) (names, short []string) {
	names = append([]string{s.Name}, s.Aliases...)
	for _, n := range names {
		short = append(short, ShortNames(n)...)
	}
	return names, short
}

// spellings returns the pinyin of a shop's names (see searchNames), with
// duplicates removed.
func spellings(s *shian.Shop) (spaced, joined, initials, fuzzy []string) {
	seen := map[string]bool{}
	add := func(list *[]string, v string) {
		if !seen[v] {
			seen[v] = true
			*list = append(*list, v)
		}
	}
	names, short := searchNames(s)
	for _, name := range append(names, short...) {
		sp, ok := Spell(name)
		if !ok {
			continue
		}
		add(&spaced, sp.Spaced)
		add(&fuzzy, "~"+sp.Fuzzy)
		for _, j := range sp.Joined {
			add(&joined, j)
		}
		for _, in := range sp.Initials {
			add(&initials, in)
		}
	}
	for i := range fuzzy {
		fuzzy[i] = fuzzy[i][1:] // the ~ kept fuzzy spellings apart from the others in seen
	}
	return spaced, joined, initials, fuzzy
}

// Keywords is the search text a shop adds for the store's degraded search
// (the store indexes it with the shop's names, address and licence): the
// short names (一中 for 第一中学), and the pinyin of every name spaced,
// fuzzy, joined from each syllable on and as initials from each syllable
// on, so that a query matches as a word or a word's prefix what
// Meilisearch matches. Set it as sqlstore.DB.Keywords.
func Keywords(s *shian.Shop) string {
	_, short := searchNames(s)
	spaced, joined, initials, fuzzy := spellings(s)
	parts := append(short, spaced...)
	parts = append(parts, fuzzy...)
	parts = append(parts, joined...)
	parts = append(parts, initials...)
	return strings.Join(parts, " ")
}
