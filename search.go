package shian

import (
	"context"
	"math"
	"strings"
	"time"
	"unicode"
)

// ShopQuery is a validated shop search: the search package answers it from
// Meilisearch, and the store answers it (degraded) when Meilisearch cannot.
type ShopQuery struct {
	Text       string
	Districts  []string
	Categories []string
	// Grades holds dynamic grades (excellent, good, fair, fail, not_graded)
	// and annual grades (A, B, C); a shop matches when it has any of them.
	Grades   []string
	OpenOnly bool
	// Statuses limits hits to shops with these statuses (open, suspended,
	// closed). Empty: open and suspended shops, and a closed one only on
	// its exact name or licence.
	Statuses []string
	// AllCategories turns off the default scope (places that serve food)
	// when Categories is empty: the caller asks for every kind of shop.
	AllCategories bool
	// Near: a point and radius in metres; HasGeo says they are set.
	Lat, Lng, RadiusM float64
	HasGeo            bool
	Sort              string // relevance, distance or grade
	Offset, Limit     int
	// Match, when set, is the text as the store's index is asked for it
	// (the search service builds it: pinyin, short names, synonyms); when
	// empty the store matches Text word by word.
	Match []TextGroup
}

// TextGroup is one word of a query as the store's text index matches it:
// a shop matches the group when it matches any term of it.
type TextGroup []TextTerm

// TextTerm is one way to match a word: a phrase of index tokens (Chinese
// characters, lower-case words) in a row, the last one a prefix when
// Prefix is set.
type TextTerm struct {
	Tokens []string
	Prefix bool
}

// ShopHit is one search result with its distance from the query point.
type ShopHit struct {
	Shop      *Shop
	Grade     Grade
	DistanceM *float64
	// Highlight holds, by attribute (name, name_en, name_ru), the value as
	// HTML: escaped, the matched parts in <mark>. Empty when the index did
	// not mark anything (and always from the store).
	Highlight map[string]string
}

// ShopResults is a page of search results.
type ShopResults struct {
	Hits   []ShopHit
	Total  int
	Facets map[string]map[string]int // district, grade, category → value → count
	// Exact is set when the query was a licence or credit code (or a prefix
	// of one) and the hits are the shops it identifies.
	Exact bool
	// DidYouMean, when the query found nothing, is a spelling that finds
	// something; Hits are then that spelling's hits.
	DidYouMean string
}

// Suggestion is one name completion for the search box.
type Suggestion struct {
	Licence string
	Name    string
	NameEN  string
	NameRU  string
	// NameHTML is the name as HTML, escaped, the typed part in <mark> (""
	// when nothing is marked, and always from the store).
	NameHTML string
}

// OutboxEntry records that a shop changed and its search projection must be
// refreshed. It is written in the same transaction as the change.
type OutboxEntry struct {
	ID        int64
	ShopID    int64
	Licence   string
	CreatedAt time.Time
	Attempts  int
	LastError string
}

// OutboxService is the store's side of search synchronisation.
type OutboxService interface {
	// PendingOutbox returns up to limit entries, oldest first.
	PendingOutbox(ctx context.Context, limit int) ([]OutboxEntry, error)
	// CompleteOutbox removes applied entries.
	CompleteOutbox(ctx context.Context, ids []int64) error
	// FailOutbox records a failed attempt for one entry.
	FailOutbox(ctx context.Context, id int64, msg string) error
	// OutboxLag returns the number of pending entries and the age of the oldest.
	OutboxLag(ctx context.Context) (pending int, oldest time.Time, err error)
}

// DistanceM is the great-circle distance in metres between two WGS-84 points.
func DistanceM(lat1, lng1, lat2, lng2 float64) float64 {
	const r = 6371008.8
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLng := (lng2 - lng1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// TextTokens splits text the way the store's text index does, and so the
// way TextTerm tokens are written: each Chinese character alone (a
// one-character query such as 粥 is a token), and runs of other letters
// and digits lower-cased; everything else separates.
func TextTokens(text string) []string {
	var out []string
	start := -1
	flush := func(end int) {
		if start >= 0 {
			out = append(out, strings.ToLower(text[start:end]))
			start = -1
		}
	}
	for i, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			flush(i)
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		default:
			flush(i)
		}
	}
	flush(len(text))
	return out
}
