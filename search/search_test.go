package search_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"shian"
	"shian/internal/testenv"
	"shian/search"
)

func TestSearch(t *testing.T) {
	url, key := testenv.MeiliURL(t)
	db := MustStore(t)
	ix := MustIndex(t, url, key)
	MustLoad(t, db, ix, fixtureShops())
	svc := search.NewService(search.Config{Index: ix, Store: db, Budget: 5 * time.Second})
	ctx := context.Background()

	tests := []struct {
		name  string
		q     shian.ShopQuery
		first string   // the licence expected first ("" for any)
		want  []string // licences that must be among the hits
		not   []string // licences that must not
	}{
		{name: "Chinese substring", q: shian.ShopQuery{Text: "海鲜"}, want: []string{"JY11303020000001", "JY11303020000002"}, not: []string{"JY11303020000003"}},
		{name: "Chinese multi-word", q: shian.ShopQuery{Text: "海鲜 大排档"}, first: "JY11303020000001"},
		{name: "pinyin full", q: shian.ShopQuery{Text: "haixian"}, want: []string{"JY11303020000001", "JY11303020000002"}},
		{name: "pinyin full spaced", q: shian.ShopQuery{Text: "hai xian"}, want: []string{"JY11303020000001", "JY11303020000002"}},
		{name: "pinyin initials", q: shian.ShopQuery{Text: "hxdpd"}, first: "JY11303020000001"},
		{name: "pinyin polyphonic 长 chang", q: shian.ShopQuery{Text: "changcheng"}, first: "JY11303020000003"},
		{name: "pinyin polyphonic 重 chong", q: shian.ShopQuery{Text: "chongqing"}, first: "JY11303020000004"},
		{name: "pinyin polyphonic 行 hang", q: shian.ShopQuery{Text: "yinhang"}, first: "JY11303020000005"},
		{name: "pinyin polyphonic 乐 le", q: shian.ShopQuery{Text: "yujiale"}, first: "JY11303020000002"},
		{name: "English with a typo", q: shian.ShopQuery{Text: "seafod"}, want: []string{"JY11303020000001", "JY11303020000002"}},
		{name: "English", q: shian.ShopQuery{Text: "dumplings"}, first: "JY11303020000003"},
		{name: "Russian", q: shian.ShopQuery{Text: "Катюша"}, first: "JY11303020000007"},
		{name: "Russian lower case", q: shian.ShopQuery{Text: "пельмени"}, first: "JY11303020000003"},
		{name: "district filter", q: shian.ShopQuery{Text: "海鲜", Districts: []string{"beidaihe"}}, want: []string{"JY11303020000002"}, not: []string{"JY11303020000001"}},
		{name: "grade filter dynamic: food, not closed, by default", q: shian.ShopQuery{Grades: []string{"excellent"}}, want: []string{"JY11303020000001"}, not: []string{"JY11303020000002", "JY11303020000005", "JY11303020000006"}},
		{name: "grade filter dynamic, every kind and status asked for", q: shian.ShopQuery{Grades: []string{"excellent"}, AllCategories: true, Statuses: []string{"open", "closed"}}, want: []string{"JY11303020000001", "JY11303020000005", "JY11303020000006"}, not: []string{"JY11303020000002"}},
		{name: "closed shop on its exact name", q: shian.ShopQuery{Text: "快乐烧烤"}, first: "JY11303020000006"},
		{name: "canteen asked for by a word", q: shian.ShopQuery{Text: "银行食堂"}, first: "JY11303020000005"},
		{name: "canteen on its exact name", q: shian.ShopQuery{Text: "工商银行食堂"}, first: "JY11303020000005"},
		{name: "retail found when nothing serving food matches", q: shian.ShopQuery{Text: "鲜果"}, first: "JY11303020000008"},
		{name: "grade filter annual or dynamic", q: shian.ShopQuery{Grades: []string{"A", "fail"}}, want: []string{"JY11303020000001", "JY11303020000004"}, not: []string{"JY11303020000002", "JY11303020000007"}},
		{name: "not graded", q: shian.ShopQuery{Grades: []string{"not_graded"}, Categories: []string{"retail"}}, first: "JY11303020000008"},
		{name: "category filter", q: shian.ShopQuery{Categories: []string{"canteen", "retail"}}, want: []string{"JY11303020000005", "JY11303020000008"}, not: []string{"JY11303020000001"}},
		{name: "open only", q: shian.ShopQuery{OpenOnly: true}, want: []string{"JY11303020000001"}, not: []string{"JY11303020000006"}},
		{name: "grade sort puts open excellent first", q: shian.ShopQuery{Sort: "grade"}, first: "JY11303020000001", not: []string{"JY11303020000006"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			if q.Limit == 0 {
				q.Limit = 20
			}
			res, degraded, err := svc.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if degraded {
				t.Fatal("degraded answer with Meilisearch up")
			}
			got := licences(res)
			if len(got) == 0 {
				t.Fatalf("no hits")
			}
			if tt.first != "" && got[0] != tt.first {
				t.Errorf("first hit %s, want %s (hits %v)", got[0], tt.first, got)
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("hits %v lack %s", got, w)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(got, n) {
					t.Errorf("hits %v contain %s", got, n)
				}
			}
			if res.Total < len(got) {
				t.Errorf("total %d < %d hits", res.Total, len(got))
			}
			for _, d := range tt.q.Districts {
				for _, h := range res.Hits {
					if h.Shop.District != d {
						t.Errorf("hit %s in %s, filter %s", h.Shop.Licence, h.Shop.District, d)
					}
				}
			}
		})
	}
}

