package search

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/meilisearch/meilisearch-go"

	"shian"
)

// FoodCategories are the kinds of shop a search shows by default: places
// that serve a meal to a passer-by (restaurants, snack bars, cafés, street
// food, online kitchens). Canteens, shops, producers and workshops appear
// when the query asks for them by category or by a word that names them,
// or when nothing that serves food matches.
var FoodCategories = []string{"restaurant", "street_vendor", "online"}

// defaultStatuses are the statuses a search shows by default; a closed shop
// appears when asked for, or on its exact name or licence.
var defaultStatuses = []string{shian.StatusOpen, shian.StatusSuspended}

// kindWords name kinds of shop outside FoodCategories: a query containing
// one asks for every category (一中食堂, 鲜果超市, bakery factory …).
var kindWords = []string{
	"食堂", "学校", "中学", "小学", "幼儿园", "大学", "学院", "医院", "单位",
	"超市", "商店", "便利店", "商行", "市场", "批发", "商场", "销售",
	"厂", "作坊", "生产", "加工", "公司",
	"canteen", "cafeteria", "school", "college", "university", "hospital",
	"supermarket", "market", "store", "grocery", "factory", "plant", "workshop", "producer",
	"столов", "школ", "магазин", "рынок", "завод", "фабрик", "цех",
}

// asksForAllKinds reports whether text names a kind of shop outside
// FoodCategories.
func asksForAllKinds(text string) bool {
	t := strings.ToLower(text)
	for _, c := range contractions {
		// 一中, 市一院: contractions name schools and hospitals.
		if strings.Contains(t, c.short) {
			return true
		}
	}
	for _, w := range kindWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}

// scope is the query a search runs: q with the default scope applied.
type scope struct {
	q shian.ShopQuery
	// widened is set when defaults narrowed q (categories or statuses), so
	// that an exact name is also looked up outside them.
	widened bool
}

func withDefaults(q shian.ShopQuery) scope {
	sc := scope{q: q}
	if len(q.Categories) == 0 && !q.AllCategories && !asksForAllKinds(q.Text) {
		sc.q.Categories = FoodCategories
		sc.widened = true
	}
	if len(q.Statuses) == 0 && !q.OpenOnly {
		sc.q.Statuses = defaultStatuses
		sc.widened = true
	}
	return sc
}

// filterExprs holds the filter expression of every whitelisted value, built
// from the code lists: filters never contain text from a request (the one
// exception, an exact name, goes through quoteFilter).
var filterExprs = func() map[string]map[string]string {
	m := map[string]map[string]string{"district": {}, "category": {}, "grade": {}, "status": {}}
	for _, d := range shian.Districts {
		m["district"][d.Code] = `district = "` + d.Code + `"`
	}
	for _, c := range shian.ShopCategories {
		m["category"][c.Code] = `category = "` + c.Code + `"`
	}
	for _, g := range []string{shian.ResultExcellent, shian.ResultGood, shian.ResultFair, shian.ResultFail, shian.NotGraded} {
		m["grade"][g] = `grade_dynamic = "` + g + `"`
	}
	for _, g := range []string{"A", "B", "C"} {
		m["grade"][g] = `grade_annual = "` + g + `"`
	}
	for _, st := range []string{shian.StatusOpen, shian.StatusSuspended, shian.StatusClosed} {
		m["status"][st] = `status = "` + st + `"`
	}
	return m
}()

