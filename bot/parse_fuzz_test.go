package bot

import (
	"testing"
	"time"
)

// FuzzParsers runs the engine's small parsers of user text on anything.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{"昨天晚上", "3天前", "2026-07-10", "7月10日", "10.07", "第二个", "#3", "十", "\xff", "我要投诉“老二位海鲜”"} {
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
	})
}
