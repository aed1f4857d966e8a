package triage

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"shian"
)

// Calendar answers working-day questions for legal deadlines. It is
// immutable after ParseCalendar and safe for concurrent use.
//
// How deadlines are counted (市场监督管理投诉举报处理暂行办法 counts "within N
// working days of receipt", and Chinese administrative law does not count the
// starting day of a period):
//
//   - Every date is a calendar day in China Standard Time, whatever the
//     location of the time.Time passed in.
//   - The day of receipt is day 0 and never counts, even when it is a working
//     day and the complaint came in at 08:00.
//   - Day 1 is the first working day after the day of receipt; the deadline is
//     the end (23:59:59 CST) of the Nth working day.
//   - A working day is Monday–Friday, minus the public holidays of the
//     calendar file, plus its make-up working days (调休上班) on weekends.
//   - For a year the file has no schedule for, a working day is Monday–Friday
//     minus the fixed-date holidays 1 Jan, 1 May and 1–3 Oct (docs/calendar.md); the
//     real schedule adds more days off, so deadlines then come out early
//     rather than late, and Warnings says so at start.
type Calendar struct {
	years    map[int]string // years with an official schedule → source
	override map[int64]bool // day number → working (make-up day) or not (holiday)
	days     []int64        // sorted keys of override
}

// fallbackHolidays are the fixed-date holidays of a year without an
// official schedule (docs/calendar.md): 1 Jan, 1 May, 1–3 Oct.
var fallbackHolidays = [...]struct {
	m time.Month
	d int
}{{time.January, 1}, {time.May, 1}, {time.October, 1}, {time.October, 2}, {time.October, 3}}

// Limits that catch typos in the calendar file early.
const (
	minCalendarYear = 1990
	maxCalendarYear = 2200
	maxHolidayDays  = 15 // the longest holiday (春节) is 8–9 days
)

type calendarFile struct {
	Comment string         `json:"comment"`
	Years   []calendarYear `json:"years"`
}

type calendarYear struct {
	Year     int               `json:"year"`
	Source   string            `json:"source"`
	Holidays []calendarHoliday `json:"holidays"`
	Workdays []calendarWorkday `json:"workdays"`
}

type calendarHoliday struct {
	Name string `json:"name"`
	From string `json:"from"`
	To   string `json:"to"`
}

type calendarWorkday struct {
	Name string `json:"name"`
	Date string `json:"date"`
}

