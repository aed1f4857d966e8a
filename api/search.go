package api

import (
	"context"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/edge"
	"shian/web"
)

// Searcher answers shop searches; degraded reports that the answer came
// from the store because Meilisearch could not.
type Searcher interface {
	Search(ctx context.Context, q shian.ShopQuery) (res *shian.ShopResults, degraded bool, err error)
	// Suggest returns up to limit name completions of text.
	Suggest(ctx context.Context, text string, limit int) ([]shian.Suggestion, bool, error)
}

// Search query limits.
const (
	maxQueryRunes   = 100
	maxPerPage      = 50
	defaultPerPage  = 20
	maxPage         = 100 // page × per_page stays within the index's maxTotalHits
	defaultRadiusM  = 2000
	maxRadiusM      = 50000
	maxFilterValues = 20
)

// statusValues are the status filter's values. Without one, open and
// suspended shops are shown, and a closed one on its exact name or licence.
var statusValues = []string{shian.StatusOpen, shian.StatusSuspended, shian.StatusClosed}

// gradeValues are the grade filter's values: dynamic grades, then annual.
var gradeValues = []string{shian.ResultExcellent, shian.ResultGood, shian.ResultFair, shian.ResultFail, shian.NotGraded, "A", "B", "C"}

// SearchParams is a parsed search request: the query and the page asked for.
type SearchParams struct {
	Query   shian.ShopQuery
	Page    int
	PerPage int
	Lang    string // "" when not given
}

// ParseSearchQuery validates the query parameters of a shop search. Every
// filter value must be on its whitelist; the error is an EINVALID
// *shian.Error naming the parameter and what is allowed.
func ParseSearchQuery(v url.Values) (SearchParams, error) {
	p := SearchParams{Page: 1, PerPage: defaultPerPage, Query: shian.ShopQuery{Sort: "relevance"}}
	q := &p.Query

	text := v.Get("q")
	if !utf8.ValidString(text) {
		return p, badParam("q", "UTF-8 text")
	}
	text = strings.Join(strings.FieldsFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if utf8.RuneCountInString(text) > maxQueryRunes {
		return p, badParam("q", "at most "+strconv.Itoa(maxQueryRunes)+" characters")
	}
	if text != "" && strings.IndexFunc(text, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return p, badParam("q", "words, pinyin or a licence number (not only punctuation or emoji)")
	}
	q.Text = text

	var err error
	if q.Districts, err = whitelisted(v, "district", shian.CodeList(shian.Districts)); err != nil {
		return p, err
	}
	if q.Categories, err = whitelisted(v, "category", shian.CodeList(shian.ShopCategories)); err != nil {
		return p, err
	}
	if q.Grades, err = whitelisted(v, "grade", gradeValues); err != nil {
		return p, err
	}
	if q.Statuses, err = whitelisted(v, "status", statusValues); err != nil {
		return p, err
	}
	switch o := v.Get("open_only"); o {
	case "", "0", "false":
	case "1", "true", "on":
		q.OpenOnly = true
		for _, st := range q.Statuses {
			if st != shian.StatusOpen {
				return p, badParam("status", "only open with open_only (they contradict each other)")
			}
		}
	default:
		return p, badParam("open_only", "true or false")
	}

	lat, lng, rad := v.Get("lat"), v.Get("lng"), v.Get("radius_m")
	switch {
	case lat != "" && lng == "":
		return p, badParam("lng", "given together with lat")
	case lng != "" && lat == "":
		return p, badParam("lat", "given together with lng")
	case lat == "" && rad != "":
		return p, badParam("radius_m", "given only with lat and lng")
	case lat != "":
		if q.Lat, err = strconv.ParseFloat(lat, 64); err != nil || math.IsNaN(q.Lat) || q.Lat < -90 || q.Lat > 90 {
			return p, badParam("lat", "a latitude in degrees from -90 to 90")
		}
		if q.Lng, err = strconv.ParseFloat(lng, 64); err != nil || math.IsNaN(q.Lng) || q.Lng < -180 || q.Lng > 180 {
			return p, badParam("lng", "a longitude in degrees from -180 to 180")
		}
		q.RadiusM = defaultRadiusM
		if rad != "" {
			if q.RadiusM, err = strconv.ParseFloat(rad, 64); err != nil || !(q.RadiusM >= 1 && q.RadiusM <= maxRadiusM) {
				return p, badParam("radius_m", "a distance in metres from 1 to "+strconv.Itoa(maxRadiusM))
			}
		}
		q.HasGeo = true
		if q.Text == "" {
			q.Sort = "distance"
		}
	}
	switch s := v.Get("sort"); s {
	case "":
	case "relevance", "grade":
		q.Sort = s
	case "distance":
		if !q.HasGeo {
			return p, badParam("sort", "relevance or grade without lat and lng (distance needs them)")
		}
		q.Sort = s
	default:
		return p, badParam("sort", "one of relevance, distance, grade")
	}

	if s := v.Get("page"); s != "" {
		if p.Page, err = strconv.Atoi(s); err != nil || p.Page < 1 || p.Page > maxPage {
			return p, badParam("page", "a whole number from 1 to "+strconv.Itoa(maxPage))
		}
	}
	if s := v.Get("per_page"); s != "" {
		if p.PerPage, err = strconv.Atoi(s); err != nil || p.PerPage < 1 || p.PerPage > maxPerPage {
			return p, badParam("per_page", "a whole number from 1 to "+strconv.Itoa(maxPerPage))
		}
	}
	q.Offset, q.Limit = (p.Page-1)*p.PerPage, p.PerPage

	switch l := v.Get("lang"); l {
	case "", "zh", "en", "ru":
		p.Lang = l
	default:
		return p, badParam("lang", "one of zh, en, ru")
	}
	return p, nil
}

// whitelisted returns the values of a repeatable parameter (also accepted
// comma-separated), each of which must be one of allowed. The values
// returned are the whitelist's own strings, never the request's.
func whitelisted(v url.Values, name string, allowed []string) ([]string, error) {
	var out []string
	for _, raw := range v[name] {
		for _, val := range strings.Split(raw, ",") {
			val = strings.TrimSpace(val)
			if val == "" {
				continue
			}
			i := indexOf(allowed, val)
			if i < 0 {
				return nil, badParam(name, "one of "+strings.Join(allowed, ", "))
			}
			if indexOf(out, allowed[i]) < 0 {
				out = append(out, allowed[i])
			}
			if len(out) > maxFilterValues {
				return nil, badParam(name, "at most "+strconv.Itoa(maxFilterValues)+" values")
			}
		}
	}
	return out, nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// searchValues copies the request's query string out of Fiber's reused memory.
func searchValues(c *fiber.Ctx) url.Values {
	v := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, val []byte) {
		key := string(k)
		v[key] = append(v[key], string(val))
	})
	return v
}

