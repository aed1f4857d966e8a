package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"shian"
	"shian/api"
	"shian/edge"
	"shian/internal/testenv"
	"shian/search"
	"shian/store/sqlite"
	"shian/store/sqlstore"
)

// searchFixture is a store with a few shops, indexed in a Meilisearch index
// of the test's own.
func searchFixture(t *testing.T) (*api.Server, *sqlstore.DB) {
	t.Helper()
	mURL, key := testenv.MeiliURL(t)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shian.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db.Keywords = search.Keywords
	d := func(s string) time.Time { v, _ := shian.ParseDate(s); return v }
	shops := []*shian.Shop{
		{Licence: "JY11303020000001", Name: "老王海鲜大排档", NameEN: "Lao Wang Seafood Diner", NameRU: "Морепродукты Лао Ван",
			Category: "restaurant", Address: "海港区文化路12号", District: "haigang", Lat: 39.9350, Lng: 119.6000, HasGeo: true,
			Status: "open", Inspections: []shian.Inspection{{Date: d("2025-06-01"), Result: "excellent"}}},
		{Licence: "JY11303020000002", Name: "北戴河渔家乐海鲜馆", NameEN: "Beidaihe Fisherman's Seafood House",
			Category: "restaurant", Address: "北戴河区保二路3号", District: "beidaihe", Lat: 39.8300, Lng: 119.4850, HasGeo: true,
			Status: "open", Inspections: []shian.Inspection{{Date: d("2025-05-11"), Result: "good"}}},
		{Licence: "JY11303020000006", Name: "快乐海鲜烧烤", NameEN: "Happy Seafood BBQ", Category: "restaurant",
			Address: "北戴河区联峰路9号", District: "beidaihe", Lat: 39.8250, Lng: 119.5000, HasGeo: true,
			Status: "closed", Inspections: []shian.Inspection{{Date: d("2025-01-10"), Result: "excellent"}}},
	}
	if _, err := db.UpsertShops(ctx, shops); err != nil {
		t.Fatal(err)
	}
	ix := search.NewIndex(mURL, key, testenv.UniqueName(t))
	t.Cleanup(func() { _ = ix.DeleteIndex(context.Background(), ix.UID()); ix.Close() })
	if err := ix.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	sy := &search.Syncer{Outbox: db, Shops: db, Index: ix}
	if _, err := sy.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	svc := search.NewService(search.Config{Index: ix, Store: db, Budget: 5 * time.Second})
	return api.New(api.Config{Store: db, Search: svc}), db
}

func get(t *testing.T, s *api.Server, path string) (int, string, []byte) {
	t.Helper()
	resp, err := s.App.Test(httptest.NewRequest("GET", path, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), body
}

func TestSearchAPI(t *testing.T) {
	s, _ := searchFixture(t)
	tests := []struct {
		name, query string
		want        []string
		distance    bool
	}{
		{"Chinese", "q=" + url.QueryEscape("海鲜"), []string{"JY11303020000001", "JY11303020000002"}, false},
		{"Chinese, closed asked for", "q=" + url.QueryEscape("海鲜") + "&status=open,closed", []string{"JY11303020000001", "JY11303020000002", "JY11303020000006"}, false},
		{"closed shop on its exact name", "q=" + url.QueryEscape("快乐海鲜烧烤"), []string{"JY11303020000006"}, false},
		{"one character", "q=" + url.QueryEscape("鲜"), []string{"JY11303020000001", "JY11303020000002"}, false},
		{"input-method slip", "q=" + url.QueryEscape("老汪海鲜"), []string{"JY11303020000001"}, false},
		{"pinyin", "q=haixian&district=haigang", []string{"JY11303020000001"}, false},
		{"grade and open only", "grade=excellent&open_only=true", []string{"JY11303020000001"}, false},
		{"near me", "lat=39.8310&lng=119.4860&radius_m=2000", []string{"JY11303020000002"}, true},
		{"near me, closed too", "lat=39.8310&lng=119.4860&radius_m=2000&status=open&status=closed", []string{"JY11303020000002", "JY11303020000006"}, true},
		{"second page", "q=seafood&per_page=1&page=2", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ctype, body := get(t, s, "/api/v1/shops/search?"+tt.query)
			if status != 200 || ctype != "application/json" {
				t.Fatalf("%d %s: %s", status, ctype, body)
			}
			var r api.SearchResponse
			if err := json.Unmarshal(body, &r); err != nil {
				t.Fatal(err)
			}
			if r.Degraded {
				t.Error("degraded with Meilisearch up")
			}
			var got []string
			for _, h := range r.Hits {
				got = append(got, h.Licence)
				if h.Page != "/shops/"+h.Licence || h.District.Code == "" || h.Category.Code == "" || h.Grade.Dynamic == "" {
					t.Errorf("hit %+v lacks fields", h)
				}
				if (h.DistanceM != nil) != tt.distance {
					t.Errorf("hit %s distance_m %v", h.Licence, h.DistanceM)
				}
				if h.Status == "closed" && h.Grade.StatusNote != "closed" {
					t.Errorf("closed shop %s not flagged: %+v", h.Licence, h.Grade)
				}
			}
			if tt.want != nil && !slices.Equal(slices.Sorted(slices.Values(got)), tt.want) {
				t.Errorf("hits %v, want %v", got, tt.want)
			}
			var m map[string]any
			_ = json.Unmarshal(body, &m)
			for _, k := range []string{"hits", "total", "page", "per_page", "facets", "degraded", "took_ms"} {
				if _, ok := m[k]; !ok {
					t.Errorf("response lacks %q: %s", k, body)
				}
			}
			for _, f := range []string{"district", "grade", "category"} {
				if _, ok := r.Facets[f]; !ok {
					t.Errorf("facets lack %s: %v", f, r.Facets)
				}
			}
			if tt.name == "second page" && (r.Page != 2 || r.PerPage != 1 || len(r.Hits) != 1 || r.Total < 2) {
				t.Errorf("paging: %+v", r)
			}
		})
	}
}