// ParseCalendar reads a calendar file (see data/calendar.json). Unknown
// fields, impossible dates, overlapping entries and make-up days that are not
// on a weekend are errors, because a silently wrong calendar moves legal
// deadlines. Errors are *shian.Error with code EINVALID naming the field.
func ParseCalendar(b []byte) (*Calendar, error) {
	var f calendarFile
	if err := decodeStrict(b, &f); err != nil {
		return nil, fmt.Errorf("triage: calendar: %w", err)
	}
	if f.Years == nil {
		return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError("years", "missing; the file must have a \"years\" list (it may be empty)"))
	}
	c := &Calendar{years: map[int]string{}, override: map[int64]bool{}}
	origin := map[int64]string{} // day → field that set it, for overlap errors
	for i, y := range f.Years {
		field := fmt.Sprintf("years[%d]", i)
		if y.Year < minCalendarYear || y.Year > maxCalendarYear {
			return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(field+".year", "%d is not a plausible year (%d–%d)", y.Year, minCalendarYear, maxCalendarYear))
		}
		if _, dup := c.years[y.Year]; dup {
			return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(field+".year", "%d is listed twice", y.Year))
		}
		c.years[y.Year] = y.Source
		for j, h := range y.Holidays {
			hf := fmt.Sprintf("%s.holidays[%d]", field, j)
			if h.Name == "" {
				return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(hf+".name", "missing; name the holiday (e.g. 春节)"))
			}
			from, err := calendarDate(hf+".from", h.From, y.Year)
			if err != nil {
				return nil, fmt.Errorf("triage: calendar: %w", err)
			}
			to, err := calendarDate(hf+".to", h.To, y.Year)
			if err != nil {
				return nil, fmt.Errorf("triage: calendar: %w", err)
			}
			if to < from {
				return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(hf+".to", "%s is before from %s", h.To, h.From))
			}
			if to-from+1 > maxHolidayDays {
				return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(hf, "%s–%s is %d days, more than %d: is a date wrong?", h.From, h.To, to-from+1, maxHolidayDays))
			}
			for d := from; d <= to; d++ {
				if prev, dup := origin[d]; dup {
					return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(hf, "%s is already set by %s", dayString(d), prev))
				}
				origin[d] = hf
				c.override[d] = false
			}
		}
		for j, w := range y.Workdays {
			wf := fmt.Sprintf("%s.workdays[%d]", field, j)
			if w.Name == "" {
				return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(wf+".name", "missing; name the holiday the day makes up for"))
			}
			d, err := calendarDate(wf+".date", w.Date, y.Year)
			if err != nil {
				return nil, fmt.Errorf("triage: calendar: %w", err)
			}
			if isWeekday(d) {
				return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(wf+".date", "%s is a %s; make-up working days fall on a Saturday or Sunday", w.Date, weekdayOf(d)))
			}
			if prev, dup := origin[d]; dup {
				return nil, fmt.Errorf("triage: calendar: %w", shian.FieldError(wf+".date", "%s is already set by %s", w.Date, prev))
			}
			origin[d] = wf
			c.override[d] = true
		}
	}
	for d := range c.override {
		c.days = append(c.days, d)
	}
	slices.Sort(c.days)
	return c, nil
}

// calendarDate parses a YYYY-MM-DD date belonging to the notice of year: the
// year itself, or the December before / January after (a 元旦 holiday can
// straddle the new year).
func calendarDate(field, s string, year int) (int64, error) {
	t, err := time.Parse(shian.DateLayout, s)
	if err != nil {
		return 0, shian.FieldError(field, "%q is not a date (YYYY-MM-DD)", shian.Clip(s, 40))
	}
	lo := time.Date(year-1, time.December, 1, 0, 0, 0, 0, time.UTC)
	hi := time.Date(year+1, time.January, 31, 0, 0, 0, 0, time.UTC)
	if t.Before(lo) || t.After(hi) {
		return 0, shian.FieldError(field, "%s is outside the notice's year %d", s, year)
	}
	return utcDayNumber(t), nil
}

// decodeStrict is shian.DecodeStrict: a typo in an operator's file must not be dropped silently.
func decodeStrict(b []byte, v any) error { return shian.DecodeStrict(b, v) }

// DefaultCalendar parses the calendar shipped with the project.
func DefaultCalendar() (*Calendar, error) { return ParseCalendar(defaultCalendar) }

// Years returns the years that have an official schedule, ascending.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// MissingYears returns those of years that have no official schedule and are
// counted by the fallback rule.
func (c *Calendar) MissingYears(years ...int) []int {
	var out []int
	for _, y := range years {
		if _, ok := c.years[y]; !ok && !slices.Contains(out, y) {
			out = append(out, y)
		}
	}
	return out
}

// warnHorizon is how far ahead Warnings looks: the longest deadline (45
// working days) spans about nine weeks plus holidays.
const warnHorizon = 100 * 24 * time.Hour

// Warnings returns one message per year that deadlines computed at now may
// reach (now's year, and the next year from late September on) but that has no
// official schedule, so that serve can tell the operator to add it.
func (c *Calendar) Warnings(now time.Time) []string {
	y1 := now.In(shian.CST).Year()
	y2 := now.Add(warnHorizon).In(shian.CST).Year()
	var out []string
	for _, y := range c.MissingYears(y1, y2) {
		out = append(out, fmt.Sprintf("working-day calendar has no official holiday schedule for %d: deadlines count Monday–Friday minus 1 Jan, 1 May and 1–3 Oct until the State Council's notice is added to the calendar file", y))
	}
	return out
}

