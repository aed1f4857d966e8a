package reading

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"shian"
)

var fuzzSeeds = []string{
	"没有拉肚子，就是粉丝太咸了", "Nobody got sick, but the kitchen was filthy", "не отравились, но грязно",
	"拉肚子？没有。", "Отравление? Нет.", "北戴河新区", "Beidaihe New Area", "ｂｅｉｄａｉｈｅ", "\xff\xfe北戴",
	"отра\u200bвились", "\u202e\u2066\u200b", "sick of", "vomit", "детском саду", "吐槽", "a&e", "",
	strings.Repeat("没有", 100) + "拉肚子", strings.Repeat("не ", 200) + "отравились",
}

// FuzzRead checks the reader on arbitrary text: no panic, a known category
// and priority, the submitted category kept, every word it reports found in
// the normalized text, and bounded time (a second, far above the few
// milliseconds 10 KB take, so that a busy machine does not fail it).
func FuzzRead(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add("foodborne_illness", s)
		f.Add("", s)
	}
	f.Fuzz(func(t *testing.T, submitted, s string) {
		start := time.Now()
		r := Read(submitted, s)
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Read took %s on %d bytes", d, len(s))
		}
		if _, ok := shian.LookupComplaintCategory(r.Category); !ok {
			t.Fatalf("Read(%q) gives unknown category %q", s, r.Category)
		}
		if shian.PriorityRank(r.Priority) == 0 || r.Submitted != submitted || len(r.Reasons) != 2 {
			t.Fatalf("Read(%q) = %+v", s, r)
		}
		n := Normalize(s)
		for _, list := range [][]Signal{r.Signals, r.Denied} {
			for _, sig := range list {
				for _, w := range sig.Words {
					if w == "" || !strings.Contains(n, w) {
						t.Fatalf("word %q of %s is not in %q", w, sig.Kind, n)
					}
				}
			}
		}
		if r.Has(Illness) && r.Category != shian.CategoryIllness {
			t.Fatalf("illness %v but category %s", r.Words(Illness), r.Category)
		}
		if !utf8.ValidString(n) || (len(s) < MaxScan/4 && Normalize(n) != n) {
			t.Fatalf("Normalize not idempotent or invalid on %q: %q", s, n)
		}
		if strings.ContainsFunc(n, invisible) {
			t.Fatalf("Normalize kept an invisible character: %q", n)
		}
	})
}

// FuzzLocate checks the gazetteer on arbitrary text: no panic, only real
// districts, matched words found in the text, and the rule that a zone's
// name wins over the district name it contains.
func FuzzLocate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add("鸽子窝公园")
	f.Add("у Старой головы дракона")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := Locate(s)
		if ok {
			if _, known := shian.LookupCode(shian.Districts, p.District); !known || len(p.Words) == 0 || p.Name == "" {
				t.Fatalf("Locate(%q) = %+v", s, p)
			}
			n := Normalize(s)
			if slices.ContainsFunc(p.Words, func(w string) bool { return !strings.Contains(n, w) }) {
				t.Fatalf("Locate(%q) words %q not in %q", s, p.Words, n)
			}
		} else if p.District != "" {
			t.Fatalf("Locate(%q) = %+v but not ok", s, p)
		}
		if p2, _ := Locate("北戴河新区" + s); p2.District != "bdhxinqu" {
			t.Fatalf("北戴河新区 followed by %q gives %+v", s, p2)
		}
	})
}

// TestLongInput bounds the cost of the longest text read (MaxScan bytes)
// made to be slow: many denials, many phrase starts, long lists, questions,
// invisible characters. A linear reading takes a few milliseconds (some
// 100 ms under the race detector on a busy machine); the bound of a second
// is a guard against runaway cost, loose enough for a shared machine.
func TestLongInput(t *testing.T) {
	for _, unit := range []string{"没", "не ", "\u200b", "拉肚子、", "sick of a ", "?", "没有发烧、", "Отравление? Нет. ", "a"} {
		s := strings.Repeat(unit, MaxScan/len(unit)+1)
		start := time.Now()
		r := Read("foodborne_illness", s)
		Locate(s)
		if d := time.Since(start); d > time.Second {
			t.Errorf("%q × %d: %s", unit, MaxScan/len(unit)+1, d)
		}
		if r.Category == "" {
			t.Errorf("no category for %q…", unit)
		}
	}
}

// BenchmarkRead reads a 500-character complaint; BenchmarkNormalize, the
// part of it that folds the text, is the anchor to compare with.
func BenchmarkRead(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Read("other", text)
	}
}

func BenchmarkNormalize(b *testing.B) {
	text := benchText()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Normalize(text)
	}
}

func BenchmarkLocate(b *testing.B) {
	text := benchText()
	for b.Loop() {
		Locate(text)
	}
}

// benchText is a complaint of 500 characters in three languages.
func benchText() string {
	parts := []string{
		"昨天晚上在北戴河保二路的一家海鲜大排档吃了扇贝和皮皮虾，服务员态度很差，结账的时候还多收了我们一百块。",
		"回到酒店以后，我和孩子都开始拉肚子，半夜又吐了两次，没有发烧，但是肚子绞痛得不行，早上去医院挂了急诊。",
		"We saw cockroaches near the kitchen and the toilets were filthy. Nobody else in our group got sick, but my son threw up twice. ",
		"Ночью всю семью тошнило, у ребёнка рвота и температура, но в больницу не поехали. ",
	}
	var b strings.Builder
	for utf8.RuneCountInString(b.String()) < 500 {
		for _, p := range parts {
			b.WriteString(p)
		}
	}
	return string([]rune(b.String())[:500])
}