func TestSearchAPIRejectsBadParameters(t *testing.T) {
	s, _ := searchFixture(t)
	tests := []struct {
		name, query, field, allowed string
	}{
		{"filter injection", "district=" + url.QueryEscape(`beidaihe" OR status = "closed`), "district", "haigang, shanhaiguan, beidaihe"},
		{"injection in grade", "grade=" + url.QueryEscape(`A" OR 1=1`), "grade", "excellent, good, fair, fail, not_graded, A, B, C"},
		{"unknown category", "category=bar", "category", "restaurant, school_canteen"},
		{"q too long", "q=" + strings.Repeat("海", 101), "q", "at most 100 characters"},
		{"per_page over 50", "per_page=51", "per_page", "1 to 50"},
		{"lat without lng", "lat=39.9", "lng", "together with lat"},
		{"radius over 50 km", "lat=39.9&lng=119.6&radius_m=50001", "radius_m", "1 to 50000"},
		{"distance sort without a point", "sort=distance", "sort", "distance needs"},
		{"unknown sort", "sort=price", "sort", "relevance, distance, grade"},
		{"bad open_only", "open_only=maybe", "open_only", "true or false"},
		{"bad lang", "lang=fr", "lang", "zh, en, ru"},
		{"only punctuation", "q=" + url.QueryEscape("？！…"), "q", "not only punctuation"},
		{"only emoji", "q=" + url.QueryEscape("🍜🍜 😋"), "q", "not only punctuation"},
		{"unknown status", "status=bankrupt", "status", "open, suspended, closed"},
		{"open only contradicts closed", "open_only=true&status=closed", "status", "contradict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ctype, body := get(t, s, "/api/v1/shops/search?"+tt.query+"&lang=en")
			if status != 400 || ctype != "application/problem+json" {
				t.Fatalf("%d %s: %s", status, ctype, body)
			}
			var p edge.Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			if p.Code != shian.EINVALID || p.Field != tt.field || !strings.Contains(p.Detail, tt.allowed) {
				t.Errorf("problem %+v, want field %s and a detail naming %q", p, tt.field, tt.allowed)
			}
		})
	}
}

