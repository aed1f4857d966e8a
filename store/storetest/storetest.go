// Package storetest is the conformance suite every store implementation
// passes unchanged: store/sqlite and store/postgres run it against real
// databases.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"shian"
	"shian/store/sqlstore"
)

// Now is the fixed clock of the suite.
var Now = time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)

// Opener returns a new, empty, migrated store for one test.
type Opener func(t *testing.T) *sqlstore.DB

// MustMigrate migrates db or fails the test.
func MustMigrate(tb testing.TB, db *sqlstore.DB) {
	tb.Helper()
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
}

func date(s string) time.Time {
	t, err := shian.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func score(n float64) *float64 { return &n }

// Shop returns a valid shop with the given licence and two inspections.
func Shop(licence, name, district string) *shian.Shop {
	return &shian.Shop{
		Licence: licence, Name: name, NameEN: "Seafood " + licence, Aliases: []string{name + "总店"},
		Category: "restaurant", Address: "秦皇岛市" + district + "保二路1号", District: district,
		Lat: 39.83, Lng: 119.48, HasGeo: true, Status: shian.StatusOpen, LicensedOn: date("2020-03-01"),
		Inspections: []shian.Inspection{
			{Date: date("2026-05-10"), Result: shian.ResultGood, Score: score(80), ItemsFailed: []string{"餐具消毒不到位"}, Inspector: "李明"},
			{Date: date("2025-06-01"), Result: shian.ResultExcellent, Score: score(93)},
		},
		Annual: []shian.AnnualGrade{{Year: 2025, Grade: "A"}},
	}
}

// Run runs the suite.
func Run(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("PoolPressure", func(t *testing.T) { testPoolPressure(t, open(t)) })
	t.Run("MigrateIsIdempotent", func(t *testing.T) {
		db := open(t)
		names, err := db.Migrate(ctx)
		if err != nil || len(names) != 0 {
			t.Fatalf("second migrate applied %v, err %v", names, err)
		}
		pending, err := db.Pending(ctx)
		if err != nil || len(pending) != 0 {
			t.Fatalf("pending after migrate = %v, %v", pending, err)
		}
	})
	t.Run("UpsertCreatesThenUpdates", func(t *testing.T) {
		db := open(t)
		st, err := db.UpsertShops(ctx, []*shian.Shop{Shop("JY1130302000001", "老二位海鲜", "beidaihe"), Shop("JY1130302000002", "渔家乐", "beidaihe")})
		if err != nil || st.Created != 2 || st.Updated != 0 {
			t.Fatalf("first upsert = %+v, %v", st, err)
		}
		changed := Shop("JY1130302000001", "老二位海鲜大排档", "beidaihe")
		changed.Inspections = changed.Inspections[:1]
		st, err = db.UpsertShops(ctx, []*shian.Shop{changed})
		if err != nil || st.Created != 0 || st.Updated != 1 {
			t.Fatalf("second upsert = %+v, %v", st, err)
		}
		got, err := db.ShopByLicence(ctx, "JY1130302000001")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "老二位海鲜大排档" || len(got.Inspections) != 1 || len(got.Annual) != 1 {
			t.Fatalf("after update: name %q, %d inspections, %d annual", got.Name, len(got.Inspections), len(got.Annual))
		}
	})
	t.Run("ShopRoundTrip", func(t *testing.T) {
		db := open(t)
		in := Shop("JY1130302000003", "海韵烧烤", "haigang")
		in.HACCP, in.Phone, in.Grid, in.NameRU = true, "0335-1234567", "haigang-01", "Шашлык"
		in.AddressEN, in.AddressRU = "1 Bao'er Lu, Haigang District", "ул. Баоэр 1, район Хайган"
		in.NameRUGenerated = true
		in.Inspections[0].ItemsFailed = []string{"餐具消毒不到位", "经营者态度恶劣"}
		in.Inspections[0].ItemCodes = []string{"tableware_disinfection", ""}
		if _, err := db.UpsertShops(ctx, []*shian.Shop{in}); err != nil {
			t.Fatal(err)
		}
		got, err := db.ShopByLicence(ctx, in.Licence)
		if err != nil {
			t.Fatal(err)
		}
		byID, err := db.ShopByID(ctx, got.ID)
		if err != nil || byID.Licence != in.Licence {
			t.Fatalf("by id: %v, %v", byID, err)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"name_ru", got.NameRU, "Шашлык"},
			{"aliases", fmt.Sprint(got.Aliases), "[海韵烧烤总店]"},
			{"haccp", got.HACCP, true},
			{"geo", fmt.Sprintf("%v %.2f %.2f", got.HasGeo, got.Lat, got.Lng), "true 39.83 119.48"},
			{"licensed_on", got.LicensedOn.Format(shian.DateLayout), "2020-03-01"},
			{"newest inspection first", got.Inspections[0].Date.Format(shian.DateLayout), "2026-05-10"},
			{"items_failed", fmt.Sprintf("%q", got.Inspections[0].ItemsFailed), `["餐具消毒不到位" "经营者态度恶劣"]`},
			{"item_codes", fmt.Sprintf("%q", got.Inspections[0].ItemCodes), `["tableware_disinfection" ""]`},
			{"no item codes", got.Inspections[1].ItemCodes == nil, true},
			{"address_en", got.AddressEN, "1 Bao'er Lu, Haigang District"},
			{"address_ru", got.AddressRU, "ул. Баоэр 1, район Хайган"},
			{"generated names", fmt.Sprint(got.NameENGenerated, got.NameRUGenerated), "false true"},
			{"score", *got.Inspections[0].Score, 80},
			{"grade", got.Grade.Dynamic, shian.ResultGood},
			{"grade date", got.Grade.DynamicDate, "2026-05-10"},
			{"annual", fmt.Sprintf("%s %d", got.Grade.Annual, got.Grade.AnnualYear), "A 2025"},
		}
		for _, c := range checks {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		db := open(t)
		_, err := db.ShopByLicence(ctx, "NOSUCH123")
		if shian.ErrorCode(err) != shian.ENOTFOUND {
			t.Fatalf("code = %q (%v)", shian.ErrorCode(err), err)
		}
		_, _, err = db.ShopInspections(ctx, "NOSUCH123", 0, 10)
		if shian.ErrorCode(err) != shian.ENOTFOUND {
			t.Fatalf("inspections code = %q", shian.ErrorCode(err))
		}
	})
	t.Run("InspectionsPaged", func(t *testing.T) {
		db := open(t)
		s := Shop("JY1130302000004", "饺子馆", "haigang")
		s.Inspections = nil
		for i := 1; i <= 7; i++ {
			s.Inspections = append(s.Inspections, shian.Inspection{Date: date(fmt.Sprintf("2026-0%d-01", i)), Result: shian.ResultGood})
		}
		if _, err := db.UpsertShops(ctx, []*shian.Shop{s}); err != nil {
			t.Fatal(err)
		}
		page, total, err := db.ShopInspections(ctx, s.Licence, 5, 5)
		if err != nil || total != 7 || len(page) != 2 || page[0].Date.Month() != 2 || page[1].Date.Month() != 1 {
			t.Fatalf("page 2 = %d items (total %d), err %v", len(page), total, err)
		}
	})
	t.Run("FailedBatchWritesNothing", func(t *testing.T) {
		db := open(t)
		bad := Shop("JY1130302000006", "坏数据", "haigang")
		bad.Status = "demolished" // refused by the schema's CHECK
		_, err := db.UpsertShops(ctx, []*shian.Shop{Shop("JY1130302000005", "好数据", "haigang"), bad})
		if err == nil {
			t.Fatal("batch with an invalid status was written")
		}
		n, _ := db.CountShops(ctx)
		pending, _, _ := db.OutboxLag(ctx)
		if n != 0 || pending != 0 {
			t.Fatalf("after a failed batch: %d shops, %d outbox rows", n, pending)
		}
	})
	t.Run("Outbox", func(t *testing.T) {
		db := open(t)
		if _, err := db.UpsertShops(ctx, []*shian.Shop{Shop("JY1130302000007", "A店", "haigang"), Shop("JY1130302000008", "B店", "haigang")}); err != nil {
			t.Fatal(err)
		}
		n, oldest, err := db.OutboxLag(ctx)
		if err != nil || n != 2 || oldest.IsZero() {
			t.Fatalf("lag = %d, %v, %v", n, oldest, err)
		}
		entries, err := db.PendingOutbox(ctx, 10)
		if err != nil || len(entries) != 2 || entries[0].Licence != "JY1130302000007" {
			t.Fatalf("pending = %+v, %v", entries, err)
		}
		if err := db.FailOutbox(ctx, entries[1].ID, "rejected"); err != nil {
			t.Fatal(err)
		}
		if err := db.CompleteOutbox(ctx, []int64{entries[0].ID}); err != nil {
			t.Fatal(err)
		}
		rest, _ := db.PendingOutbox(ctx, 10)
		if len(rest) != 1 || rest[0].Attempts != 1 || rest[0].LastError != "rejected" {
			t.Fatalf("after complete/fail: %+v", rest)
		}
	})
	t.Run("ListShopsPages", func(t *testing.T) {
		db := open(t)
		var shops []*shian.Shop
		for i := range 5 {
			shops = append(shops, Shop(fmt.Sprintf("JY11303020001%02d", i), fmt.Sprintf("店%d", i), []string{"haigang", "beidaihe"}[i%2]))
		}
		if _, err := db.UpsertShops(ctx, shops); err != nil {
			t.Fatal(err)
		}
		first, err := db.ListShops(ctx, shian.ShopFilter{Limit: 3})
		if err != nil || len(first) != 3 || len(first[0].Inspections) != 2 {
			t.Fatalf("first page: %d, %v", len(first), err)
		}
		second, _ := db.ListShops(ctx, shian.ShopFilter{Limit: 3, AfterID: first[2].ID})
		beidaihe, _ := db.ListShops(ctx, shian.ShopFilter{District: "beidaihe"})
		if len(second) != 2 || len(beidaihe) != 2 {
			t.Fatalf("second page %d, beidaihe %d", len(second), len(beidaihe))
		}
	})
	t.Run("SearchFallback", func(t *testing.T) { testSearch(t, open(t)) })
	t.Run("Complaints", func(t *testing.T) { runComplaints(t, open) })
	t.Run("Staff", func(t *testing.T) { runStaff(t, open) })
	t.Run("Inspections", func(t *testing.T) { runInspections(t, open) })
	t.Run("Plans", func(t *testing.T) { runPlans(t, open) })
	t.Run("Notices", func(t *testing.T) { runNotices(t, open) })
	t.Run("Transparency", func(t *testing.T) { runTransparency(t, open) })
	t.Run("CanceledContext", func(t *testing.T) {
		db := open(t)
		c, cancel := context.WithCancel(ctx)
		cancel()
		_, err := db.UpsertShops(c, []*shian.Shop{Shop("JY1130302000009", "取消", "haigang")})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	})
}

func testSearch(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	a := Shop("JY1130302000201", "老二位海鲜", "beidaihe")
	b := Shop("JY1130302000202", "渔夫海鲜大排档", "beidaihe")
	b.Inspections[0].Result = shian.ResultExcellent
	b.Lat, b.Lng = 39.84, 119.49
	c := Shop("JY1130302000203", "长城饺子馆", "shanhaiguan")
	c.Lat, c.Lng = 40.00, 119.75
	c.Status = shian.StatusClosed
	db.Keywords = func(s *shian.Shop) string {
		if s.Name == "长城饺子馆" {
			return "changchengjiaoziguan cc jzg"
		}
		return ""
	}
	if _, err := db.UpsertShops(ctx, []*shian.Shop{a, b, c}); err != nil {
		t.Fatal(err)
	}
	licences := func(r *shian.ShopResults) string {
		var out []string
		for _, h := range r.Hits {
			out = append(out, h.Shop.Licence[len(h.Shop.Licence)-3:])
		}
		return fmt.Sprint(out)
	}
	cases := []struct {
		name string
		q    shian.ShopQuery
		want string
	}{
		{"chinese substring, better grade first", shian.ShopQuery{Text: "海鲜"}, "[202 201]"},
		{"pinyin keywords", shian.ShopQuery{Text: "ChangCheng"}, "[203]"},
		{"english name", shian.ShopQuery{Text: "seafood JY1130302000201"}, "[201]"},
		{"district filter", shian.ShopQuery{Districts: []string{"shanhaiguan"}}, "[203]"},
		{"open only", shian.ShopQuery{Text: "饺子", OpenOnly: true}, "[]"},
		{"grade filter", shian.ShopQuery{Grades: []string{"excellent"}}, "[202]"},
		{"annual grade filter", shian.ShopQuery{Grades: []string{"B"}}, "[]"},
		{"like wildcards are literal", shian.ShopQuery{Text: "%"}, "[]"},
		{"injection is text", shian.ShopQuery{Text: "' OR 1=1 --"}, "[]"},
		{"one character", shian.ShopQuery{Text: "鲜"}, "[202 201]"},
		{"exact name first", shian.ShopQuery{Text: "老二位海鲜"}, "[201]"},
		{"punctuation only matches nothing", shian.ShopQuery{Text: "“？！”"}, "[]"},
		{"text index prefix", shian.ShopQuery{Text: "changch"}, "[203]"},
		{"status filter", shian.ShopQuery{Statuses: []string{"closed"}}, "[203]"},
		{"prepared match: any term of a word", shian.ShopQuery{Text: "dumplings", Match: []shian.TextGroup{{{Tokens: []string{"dumplings"}}, {Tokens: []string{"饺", "子"}}}}}, "[203]"},
		{"near, by distance", shian.ShopQuery{HasGeo: true, Lat: 39.83, Lng: 119.48, RadiusM: 5000, Sort: "distance"}, "[201 202]"},
		{"near, by grade", shian.ShopQuery{HasGeo: true, Lat: 39.83, Lng: 119.48, RadiusM: 5000, Sort: "grade"}, "[202 201]"},
		{"near, small radius", shian.ShopQuery{HasGeo: true, Lat: 39.83, Lng: 119.48, RadiusM: 100}, "[201]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.q.Limit == 0 {
				tc.q.Limit = 10
			}
			if tc.q.Sort == "" {
				tc.q.Sort = "relevance"
			}
			r, err := db.SearchShops(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := licences(r); got != tc.want {
				t.Fatalf("hits = %s, want %s", got, tc.want)
			}
			if r.Total != len(r.Hits) {
				t.Errorf("total = %d, hits %d", r.Total, len(r.Hits))
			}
		})
	}
	r, _ := db.SearchShops(ctx, shian.ShopQuery{Limit: 10, Sort: "grade"})
	if r.Facets["district"]["beidaihe"] != 2 || r.Facets["grade"]["excellent"] != 1 || r.Facets["category"]["restaurant"] != 3 {
		t.Errorf("facets = %v", r.Facets)
	}
	for _, tc := range []struct{ prefix, want string }{
		{"JY1130302000202", "[202]"}, {"JY113030200020", "[201 202 203]"}, {"JY9", "[]"},
	} {
		shops, err := db.ShopsByIdentifier(ctx, tc.prefix, 10)
		if err != nil {
			t.Fatal(err)
		}
		if got := licences(&shian.ShopResults{Hits: hitsOf(shops)}); got != tc.want {
			t.Errorf("ShopsByIdentifier(%s) = %s, want %s", tc.prefix, got, tc.want)
		}
	}
	near, _ := db.SearchShops(ctx, shian.ShopQuery{HasGeo: true, Lat: 39.83, Lng: 119.48, RadiusM: 5000, Limit: 10})
	if d := *near.Hits[0].DistanceM; d > 1 {
		t.Errorf("distance of the shop at the query point = %.1f m", d)
	}
}

// testPoolPressure runs more concurrent transactions than the pool has
// connections, each using statements not yet prepared: preparing must not
// wait for a second connection while the transaction holds one (that
// deadlocked the whole pool once).
func testPoolPressure(t *testing.T, db *sqlstore.DB) {
	db.DB.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			idem := &shian.Idempotency{Key: fmt.Sprintf("pool-%d", i), RequestHash: "h", Owner: "o"}
			_, err := db.BeginIdempotency(ctx, idem, time.Minute, time.Hour)
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Fatalf("with the pool exhausted: %v", err)
		}
	}
}

func hitsOf(shops []*shian.Shop) []shian.ShopHit {
	out := make([]shian.ShopHit, len(shops))
	for i, s := range shops {
		out[i] = shian.ShopHit{Shop: s}
	}
	return out
}
