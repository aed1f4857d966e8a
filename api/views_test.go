package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/api"
	"shian/store/storetest"
	"shian/views"
)

// TestShopReadsFollowChanges: the shop JSON and page are served from the
// view cache until the change sequence says the shop changed.
func TestShopReadsFollowChanges(t *testing.T) {
	ctx := context.Background()
	db := newStore(t)
	cache := views.New(views.Options{Now: func() time.Time { return storetest.Now }})
	poller := &views.Poller{Feed: db, Cache: cache}
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	s := api.New(api.Config{Store: db, Views: cache, Now: func() time.Time { return storetest.Now }})
	get := func(path string) string {
		t.Helper()
		resp, err := s.App.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	const lic = "JY1130302000001"
	for _, path := range []string{"/api/v1/shops/" + lic, "/shops/" + lic} {
		if body := get(path); !strings.Contains(body, "老二位海鲜") || strings.Contains(body, "大排档") {
			t.Fatalf("%s before the change: %.200s", path, body)
		}
	}
	if st := cache.Stats(); st.Entries != 2 {
		t.Fatalf("cache after two reads = %+v; want 2 answers", st)
	}
	if _, err := db.UpsertShops(ctx, []*shian.Shop{storetest.Shop(lic, "老二位海鲜大排档", "beidaihe")}); err != nil {
		t.Fatal(err)
	}
	if body := get("/api/v1/shops/" + lic); strings.Contains(body, "大排档") {
		t.Fatal("the cached answer changed before any poll: the test would prove nothing")
	}
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/shops/" + lic, "/shops/" + lic} {
		if body := get(path); !strings.Contains(body, "老二位海鲜大排档") {
			t.Fatalf("%s after the poll: %.200s", path, body)
		}
	}
}

// TestBadLicencesDoNotFillTheCache: malformed licences never reach the
// cache, unknown ones stay within the negative bound, known answers stay.
func TestBadLicencesDoNotFillTheCache(t *testing.T) {
	cache := views.New(views.Options{NegativeMaxBytes: 20_000, Now: func() time.Time { return storetest.Now }})
	s := api.New(api.Config{Store: newStore(t), Views: cache, Now: func() time.Time { return storetest.Now }})
	status := func(path string) int {
		resp, err := s.App.Test(httptest.NewRequest("GET", path, nil), -1)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := status("/api/v1/shops/JY1130302000001"); st != 200 {
		t.Fatalf("known shop: %d", st)
	}
	for i := range 140 { // under the public_read burst of 300
		if st := status(fmt.Sprintf("/api/v1/shops/bad-%d!", i)); st != 400 {
			t.Fatalf("malformed licence: %d", st)
		}
		if st := status(fmt.Sprintf("/api/v1/shops/JY9%013d", i)); st != 404 {
			t.Fatalf("unknown licence: %d", st)
		}
	}
	st := cache.Stats()
	if st.Entries != 1 || st.NegativeBytes > 20_000 || st.NegativeEntries == 0 {
		t.Fatalf("cache after 280 bad licences = %+v; want the one known answer and ≤ 20000 negative bytes", st)
	}
}
