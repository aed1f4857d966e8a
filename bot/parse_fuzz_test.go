package bot

import (
	"testing"
	"time"
)

// FuzzParsers runs the engine's small parsers of user text on anything.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{"昨天晚上", "3天前", "2026-07-10", "7月10日", "10.07", "第二个", "#3", "十", "\xff", "我要投诉“老二位海鲜”",
		"就是刚才那家", "the second one", "на него", "5星", "北戴河哪家海鲜店卫生好", "actually it was yesterday", "长城饺子馆的饺子里吃出了塑料"} {
		f.Add(s)
	}
	now := time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if when, ok, _ := parseWhen(s, now); ok && (when.After(now) || when.Before(now.AddDate(-101, 0, 0))) {
			t.Fatalf("parseWhen(%q) = %v", s, when)
		}
		if n, ok := parseChoice(s); ok && (n < 0 || n >= 100) {
			t.Fatalf("parseChoice(%q) = %d", s, n)
		}
		_ = hasDetail(s, complaintShopName(s, Understand(s)))
		_ = lookupQuery(norm(s))
		_ = inferCategory(s)
		if n := stars(norm(s)); n < 0 || n > 5 {
			t.Fatalf("stars(%q) = %d", s, n)
		}
		if _, o := reference(norm(s)); o < 0 || o > 3 {
			t.Fatalf("reference(%q) ordinal %d", s, o)
		}
		if n := editField(norm(s)); n < 0 || n > 7 {
			t.Fatalf("editField(%q) = %d", s, n)
		}
		_ = onlyPointer(s)
		_ = aboutQuery(norm(s))
		_ = isQuestion(s)
		_ = licenceIn(s)
	})
}
