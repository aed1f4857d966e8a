package search

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"shian"
)

// Fallback answers searches when Meilisearch cannot: the store. It also
// answers identifier lookups, which never need Meilisearch.
type Fallback interface {
	// SearchShops answers q from the system of record (degraded).
	SearchShops(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, error)
	// ShopsByIdentifier returns up to limit shops whose licence or credit
	// code starts with prefix (upper case), an exact match first.
	ShopsByIdentifier(ctx context.Context, prefix string, limit int) ([]*shian.Shop, error)
}

// Config configures a Service.
type Config struct {
	// Index is the Meilisearch index; nil means search is not configured
	// and every query is answered by Store (degraded).
	Index *Index
	// Store answers when Meilisearch is down, slow or not configured.
	Store Fallback
	// Outbox, when set, gives the lag shown by LagProbe.
	Outbox shian.OutboxService
	// Budget bounds one Meilisearch query (default 300 ms).
	Budget time.Duration
	// Failures in a row that open the circuit (default 3).
	Failures int
	// Cooldown is how long an open circuit skips Meilisearch before one
	// probe query is let through (default 5 s).
	Cooldown time.Duration
	// MaxLag is the outbox age above which LagProbe reports degraded (default 5 min).
	MaxLag time.Duration
	// Synonyms expand the words of a query the store answers, as the
	// index's synonyms (Index.Synonyms) do in Meilisearch; give both the
	// same map.
	Synonyms map[string][]string
	Log      *slog.Logger
	Now      func() time.Time
}

// Service answers shop searches from Meilisearch, and from the store
// (degraded) when Meilisearch is down, slow or not configured. It
// implements api.Searcher.
type Service struct {
	index   *Index
	store   Fallback
	outbox  shian.OutboxService
	budget  time.Duration
	maxLag  time.Duration
	syn     map[string][]string
	log     *slog.Logger
	now     func() time.Time
	breaker breaker
	// query, once set, answers searches with a search-only key, so that
	// the public path never holds a key that can write.
	query atomic.Pointer[Index]
}

// UseSearchKey makes searches use key (a search-only key) instead of the
// indexer's. Safe while searches run.
func (s *Service) UseSearchKey(url, key string) {
	if s.index != nil {
		s.query.Store(NewIndex(url, key, s.index.uid))
	}
}