// SearchHit is one result of GET /api/v1/shops/search.
type SearchHit struct {
	Licence   string      `json:"licence"`
	Name      string      `json:"name"`
	NameEN    string      `json:"name_en,omitempty"`
	NameRU    string      `json:"name_ru,omitempty"`
	Address   string      `json:"address"`
	District  shian.Code  `json:"district"`
	Category  shian.Code  `json:"category"`
	Grade     shian.Grade `json:"grade"`
	Status    string      `json:"status"`
	DistanceM *float64    `json:"distance_m,omitempty"`
	Page      string      `json:"page"`
	// Highlight: name, name_en, name_ru as HTML (escaped; matches in
	// <mark>), where Meilisearch marked a match.
	Highlight map[string]string `json:"highlight,omitempty"`
}

// SearchResponse is the body of GET /api/v1/shops/search.
type SearchResponse struct {
	Hits     []SearchHit               `json:"hits"`
	Total    int                       `json:"total"`
	Page     int                       `json:"page"`
	PerPage  int                       `json:"per_page"`
	Facets   map[string]map[string]int `json:"facets"`
	Degraded bool                      `json:"degraded"`
	TookMS   int64                     `json:"took_ms"`
	// Exact: q was a licence or credit code (or a prefix of one); the hits
	// are the shops it identifies. Redirect is the page of the one shop
	// it names exactly, where people are sent straight.
	Exact    bool   `json:"exact"`
	Redirect string `json:"redirect,omitempty"`
	// DidYouMean: q found nothing, and this spelling found the hits.
	DidYouMean string `json:"did_you_mean,omitempty"`
}

