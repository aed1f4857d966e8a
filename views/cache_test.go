package views

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"shian"
)

func TestCacheBoundedInBytes(t *testing.T) {
	c := New(Options{MaxBytes: 100_000})
	body := []byte(strings.Repeat("x", 1000))
	for i := range 1000 {
		c.Put(fmt.Sprintf("JY%013d", i), "json", body, c.Gen())
		if st := c.Stats(); st.Bytes > 100_000 {
			t.Fatalf("after %d puts the cache holds %d bytes; bound 100000", i+1, st.Bytes)
		}
	}
	if _, ok := c.Get(fmt.Sprintf("JY%013d", 999), "json"); !ok {
		t.Fatal("the latest answer was evicted")
	}
	if _, ok := c.Get(fmt.Sprintf("JY%013d", 0), "json"); ok {
		t.Fatal("the oldest answer was kept past the bound")
	}
}

func TestCacheLeastRecentlyUsedGoesFirst(t *testing.T) {
	c := New(Options{MaxBytes: 4 * (1000 + 2*15 + 5 + entryOverhead)})
	body := []byte(strings.Repeat("x", 1000))
	for _, l := range []string{"A", "B", "C", "D"} {
		c.Put(strings.Repeat(l, 15), "json", body, c.Gen())
	}
	c.Get(strings.Repeat("A", 15), "json") // A is now the most recent
	c.Put(strings.Repeat("E", 15), "json", body, c.Gen())
	if _, ok := c.Get(strings.Repeat("A", 15), "json"); !ok {
		t.Error("A, just used, was evicted")
	}
	if _, ok := c.Get(strings.Repeat("B", 15), "json"); ok {
		t.Error("B, least recently used, was kept")
	}
}

func TestInvalidateDropsGroupAndRefusesOlderAnswers(t *testing.T) {
	c := New(Options{})
	gen := c.Gen()
	c.Put("L1", "json", []byte("1"), gen)
	c.Put("L1", "page:en", []byte("2"), gen)
	c.Put("L2", "json", []byte("3"), gen)
	stale := c.Gen()
	c.Invalidate("L1")
	for _, v := range []string{"json", "page:en"} {
		if _, ok := c.Get("L1", v); ok {
			t.Errorf("L1 %s survived its invalidation", v)
		}
	}
	if _, ok := c.Get("L2", "json"); !ok {
		t.Error("L2 was dropped by L1's invalidation")
	}
	c.Put("L1", "json", []byte("old"), stale)
	if _, ok := c.Get("L1", "json"); ok {
		t.Error("an answer read before the invalidation was kept")
	}
}

func TestNegativeAnswersBoundedApartAndBrief(t *testing.T) {
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)
	c := New(Options{MaxBytes: 1 << 20, NegativeMaxBytes: 10_000, NegativeTTL: 5 * time.Second, Now: func() time.Time { return now }})
	ctx := context.Background()
	c.Put("KNOWN", "json", []byte("{}"), c.Gen())
	notFound := &shian.Error{Code: shian.ENOTFOUND, Message: "no shop"}
	renders := 0
	missing := func(context.Context) ([]byte, error) { renders++; return nil, notFound }
	for i := range 10_000 {
		if _, err := c.Answer(ctx, fmt.Sprintf("JY%013d", i), "json", missing); !errors.Is(err, notFound) {
			t.Fatalf("unknown licence: %v", err)
		}
	}
	st := c.Stats()
	if st.NegativeBytes > 10_000 || st.Entries != 1 {
		t.Fatalf("after a flood of unknown licences: %+v; want negative bytes ≤ 10000 and the known answer kept", st)
	}
	renders = 0
	last := fmt.Sprintf("JY%013d", 9999)
	if _, err := c.Answer(ctx, last, "json", missing); !errors.Is(err, notFound) || renders != 0 {
		t.Fatalf("a recent unknown licence was asked again (%d renders, %v)", renders, err)
	}
	now = now.Add(6 * time.Second)
	if _, err := c.Answer(ctx, last, "json", missing); !errors.Is(err, notFound) || renders != 1 {
		t.Fatalf("an unknown licence was remembered past its TTL (%d renders, %v)", renders, err)
	}
	if _, err := c.Answer(ctx, "OTHER", "json", func(context.Context) ([]byte, error) { return nil, errors.New("down") }); err == nil || c.Stats().NegativeEntries > st.NegativeEntries+1 {
		t.Fatalf("an outage was remembered as an unknown licence: %v", err)
	}
}

func TestNewDayPurges(t *testing.T) {
	now := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)
	c := New(Options{Now: func() time.Time { return now }})
	c.Put("L1", "json", []byte("{}"), c.Gen())
	if _, ok := c.Get("L1", "json"); !ok {
		t.Fatal("no answer the same day")
	}
	now = now.Add(2 * time.Minute) // New Year: annual grades turn
	if _, ok := c.Get("L1", "json"); ok {
		t.Fatal("an answer of last year was served on New Year's day")
	}
}

// feed is an in-memory change sequence whose rows may become visible out
// of order, as PostgreSQL's do.
type feed struct{ rows []Change }

func (f *feed) LatestShopChange(context.Context) (int64, error) {
	var m int64
	for _, r := range f.rows {
		m = max(m, r.Seq)
	}
	return m, nil
}

func (f *feed) ShopChangesSince(_ context.Context, after int64, limit int) ([]Change, error) {
	var out []Change
	for s := after + 1; len(out) < limit; s++ {
		found := false
		for _, r := range f.rows {
			if r.Seq == s {
				out, found = append(out, r), true
			}
		}
		if !found && s > after+100 {
			break
		}
	}
	return out, nil
}

func TestPollerWaitsForLateCommits(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)
	c := New(Options{Now: func() time.Time { return now }})
	f := &feed{}
	p := &Poller{Feed: f, Cache: c, GapWait: 10 * time.Second, Now: func() time.Time { return now }}
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	put := func(l string) { c.Put(l, "json", []byte("{}"), c.Gen()) }
	has := func(l string) bool { _, ok := c.Get(l, "json"); return ok }
	put("L1")
	put("L2")
	// seq 2 commits before seq 1.
	f.rows = append(f.rows, Change{Seq: 2, ShopID: 2, Licence: "L2"})
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if has("L2") || !has("L1") {
		t.Fatalf("after seq 2: L1 %v L2 %v; want only L2 dropped", has("L1"), has("L2"))
	}
	put("L2")
	now = now.Add(2 * time.Second)
	f.rows = append(f.rows, Change{Seq: 1, ShopID: 1, Licence: "L1"})
	if err := p.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if has("L1") || !has("L2") {
		t.Fatalf("after the late seq 1: L1 %v L2 %v; want L1 dropped, L2 not again", has("L1"), has("L2"))
	}
	if p.mark != 2 {
		t.Fatalf("mark = %d; want 2", p.mark)
	}
}