// NewService returns a Service; see Config for the defaults.
func NewService(cfg Config) *Service {
	s := &Service{index: cfg.Index, store: cfg.Store, outbox: cfg.Outbox, budget: cfg.Budget,
		maxLag: cfg.MaxLag, syn: cfg.Synonyms, log: cfg.Log, now: cfg.Now}
	if s.budget <= 0 {
		s.budget = 300 * time.Millisecond
	}
	if s.maxLag <= 0 {
		s.maxLag = 5 * time.Minute
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.breaker = breaker{threshold: cfg.Failures, cooldown: cfg.Cooldown, now: s.now}
	if s.breaker.threshold <= 0 {
		s.breaker.threshold = 3
	}
	if s.breaker.cooldown <= 0 {
		s.breaker.cooldown = 5 * time.Second
	}
	return s
}

// Search answers q. degraded is true when the store answered. Errors:
// EUNAVAILABLE when neither could (the store's error), EINVALID for a
// query the whitelists do not allow.
//
// A licence or credit code (or a prefix of one) is looked up in the store
// and answers alone (Exact). Otherwise the default scope applies (see
// withDefaults); when it leaves nothing, the search runs again over every
// kind of shop; when that finds nothing either, a looser spelling is tried
// (DidYouMean).
func (s *Service) Search(ctx context.Context, q shian.ShopQuery) (res *shian.ShopResults, degraded bool, err error) {
	if id, ok := Identifier(q.Text); ok && q.Offset == 0 {
		shops, err := s.store.ShopsByIdentifier(ctx, id, max(q.Limit, 1))
		if err != nil {
			return nil, false, fmt.Errorf("search: identifier: %w", err)
		}
		if len(shops) > 0 {
			res := &shian.ShopResults{Exact: true, Total: len(shops), Facets: map[string]map[string]int{"district": {}, "grade": {}, "category": {}}}
			for _, sh := range shops {
				res.Hits = append(res.Hits, shian.ShopHit{Shop: sh, Grade: sh.Grade})
				res.Facets["district"][sh.District]++
				res.Facets["grade"][sh.Grade.Dynamic]++
				res.Facets["category"][sh.Category]++
			}
			return res, false, nil
		}
	}
	res, degraded, err = s.search(ctx, q)
	if err != nil || res.Total > 0 || q.Offset > 0 {
		return res, degraded, err
	}
	if len(q.Categories) == 0 && !q.AllCategories {
		wide := q
		wide.AllCategories = true
		if res, degraded, err = s.search(ctx, wide); err != nil || res.Total > 0 {
			return res, degraded, err
		}
		q = wide
	}
	if alt := s.looser(q.Text); alt != "" {
		q.Text = alt
		alt, altDegraded, err := s.search(ctx, q)
		if err == nil && alt.Total > 0 {
			alt.DidYouMean = q.Text
			return alt, altDegraded, nil
		}
	}
	return res, degraded, nil
}

// looser returns a spelling of text more likely to find something: its
// fuzzy pinyin for Chinese text (the sound of what was typed), else its
// words but the last one; "" when there is none.
func (s *Service) looser(text string) string {
	if fz := fuzzyQuery(text); fz != "" {
		return strings.ReplaceAll(fz, " ", "")
	}
	words := strings.Fields(text)
	if len(words) > 1 {
		return strings.Join(words[:len(words)-1], " ")
	}
	return ""
}

// search answers q from Meilisearch, or from the store when it cannot.
func (s *Service) search(ctx context.Context, q shian.ShopQuery) (res *shian.ShopResults, degraded bool, err error) {
	if s.index != nil && s.breaker.allow() {
		res, err := s.searchMeili(ctx, q)
		switch {
		case err == nil:
			s.breaker.success()
			return res, false, nil
		case ctx.Err() != nil:
			// The caller went away: not Meilisearch's fault.
			s.breaker.release()
			return nil, false, ctx.Err()
		case shian.ErrorCode(err) == shian.EINVALID:
			s.breaker.release()
			return nil, false, err
		}
		if s.breaker.failure() {
			s.log.Warn("search: Meilisearch failing; answering from the store", "err", err, "cooldown", s.breaker.cooldown)
		}
	}
	sq := withDefaults(q).q
	sq.Match = StoreMatch(q.Text, s.syn)
	res, err = s.store.SearchShops(ctx, sq)
	if err == nil && res.Total == 0 && hasHan(q.Text) {
		sq.Match = looseStoreMatch(q.Text, s.syn)
		res, err = s.store.SearchShops(ctx, sq)
	}
	if err != nil {
		return nil, true, fmt.Errorf("search: store fallback: %w", err)
	}
	return res, true, nil
}

type meiliHit struct {
	Document
	GeoDistance *float64           `json:"_geoDistance"`
	Formatted   *formattedDocument `json:"_formatted"`
}

type formattedDocument struct {
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	NameRU string `json:"name_ru"`
}

type meiliResponse struct {
	Hits               []meiliHit                `json:"hits"`
	EstimatedTotalHits int                       `json:"estimatedTotalHits"`
	FacetDistribution  map[string]map[string]int `json:"facetDistribution"`
}

// facetNames maps index attributes to the API's facet names.
var facetNames = map[string]string{"district": "district", "grade_dynamic": "grade", "category": "category"}

func (s *Service) searchMeili(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, error) {
	ix := s.index
	if qx := s.query.Load(); qx != nil {
		ix = qx
	}
	req, err := MeiliRequest(ix.uid, q)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.budget)
	defer cancel()
	var mr meiliResponse
	err = ix.post(ctx, "/multi-search", req, &mr)
	if err != nil && strings.Contains(err.Error(), "invalid_search_attributes_to_search_on") {
		req, _ = meiliRequest(ix.uid, q, true)
		err = ix.post(ctx, "/multi-search", req, &mr)
	}
	if err != nil {
		return nil, fmt.Errorf("search: meilisearch: %w", err)
	}
	res := &shian.ShopResults{Hits: make([]shian.ShopHit, 0, len(mr.Hits)), Total: mr.EstimatedTotalHits,
		Facets: map[string]map[string]int{"district": {}, "grade": {}, "category": {}}}
	for attr, counts := range mr.FacetDistribution {
		if name, ok := facetNames[attr]; ok {
			res.Facets[name] = counts
		}
	}
	for i := range mr.Hits {
		h := &mr.Hits[i]
		shop, grade := h.Document.Shop()
		hit := shian.ShopHit{Shop: shop, Grade: grade}
		switch {
		case !q.HasGeo:
		case h.GeoDistance != nil:
			d := *h.GeoDistance
			hit.DistanceM = &d
		case shop.HasGeo:
			d := math.Round(shian.DistanceM(q.Lat, q.Lng, shop.Lat, shop.Lng))
			hit.DistanceM = &d
		}
		if f := h.Formatted; f != nil {
			for attr, v := range map[string]string{"name": f.Name, "name_en": f.NameEN, "name_ru": f.NameRU} {
				if strings.Contains(v, markPre) {
					if hit.Highlight == nil {
						hit.Highlight = map[string]string{}
					}
					hit.Highlight[attr] = markHTML(v)
				}
			}
		}
		res.Hits = append(res.Hits, hit)
	}
	return res, nil
}

