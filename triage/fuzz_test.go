package triage

import (
	"testing"
	"time"

	"shian"
)

// FuzzParseCalendar checks the calendar parser on arbitrary files: no panic,
// and any calendar it accepts keeps the deadline invariants.
func FuzzParseCalendar(f *testing.F) {
	f.Add(string(defaultCalendar))
	f.Add(`{"years": []}`)
	f.Add(`{"years": [{"year": 2026, "workdays": [{"name": "x", "date": "2026-02-14"}]}]}`)
	f.Add(`{"years": [{"year": 2026, "holidays": [{"name": "x", "from": "2026-12-25", "to": "2027-01-02"}]}]}`)
	start := time.Date(2026, 12, 20, 9, 0, 0, 0, shian.CST)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCalendar([]byte(s))
		if err != nil {
			if shian.ErrorCode(err) != shian.EINVALID {
				t.Fatalf("error %v has code %q", err, shian.ErrorCode(err))
			}
			return
		}
		for _, n := range []int{1, 7, 15, 45} {
			due := c.AddWorkingDays(start, n)
			if !c.IsWorkingDay(due) || !due.After(start) {
				t.Fatalf("AddWorkingDays(%d) = %s: not a later working day", n, due)
			}
			if got := c.WorkingDaysBetween(start, due); got != n {
				t.Fatalf("WorkingDaysBetween(start, AddWorkingDays(%d)) = %d", n, got)
			}
		}
	})
}

// FuzzParseGrids checks the grids parser: no panic; an accepted file locates
// every point to a real district.
func FuzzParseGrids(f *testing.F) {
	f.Add(string(defaultGrids))
	f.Add(`{"type": "FeatureCollection", "features": []}`)
	f.Add(`{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"district": "haigang", "grid": "g", "office": "o"}, "geometry": {"type": "MultiPolygon", "coordinates": [[[[0,0],[1,0],[1,1],[0,0]]]]}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGrids([]byte(s))
		if err != nil {
			return
		}
		if d, _, ok := g.Locate(39.93, 119.60); ok {
			if _, known := shian.LookupCode(shian.Districts, d); !known {
				t.Fatalf("Locate gives unknown district %q", d)
			}
		}
	})
}

// FuzzParseRouting checks the routing parser: no panic; an accepted table
// has an office for every district.
func FuzzParseRouting(f *testing.F) {
	f.Add(string(defaultRouting))
	f.Add(`{"unrouted_office": "city", "offices": []}`)
	f.Fuzz(func(t *testing.T, s string) {
		rt, err := ParseRouting([]byte(s))
		if err != nil {
			return
		}
		for _, d := range shian.Districts {
			if o, ok := rt.Office(rt.OfficeFor(d.Code)); !ok || o.District != d.Code {
				t.Fatalf("district %s has office %+v", d.Code, o)
			}
		}
	})
}
