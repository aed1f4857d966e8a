package web

import "testing"

// TestCatalogHasEveryLanguage: every page text reads in zh, en and ru (the
// console's staff text, written in zh and en, shows its English in ru); a
// key added in one language only fails here.
func TestCatalogHasEveryLanguage(t *testing.T) {
	if len(catalog) < 100 {
		t.Fatalf("only %d catalog keys", len(catalog))
	}
	for key, text := range catalog {
		for i, lang := range []string{"zh", "en", "ru"} {
			if text[i] == "" {
				t.Errorf("catalog key %s has no %s", key, lang)
			}
		}
	}
}
