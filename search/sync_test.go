package search_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shian"
	"shian/internal/testenv"
	"shian/search"
)

func TestSyncRejectedDocumentDoesNotBlockOthers(t *testing.T) {
	url, key := testenv.MeiliURL(t)
	db := MustStore(t)
	ix := MustIndex(t, url, key)
	ctx := context.Background()
	shops := fixtureShops()[:3]
	bad := shops[1]
	// Meilisearch rejects a document id with a space (the store takes
	// what the importer validated; this one slipped past).
	bad.Licence = "JY 113030200002"
	if _, err := db.UpsertShops(ctx, shops); err != nil {
		t.Fatal(err)
	}
	sy := &search.Syncer{Outbox: db, Shops: db, Index: ix, MaxAttempts: 1}
	svc := search.NewService(search.Config{Index: ix, Store: db, Budget: 5 * time.Second})

	t.Run("good documents applied, bad one failed", func(t *testing.T) {
		n, err := sy.SyncOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("completed %d entries, want 2", n)
		}
		pending, err := db.PendingOutbox(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) != 1 || pending[0].Licence != bad.Licence || pending[0].Attempts != 1 || !strings.Contains(pending[0].LastError, "invalid_document_id") {
			t.Fatalf("pending %+v, want the bad shop failed once with an invalid id error", pending)
		}
		res, _, err := svc.Search(ctx, shian.ShopQuery{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		if got := licences(res); !slices.Equal(got, []string{shops[0].Licence, shops[2].Licence}) && !slices.Equal(got, []string{shops[2].Licence, shops[0].Licence}) {
			t.Errorf("indexed %v", got)
		}
	})
	t.Run("given up after MaxAttempts", func(t *testing.T) {
		if n, err := sy.SyncOnce(ctx); err != nil || n != 0 {
			t.Fatalf("SyncOnce = %d, %v; want 0, nil", n, err)
		}
		pending, _ := db.PendingOutbox(ctx, 10)
		if len(pending) != 1 || pending[0].Attempts != 1 {
			t.Fatalf("pending %+v, want the entry left aside with 1 attempt", pending)
		}
	})
	t.Run("several changes of one shop are applied once", func(t *testing.T) {
		good := shops[0]
		for _, name := range []string{"老王海鲜大排档（一）", "老王海鲜大排档（二）"} {
			good.Name = name
			if _, err := db.UpsertShops(ctx, []*shian.Shop{good}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := sy.SyncOnce(ctx); err != nil || n != 2 {
			t.Fatalf("SyncOnce = %d, %v; want both entries of the shop completed", n, err)
		}
		res, _, _ := svc.Search(ctx, shian.ShopQuery{Text: "老王", Limit: 5})
		if len(res.Hits) != 1 || res.Hits[0].Shop.Name != "老王海鲜大排档（二）" {
			t.Errorf("hits %v, want the latest name", res.Hits)
		}
	})
	t.Run("a shop gone from the store is deleted", func(t *testing.T) {
		gone := shops[2]
		for _, q := range []string{
			`DELETE FROM inspections WHERE shop_id = (SELECT id FROM shops WHERE licence = ?)`,
			`DELETE FROM annual_grades WHERE shop_id = (SELECT id FROM shops WHERE licence = ?)`,
			`INSERT INTO outbox (shop_id, licence, created_at) SELECT id, licence, CURRENT_TIMESTAMP FROM shops WHERE licence = ?`,
			`DELETE FROM shops WHERE licence = ?`,
		} {
			if _, err := db.DB.ExecContext(ctx, q, gone.Licence); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := sy.SyncOnce(ctx); err != nil || n != 1 {
			t.Fatalf("SyncOnce = %d, %v", n, err)
		}
		res, _, _ := svc.Search(ctx, shian.ShopQuery{Limit: 20})
		if slices.Contains(licences(res), gone.Licence) {
			t.Errorf("deleted shop still indexed: %v", licences(res))
		}
	})
}

func TestOutageFallbackAndCatchUp(t *testing.T) {
	m := testenv.StartMeili(t)
	db := MustStore(t)
	ix := search.NewIndex(m.URL, m.Key, "")
	t.Cleanup(ix.Close)
	ix.TaskTimeout = 10 * time.Second
	ctx := context.Background()
	if err := ix.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	MustLoad(t, db, ix, fixtureShops())
	svc := search.NewService(search.Config{Index: ix, Store: db, Outbox: db, Budget: 300 * time.Millisecond,
		Failures: 3, Cooldown: 500 * time.Millisecond})
	haixian := shian.ShopQuery{Text: "haixian", Sort: "relevance", Limit: 20}

	if _, degraded, err := svc.Search(ctx, haixian); err != nil || degraded {
		t.Fatalf("before the outage: degraded %v, err %v", degraded, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sy := &search.Syncer{Outbox: db, Shops: db, Index: ix, Interval: 50 * time.Millisecond, MaxBackoff: 300 * time.Millisecond}
		if err := sy.Run(runCtx); !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
	}()
	t.Cleanup(func() { stop(); wg.Wait() })

	m.Stop()
	newShop := &shian.Shop{Licence: "JY11303020000099", Name: "新开码头海鲜坊", NameEN: "New Pier Seafood", Category: "restaurant",
		Address: "海港区海滨路1号", District: "haigang", Status: "open"}
	if _, err := db.UpsertShops(ctx, []*shian.Shop{newShop}); err != nil {
		t.Fatal(err)
	}

	t.Run("degraded answers while Meilisearch is down", func(t *testing.T) {
		var open []time.Duration
		for i := range 20 {
			start := time.Now()
			res, degraded, err := svc.Search(ctx, haixian)
			took := time.Since(start)
			if err != nil || !degraded {
				t.Fatalf("query %d: degraded %v, err %v", i, degraded, err)
			}
			if !slices.Contains(licences(res), "JY11303020000001") {
				t.Fatalf("query %d: fallback hits %v lack the seafood diner", i, licences(res))
			}
			if i >= 3 { // the circuit is open after 3 failures
				open = append(open, took)
			}
		}
		// The cool-down may have ended meanwhile: then the probe finds
		// Meilisearch unreachable.
		if ok, detail := svc.Healthy(ctx); ok || !(strings.Contains(detail, "circuit open") || strings.Contains(detail, "unreachable")) {
			t.Errorf("Healthy = %v %q, want the outage reported", ok, detail)
		}
		// With the circuit open no query waits for Meilisearch: the median
		// is the store's own time, not the store's plus the 300 ms budget.
		var store []time.Duration
		for range len(open) {
			start := time.Now()
			if _, err := db.SearchShops(ctx, haixian); err != nil {
				t.Fatal(err)
			}
			store = append(store, time.Since(start))
		}
		slices.Sort(open)
		slices.Sort(store)
		if med, own := open[len(open)/2], store[len(store)/2]; med > own+150*time.Millisecond {
			t.Errorf("with the circuit open the median query took %s; the store alone %s", med, own)
		}
		if ok, detail := svc.LagProbe(ctx); !strings.HasPrefix(detail, "1 pending") {
			t.Errorf("LagProbe = %v %q, want 1 pending", ok, detail)
		}
	})

	m.Start()
	t.Run("catch-up after restart", func(t *testing.T) {
		deadline := time.Now().Add(60 * time.Second)
		for {
			n, _, err := db.OutboxLag(ctx)
			res, degraded, serr := svc.Search(ctx, shian.ShopQuery{Text: "码头", Limit: 5})
			if err == nil && n == 0 && serr == nil && !degraded && slices.Contains(licences(res), newShop.Licence) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not caught up: lag %d (%v), degraded %v, hits %v, err %v", n, err, degraded, res, serr)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if ok, detail := svc.Healthy(ctx); !ok {
			t.Errorf("Healthy after recovery = %q", detail)
		}
	})
}

func TestReindexWhileQuerying(t *testing.T) {
	url, key := testenv.MeiliURL(t)
	db := MustStore(t)
	ix := MustIndex(t, url, key)
	ctx := context.Background()
	shops := append(fixtureShops(), genShops(1500)...)
	MustLoad(t, db, ix, shops[:8]) // the live index holds only the fixtures
	if _, err := db.UpsertShops(ctx, shops[8:]); err != nil {
		t.Fatal(err)
	}
	svc := search.NewService(search.Config{Index: ix, Store: db, Budget: 10 * time.Second})

	var queries, failed atomic.Int64
	var firstFailure atomic.Value
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			res, degraded, err := svc.Search(ctx, shian.ShopQuery{Text: "haixian", Limit: 10})
			queries.Add(1)
			if err != nil || degraded || !slices.Contains(licences(res), "JY11303020000001") {
				failed.Add(1)
				firstFailure.CompareAndSwap(nil, fmt.Sprintf("err %v, degraded %v", err, degraded))
			}
		}
	}()
	st, err := ix.Reindex(ctx, db, nil)
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.Shops != len(shops) || st.Rejected != 0 {
		t.Errorf("stats %+v, want %d shops, none rejected", st, len(shops))
	}
	if n := failed.Load(); n != 0 || queries.Load() < 5 {
		t.Errorf("%d of %d queries failed during the reindex (first: %v)", n, queries.Load(), firstFailure.Load())
	}
	res, degraded, err := svc.Search(ctx, shian.ShopQuery{Limit: 1, AllCategories: true, Statuses: []string{"open", "suspended", "closed"}})
	if err != nil || degraded || res.Total != len(shops) {
		t.Errorf("after reindex: total %d, degraded %v, err %v; want %d", res.Total, degraded, err, len(shops))
	}
	t.Logf("reindex of %d shops took %s; %d queries during it", st.Shops, st.Took, queries.Load())
	// The rebuilt index was swapped in and the old one deleted.
	other := search.NewIndex(url, key, st.Index)
	defer other.Close()
	if err := other.Healthy(ctx); err == nil {
		t.Errorf("index %s still exists after the swap", st.Index)
	}
}