// markHTML escapes a highlighted value for HTML and turns Meilisearch's
// marks into <mark> elements.
func markHTML(v string) string {
	v = html.EscapeString(v)
	return strings.NewReplacer(markPre, "<mark>", markPost, "</mark>").Replace(v)
}

// Healthy is the readiness probe of search: ok when Meilisearch answers
// and its circuit is closed. Not configured is reported as not ok (the
// service is degraded: the store answers).
func (s *Service) Healthy(ctx context.Context) (bool, string) {
	if s.index == nil {
		return false, "not configured: searches are answered by the store (degraded)"
	}
	if s.breaker.isOpen() {
		return false, "circuit open: searches are answered by the store (degraded)"
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := s.index.Healthy(ctx); err != nil {
		return false, "meilisearch unreachable: " + err.Error()
	}
	return true, "ok"
}

// LagProbe reports the outbox lag for /readyz: how many changes wait to
// reach Meilisearch and how old the oldest is. Not ok when older than MaxLag.
func (s *Service) LagProbe(ctx context.Context) (bool, string) {
	if s.outbox == nil {
		return true, "no outbox"
	}
	n, oldest, err := s.outbox.OutboxLag(ctx)
	if err != nil {
		return false, "outbox: " + err.Error()
	}
	if n == 0 {
		return true, "0 pending"
	}
	age := s.now().Sub(oldest).Round(time.Second)
	return age <= s.maxLag, fmt.Sprintf("%d pending, oldest %s", n, age)
}

// breaker is a circuit breaker: after threshold failures in a row it opens
// for cooldown, skipping Meilisearch; then one probe is let through, which
// closes it on success or opens it again on failure.
type breaker struct {
	mu        sync.Mutex
	threshold int
	cooldown  time.Duration
	now       func() time.Time
	failures  int
	openUntil time.Time
	probing   bool
}

func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return true
	}
	if b.probing || b.now().Before(b.openUntil) {
		return false
	}
	b.probing = true
	return true
}

func (b *breaker) success() {
	b.mu.Lock()
	b.failures, b.probing = 0, false
	b.mu.Unlock()
}

// release ends a call that says nothing about Meilisearch's health.
func (b *breaker) release() {
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}

// failure records a failure and reports whether it opened the circuit.
func (b *breaker) failure() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	b.probing = false
	if b.failures >= b.threshold {
		b.openUntil = b.now().Add(b.cooldown)
		return b.failures == b.threshold
	}
	return false
}

func (b *breaker) isOpen() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failures >= b.threshold && b.now().Before(b.openUntil)
}

// errNotConfigured is returned by Index-less operations.
var errNotConfigured = errors.New("search: Meilisearch is not configured")