// IsWorkingDay reports whether t's calendar day in China Standard Time is a
// working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.working(dayNumber(t)) }

// AddWorkingDays returns the deadline n working days after start: the end
// (23:59:59 CST) of the nth working day after start's day, which is day 0
// and never counts. n ≤ 0 gives the end of start's own day. n is a legal
// period (7, 15, 45), so a simple day-by-day walk is fast enough.
func (c *Calendar) AddWorkingDays(start time.Time, n int) time.Time {
	d := dayNumber(start)
	for k := 0; k < n; {
		d++
		if c.working(d) {
			k++
		}
	}
	y, m, dd := dayTime(d).Date()
	return time.Date(y, m, dd, 23, 59, 59, 0, shian.CST)
}

// WorkingDaysBetween counts the working days after a's day up to and
// including b's day (CST), negative when b's day is before a's. It is the
// inverse of AddWorkingDays: WorkingDaysBetween(r, AddWorkingDays(r, n)) == n.
// Dashboards use it for "working days overdue" (WorkingDaysBetween(due, now))
// and "working days to accept" (WorkingDaysBetween(received, accepted)).
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	da, db := dayNumber(a), dayNumber(b)
	if db < da {
		return -c.countWorking(db, da)
	}
	return c.countWorking(da, db)
}

// countWorking counts working days d with a < d ≤ b, in time proportional to
// the number of years and calendar entries in the range, not its days.
func (c *Calendar) countWorking(a, b int64) int {
	if b <= a {
		return 0
	}
	n := weekdaysBefore(b+1) - weekdaysBefore(a+1)
	i, _ := slices.BinarySearch(c.days, a+1)
	for ; i < len(c.days) && c.days[i] <= b; i++ {
		d := c.days[i]
		switch work := c.override[d]; {
		case work && !isWeekday(d):
			n++
		case !work && isWeekday(d):
			n--
		}
	}
	for y := dayTime(a + 1).Year(); y <= dayTime(b).Year(); y++ {
		if _, ok := c.years[y]; ok {
			continue
		}
		for _, h := range fallbackHolidays {
			d := utcDayNumber(time.Date(y, h.m, h.d, 0, 0, 0, 0, time.UTC))
			if _, set := c.override[d]; d > a && d <= b && !set && isWeekday(d) {
				n--
			}
		}
	}
	return int(n)
}

func (c *Calendar) working(d int64) bool {
	if w, ok := c.override[d]; ok {
		return w
	}
	if !isWeekday(d) {
		return false
	}
	y, m, dd := dayTime(d).Date()
	if _, ok := c.years[y]; ok {
		return true
	}
	for _, h := range fallbackHolidays {
		if h.m == m && h.d == dd {
			return false
		}
	}
	return true
}

// Day numbers count civil days from 1970-01-01 (a Thursday).

func dayNumber(t time.Time) int64 {
	y, m, d := t.In(shian.CST).Date()
	return utcDayNumber(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

func utcDayNumber(t time.Time) int64 { return floorDiv(t.Unix(), 86400) }

func dayTime(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

func dayString(d int64) string { return dayTime(d).Format(shian.DateLayout) }

func weekdayOf(d int64) time.Weekday { return time.Weekday(floorMod(d+4, 7)) }

func isWeekday(d int64) bool {
	w := weekdayOf(d)
	return w != time.Saturday && w != time.Sunday
}

// weekdaysBefore is a running count of Monday–Friday days: the number of
// weekdays in [0, x) for x ≥ 0, extended consistently below 0, so that
// weekdaysBefore(b) − weekdaysBefore(a) counts the weekdays in [a, b).
func weekdaysBefore(x int64) int64 {
	// Day 0 is a Thursday: Thu Fri Sat Sun Mon Tue Wed.
	prefix := [8]int64{0, 1, 2, 2, 2, 3, 4, 5}
	return 5*floorDiv(x, 7) + prefix[floorMod(x, 7)]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - b*floorDiv(a, b) }
