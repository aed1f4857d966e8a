package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"shian"
)

// Fallback answers searches when Meilisearch cannot: the store.
type Fallback interface {
	// SearchShops answers q from the system of record (degraded).
	SearchShops(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, error)
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
	Log    *slog.Logger
	Now    func() time.Time
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
		maxLag: cfg.MaxLag, log: cfg.Log, now: cfg.Now}
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
func (s *Service) Search(ctx context.Context, q shian.ShopQuery) (res *shian.ShopResults, degraded bool, err error) {
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
	res, err = s.store.SearchShops(ctx, q)
	if err != nil {
		return nil, true, fmt.Errorf("search: store fallback: %w", err)
	}
	return res, true, nil
}

type meiliHit struct {
	Document
	GeoDistance *float64 `json:"_geoDistance"`
}

type meiliResponse struct {
	Hits               []meiliHit                `json:"hits"`
	TotalHits          int                       `json:"totalHits"`
	EstimatedTotalHits int                       `json:"estimatedTotalHits"`
	FacetDistribution  map[string]map[string]int `json:"facetDistribution"`
}

// facetNames maps index attributes to the API's facet names.
var facetNames = map[string]string{"district": "district", "grade_dynamic": "grade", "category": "category"}

func (s *Service) searchMeili(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, error) {
	req, err := MeiliRequest(q)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.budget)
	defer cancel()
	ix := s.index
	if qx := s.query.Load(); qx != nil {
		ix = qx
	}
	raw, err := ix.client.Index(ix.uid).SearchRaw(ctx, q.Text, req)
	if err != nil {
		return nil, fmt.Errorf("search: meilisearch: %w", err)
	}
	var mr meiliResponse
	if err := json.Unmarshal(*raw, &mr); err != nil {
		return nil, fmt.Errorf("search: decode: %w", err)
	}
	res := &shian.ShopResults{Hits: make([]shian.ShopHit, 0, len(mr.Hits)), Total: mr.TotalHits,
		Facets: map[string]map[string]int{"district": {}, "grade": {}, "category": {}}}
	if req.HitsPerPage == nil {
		res.Total = mr.EstimatedTotalHits
	}
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
		res.Hits = append(res.Hits, hit)
	}
	return res, nil
}

// filterExprs holds the filter expression of every whitelisted value, built
// from the code lists: filters never contain text from a request.
var filterExprs = func() map[string]map[string]string {
	m := map[string]map[string]string{"district": {}, "category": {}, "grade": {}}
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
	return m
}()

// MaxRadiusM is the largest radius a geo query may ask for.
const MaxRadiusM = 50000

// MeiliRequest returns the Meilisearch search request the Service sends for
// q (benchmarks send the same one directly). The filter is an array of
// expressions taken from the whitelists; a value outside them is an
// EINVALID error, so no request text ever reaches a filter.
func MeiliRequest(q shian.ShopQuery) (*meilisearch.SearchRequest, error) {
	var filter []any
	for _, f := range []struct {
		name string
		vals []string
	}{{"district", q.Districts}, {"category", q.Categories}, {"grade", q.Grades}} {
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
	var sort []string
	if q.HasGeo {
		if !validPoint(q.Lat, q.Lng) || !(q.RadiusM > 0 && q.RadiusM <= MaxRadiusM) {
			return nil, shian.FieldError("lat", "bad point or radius")
		}
		lat, lng := fmtFloat(q.Lat), fmtFloat(q.Lng)
		filter = append(filter, "_geoRadius("+lat+", "+lng+", "+fmtFloat(q.RadiusM)+")")
		switch q.Sort {
		case "distance", "relevance", "":
			// Relevance still needs _geoDistance in the hits; the point sort
			// only applies after words, typo, proximity and attribute.
			sort = []string{"_geoPoint(" + lat + ", " + lng + "):asc"}
		case "grade":
			sort = []string{"rank:desc", "_geoPoint(" + lat + ", " + lng + "):asc"}
		}
	} else {
		switch q.Sort {
		case "distance":
			return nil, shian.FieldError("sort", "distance needs lat and lng")
		case "grade":
			sort = []string{"rank:desc"}
		}
	}
	req := &meilisearch.SearchRequest{
		Query:  q.Text,
		Filter: filter,
		Sort:   sort,
		Facets: []string{"district", "grade_dynamic", "category"},
	}
	if len(filter) == 0 {
		req.Filter = nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	if q.Offset%limit == 0 {
		hpp := int64(limit)
		req.HitsPerPage = &hpp
		req.Page = int64(q.Offset/limit) + 1
	} else {
		req.Offset, req.Limit = int64(q.Offset), int64(limit)
	}
	if hasHan(q.Text) {
		req.Locales = []string{"cmn"}
	}
	return req, nil
}

func validPoint(lat, lng float64) bool {
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

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