func TestSearchPage(t *testing.T) {
	s, _ := searchFixture(t)
	tests := []struct {
		name, query string
		status      int
		want, not   []string
	}{
		{"empty form", "lang=en", 200, []string{`name="q"`, `id="near-me"`, "Beidaihe District", `src="/static/search.js"`}, []string{`class="card result`}},
		{"results in English", "q=haixian&lang=en&status=open,closed", 200,
			[]string{"Lao Wang Seafood Diner", `href="/shops/JY11303020000001?lang=en"`, "😄", "Excellent", "inspected 2025-06-01", "🙂", "CLOSED"}, nil},
		{"filters with counts", "q=haixian&lang=en", 200, []string{`name="category"`, `name="sort"`, `name="status"`, "Beidaihe District (1)", "Failed (must rectify)", "Not graded yet"}, nil},
		{"nothing found says what to try", "q=zzzqqq&lang=en", 200, []string{"No shop matches.", "Try pinyin"}, nil},
		{"results in Russian", "q=" + url.QueryEscape("海鲜") + "&lang=ru", 200, []string{"Морепродукты Лао Ван", "Отлично"}, nil},
		{"near me", "lat=39.8310&lng=119.4860&lang=zh", 200, []string{"显示您附近的商户", "北戴河渔家乐海鲜馆", " m<"}, []string{"老王海鲜大排档"}},
		{"bad filter", "district=nowhere&lang=en", 400, []string{`role="alert"`, "Parameter district is invalid"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ctype, body := get(t, s, "/search?"+tt.query)
			page := string(body)
			if status != tt.status || !strings.HasPrefix(ctype, "text/html") {
				t.Fatalf("%d %s", status, ctype)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(page, n) {
					t.Errorf("page contains %q", n)
				}
			}
			if strings.Contains(page, "<script>") || strings.Contains(page, " onclick=") || strings.Contains(page, "style=") {
				t.Error("inline script or style: the CSP forbids it")
			}
		})
	}
	t.Run("closed shop shows its status, not a face", func(t *testing.T) {
		_, _, body := get(t, s, "/search?q=kuaile&lang=en&status=closed")
		page := string(body)
		i := strings.Index(page, "Happy Seafood BBQ")
		if i < 0 {
			t.Fatalf("closed shop not listed")
		}
		card := page[strings.LastIndex(page[:i], "<a class"):i]
		if !strings.Contains(card, "CLOSED") || strings.Contains(card, "😄") {
			t.Errorf("closed shop card: %s", card)
		}
	})
}

