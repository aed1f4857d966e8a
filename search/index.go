// Package search is Shian's shop search: the Meilisearch index (settings,
// documents with pinyin), the worker that applies the store's outbox to it,
// the rebuild-and-swap reindex, and the Service the API asks, which falls
// back to the store (marked degraded) when Meilisearch is down, slow or not
// configured.
package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"shian"
)

// DefaultIndex is the uid of the live index.
const DefaultIndex = "shops"

// Index is the Meilisearch side of search: one live index (and, during a
// reindex, its replacement).
type Index struct {
	client meilisearch.ServiceManager
	uid    string
	// url, key and http answer searches without the client's generic
	// decoding (see post).
	url, key string
	http     *http.Client
	// Now is the clock grades are computed with.
	Now func() time.Time
	// TaskTimeout bounds the wait for one Meilisearch task.
	TaskTimeout time.Duration
	// Synonyms are words searched as each other (a word → the words it
	// also finds), such as the food glossary's zh/en/ru names of a dish.
	// They go into the index settings; set them before Ensure or Reindex.
	// The store's fallback expands queries with the same map (Config.Synonyms).
	Synonyms map[string][]string
}

// NewIndex returns the index uid (DefaultIndex when empty) on the
// Meilisearch at url with key (the admin key: the indexer writes). The
// client does not retry by itself: the syncer retries with backoff, and
// the query path has its own time budget and circuit breaker.
func NewIndex(url, key, uid string) *Index {
	if uid == "" {
		uid = DefaultIndex
	}
	hc := &http.Client{Transport: NewTransport()}
	client := meilisearch.New(url, meilisearch.WithAPIKey(key), meilisearch.DisableRetries(), meilisearch.WithCustomClient(hc))
	return &Index{client: client, uid: uid, url: strings.TrimRight(url, "/"), key: key, http: hc,
		Now: time.Now, TaskTimeout: 60 * time.Second}
}

