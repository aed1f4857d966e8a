package resolve_test

import (
	"strings"
	"testing"
	"time"

	"shian/resolve"
)

// FuzzScore: whatever is typed (one character, emoji, mixed scripts,
// invisible characters, 10 KB), scoring answers quickly, within 0–1, at
// most MaxCandidates, and a name too weak to decide is never a match.
func FuzzScore(f *testing.F) {
	_, n := city(f)
	r, err := resolve.New(searchFunc(nil), n)
	if err != nil {
		f.Fatal(err)
	}
	shops := scoreShops()
	for _, s := range []string{"老二为", "海鲜", "🦐", "KFC肯德基", "lao er wei", "Лао Эр Вэй", "一\u200b中食堂", "(店)", "号号号"} {
		f.Add(s, "保二路125号")
	}
	f.Fuzz(func(t *testing.T, name, addr string) {
		start := time.Now()
		res := r.Score(resolve.Query{Name: name, Address: addr}, shops)
		if d := time.Since(start); len(name)+len(addr) < 20000 && d > 2*time.Second {
			t.Fatalf("%d bytes took %v", len(name)+len(addr), d)
		}
		if res.Confidence < 0 || res.Confidence > 1 || len(res.Candidates) > resolve.MaxCandidates {
			t.Fatalf("%+v", res)
		}
		if res.Outcome == resolve.Match && (res.Shop == nil || len([]rune(strings.TrimSpace(name))) < 2) {
			t.Fatalf("%q matched %+v", name, res)
		}
	})
}
