package triage

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"shian"
)

// MustCalendar returns the shipped calendar or fails the test.
func MustCalendar(tb testing.TB) *Calendar {
	tb.Helper()
	c, err := DefaultCalendar()
	if err != nil {
		tb.Fatalf("DefaultCalendar: %v", err)
	}
	return c
}

// cst returns a time in China Standard Time.
func cst(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, shian.CST)
}

// endOf returns the end of a CST day as AddWorkingDays reports it.
func endOf(s string) time.Time {
	t, err := time.Parse(shian.DateLayout, s)
	if err != nil {
		panic(err)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 23, 59, 59, 0, shian.CST)
}

func TestDefaultCalendarMatchesDATA(t *testing.T) {
	c := MustCalendar(t)
	// docs/calendar.md, 2026: days off that fall on Monday–Friday, and make-up days.
	offWeekdays := []string{
		"2026-01-01", "2026-01-02",
		"2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23",
		"2026-04-06",
		"2026-05-01", "2026-05-04", "2026-05-05",
		"2026-06-19",
		"2026-09-25",
		"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07",
	}
	workWeekends := []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
	off, work := map[string]bool{}, map[string]bool{}
	for _, s := range offWeekdays {
		off[s] = true
	}
	for _, s := range workWeekends {
		work[s] = true
	}
	for d := time.Date(2026, 1, 1, 12, 0, 0, 0, shian.CST); d.Year() == 2026; d = d.AddDate(0, 0, 1) {
		s := d.Format(shian.DateLayout)
		weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
		want := (!weekend && !off[s]) || work[s]
		if got := c.IsWorkingDay(d); got != want {
			t.Errorf("IsWorkingDay(%s %s) = %v, want %v", s, d.Weekday(), got, want)
		}
	}
	if got := c.Years(); len(got) != 1 || got[0] != 2026 {
		t.Errorf("Years() = %v, want [2026]", got)
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := MustCalendar(t)
	tests := []struct {
		name     string
		received time.Time
		n        int
		want     string
	}{
		{"spring festival: Fri 13 Feb complaint, Sat 14 and Sat 28 are make-up days", cst(2026, 2, 13, 10, 0), 7, "2026-03-02"},
		{"spring festival: Fri 13 Feb report", cst(2026, 2, 13, 10, 0), 15, "2026-03-12"},
		{"spring festival: received on make-up Sat 14 Feb, day 0 never counts", cst(2026, 2, 14, 9, 0), 7, "2026-03-03"},
		{"spring festival: Thu 12 Feb +2 lands on make-up Sat 14", cst(2026, 2, 12, 16, 0), 2, "2026-02-14"},
		{"spring festival: received during the holiday", cst(2026, 2, 18, 11, 0), 1, "2026-02-24"},
		{"spring festival: UTC evening is next morning in CST", time.Date(2026, 2, 12, 23, 30, 0, 0, time.UTC), 7, "2026-03-02"},
		{"national day: Wed 30 Sep complaint", cst(2026, 9, 30, 15, 0), 7, "2026-10-15"},
		{"national day: Wed 30 Sep report", cst(2026, 9, 30, 15, 0), 15, "2026-10-27"},
		{"national day: Fri 18 Sep +1 is make-up Sun 20 Sep", cst(2026, 9, 18, 17, 0), 1, "2026-09-20"},
		{"national day: Mon 28 Sep +3 skips 1-7 Oct", cst(2026, 9, 28, 9, 0), 3, "2026-10-08"},
		{"national day: Fri 9 Oct +1 is make-up Sat 10 Oct", cst(2026, 10, 9, 9, 0), 1, "2026-10-10"},
		{"mid-autumn: Thu 24 Sep +1", cst(2026, 9, 24, 9, 0), 1, "2026-09-28"},
		{"yuandan: Wed 31 Dec 2025 +1 is make-up Sun 4 Jan", cst(2025, 12, 31, 9, 0), 1, "2026-01-04"},
		{"yuandan: Tue 30 Dec 2025 +2 (2025 by fallback rule)", cst(2025, 12, 30, 9, 0), 2, "2026-01-04"},
		{"yuandan: Sun 4 Jan received on make-up day", cst(2026, 1, 4, 9, 0), 1, "2026-01-05"},
		{"qingming: Fri 3 Apr +1", cst(2026, 4, 3, 9, 0), 1, "2026-04-07"},
		{"labour day: Thu 30 Apr +1", cst(2026, 4, 30, 9, 0), 1, "2026-05-06"},
		{"labour day: Thu 30 Apr +4 is make-up Sat 9 May", cst(2026, 4, 30, 9, 0), 4, "2026-05-09"},
		{"dragon boat: Thu 18 Jun +1", cst(2026, 6, 18, 9, 0), 1, "2026-06-22"},
		{"ordinary weekend: Sat 7 Mar +1", cst(2026, 3, 7, 9, 0), 1, "2026-03-09"},
		{"n = 0 is the end of the receipt day", cst(2026, 3, 7, 9, 0), 0, "2026-03-07"},
		{"mediation: accepted Mon 21 Sep +45", cst(2026, 9, 21, 9, 0), 45, "2026-11-30"},
		{"2027 not in file: Thu 30 Sep +7, only 1 Oct (Fri) off", cst(2027, 9, 30, 9, 0), 7, "2027-10-12"},
		{"2027 not in file: Thu 31 Dec 2026 +1, 1 Jan 2027 (Fri) off", cst(2026, 12, 31, 9, 0), 1, "2027-01-04"},
		{"2027 not in file: Fri 30 Apr +1, no 劳动节 beyond 1 May (a Saturday)", cst(2027, 4, 30, 9, 0), 1, "2027-05-03"},
		{"2027 not in file: Mon 4 Oct +1 is Tue 5 Oct", cst(2027, 10, 4, 9, 0), 1, "2027-10-05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.AddWorkingDays(tt.received, tt.n)
			if want := endOf(tt.want); !got.Equal(want) {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tt.received, tt.n, got, want)
			}
			if got.Location() != shian.CST {
				t.Errorf("deadline location = %v, want CST", got.Location())
			}
			if back := c.WorkingDaysBetween(tt.received, got); back != tt.n {
				t.Errorf("WorkingDaysBetween(received, due) = %d, want %d", back, tt.n)
			}
		})
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := MustCalendar(t)
	tests := []struct {
		name string
		a, b time.Time
		want int
	}{
		{"same day", cst(2026, 3, 2, 8, 0), cst(2026, 3, 2, 20, 0), 0},
		{"spring festival", cst(2026, 2, 13, 10, 0), cst(2026, 3, 2, 10, 0), 7},
		{"backwards is negative", cst(2026, 3, 2, 10, 0), cst(2026, 2, 13, 10, 0), -7},
		{"January 2026: 22 weekdays − 2 holidays + 1 make-up", cst(2025, 12, 31, 12, 0), cst(2026, 1, 31, 12, 0), 21},
		{"a week in holiday only", cst(2026, 10, 1, 9, 0), cst(2026, 10, 7, 9, 0), 0},
		{"weekend to weekend", cst(2026, 3, 7, 9, 0), cst(2026, 3, 14, 9, 0), 5},
		{"overdue by one working day", endOf("2026-03-02"), cst(2026, 3, 3, 9, 0), 1},
		{"whole 2027 by fallback: 261 weekdays − 1 Jan, 1 Oct (Sat 1 May, Sat/Sun 2–3 Oct)", cst(2026, 12, 31, 9, 0), cst(2027, 12, 31, 9, 0), 259},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.WorkingDaysBetween(tt.a, tt.b); got != tt.want {
				t.Errorf("WorkingDaysBetween = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestWorkingDaysBetweenAgreesWithWalk checks the closed-form count against
// a day-by-day walk over random ranges, including fallback years.
func TestWorkingDaysBetweenAgreesWithWalk(t *testing.T) {
	c := MustCalendar(t)
	r := rand.New(rand.NewPCG(1, 2))
	base := cst(2024, 6, 1, 12, 0)
	for range 300 {
		a := base.AddDate(0, 0, r.IntN(1500))
		b := a.AddDate(0, 0, r.IntN(400))
		walk := 0
		for d := a.AddDate(0, 0, 1); !d.After(b); d = d.AddDate(0, 0, 1) {
			if c.IsWorkingDay(d) {
				walk++
			}
		}
		if got := c.WorkingDaysBetween(a, b); got != walk {
			t.Fatalf("WorkingDaysBetween(%s, %s) = %d, walk counts %d", a, b, got, walk)
		}
	}
}

func TestMissingYearsAndWarnings(t *testing.T) {
	c := MustCalendar(t)
	tests := []struct {
		name string
		now  time.Time
		want []string // years named in warnings
	}{
		{"spring 2026: nothing to warn", cst(2026, 4, 1, 9, 0), nil},
		{"November 2026: deadlines reach 2027", cst(2026, 11, 1, 9, 0), []string{"2027"}},
		{"2027", cst(2027, 3, 1, 9, 0), []string{"2027"}},
		{"December 2027", cst(2027, 12, 1, 9, 0), []string{"2027", "2028"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := c.Warnings(tt.now)
			if len(w) != len(tt.want) {
				t.Fatalf("Warnings = %q, want %d naming %v", w, len(tt.want), tt.want)
			}
			for i, y := range tt.want {
				if !strings.Contains(w[i], y) {
					t.Errorf("warning %q does not name %s", w[i], y)
				}
			}
		})
	}
	if got := c.MissingYears(2025, 2026, 2027, 2027); len(got) != 2 || got[0] != 2025 || got[1] != 2027 {
		t.Errorf("MissingYears = %v, want [2025 2027]", got)
	}
}

func TestParseCalendarErrors(t *testing.T) {
	wrap := func(year string) string { return `{"years": [` + year + `]}` }
	tests := []struct {
		name, file, want string
	}{
		{"empty", ``, "empty file"},
		{"not JSON", `{"years": [`, "not valid JSON"},
		{"unknown field", `{"years": [], "yeers": []}`, "yeers"},
		{"trailing data", `{"years": []} {}`, "after the JSON value"},
		{"no years list", `{}`, "years: missing"},
		{"implausible year", wrap(`{"year": 1026}`), "years[0].year: 1026"},
		{"year twice", wrap(`{"year": 2026}, {"year": 2026}`), "years[1].year: 2026 is listed twice"},
		{"holiday without name", wrap(`{"year": 2026, "holidays": [{"from": "2026-01-01", "to": "2026-01-03"}]}`), "holidays[0].name"},
		{"impossible date", wrap(`{"year": 2026, "holidays": [{"name": "春节", "from": "2026-02-30", "to": "2026-03-01"}]}`), `holidays[0].from: "2026-02-30" is not a date`},
		{"wrong date format", wrap(`{"year": 2026, "holidays": [{"name": "元旦", "from": "2026/1/1", "to": "2026-01-03"}]}`), "is not a date (YYYY-MM-DD)"},
		{"to before from", wrap(`{"year": 2026, "holidays": [{"name": "元旦", "from": "2026-01-03", "to": "2026-01-01"}]}`), "holidays[0].to: 2026-01-01 is before from"},
		{"too long", wrap(`{"year": 2026, "holidays": [{"name": "春节", "from": "2026-02-01", "to": "2026-03-31"}]}`), "59 days"},
		{"date of another year", wrap(`{"year": 2026, "holidays": [{"name": "劳动节", "from": "2027-05-01", "to": "2027-05-05"}]}`), "outside the notice's year 2026"},
		{"overlapping holidays", wrap(`{"year": 2026, "holidays": [{"name": "a", "from": "2026-10-01", "to": "2026-10-07"}, {"name": "b", "from": "2026-10-07", "to": "2026-10-08"}]}`), "2026-10-07 is already set by years[0].holidays[0]"},
		{"make-up day on a weekday", wrap(`{"year": 2026, "workdays": [{"name": "春节", "date": "2026-03-03"}]}`), "2026-03-03 is a Tuesday"},
		{"make-up day that is a holiday", wrap(`{"year": 2026, "holidays": [{"name": "春节", "from": "2026-02-15", "to": "2026-02-23"}], "workdays": [{"name": "春节", "date": "2026-02-15"}]}`), "workdays[0].date: 2026-02-15 is already set"},
		{"make-up day without name", wrap(`{"year": 2026, "workdays": [{"date": "2026-02-14"}]}`), "workdays[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCalendar([]byte(tt.file))
			if err == nil {
				t.Fatalf("ParseCalendar succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if code := shian.ErrorCode(err); code != shian.EINVALID {
				t.Errorf("error code %q, want %q", code, shian.EINVALID)
			}
		})
	}
}

func TestParseCalendarEmptyYearsUsesFallback(t *testing.T) {
	c, err := ParseCalendar([]byte(`{"years": []}`))
	if err != nil {
		t.Fatal(err)
	}
	// 1 Oct 2026 is a Thursday: off by the fallback rule; 5 Oct is not.
	if c.IsWorkingDay(cst(2026, 10, 1, 9, 0)) || !c.IsWorkingDay(cst(2026, 10, 5, 9, 0)) {
		t.Error("fallback rule: want 1 Oct off and 5 Oct working")
	}
	if got := c.AddWorkingDays(cst(2026, 2, 13, 9, 0), 7); !got.Equal(endOf("2026-02-24")) {
		t.Errorf("without the 2026 schedule Spring Festival is ordinary: got %s, want 2026-02-24", got)
	}
}
