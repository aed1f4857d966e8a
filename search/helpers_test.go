package search_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"shian"
	"shian/internal/testenv"
	"shian/search"
	"shian/store/sqlite"
	"shian/store/sqlstore"
)

// MustStore opens a migrated SQLite store in a temporary directory with
// search.Keywords as its keyword function.
func MustStore(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "shian.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	db.Keywords = search.Keywords
	return db
}

// MustIndex returns an ensured index with a name unique to the test on the
// Meilisearch at url, deleted when the test ends.
func MustIndex(tb testing.TB, url, key string) *search.Index {
	tb.Helper()
	ix := search.NewIndex(url, key, testenv.UniqueName(tb))
	ix.TaskTimeout = 2 * time.Minute // the shared dev Meilisearch queues every test's tasks
	if err := ix.Ensure(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := ix.DeleteIndex(context.Background(), ix.UID()); err != nil {
			tb.Logf("cleanup: %v", err)
		}
		ix.Close()
	})
	return ix
}

func date(s string) time.Time {
	t, err := shian.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func score(n float64) *float64 { return &n }

// Fixture shops: names in Chinese, English and Russian, around the city.
func fixtureShops() []*shian.Shop {
	ins := func(d, r string) []shian.Inspection { return []shian.Inspection{{Date: date(d), Result: r}} }
	return []*shian.Shop{
		{Licence: "JY11303020000001", Name: "老王海鲜大排档", NameEN: "Lao Wang Seafood Diner", NameRU: "Морепродукты Лао Ван",
			Aliases: []string{"老王家"}, Category: "restaurant", Address: "海港区文化路12号", District: "haigang",
			Lat: 39.9350, Lng: 119.6000, HasGeo: true, Status: "open", Phone: "0335-3031234",
			Inspections: ins("2025-06-01", "excellent")},
		{Licence: "JY11303020000002", Name: "北戴河渔家乐海鲜馆", NameEN: "Beidaihe Fisherman's Seafood House", NameRU: "Рыбацкий дом морепродуктов",
			Category: "restaurant", Address: "北戴河区保二路3号", District: "beidaihe",
			Lat: 39.8300, Lng: 119.4850, HasGeo: true, Status: "open", Inspections: ins("2025-05-11", "good")},
		{Licence: "JY11303020000003", Name: "长城饺子馆", NameEN: "Great Wall Dumplings", NameRU: "Пельмени Великая стена",
			Category: "restaurant", Address: "山海关区南大街8号", District: "shanhaiguan",
			Lat: 40.0100, Lng: 119.7500, HasGeo: true, Status: "open", Inspections: ins("2025-04-20", "fair")},
		{Licence: "JY11303020000004", Name: "重庆火锅", NameEN: "Chongqing Hotpot", NameRU: "Чунцинский хого",
			Category: "restaurant", Address: "海港区迎宾路66号", District: "haigang",
			Lat: 39.9400, Lng: 119.6050, HasGeo: true, Status: "open", Inspections: ins("2025-03-02", "fail")},
		{Licence: "JY11303020000005", Name: "工商银行食堂", NameEN: "ICBC Canteen", Category: "canteen",
			Address: "海港区河北大街146号", District: "haigang", Status: "open",
			Inspections: []shian.Inspection{{Date: date("2025-02-14"), Score: score(95)}}},
		{Licence: "JY11303020000006", Name: "快乐烧烤", NameEN: "Happy BBQ", NameRU: "Весёлый шашлык",
			Category: "restaurant", Address: "北戴河区联峰路9号", District: "beidaihe",
			Lat: 39.8250, Lng: 119.5000, HasGeo: true, Status: "closed", Inspections: ins("2025-01-10", "excellent")},
		{Licence: "JY11303020000007", Name: "喀秋莎俄式餐厅", NameEN: "Katyusha Russian Restaurant", NameRU: "Русский ресторан Катюша",
			Category: "restaurant", Address: "北戴河区东海滩路5号", District: "beidaihe",
			Lat: 39.8320, Lng: 119.4870, HasGeo: true, Status: "open", Inspections: ins("2025-06-20", "good"),
			Annual: []shian.AnnualGrade{{Year: 2024, Grade: "A"}}},
		{Licence: "JY11303020000008", Name: "鲜果超市", NameEN: "Fresh Fruit Market", Category: "retail",
			Address: "昌黎县民生街2号", District: "changli", Status: "open"},
	}
}

// MustLoad writes shops to the store and syncs the outbox into the index.
func MustLoad(tb testing.TB, db *sqlstore.DB, ix *search.Index, shops []*shian.Shop) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.UpsertShops(ctx, shops); err != nil {
		tb.Fatal(err)
	}
	MustDrain(tb, db, ix)
}

// MustDrain syncs until the outbox is empty.
func MustDrain(tb testing.TB, db *sqlstore.DB, ix *search.Index) {
	tb.Helper()
	ctx := context.Background()
	sy := &search.Syncer{Outbox: db, Shops: db, Index: ix}
	for range 100 {
		n, err := sy.SyncOnce(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	tb.Fatal("outbox not drained after 100 passes")
}

func licences(res *shian.ShopResults) []string {
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.Shop.Licence)
	}
	return out
}

// genShops returns n plain restaurants spread over Haigang.
func genShops(n int) []*shian.Shop {
	words := []string{"金", "福", "顺", "鑫", "海", "港", "老", "新", "东", "北"}
	kinds := []string{"面馆", "饺子馆", "烧烤", "快餐", "超市"}
	var out []*shian.Shop
	for i := range n {
		name := words[i%10] + words[(i/10)%10] + words[(i/100)%10] + kinds[i%5]
		out = append(out, &shian.Shop{
			Licence: fmt.Sprintf("JY2130302%07d", i), Name: name, Category: "restaurant",
			Address: fmt.Sprintf("海港区建设大街%d号", i+1), District: "haigang", Status: "open",
			Lat: 39.90 + float64(i%100)*0.0005, Lng: 119.55 + float64(i/100)*0.0005, HasGeo: true,
			Inspections: []shian.Inspection{{Date: date("2025-09-01"), Score: score(float64(60 + i%40))}},
		})
	}
	return out
}