func TestSearchNear(t *testing.T) {
	url, key := testenv.MeiliURL(t)
	db := MustStore(t)
	ix := MustIndex(t, url, key)
	shops := fixtureShops()
	MustLoad(t, db, ix, shops)
	svc := search.NewService(search.Config{Index: ix, Store: db, Budget: 5 * time.Second})
	byLicence := map[string]*shian.Shop{}
	for _, s := range shops {
		byLicence[s.Licence] = s
	}
	// From the beach at Beidaihe.
	const lat, lng = 39.8310, 119.4860
	tests := []struct {
		name   string
		q      shian.ShopQuery
		want   []string // exactly these, in this order
		closed string   // a hit that must be flagged closed
	}{
		{"distance sort", shian.ShopQuery{Sort: "distance"}, []string{"JY11303020000002", "JY11303020000007"}, ""},
		{"distance sort, closed asked for", shian.ShopQuery{Sort: "distance", Statuses: []string{"open", "closed"}}, []string{"JY11303020000002", "JY11303020000007", "JY11303020000006"}, "JY11303020000006"},
		{"open only", shian.ShopQuery{Sort: "distance", OpenOnly: true}, []string{"JY11303020000002", "JY11303020000007"}, ""},
		{"grade sort", shian.ShopQuery{Sort: "grade", Statuses: []string{"open", "closed"}}, []string{"JY11303020000002", "JY11303020000007", "JY11303020000006"}, "JY11303020000006"},
		{"relevance with text", shian.ShopQuery{Text: "海鲜", Sort: "relevance"}, []string{"JY11303020000002"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Lat, q.Lng, q.RadiusM, q.HasGeo, q.Limit = lat, lng, 3000, true, 20
			res, degraded, err := svc.Search(context.Background(), q)
			if err != nil || degraded {
				t.Fatalf("err %v, degraded %v", err, degraded)
			}
			if got := licences(res); !slices.Equal(got, tt.want) {
				t.Fatalf("hits %v, want %v", got, tt.want)
			}
			prev := -1.0
			for _, h := range res.Hits {
				if h.DistanceM == nil {
					t.Fatalf("%s: no distance", h.Shop.Licence)
				}
				s := byLicence[h.Shop.Licence]
				want := shian.DistanceM(lat, lng, s.Lat, s.Lng)
				if d := *h.DistanceM; d < want-2 || d > want+2 || d > q.RadiusM {
					t.Errorf("%s: distance_m %.0f, want %.0f within %.0f", h.Shop.Licence, d, want, q.RadiusM)
				}
				if q.Sort == "distance" && *h.DistanceM < prev {
					t.Errorf("not sorted by distance: %v after %v", *h.DistanceM, prev)
				}
				prev = *h.DistanceM
				if h.Shop.Licence == tt.closed && (h.Grade.Status != shian.StatusClosed || h.Grade.StatusNote != shian.StatusClosed) {
					t.Errorf("%s: grade %+v not flagged closed", h.Shop.Licence, h.Grade)
				}
			}
			if res.Facets["district"]["beidaihe"] != len(tt.want) {
				t.Errorf("facets %v", res.Facets)
			}
		})
	}
}