// post sends body as JSON to path and decodes the answer into out. The
// search path uses it rather than the client's typed calls, which decode
// each hit twice.
func (ix *Index) post(ctx context.Context, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ix.url+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if ix.key != "" {
		req.Header.Set("Authorization", "Bearer "+ix.key)
	}
	resp, err := ix.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s: status %d: %s", path, resp.StatusCode, msg)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// UID returns the uid of the live index.
func (ix *Index) UID() string { return ix.uid }

// Close releases the client's idle connections.
func (ix *Index) Close() { ix.client.Close() }

// Geo is Meilisearch's _geo field.
type Geo struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Document is what Meilisearch holds about a shop: public fields only (no
// phone, no grid, no complaint data), plus pinyin and localized names to
// search on and ranks to sort by.
type Document struct {
	Licence  string   `json:"licence"`
	Name     string   `json:"name"`
	NameEN   string   `json:"name_en,omitempty"`
	NameRU   string   `json:"name_ru,omitempty"`
	Aliases  []string `json:"aliases,omitempty"`
	Address  string   `json:"address"`
	District string   `json:"district"`
	Category string   `json:"category"`
	Status   string   `json:"status"`
	// ShortNames are the contractions of the names (一中 for 第一中学).
	ShortNames []string `json:"short_names,omitempty"`
	Pinyin     []string `json:"pinyin,omitempty"`
	// PinyinFuzzy is each name's fuzzy spelling (see FuzzySyllable), which
	// a Chinese query is also matched against.
	PinyinFuzzy    []string `json:"pinyin_fuzzy,omitempty"`
	PinyinJoined   []string `json:"pinyin_joined,omitempty"`
	PinyinInitials []string `json:"pinyin_initials,omitempty"`
	// Names of the category and district in Chinese, English and Russian.
	CategoryZH string `json:"category_zh"`
	CategoryEN string `json:"category_en"`
	CategoryRU string `json:"category_ru"`
	DistrictZH string `json:"district_zh"`
	DistrictEN string `json:"district_en"`
	DistrictRU string `json:"district_ru"`

	GradeDynamic        string `json:"grade_dynamic"`
	GradeDate           string `json:"grade_date,omitempty"`
	GradeAnnual         string `json:"grade_annual,omitempty"`
	GradeAnnualYear     int    `json:"grade_annual_year,omitempty"`
	GradeAnnualSupplied bool   `json:"grade_annual_supplied,omitempty"`
	// GradeRank is shian.GradeRank of the dynamic grade.
	GradeRank int `json:"grade_rank"`
	// Rank orders equally relevant hits: open shops by grade (2–6), then
	// suspended and closed ones (0).
	Rank int `json:"rank"`
	// LastInspection is the date of the latest inspection as YYYYMMDD (0: none).
	LastInspection int  `json:"last_inspection"`
	Geo            *Geo `json:"_geo,omitempty"`
}

// NewDocument builds the document of a shop, its grade computed at now.
func NewDocument(s *shian.Shop, now time.Time) Document {
	g := shian.ComputeGrade(s, now)
	d := Document{
		Licence: s.Licence, Name: s.Name, NameEN: s.NameEN, NameRU: s.NameRU, Aliases: s.Aliases,
		Address: s.Address, District: s.District, Category: s.Category, Status: g.Status,
		GradeDynamic: g.Dynamic, GradeDate: g.DynamicDate, GradeAnnual: g.Annual,
		GradeAnnualYear: g.AnnualYear, GradeAnnualSupplied: g.AnnualSupplied,
		GradeRank: shian.GradeRank(g.Dynamic),
	}
	_, d.ShortNames = searchNames(s)
	d.Pinyin, d.PinyinJoined, d.PinyinInitials, d.PinyinFuzzy = spellings(s)
	if c, ok := shian.LookupCode(shian.ShopCategories, s.Category); ok {
		d.CategoryZH, d.CategoryEN, d.CategoryRU = c.Names.ZH, c.Names.EN, c.Names.RU
	}
	if c, ok := shian.LookupCode(shian.Districts, s.District); ok {
		d.DistrictZH, d.DistrictEN, d.DistrictRU = c.Names.ZH, c.Names.EN, c.Names.RU
	}
	if g.Status == shian.StatusOpen {
		d.Rank = d.GradeRank + 2
	}
	for _, in := range s.Inspections {
		if v := in.Date.Year()*10000 + int(in.Date.Month())*100 + in.Date.Day(); v > d.LastInspection {
			d.LastInspection = v
		}
	}
	// A point off the globe (or NaN, which JSON cannot carry) would make
	// the whole batch fail: such a shop is indexed without a location.
	if s.HasGeo && validPoint(s.Lat, s.Lng) {
		d.Geo = &Geo{Lat: s.Lat, Lng: s.Lng}
	}
	return d
}

// Shop returns the public part of the shop a document describes, as the
// search results carry it.
func (d *Document) Shop() (*shian.Shop, shian.Grade) {
	s := &shian.Shop{
		Licence: d.Licence, Name: d.Name, NameEN: d.NameEN, NameRU: d.NameRU, Aliases: d.Aliases,
		Address: d.Address, District: d.District, Category: d.Category, Status: d.Status,
	}
	if d.Geo != nil {
		s.Lat, s.Lng, s.HasGeo = d.Geo.Lat, d.Geo.Lng, true
	}
	g := shian.Grade{
		Dynamic: d.GradeDynamic, DynamicDate: d.GradeDate, Annual: d.GradeAnnual,
		AnnualYear: d.GradeAnnualYear, AnnualSupplied: d.GradeAnnualSupplied, Status: d.Status,
	}
	if g.Status != shian.StatusOpen {
		g.StatusNote = g.Status
	}
	s.Grade = g
	return s, g
}

// Settings are the index settings, applied idempotently at start and to
// every rebuilt index, with synonyms (may be nil).
func Settings(synonyms map[string][]string) *meilisearch.Settings {
	if synonyms == nil {
		synonyms = map[string][]string{}
	}
	return &meilisearch.Settings{
		Synonyms: synonyms,
		// Ordered by importance: the attribute rule prefers earlier ones.
		SearchableAttributes: []string{
			"name", "aliases", "short_names", "name_en", "name_ru",
			"pinyin_joined", "pinyin_initials", "pinyin", "pinyin_fuzzy",
			"address",
			"category_zh", "category_en", "category_ru",
			"district_zh", "district_en", "district_ru",
		},
		// name: the exact-name lookup outside the default scope.
		FilterableAttributes: []string{"district", "category", "grade_dynamic", "grade_annual", "status", "name", "_geo"},
		SortableAttributes:   []string{"_geo", "rank", "grade_rank", "last_inspection"},
		// rank:desc puts open, better-graded shops first among hits the
		// built-in rules find equally relevant.
		RankingRules: []string{"words", "typo", "proximity", "attribute", "sort", "exactness", "rank:desc"},
		DisplayedAttributes: []string{
			"licence", "name", "name_en", "name_ru", "aliases", "address", "district", "category", "status",
			"grade_dynamic", "grade_date", "grade_annual", "grade_annual_year", "grade_annual_supplied", "_geo",
		},
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{
			{Locales: []string{"cmn"}, AttributePatterns: []string{"name", "aliases", "short_names", "address", "category_zh", "district_zh"}},
		},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			// Initials are too short and dense for typos to mean anything;
			// licence numbers must match exactly.
			DisableOnAttributes: []string{"pinyin_initials"},
			DisableOnWords:      []string{},
			DisableOnNumbers:    true,
		},
		Pagination: &meilisearch.Pagination{MaxTotalHits: 5000},
		Faceting:   &meilisearch.Faceting{MaxValuesPerFacet: 100},
	}
}

// Ensure creates the live index when missing and applies Settings; it is
// idempotent and waits until Meilisearch has applied them.
func (ix *Index) Ensure(ctx context.Context) error {
	if err := ix.ensure(ctx, ix.uid); err != nil {
		return fmt.Errorf("search: ensure index %s: %w", ix.uid, err)
	}
	return nil
}

func (ix *Index) ensure(ctx context.Context, uid string) error {
	if _, err := ix.client.GetIndex(ctx, uid); err != nil {
		if !isNotFound(err) {
			return err
		}
		task, err := ix.client.CreateIndex(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "licence"})
		if err != nil {
			return fmt.Errorf("create: %w", err)
		}
		// A concurrent creator may win; "already exists" is success.
		if err := ix.wait(ctx, task.TaskUID); err != nil && !strings.Contains(err.Error(), "index_already_exists") {
			return fmt.Errorf("create: %w", err)
		}
	}
	task, err := ix.client.Index(uid).UpdateSettings(ctx, Settings(ix.Synonyms))
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if err := ix.wait(ctx, task.TaskUID); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	return nil
}