// TestSearchExactIdentifier: a licence (or its prefix) goes straight to
// the shop, in the API (exact, redirect) and on the page (303).
func TestSearchExactIdentifier(t *testing.T) {
	s, _ := searchFixture(t)
	status, _, body := get(t, s, "/api/v1/shops/search?q=jy11303020000002")
	var r api.SearchResponse
	if err := json.Unmarshal(body, &r); status != 200 || err != nil {
		t.Fatalf("%d %v: %s", status, err, body)
	}
	if !r.Exact || r.Redirect != "/shops/JY11303020000002" || len(r.Hits) != 1 {
		t.Errorf("exact %v redirect %q hits %d", r.Exact, r.Redirect, len(r.Hits))
	}
	status, _, body = get(t, s, "/api/v1/shops/search?q=JY113030200000")
	r = api.SearchResponse{}
	if err := json.Unmarshal(body, &r); status != 200 || err != nil {
		t.Fatalf("%d %v: %s", status, err, body)
	}
	if !r.Exact || r.Redirect != "" || len(r.Hits) != 3 {
		t.Errorf("prefix: exact %v redirect %q hits %d", r.Exact, r.Redirect, len(r.Hits))
	}
	resp, err := s.App.Test(httptest.NewRequest("GET", "/search?q=JY11303020000006&lang=en", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/shops/JY11303020000006?lang=en" {
		t.Errorf("page: %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestSearchHighlightEscaped: matches come marked, and the shop's own text
// is escaped around the marks.
func TestSearchHighlightEscaped(t *testing.T) {
	s, db := searchFixture(t)
	ctx := context.Background()
	if _, err := db.UpsertShops(ctx, []*shian.Shop{{Licence: "JY11303020000009", Name: "<b>海鲜</b>&烧烤", Category: "restaurant",
		Address: "海港区", District: "haigang", Status: "open"}}); err != nil {
		t.Fatal(err)
	}
	_, _, body := get(t, s, "/api/v1/shops/search?q="+url.QueryEscape("老王海鲜"))
	var r api.SearchResponse
	if err := json.Unmarshal(body, &r); err != nil || len(r.Hits) == 0 {
		t.Fatalf("%v: %s", err, body)
	}
	if h := r.Hits[0].Highlight["name"]; !strings.Contains(h, "<mark>") || strings.ReplaceAll(strings.ReplaceAll(h, "<mark>", ""), "</mark>", "") != "老王海鲜大排档" {
		t.Errorf("highlight %q", h)
	}
	_, _, page := get(t, s, "/search?lang=zh&q="+url.QueryEscape("老王海鲜"))
	if !strings.Contains(string(page), "<mark>") {
		t.Errorf("page has no <mark>")
	}
}

// TestSuggest: completions of a prefix, in Chinese and in pinyin; bad q is a 400.
func TestSuggest(t *testing.T) {
	s, _ := searchFixture(t)
	for _, q := range []string{"老王", "laow", "lwhx"} {
		status, ctype, body := get(t, s, "/api/v1/shops/suggest?q="+url.QueryEscape(q))
		var r api.SuggestResponse
		if err := json.Unmarshal(body, &r); status != 200 || ctype != "application/json" || err != nil {
			t.Fatalf("%s: %d %s %v", q, status, ctype, err)
		}
		if len(r.Suggestions) == 0 || r.Suggestions[0].Licence != "JY11303020000001" || len(r.Suggestions) > 8 {
			t.Errorf("%s: %s", q, body)
		}
	}
	if status, _, _ := get(t, s, "/api/v1/shops/suggest?q=%21%21"); status != 400 {
		t.Errorf("punctuation: %d", status)
	}
	if _, _, body := get(t, s, "/api/v1/shops/suggest?q="); !strings.Contains(string(body), `"suggestions":[]`) {
		t.Errorf("empty q: %s", body)
	}
}

func FuzzParseSearchQuery(f *testing.F) {
	for _, s := range []string{
		"q=haixian&district=haigang&grade=A&grade=excellent&page=2&per_page=10",
		"district=" + url.QueryEscape(`beidaihe" OR status = "closed`),
		"lat=39.9&lng=119.6&radius_m=500&sort=distance",
		"lat=NaN&lng=Inf", "q=%ff%fe", "category=restaurant,retail&open_only=1", "page=0", "per_page=-1",
	} {
		f.Add(s)
	}
	allowed := map[string]bool{}
	for _, c := range shian.Districts {
		allowed["district:"+c.Code] = true
	}
	for _, c := range shian.ShopCategories {
		allowed["category:"+c.Code] = true
	}
	for _, g := range []string{"excellent", "good", "fair", "fail", "not_graded", "A", "B", "C"} {
		allowed["grade:"+g] = true
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := api.ParseSearchQuery(v)
		if err != nil {
			if shian.ErrorCode(err) != shian.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		q := p.Query
		for name, vals := range map[string][]string{"district": q.Districts, "category": q.Categories, "grade": q.Grades} {
			for _, val := range vals {
				if !allowed[name+":"+val] {
					t.Fatalf("%s %q passed the whitelist", name, val)
				}
			}
		}
		if utf8.RuneCountInString(q.Text) > 100 || !utf8.ValidString(q.Text) {
			t.Fatalf("q %q passed", q.Text)
		}
		if q.Limit < 1 || q.Limit > 50 || q.Offset < 0 || p.Page < 1 {
			t.Fatalf("paging %+v", p)
		}
		if q.HasGeo && !(q.RadiusM >= 1 && q.RadiusM <= 50000) {
			t.Fatalf("radius %v", q.RadiusM)
		}
		if q.Sort == "distance" && !q.HasGeo {
			t.Fatal("distance sort without a point")
		}
		// Whatever passed builds a Meilisearch request whose filter holds
		// only whitelisted expressions.
		req, err := search.MeiliRequest("shops", q)
		if err != nil {
			t.Fatalf("MeiliRequest(%+v): %v", q, err)
		}
		for _, sub := range req.Queries {
			exprs, _ := sub.Filter.([]any)
			for _, e := range exprs {
				str, ok := e.(string)
				if !ok || !strings.HasPrefix(str, "name = ") {
					continue
				}
				// The one expression holding request text: it must quote it
				// whole, so that it reads back as the text and nothing more.
				if got, ok := unquoteFilter(strings.TrimPrefix(str, "name = ")); !ok || got != q.Text {
					t.Fatalf("exact-name filter %s does not quote %q", str, q.Text)
				}
			}
			b, _ := json.Marshal(sub.Filter)
			if strings.Contains(string(b), " OR ") && !strings.Contains(q.Text, " OR ") {
				t.Fatalf("filter %s", b)
			}
		}
	})
}

// unquoteFilter reads a Meilisearch filter string: "…" with \\ and \" escapes,
// nothing after the closing quote.
func unquoteFilter(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' {
		return "", false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return "", false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), i == len(s)-1
		default:
			b.WriteByte(s[i])
		}
	}
	return "", false
}