// runSearch parses and answers a search for the API and the search page.
func (s *Server) runSearch(c *fiber.Ctx, p SearchParams) (*SearchResponse, error) {
	if s.search == nil {
		return nil, &shian.Error{Code: shian.EUNAVAILABLE, Message: "search is not configured"}
	}
	start := time.Now()
	res, degraded, err := s.search.Search(c.UserContext(), p.Query)
	if err != nil {
		return nil, err
	}
	out := &SearchResponse{Hits: make([]SearchHit, 0, len(res.Hits)), Total: res.Total, Page: p.Page, PerPage: p.PerPage,
		Facets: map[string]map[string]int{}, Degraded: degraded, Exact: res.Exact, DidYouMean: res.DidYouMean}
	if res.Exact && len(res.Hits) > 0 {
		first := res.Hits[0].Shop
		if len(res.Hits) == 1 || strings.EqualFold(first.Licence, p.Query.Text) || strings.EqualFold(first.CreditCode, p.Query.Text) {
			out.Redirect = "/shops/" + first.Licence
		}
	}
	for _, name := range []string{"district", "grade", "category"} {
		out.Facets[name] = res.Facets[name]
		if out.Facets[name] == nil {
			out.Facets[name] = map[string]int{}
		}
	}
	for _, h := range res.Hits {
		sh := h.Shop
		dist, _ := shian.LookupCode(shian.Districts, sh.District)
		cat, _ := shian.LookupCode(shian.ShopCategories, sh.Category)
		hit := SearchHit{Licence: sh.Licence, Name: sh.Name, NameEN: sh.NameEN, NameRU: sh.NameRU, Address: sh.Address,
			District: dist, Category: cat, Grade: h.Grade, Status: sh.Status, Page: "/shops/" + sh.Licence, Highlight: h.Highlight}
		if h.DistanceM != nil {
			d := math.Round(*h.DistanceM)
			hit.DistanceM = &d
		}
		out.Hits = append(out.Hits, hit)
	}
	out.TookMS = time.Since(start).Milliseconds()
	return out, nil
}