// Reindex rebuilds the live index from the store (see Index.Reindex).
func (s *Service) Reindex(ctx context.Context, src ShopSource) (ReindexStats, error) {
	if s.index == nil {
		return ReindexStats{}, errNotConfigured
	}
	return s.index.Reindex(ctx, src, s.log)
}

// MaxSuggestions is how many completions Suggest returns at most.
const MaxSuggestions = 8

// Suggest returns up to limit (at most MaxSuggestions) names completing
// text, for the search box as a person types: open and suspended shops
// that serve food first, matched on names and their pinyin only (no
// address, no facets), so that it stays cheap. degraded is true when the
// store answered.
func (s *Service) Suggest(ctx context.Context, text string, limit int) (out []shian.Suggestion, degraded bool, err error) {
	if limit <= 0 || limit > MaxSuggestions {
		limit = MaxSuggestions
	}
	if s.index != nil && s.breaker.allow() {
		out, err := s.suggestMeili(ctx, text, limit)
		switch {
		case err == nil:
			s.breaker.success()
			return out, false, nil
		case ctx.Err() != nil:
			s.breaker.release()
			return nil, false, ctx.Err()
		}
		if s.breaker.failure() {
			s.log.Warn("search: Meilisearch failing; answering from the store", "err", err, "cooldown", s.breaker.cooldown)
		}
	}
	q := withDefaults(shian.ShopQuery{Text: text, Limit: limit, Sort: "relevance"}).q
	q.Match = StoreMatch(text, s.syn)
	res, err := s.store.SearchShops(ctx, q)
	if err != nil {
		return nil, true, fmt.Errorf("search: store fallback: %w", err)
	}
	for _, h := range res.Hits {
		out = append(out, shian.Suggestion{Licence: h.Shop.Licence, Name: h.Shop.Name, NameEN: h.Shop.NameEN, NameRU: h.Shop.NameRU})
	}
	return out, true, nil
}

// SuggestRequest is the Meilisearch search Suggest sends for text
// (benchmarks send the same one directly).
func SuggestRequest(text string, limit int) *meilisearch.SearchRequest {
	req := &meilisearch.SearchRequest{
		Query:                 text,
		Limit:                 int64(limit),
		AttributesToRetrieve:  []string{"licence", "name", "name_en", "name_ru"},
		AttributesToSearchOn:  []string{"name", "aliases", "short_names", "name_en", "name_ru", "pinyin_joined", "pinyin_initials"},
		AttributesToHighlight: []string{"name"},
		HighlightPreTag:       markPre, HighlightPostTag: markPost,
	}
	// Shops that serve food, not closed: the search's default scope, with
	// no second query for the rest (a completion list is short).
	req.Filter, _ = filters(withDefaults(shian.ShopQuery{}).q, true) // whitelisted values only
	if hasHan(text) {
		req.Locales = []string{"cmn"}
	}
	return req
}

func (s *Service) suggestMeili(ctx context.Context, text string, limit int) ([]shian.Suggestion, error) {
	ix := s.index
	if qx := s.query.Load(); qx != nil {
		ix = qx
	}
	ctx, cancel := context.WithTimeout(ctx, s.budget)
	defer cancel()
	var mr struct {
		Hits []struct {
			Licence   string            `json:"licence"`
			Name      string            `json:"name"`
			NameEN    string            `json:"name_en"`
			NameRU    string            `json:"name_ru"`
			Formatted formattedDocument `json:"_formatted"`
		} `json:"hits"`
	}
	if err := ix.post(ctx, "/indexes/"+ix.uid+"/search", SuggestRequest(text, limit), &mr); err != nil {
		return nil, fmt.Errorf("search: suggest: %w", err)
	}
	out := make([]shian.Suggestion, 0, len(mr.Hits))
	for _, h := range mr.Hits {
		sg := shian.Suggestion{Licence: h.Licence, Name: h.Name, NameEN: h.NameEN, NameRU: h.NameRU}
		if strings.Contains(h.Formatted.Name, markPre) {
			sg.NameHTML = markHTML(h.Formatted.Name)
		}
		out = append(out, sg)
	}
	return out, nil
}