// quoteFilter quotes s as a Meilisearch filter string: inside double
// quotes, a backslash and a double quote are escaped with a backslash.
func quoteFilter(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// MaxRadiusM is the largest radius a geo query may ask for.
const MaxRadiusM = 50000

// filters returns q's filter as an array of OR-groups from the whitelists;
// a value outside them is an EINVALID error naming the parameter.
func filters(q shian.ShopQuery, withScope bool) ([]any, error) {
	var filter []any
	groups := []struct {
		name string
		vals []string
	}{{"district", q.Districts}, {"grade", q.Grades}}
	if withScope {
		groups = append(groups, struct {
			name string
			vals []string
		}{"category", q.Categories}, struct {
			name string
			vals []string
		}{"status", q.Statuses})
	}
	for _, f := range groups {
		if len(f.vals) == 0 {
			continue
		}
		ors := make([]string, 0, len(f.vals))
		for _, v := range f.vals {
			expr, ok := filterExprs[f.name][v]
			if !ok {
				return nil, shian.FieldError(f.name, "unknown value %q", v)
			}
			ors = append(ors, expr)
		}
		filter = append(filter, ors)
	}
	if q.OpenOnly {
		filter = append(filter, `status = "open"`)
	}
	if q.HasGeo {
		if !validPoint(q.Lat, q.Lng) || !(q.RadiusM > 0 && q.RadiusM <= MaxRadiusM) {
			return nil, shian.FieldError("lat", "bad point or radius")
		}
		filter = append(filter, "_geoRadius("+fmtFloat(q.Lat)+", "+fmtFloat(q.Lng)+", "+fmtFloat(q.RadiusM)+")")
	}
	return filter, nil
}

// Weights of the queries of one search in Meilisearch's federated merge: a
// match of the characters typed ranks above a match through their sound.
const (
	weightText = 1.0
	// Just under 1: the shop whose characters match (score 1) stays first,
	// but a whole name matched by sound beats a partial match of characters
	// (新新面馆 means 鑫鑫面馆 more than 金新金面馆).
	weightFuzzy = 0.98
)

// Highlight marks: private-use characters Meilisearch puts around matched
// parts, replaced by <mark> after the value is HTML-escaped.
const (
	markPre  = "\ue000"
	markPost = "\ue001"
)

// MeiliRequest returns the federated multi-search the Service sends to
// index uid for q (benchmarks send the same one directly): the text as
// typed; for Chinese text, its fuzzy pinyin (see Fuzzy) against
// pinyin_fuzzy; and, when the default scope narrowed q, the exact name
// outside it. Filters come from the whitelists; a value outside them is an
// EINVALID error, and the one piece of request text that reaches a filter
// (the exact name) is quoted by quoteFilter.
func MeiliRequest(uid string, q shian.ShopQuery) (*meilisearch.MultiSearchRequest, error) {
	return meiliRequest(uid, q, false)
}

// meiliRequest is MeiliRequest, without the fuzzy pinyin query when
// noFuzzy is set: an index none of whose documents has pinyin_fuzzy yet
// (empty, or built before the field existed) refuses a search on it.
func meiliRequest(uid string, q shian.ShopQuery, noFuzzy bool) (*meilisearch.MultiSearchRequest, error) {
	sc := withDefaults(q)
	filter, err := filters(sc.q, true)
	if err != nil {
		return nil, err
	}
	var sort []string
	if q.HasGeo {
		point := "_geoPoint(" + fmtFloat(q.Lat) + ", " + fmtFloat(q.Lng) + "):asc"
		switch q.Sort {
		case "grade":
			sort = []string{"rank:desc", point}
		default:
			// Near me: distance, then grade. With text, relevance still
			// comes first: the sort rule follows words, typo, proximity
			// and attribute.
			sort = []string{point, "rank:desc"}
		}
	} else {
		switch q.Sort {
		case "distance":
			return nil, shian.FieldError("sort", "distance needs lat and lng")
		case "grade":
			sort = []string{"rank:desc"}
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	query := func(text string, filter []any, weight float64) *meilisearch.SearchRequest {
		r := &meilisearch.SearchRequest{IndexUID: uid, Query: text, Sort: sort,
			FederationOptions: &meilisearch.SearchFederationOptions{Weight: weight}}
		if len(filter) > 0 {
			r.Filter = filter
		}
		return r
	}
	main := query(q.Text, filter, weightText)
	main.AttributesToHighlight = []string{"name", "name_en", "name_ru"}
	main.HighlightPreTag, main.HighlightPostTag = markPre, markPost
	if hasHan(q.Text) {
		main.Locales = []string{"cmn"}
	}
	req := &meilisearch.MultiSearchRequest{
		Queries: []*meilisearch.SearchRequest{main},
		Federation: &meilisearch.MultiSearchFederation{Offset: int64(q.Offset), Limit: int64(limit),
			FacetsByIndex: map[string][]string{uid: {"district", "grade_dynamic", "category"}},
			MergeFacets:   &meilisearch.MultiSearchFederationMergeFacets{MaxValuesPerFacet: 100}},
	}
	if fz := fuzzyQuery(q.Text); fz != "" && !noFuzzy {
		r := query(fz, filter, weightFuzzy)
		r.AttributesToSearchOn = []string{"pinyin_fuzzy"}
		r.MatchingStrategy = meilisearch.All
		req.Queries = append(req.Queries, r)
	}
	if sc.widened && q.Text != "" && !strings.ContainsAny(q.Text, markPre+markPost) {
		// The text too, not a placeholder: Meilisearch cannot merge a
		// placeholder search's order with the others' relevancy.
		unscoped, _ := filters(q, false) // validated above
		r := query(q.Text, append(unscoped, "name = "+quoteFilter(q.Text)), weightText)
		r.Locales = main.Locales
		req.Queries = append(req.Queries, r)
	}
	return req, nil
}

// fuzzyQuery is the fuzzy pinyin of the Chinese words of text, word by
// word ("" when it has none).
func fuzzyQuery(text string) string {
	var words []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if f := Fuzzy(w); f != "" {
			words = append(words, f)
		}
	}
	return strings.Join(words, " ")
}

func validPoint(lat, lng float64) bool {
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Identifier reports whether text is a licence or credit code, or a
// prefix of one, and returns it in upper case: 6 to 32 ASCII letters and
// digits, at least 4 of them digits (pinyin initials and words have none).
func Identifier(text string) (string, bool) {
	text = strings.TrimSpace(text)
	if len(text) < 6 || len(text) > 32 {
		return "", false
	}
	digits := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		default:
			return "", false
		}
	}
	if digits < 4 {
		return "", false
	}
	return strings.ToUpper(text), true
}

// looseStoreMatch is StoreMatch with each Chinese character of the text a
// word of its own: the store's second try when the phrases found nothing
// (市一院食堂 for 秦皇岛市第一医院职工食堂, where Meilisearch matches words).
func looseStoreMatch(text string, synonyms map[string][]string) []shian.TextGroup {
	var b strings.Builder
	for _, r := range text {
		b.WriteRune(r)
		if unicode.Is(unicode.Han, r) {
			b.WriteByte(' ')
		}
	}
	return StoreMatch(b.String(), synonyms)
}

// StoreMatch turns text into the terms the store's text index is asked
// for (see shian.ShopQuery.Match): for each word, its Chinese characters
// as a phrase and their fuzzy pinyin as a prefix, or a Latin word as a
// prefix; and each synonym of the word. It matches what the index's
// Keywords hold.
func StoreMatch(text string, synonyms map[string][]string) []shian.TextGroup {
	var out []shian.TextGroup
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		g := wordTerms(w)
		for _, syn := range synonyms[strings.ToLower(w)] {
			g = append(g, wordTerms(syn)...)
		}
		if len(g) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// wordTerms are the ways the store matches one word.
func wordTerms(w string) shian.TextGroup {
	var g shian.TextGroup
	if !hasHan(w) {
		return shian.TextGroup{{Tokens: []string{strings.ToLower(w)}, Prefix: true}}
	}
	g = append(g, shian.TextTerm{Tokens: shian.TextTokens(w)})
	if fz := Fuzzy(w); fz != "" {
		g = append(g, shian.TextTerm{Tokens: strings.Fields(fz), Prefix: true})
	}
	return g
}
