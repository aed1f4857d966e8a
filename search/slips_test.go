package search_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"shian"
	"shian/internal/testenv"
	"shian/search"
	"shian/store/postgres"
	"shian/store/sqlstore"
)

// slipShops are the shops the slips corpus aims at, among distractors that
// share characters or sounds with them.
func slipShops() []*shian.Shop {
	var out []*shian.Shop
	add := func(lic, name, cat string) {
		out = append(out, &shian.Shop{Licence: lic, Name: name, Category: cat, Address: "海港区河北大街1号",
			District: "haigang", Status: "open", CreditCode: "9113" + lic[2:],
			Inspections: []shian.Inspection{{Date: date("2025-09-01"), Result: "good"}}})
	}
	for i, n := range []struct{ name, cat string }{
		{"老二位海鲜", "restaurant"}, {"张记烧烤", "restaurant"}, {"陈家饺子馆", "restaurant"}, {"刘老四火锅", "restaurant"},
		{"山海关四条包子", "restaurant"}, {"春华粥铺", "restaurant"}, {"王府井小吃", "restaurant"}, {"鑫鑫面馆", "restaurant"},
		{"海滨渔村", "restaurant"}, {"福临门酒家", "restaurant"}, {"黄河鲤鱼馆", "restaurant"}, {"金牛烤肉", "restaurant"},
		{"东北人家", "restaurant"}, {"正宗兰州拉面", "restaurant"}, {"四川酸菜鱼", "street_vendor"},
		{"秦皇岛市第一中学食堂", "school_canteen"}, {"秦皇岛市第二中学食堂", "school_canteen"},
		{"秦皇岛市第一医院职工食堂", "canteen"}, {"河北北方学院第一附属医院餐厅", "canteen"},
		{"秦皇岛市第三小学食堂", "school_canteen"}, {"燕山大学西区食堂", "canteen"},
	} {
		add(fmt.Sprintf("JY5130302%07d", i+1), n.name, n.cat)
	}
	// Distractors: the same characters, or the same sounds, elsewhere.
	for i, name := range []string{"老二烧烤", "张家烧烤", "陈记水饺", "刘记火锅", "王记小吃", "新华面馆", "海鲜大排档",
		"第一烧烤", "中学路面馆", "二中对面麻辣烫", "四条街包子", "福满楼酒家", "黄记煌", "东方人家", "兰花拉面", "川味酸菜鱼",
		"秦皇岛市第十一中学食堂", "秦皇岛市第一小学食堂", "秦皇岛市第二医院食堂", "燕赵小吃"} {
		add(fmt.Sprintf("JY6130302%07d", i+1), name, "restaurant")
	}
	return append(out, genShops(600)...)
}

// slipCases are input-method slips, abbreviations and identifiers, each with
// the shop meant (its number among slipShops' targets).
var slipCases = []struct {
	q    string
	want int
}{
	// Homophones (same toneless pinyin).
	{"老二为海鲜", 1}, {"老二为", 1}, {"老儿位海鲜", 1}, {"章记烧烤", 2}, {"张纪烧烤", 2}, {"晨家饺子", 3},
	{"流老四火锅", 4}, {"山海官四条包子", 5}, {"纯华粥铺", 6}, {"春花粥铺", 6}, {"汪府井小吃", 7}, {"王府景小吃", 7},
	{"王付井", 7}, {"新新面馆", 8}, {"欣欣面馆", 8}, {"海宾渔村", 9}, {"海滨鱼村", 9}, {"福林门酒家", 10},
	{"福临们", 10}, {"皇河鲤鱼馆", 11}, {"黄和鲤鱼", 11}, {"金牛考肉", 12}, {"东被人家", 13}, {"冬北人家", 13},
	{"正宗蓝州拉面", 14}, {"兰洲拉面", 14}, {"四穿酸菜鱼", 15}, {"四川酸菜于", 15},
	// Near-homophones: zh/z, ch/c, sh/s, n/l, -ng/-n.
	{"赃记烧烤", 2}, {"程家饺子馆", 3}, {"牛老四火锅", 4}, {"三海关四条包子", 5}, {"村华粥铺", 6},
	{"金刘烤肉", 12}, {"南州拉面", 14}, {"王府金小吃", 7},
	// Contractions.
	{"一中食堂", 16}, {"秦皇岛一中食堂", 16}, {"一中", 16}, {"二中食堂", 17}, {"二中", 17}, {"市一院食堂", 18},
	{"一院职工食堂", 18}, {"一附院餐厅", 19}, {"三小食堂", 20}, {"燕大西区食堂", 21},
	// Identifiers: licence, its prefix, credit code.
	{"JY51303020000006", 6}, {"jy5130302000002", 21}, {"911351303020000014", 14}, {"91135130302000002", 21},
}

func runSlips(t *testing.T, svc *search.Service, wantDegraded bool) {
	ctx := context.Background()
	failed := 0
	for _, tc := range slipCases {
		t.Run(tc.q, func(t *testing.T) {
			res, degraded, err := svc.Search(ctx, shian.ShopQuery{Text: tc.q, Limit: 10, Sort: "relevance"})
			if err != nil {
				t.Fatal(err)
			}
			if degraded != wantDegraded && !res.Exact {
				t.Errorf("degraded %v", degraded)
			}
			want := fmt.Sprintf("JY5130302%07d", tc.want)
			got := licences(res)
			if i := slices.Index(got, want); i < 0 || i > 2 {
				failed++
				var names []string
				for _, h := range res.Hits {
					names = append(names, h.Shop.Name)
				}
				t.Errorf("%s at %d, want top 3; hits %v", want, i, names)
			}
		})
	}
	t.Logf("%d of %d slips missed the top 3", failed, len(slipCases))
}

// TestSlips: every slip of the corpus finds the shop meant in the top 3,
// from Meilisearch.
func TestSlips(t *testing.T) {
	if len(slipCases) < 40 {
		t.Fatalf("%d cases", len(slipCases))
	}
	url, key := testenv.MeiliURL(t)
	db := MustStore(t)
	ix := MustIndex(t, url, key)
	MustLoad(t, db, ix, slipShops())
	runSlips(t, search.NewService(search.Config{Index: ix, Store: db, Budget: 5 * time.Second}), false)
}

// TestSlipsFallback: the same corpus from the store's text index, SQLite
// and PostgreSQL, with Meilisearch not configured.
func TestSlipsFallback(t *testing.T) {
	stores := map[string]*sqlstore.DB{"sqlite": MustStore(t), "postgres": MustPostgres(t)}
	for name, db := range stores {
		t.Run(name, func(t *testing.T) {
			if _, err := db.UpsertShops(context.Background(), slipShops()); err != nil {
				t.Fatal(err)
			}
			runSlips(t, search.NewService(search.Config{Store: db}), true)
		})
	}
}

// MustPostgres opens a fresh migrated PostgreSQL store with search.Keywords.
func MustPostgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), testenv.NewPostgresDatabase(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Keywords = search.Keywords
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}