// ErrTaskFailed is returned (wrapped, with Meilisearch's message) when
// Meilisearch processed a task and rejected it.
var ErrTaskFailed = errors.New("meilisearch task failed")

// wait waits for a task, at most TaskTimeout.
func (ix *Index) wait(ctx context.Context, uid int64) error {
	ctx, cancel := context.WithTimeout(ctx, ix.TaskTimeout)
	defer cancel()
	task, err := ix.client.WaitForTask(ctx, uid, 20*time.Millisecond)
	if err != nil {
		return fmt.Errorf("wait for task %d: %w", uid, err)
	}
	switch task.Status {
	case meilisearch.TaskStatusSucceeded:
		return nil
	case meilisearch.TaskStatusFailed:
		return fmt.Errorf("task %d: %w: %s (%s)", uid, ErrTaskFailed, task.Error.Message, task.Error.Code)
	}
	return fmt.Errorf("task %d ended %s", uid, task.Status)
}

// put adds or replaces documents in index uid and waits for the task.
func (ix *Index) put(ctx context.Context, uid string, docs []Document) error {
	if len(docs) == 0 {
		return nil
	}
	pk := "licence"
	task, err := ix.client.Index(uid).AddDocuments(ctx, docs, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		return fmt.Errorf("add documents: %w", err)
	}
	return ix.wait(ctx, task.TaskUID)
}

// remove deletes documents by licence from index uid and waits.
func (ix *Index) remove(ctx context.Context, uid string, licences []string) error {
	if len(licences) == 0 {
		return nil
	}
	task, err := ix.client.Index(uid).DeleteDocuments(ctx, licences, nil)
	if err != nil {
		return fmt.Errorf("delete documents: %w", err)
	}
	return ix.wait(ctx, task.TaskUID)
}

// Put adds or replaces the documents of shops in the live index and waits
// until Meilisearch has applied them. Errors wrap ErrTaskFailed when
// Meilisearch rejected the batch.
func (ix *Index) Put(ctx context.Context, shops []*shian.Shop) error {
	now := ix.Now()
	docs := make([]Document, len(shops))
	for i, s := range shops {
		docs[i] = NewDocument(s, now)
	}
	if err := ix.put(ctx, ix.uid, docs); err != nil {
		return fmt.Errorf("search: put: %w", err)
	}
	return nil
}

// searchKeyUID is the fixed uid of the search-only key Shian creates, so that
// every replica and every start finds the same key instead of adding one.
// Meilisearch derives the key itself from this uid and the master key.
const searchKeyUID = "5c1a2f0e-6b1d-4b7e-9c3a-7f0d2e8a4b61"

// SearchKey returns a key that may only search the live index, creating it
// on first use. Creating keys needs the master key: with a lesser key it
// returns an error, and the caller keeps searching with the key it has.
func (ix *Index) SearchKey(ctx context.Context) (string, error) {
	k, err := ix.client.GetKey(ctx, searchKeyUID)
	if isNotFound(err) {
		k, err = ix.client.CreateKey(ctx, &meilisearch.Key{UID: searchKeyUID, Name: "shian-search",
			Description: "Shian public search: search the shops index only", Actions: []string{"search"}, Indexes: []string{ix.uid}})
	}
	if err != nil {
		return "", fmt.Errorf("search: search-only key: %w", err)
	}
	return k.Key, nil
}

// Healthy reports whether Meilisearch answers and the live index exists.
func (ix *Index) Healthy(ctx context.Context) error {
	if _, err := ix.client.Health(ctx); err != nil {
		return fmt.Errorf("search: health: %w", err)
	}
	if _, err := ix.client.GetIndex(ctx, ix.uid); err != nil {
		return fmt.Errorf("search: index %s: %w", ix.uid, err)
	}
	return nil
}

func isNotFound(err error) bool {
	var me *meilisearch.Error
	return errors.As(err, &me) && me.StatusCode == http.StatusNotFound
}

// DeleteIndex removes an index (tests and failed rebuilds use it).
func (ix *Index) DeleteIndex(ctx context.Context, uid string) error {
	task, err := ix.client.DeleteIndex(ctx, uid)
	if err != nil {
		if isNotFound(err) {
			return nil
		}
		return fmt.Errorf("search: delete index %s: %w", uid, err)
	}
	if err := ix.wait(ctx, task.TaskUID); err != nil && !strings.Contains(err.Error(), "index_not_found") {
		return fmt.Errorf("search: delete index %s: %w", uid, err)
	}
	return nil
}
