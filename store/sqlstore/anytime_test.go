package sqlstore

import (
	"testing"
	"time"
)

// TestAnyTimeReadsSQLiteAggregates (issue 19, item 3): MIN/MAX of a time
// column come back from SQLite as the text the driver wrote, which is
// time.Time.String(); the clusters CSV showed 0001-01-01T00:00:00Z.
func TestAnyTimeReadsSQLiteAggregates(t *testing.T) {
	want := time.Date(2026, 7, 15, 2, 3, 4, 500, time.UTC)
	for _, v := range []any{want, want.String(), []byte(want.String()), want.Format(time.RFC3339Nano), "2026-07-15 02:03:04.0000005+00:00"} {
		if got := anyTime(v); !got.Equal(want) {
			t.Errorf("anyTime(%q) = %v, want %v", v, got, want)
		}
	}
}
