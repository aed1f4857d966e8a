package shian

import (
	"context"
	"math"
	"time"
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
	// Near: a point and radius in metres; HasGeo says they are set.
	Lat, Lng, RadiusM float64
	HasGeo            bool
	Sort              string // relevance, distance or grade
	Offset, Limit     int
}

// ShopHit is one search result with its distance from the query point.
type ShopHit struct {
	Shop      *Shop
	Grade     Grade
	DistanceM *float64
}

// ShopResults is a page of search results.
type ShopResults struct {
	Hits   []ShopHit
	Total  int
	Facets map[string]map[string]int // district, grade, category → value → count
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
