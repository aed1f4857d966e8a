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

// TestSynonyms: a synonym map (the food glossary's shape: a word → the
// words it also finds) reaches both Meilisearch's settings and the store's
// query expansion.
func TestSynonyms(t *testing.T) {
	syn := map[string][]string{"pelmeni": {"饺子"}, "饺子": {"pelmeni"}, "shashlik": {"烧烤"}}
	url, key := testenv.MeiliURL(t)
	db := MustStore(t)
	ix := search.NewIndex(url, key, testenv.UniqueName(t))
	ix.TaskTimeout = 2 * time.Minute
	ix.Synonyms = syn
	if err := ix.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.DeleteIndex(context.Background(), ix.UID()); ix.Close() })
	MustLoad(t, db, ix, fixtureShops())
	for name, svc := range map[string]*search.Service{
		"meilisearch": search.NewService(search.Config{Index: ix, Store: db, Budget: 5 * time.Second, Synonyms: syn}),
		"store":       search.NewService(search.Config{Store: db, Synonyms: syn}),
	} {
		for text, want := range map[string]string{"pelmeni": "JY11303020000003", "shashlik": "JY11303020000006"} {
			t.Run(name+"/"+text, func(t *testing.T) {
				q := shian.ShopQuery{Text: text, Limit: 10, Statuses: []string{"open", "closed"}}
				res, _, err := svc.Search(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(licences(res), want) {
					t.Errorf("hits %v lack %s", licences(res), want)
				}
			})
		}
	}
}