// searchShops serves GET /api/v1/shops/search.
func (s *Server) searchShops(c *fiber.Ctx) error {
	p, err := ParseSearchQuery(searchValues(c))
	if err != nil {
		return err
	}
	out, err := s.runSearch(c, p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=30")
	return c.JSON(out)
}

// SuggestResponse is the body of GET /api/v1/shops/suggest.
type SuggestResponse struct {
	Suggestions []SuggestHit `json:"suggestions"`
	Degraded    bool         `json:"degraded"`
}

// SuggestHit is one name completion.
type SuggestHit struct {
	Licence string `json:"licence"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en,omitempty"`
	NameRU  string `json:"name_ru,omitempty"`
	// NameHTML: the name, escaped, the typed part in <mark> (absent when
	// nothing is marked).
	NameHTML string `json:"name_html,omitempty"`
	Page     string `json:"page"`
}

// suggestShops serves GET /api/v1/shops/suggest?q=: up to 8 name
// completions for the search box. q follows the search's rules (400 for
// punctuation only, or over 100 characters); an empty q has none.
func (s *Server) suggestShops(c *fiber.Ctx) error {
	v := searchValues(c)
	p, err := ParseSearchQuery(url.Values{"q": v["q"]})
	if err != nil {
		return err
	}
	out := SuggestResponse{Suggestions: []SuggestHit{}}
	if p.Query.Text != "" {
		if s.search == nil {
			return &shian.Error{Code: shian.EUNAVAILABLE, Message: "search is not configured"}
		}
		sg, degraded, err := s.search.Suggest(c.UserContext(), p.Query.Text, 8)
		if err != nil {
			return err
		}
		out.Degraded = degraded
		for _, h := range sg {
			out.Suggestions = append(out.Suggestions, SuggestHit{Licence: h.Licence, Name: h.Name, NameEN: h.NameEN,
				NameRU: h.NameRU, NameHTML: h.NameHTML, Page: "/shops/" + h.Licence})
		}
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=30")
	return c.JSON(out)
}

// searchPage is the data of the /search page.
type searchPage struct {
	Lang, Path string
	Params     SearchParams
	Result     *SearchResponse
	Error      string
	Districts  []option
	Grades     []option
	Categories []option
	Statuses   []option
	Sorts      []option
	Cards      []searchCard
	Prev, Next string
	Lat, Lng   string
	// DidYouMean links to the search for the spelling that found the hits.
	DidYouMean string
	// Filtered: a filter is set, so "remove a filter" is worth saying.
	Filtered bool
}

type option struct {
	Value, Label string
	Selected     bool
	// Count is the facet count beside the value (-1: not shown).
	Count int
}

type searchCard struct {
	Hit                 SearchHit
	Name, Sub, District string
	// NameHTML is Name with Meilisearch's highlighting, escaped by the
	// search service (safe to insert as is).
	NameHTML         template.HTML
	Face, GradeClass string
	Closed           bool
	Distance         string
}

// searchPageHandler serves /search: the server-rendered search page. It
// works without JavaScript; search.js only adds "near me".
func (s *Server) searchPageHandler(c *fiber.Ctx) error {
	lang := edge.Lang(c)
	v := searchValues(c)
	page := &searchPage{Lang: lang, Path: "/search"}
	status := fiber.StatusOK
	p, err := ParseSearchQuery(v)
	page.Params = p
	switch {
	case err != nil:
		status = fiber.StatusBadRequest
		page.Error = problemDetail(lang, err)
	case p.Query.Text != "" || p.Query.HasGeo || len(p.Query.Districts) > 0 || len(p.Query.Grades) > 0 ||
		len(p.Query.Categories) > 0 || len(p.Query.Statuses) > 0 || p.Query.OpenOnly:
		res, err := s.runSearch(c, p)
		if err != nil {
			if shian.ErrorCode(err) == shian.EINTERNAL {
				return err
			}
			status = edge.Status(err)
			page.Error = problemDetail(lang, err)
			break
		}
		if res.Redirect != "" {
			return c.Redirect(res.Redirect+"?lang="+lang, fiber.StatusSeeOther)
		}
		page.Result = res
		for _, h := range res.Hits {
			page.Cards = append(page.Cards, newSearchCard(lang, h))
		}
		if res.DidYouMean != "" {
			w := url.Values{"q": {res.DidYouMean}, "lang": {lang}}
			page.DidYouMean = "/search?" + w.Encode()
		}
		if p.Page > 1 {
			page.Prev = pageURL(v, lang, p.Page-1)
		}
		if p.Page*p.PerPage < res.Total && p.Page < maxPage {
			page.Next = pageURL(v, lang, p.Page+1)
		}
	}
	if p.Query.HasGeo {
		page.Lat, page.Lng = strconv.FormatFloat(p.Query.Lat, 'f', 5, 64), strconv.FormatFloat(p.Query.Lng, 'f', 5, 64)
	}
	q := p.Query
	page.Filtered = len(q.Districts)+len(q.Grades)+len(q.Categories)+len(q.Statuses) > 0 || q.OpenOnly
	count := func(facet, value string) int {
		if page.Result == nil || page.Result.Exact {
			return -1
		}
		return page.Result.Facets[facet][value]
	}
	for _, d := range shian.Districts {
		page.Districts = append(page.Districts, option{d.Code, d.Names.In(lang), indexOf(q.Districts, d.Code) >= 0, count("district", d.Code)})
	}
	for _, c := range shian.ShopCategories {
		page.Categories = append(page.Categories, option{c.Code, c.Names.In(lang), indexOf(q.Categories, c.Code) >= 0, count("category", c.Code)})
	}
	for _, g := range gradeValues {
		label := web.T(lang, "grade."+g)
		n := -1
		switch {
		case g == "A" || g == "B" || g == "C":
			label = web.T(lang, "search.annual") + " " + g
		case shian.Face(g) != "":
			label = shian.Face(g) + " " + label
			n = count("grade", g)
		default:
			n = count("grade", g)
		}
		page.Grades = append(page.Grades, option{g, label, indexOf(q.Grades, g) >= 0, n})
	}
	for _, st := range statusValues {
		page.Statuses = append(page.Statuses, option{st, web.T(lang, "search.status."+st), indexOf(q.Statuses, st) >= 0, -1})
	}
	for _, so := range []string{"relevance", "distance", "grade"} {
		if so == "distance" && !q.HasGeo {
			continue
		}
		page.Sorts = append(page.Sorts, option{so, web.T(lang, "search.sort."+so), q.Sort == so, -1})
	}
	body, err := s.renderBytes("search", page)
	if err != nil {
		return err
	}
	return s.sendHTML(c, status, body)
}

func newSearchCard(lang string, h SearchHit) searchCard {
	card := searchCard{Hit: h, Name: h.Name, District: h.District.Names.In(lang), GradeClass: h.Grade.Dynamic}
	attr := "name"
	switch {
	case lang == "en" && h.NameEN != "":
		card.Name, card.Sub, attr = h.NameEN, h.Name, "name_en"
	case lang == "ru" && h.NameRU != "":
		card.Name, card.Sub, attr = h.NameRU, h.Name, "name_ru"
	case h.NameEN != "":
		card.Sub = h.NameEN
	}
	if v, ok := h.Highlight[attr]; ok {
		// Escaped by the search service: only <mark> elements are markup.
		card.NameHTML = template.HTML(v)
	}
	if h.Status == shian.StatusOpen {
		card.Face = shian.Face(h.Grade.Dynamic)
	} else {
		card.Closed, card.GradeClass = true, "not_open"
	}
	if h.DistanceM != nil {
		if *h.DistanceM < 1000 {
			card.Distance = strconv.Itoa(int(*h.DistanceM)) + " m"
		} else {
			card.Distance = strconv.FormatFloat(*h.DistanceM/1000, 'f', 1, 64) + " km"
		}
	}
	return card
}

func pageURL(v url.Values, lang string, page int) string {
	w := url.Values{}
	for k, vals := range v {
		w[k] = vals
	}
	w.Set("page", strconv.Itoa(page))
	w.Set("lang", lang)
	return "/search?" + w.Encode()
}

// problemDetail is the message a person sees for err, in lang.
func problemDetail(lang string, err error) string { return edge.ProblemOf(lang, err).Detail }