// The store's degraded search must find what the index finds for the
// pinyin the indexer adds (Keywords feeds its LIKE).
func TestFallbackMatchesPinyin(t *testing.T) {
	db := MustStore(t)
	if _, err := db.UpsertShops(context.Background(), fixtureShops()); err != nil {
		t.Fatal(err)
	}
	svc := search.NewService(search.Config{Store: db})
	for _, tt := range []struct{ text, want string }{
		{"haixian", "JY11303020000001"}, {"hxdpd", "JY11303020000001"}, {"changcheng", "JY11303020000003"},
		{"海鲜", "JY11303020000001"}, {"Seafood", "JY11303020000001"}, {"Катюша", "JY11303020000007"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			res, degraded, err := svc.Search(context.Background(), shian.ShopQuery{Text: tt.text, Sort: "relevance", Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			if !degraded {
				t.Error("not marked degraded without Meilisearch")
			}
			if !slices.Contains(licences(res), tt.want) {
				t.Errorf("hits %v lack %s", licences(res), tt.want)
			}
		})
	}
}

// Among hits the built-in rules find equally relevant, open shops come
// first, better grades first.
func TestRankAmongEquals(t *testing.T) {
	url, key := testenv.MeiliURL(t)
	db := MustStore(t)
	ix := MustIndex(t, url, key)
	shop := func(lic, status, result string) *shian.Shop {
		return &shian.Shop{Licence: lic, Name: "金福海鲜", Category: "restaurant", Address: "海港区", District: "haigang",
			Status: status, Inspections: []shian.Inspection{{Date: date("2025-08-01"), Result: result}}}
	}
	MustLoad(t, db, ix, []*shian.Shop{
		shop("JY31303020000001", "closed", "excellent"),
		shop("JY31303020000002", "open", "fair"),
		shop("JY31303020000003", "open", "excellent"),
		shop("JY31303020000004", "suspended", "good"),
		shop("JY31303020000005", "open", "fail"),
	})
	svc := search.NewService(search.Config{Index: ix, Store: db, Budget: 5 * time.Second})
	// The closed shop shows on its exact name only.
	for text, n := range map[string]int{"金福海鲜": 5, "jinfuhaixian": 4, "海鲜": 4} {
		t.Run(text, func(t *testing.T) {
			res, _, err := svc.Search(context.Background(), shian.ShopQuery{Text: text, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			got := licences(res)
			if want := []string{"JY31303020000003", "JY31303020000002", "JY31303020000005"}; len(got) != n || !slices.Equal(got[:3], want) {
				t.Errorf("order %v, want open shops by grade first: %v", got, want)
			}
		})
	}
}

// TestSearchOnlyKey: the public path searches with a key that can search
// the shops index and nothing else, made from the master key.
func TestSearchOnlyKey(t *testing.T) {
	m := testenv.StartMeili(t)
	ix := search.NewIndex(m.URL, m.Key, "")
	ctx := t.Context()
	if err := ix.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	key, err := ix.SearchKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ix.SearchKey(ctx)
	if err != nil || again != key || key == m.Key {
		t.Fatalf("second SearchKey = %q, %v; first %q", again, err, key)
	}
	ro := search.NewIndex(m.URL, key, "")
	if err := ro.Ensure(ctx); err == nil {
		t.Fatal("the search-only key could change index settings")
	}
	if _, err := ro.SearchKey(ctx); err == nil {
		t.Fatal("the search-only key could read or make keys")
	}
	svc := search.NewService(search.Config{Index: ix, Store: MustStore(t), Budget: 5 * time.Second})
	svc.UseSearchKey(m.URL, key)
	res, degraded, err := svc.Search(ctx, shian.ShopQuery{Text: "海鲜", Limit: 5, Sort: "relevance"})
	if err != nil || degraded || res == nil {
		t.Fatalf("search with the search-only key: %v, degraded %v", err, degraded)
	}
}
