package search_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"shian"
	"shian/internal/testenv"
	"shian/names"
	"shian/search"
)

// TestVisitorWordsOnChineseOnlyRegistry (issue 16, item 2): a registry that
// has only Chinese names, as a real import gives, is found by a visitor's
// own words in English and Russian through the names that import generates
// and the glossary's synonyms, on Meilisearch and on the store fallback.
func TestVisitorWordsOnChineseOnlyRegistry(t *testing.T) {
	nm, err := names.New()
	if err != nil {
		t.Fatal(err)
	}
	syn := nm.Glossary().Synonyms()
	zh := map[string]string{ // licence → Chinese-only trading name
		"JY11303040009001": "重庆老火锅",
		"JY11303040009002": "蓝湾咖啡馆",
		"JY11303040009003": "兰州拉面馆",
		"JY11303040009004": "老王烧烤",
		"JY11303040009005": "老二位海鲜大排档",
		"JY11303040009006": "东北饺子馆",
		"JY11303040009007": "平安大药房", // a distractor no word below should find
	}
	var shops []*shian.Shop
	i := 0
	for lic, name := range zh {
		i++
		s := &shian.Shop{Licence: lic, Name: name, Category: "restaurant", Address: fmt.Sprintf("秦皇岛市北戴河区保二路%d号", i),
			District: "beidaihe", Status: shian.StatusOpen, LicensedOn: date("2020-01-01"),
			Inspections: []shian.Inspection{{Date: date("2026-05-10"), Result: shian.ResultGood}}}
		nm.Fill(s)
		if s.NameEN == "" || s.NameRU == "" {
			t.Fatalf("%s: no visitor names generated: %+v", name, s)
		}
		shops = append(shops, s)
	}
	url, key := testenv.MeiliURL(t)
	db := MustStore(t)
	ix := search.NewIndex(url, key, testenv.UniqueName(t))
	ix.TaskTimeout = 2 * time.Minute
	ix.Synonyms = syn
	if err := ix.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.DeleteIndex(context.Background(), ix.UID()); ix.Close() })
	MustLoad(t, db, ix, shops)

	want := map[string]string{
		"hotpot": "JY11303040009001", "хого": "JY11303040009001",
		"coffee": "JY11303040009002", "кофе": "JY11303040009002", "кафе": "JY11303040009002", "café": "JY11303040009002",
		"noodles": "JY11303040009003", "лапша": "JY11303040009003",
		"BBQ": "JY11303040009004", "barbecue": "JY11303040009004", "шашлык": "JY11303040009004",
		"seafood": "JY11303040009005", "морепродукты": "JY11303040009005",
		"dumplings": "JY11303040009006", "пельмени": "JY11303040009006", "jiaozi": "JY11303040009006",
	}
	for name, svc := range map[string]*search.Service{
		"meilisearch": search.NewService(search.Config{Index: ix, Store: db, Budget: 5 * time.Second, Synonyms: syn}),
		"store":       search.NewService(search.Config{Store: db, Synonyms: syn}),
	} {
		for text, lic := range want {
			t.Run(name+"/"+text, func(t *testing.T) {
				res, _, err := svc.Search(context.Background(), shian.ShopQuery{Text: text, Limit: 10})
				if err != nil {
					t.Fatal(err)
				}
				got := licences(res)
				if !slices.Contains(got, lic) {
					t.Fatalf("%q found %v, not %s (%s)", text, got, lic, zh[lic])
				}
				if slices.Contains(got, "JY11303040009007") {
					t.Errorf("%q also found the pharmacy: %v", text, got)
				}
			})
		}
	}
}
