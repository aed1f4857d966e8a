// Package resolve finds the registered shop a complaint means when it gives
// no licence: from the name as typed (with slips: homophones, 老二为 for
// 老二位; abbreviations, 一中食堂; trade words added or left out; the
// English or Russian name; Latin pinyin), the address, the district and the
// reporter's point. The answer is a match with its confidence and the
// fields that agreed, a short list of candidates for an officer to confirm,
// or none: a weak or ambiguous name never becomes a guess.
//
// Candidates come from shop search (Meilisearch, or the store when it is
// down), asked by the name as typed, by its core and by its pinyin, so that
// the store's substring search finds homophones too. Scoring is pure and
// table-tested (score.go).
package resolve

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"shian"
	"shian/names"
)

// Searcher is the shop search resolution asks for candidates: the search
// service (search.Service), which answers from the store when Meilisearch
// is down.
type Searcher interface {
	Search(ctx context.Context, q shian.ShopQuery) (res *shian.ShopResults, degraded bool, err error)
}

// Resolver resolves shop names. Safe for concurrent use.
type Resolver struct {
	search Searcher
	names  speller
	// PerQuery is how many shops each search returns (default 20).
	PerQuery int
	// NearM is the radius of the search around the reporter's point (default 300).
	NearM float64
	// names of shops prepared for scoring, by name: a shop found again
	// (the popular ones are, every day) costs no pinyin. Emptied at
	// cacheMax entries, so it stays bounded whatever the city.
	cache  sync.Map // string → name
	cached atomic.Int64
}

const cacheMax = 50000

// shopName is prepare for a shop's name, through the cache.
func (r *Resolver) shopName(s string) name {
	if v, ok := r.cache.Load(s); ok {
		return v.(name)
	}
	n := prepare(r.names, s)
	if r.cached.Add(1) > cacheMax {
		r.cache.Clear()
		r.cached.Store(0)
	}
	r.cache.Store(s, n)
	return n
}

// New returns a Resolver over search, spelling pinyin with the names
// package's polyphone table.
func New(search Searcher, n *names.Namer) (*Resolver, error) {
	if search == nil || n == nil {
		return nil, errors.New("resolve: a Searcher and a Namer are required")
	}
	return &Resolver{search: search, names: n, PerQuery: 20, NearM: 300}, nil
}

// Resolve answers which registered shop q means. It fails only when no
// candidates could be fetched at all (EUNAVAILABLE, or the context's
// error); bad input of any kind is an answer (None or Candidates).
func (r *Resolver) Resolve(ctx context.Context, q Query) (Result, error) {
	p := r.prepare(q)
	if p.name.full == "" {
		return Result{Outcome: None, Reasons: []string{ReasonNoName}}, nil
	}
	shops, err := r.candidates(ctx, r.queries(p))
	if err != nil {
		return Result{Outcome: None, Reasons: []string{ReasonNoSearch}}, err
	}
	scored := make([]Scored, 0, len(shops))
	for _, s := range shops {
		scored = append(scored, r.score(p, s))
	}
	res := decide(scored)
	if res.Outcome == Match {
		return res, nil
	}
	// An abbreviation (一中食堂 for 第一中学食堂) is no substring of the
	// name: asked only now, its characters as separate words are all in
	// the name it stands for.
	if rs := []rune(p.name.full); !p.weak && !p.name.latin && !isCyrillic(p.name.full) && len(rs) >= 3 && len(rs) <= 8 {
		more, err := r.candidates(ctx, []shian.ShopQuery{{Text: strings.Join(strings.Split(string(rs), ""), " "), Sort: "relevance", Limit: r.PerQuery}})
		if err != nil || len(more) == 0 {
			return res, nil
		}
		seen := make(map[string]bool, len(shops))
		for _, s := range shops {
			seen[s.Licence] = true
		}
		for _, s := range more {
			if !seen[s.Licence] {
				scored = append(scored, r.score(p, s))
			}
		}
		res = decide(scored)
	}
	return res, nil
}

// Score is the pure part of Resolve: it scores the given shops against q
// and decides, as Resolve does with the shops search found.
func (r *Resolver) Score(q Query, shops []*shian.Shop) Result {
	p := r.prepare(q)
	if p.name.full == "" {
		return Result{Outcome: None, Reasons: []string{ReasonNoName}}
	}
	scored := make([]Scored, 0, len(shops))
	for _, s := range shops {
		scored = append(scored, r.score(p, s))
	}
	return decide(scored)
}

// queries are the searches that gather candidates: the name as typed, its
// core (trade words dropped), its pinyin joined (which Meilisearch's
// pinyin_joined field and the store's keywords both hold, so a homophone
// is found even by the store's substring search), and the shops near the
// reporter's point.
func (r *Resolver) queries(p prepared) []shian.ShopQuery {
	limit := r.PerQuery
	var texts []string
	add := func(t string) {
		if t != "" {
			for _, x := range texts {
				if x == t {
					return
				}
			}
			texts = append(texts, t)
		}
	}
	add(strings.TrimSpace(p.q.Name))
	if !p.name.latin {
		add(p.name.core)
	}
	if !p.weak {
		add(p.name.joint)
	}
	var qs []shian.ShopQuery
	for _, t := range texts {
		qs = append(qs, shian.ShopQuery{Text: t, Sort: "relevance", Limit: limit})
	}
	if p.q.HasGeo {
		qs = append(qs, shian.ShopQuery{Lat: p.q.Lat, Lng: p.q.Lng, RadiusM: r.NearM, HasGeo: true, Sort: "distance", Limit: limit})
	}
	return qs
}

// candidates runs the queries at once and merges their shops by licence.
// A failed query is skipped while another answered.
func (r *Resolver) candidates(ctx context.Context, qs []shian.ShopQuery) ([]*shian.Shop, error) {
	type answer struct {
		res *shian.ShopResults
		err error
	}
	answers := make([]answer, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, _, err := r.search.Search(ctx, q)
			answers[i] = answer{res, err}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	var shops []*shian.Shop
	var errs []error
	for _, a := range answers {
		if a.err != nil {
			errs = append(errs, a.err)
			continue
		}
		for _, h := range a.res.Hits {
			if h.Shop != nil && !seen[h.Shop.Licence] {
				seen[h.Shop.Licence] = true
				shops = append(shops, h.Shop)
			}
		}
	}
	if len(errs) == len(answers) && len(errs) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, errors.Join(errs...)
	}
	return shops, nil
}
