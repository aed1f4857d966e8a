package shian

import (
	"sort"
	"time"
)

// NotGraded is the dynamic grade of a shop licensed less than three months
// ago or never inspected (待评级). It is shown as such, never as a face.
const NotGraded = "not_graded"

// NewShopPeriod is how long after licensing a shop stays "not graded".
// The rule says "three months"; we count 90 days (docs/grades.md) so that the rule does not
// depend on the lengths of the months involved.
const NewShopPeriod = 90 * 24 * time.Hour

// Grade is what the public sees about a shop's standing, every part dated.
type Grade struct {
	Dynamic     string `json:"dynamic"`                // excellent, good, fair, fail or not_graded
	DynamicDate string `json:"dynamic_date,omitempty"` // date of the inspection behind it
	Annual      string `json:"annual,omitempty"`       // A, B, C or empty for none
	AnnualYear  int    `json:"annual_year,omitempty"`
	// AnnualSupplied says the annual grade was given by the authority, not computed.
	AnnualSupplied bool   `json:"annual_supplied,omitempty"`
	Status         string `json:"status"`
	// StatusNote is set when the status outranks any grade (suspended, closed).
	StatusNote string `json:"status_note,omitempty"`
}

// ResultForScore maps a 0–100 score to a result by the cut-offs of
// docs/grades.md, on the exact value: 89.9 is good, not excellent.
func ResultForScore(score float64) string {
	switch {
	case score >= 90:
		return ResultExcellent
	case score >= 75:
		return ResultGood
	case score >= 60:
		return ResultFair
	}
	return ResultFail
}

// GradeRank orders dynamic grades for sorting: higher is better.
func GradeRank(dynamic string) int {
	switch dynamic {
	case ResultExcellent:
		return 4
	case ResultGood:
		return 3
	case ResultFair:
		return 2
	case NotGraded:
		return 1
	}
	return 0
}

// ComputeGrade derives a shop's grade at time now from its inspections and
// supplied annual grades, by the rules of docs/grades.md.
func ComputeGrade(s *Shop, now time.Time) Grade {
	g := Grade{Dynamic: NotGraded, Status: s.Status}
	if g.Status == "" {
		g.Status = StatusOpen
	}
	if g.Status != StatusOpen {
		g.StatusNote = g.Status
	}
	today := dateOf(now)
	latest := latestInspection(s.Inspections)
	isNew := !s.LicensedOn.IsZero() && today.Sub(s.LicensedOn) < NewShopPeriod
	if latest != nil && !isNew {
		g.Dynamic = latest.result()
		g.DynamicDate = latest.Date.Format(DateLayout)
	}
	g.Annual, g.AnnualYear, g.AnnualSupplied = annualGrade(s, today.Year())
	return g
}

func (in *Inspection) result() string {
	if in.Result != "" {
		return in.Result
	}
	if in.Score != nil {
		return ResultForScore(*in.Score)
	}
	return NotGraded
}

func latestInspection(ins []Inspection) *Inspection {
	var latest *Inspection
	for i := range ins {
		if latest == nil || ins[i].Date.After(latest.Date) {
			latest = &ins[i]
		}
	}
	return latest
}

// annualGrade returns the annual grade shown in year thisYear: the latest
// supplied grade up to this year wins; otherwise the grade computed from the
// last complete year with inspections. A year with a fail, or a mean score
// below 60, has no annual grade.
func annualGrade(s *Shop, thisYear int) (grade string, year int, supplied bool) {
	best := AnnualGrade{}
	for _, a := range s.Annual {
		if a.Year <= thisYear && a.Year > best.Year {
			best = a
		}
	}
	// The latest complete year with inspections.
	lastYear := 0
	for _, in := range s.Inspections {
		if y := in.Date.Year(); y < thisYear && y > lastYear {
			lastYear = y
		}
	}
	if best.Year != 0 && best.Year >= lastYear {
		return best.Grade, best.Year, true
	}
	if lastYear == 0 {
		return "", 0, false
	}
	return ComputeAnnual(s.Inspections, lastYear), lastYear, false
}

// ComputeAnnual computes the A/B/C grade of one year's inspections: a mean
// score ≥90 A, ≥75 B, ≥60 C; any fail or a mean below 60 gives "". Where a
// year's inspections carry no scores, the worst result decides
// (all excellent A, worst good B, worst fair C).
func ComputeAnnual(ins []Inspection, year int) string {
	sum, n, worst := 0.0, 0, 5
	var any bool
	for i := range ins {
		in := &ins[i]
		if in.Date.Year() != year {
			continue
		}
		any = true
		r := in.result()
		if r == ResultFail {
			return ""
		}
		if rank := GradeRank(r); rank < worst {
			worst = rank
		}
		if in.Score != nil {
			sum += *in.Score
			n++
		}
	}
	if !any {
		return ""
	}
	if n > 0 {
		// Compare sum against n*cut-off so that a mean of exactly 90 is A;
		// scores carry at most a few decimals, so a sum a hair below the
		// cut-off is the binary representation's rounding, not the data's.
		const eps = 1e-9
		cut := func(c int) bool { return sum+eps*float64(n) >= float64(c*n) }
		switch {
		case cut(90):
			return "A"
		case cut(75):
			return "B"
		case cut(60):
			return "C"
		}
		return ""
	}
	switch worst {
	case 4:
		return "A"
	case 3:
		return "B"
	case 2:
		return "C"
	}
	return ""
}

// SortInspections orders inspections newest first, the order every API shows.
func SortInspections(ins []Inspection) {
	sort.SliceStable(ins, func(i, j int) bool { return ins[i].Date.After(ins[j].Date) })
}

// Face is the smiley of a dynamic grade in the national scheme (大笑脸,
// 微笑脸, 平脸), and "" for a failed or ungraded shop, which get no face.
func Face(dynamic string) string {
	switch dynamic {
	case ResultExcellent:
		return "😄"
	case ResultGood:
		return "🙂"
	case ResultFair:
		return "😐"
	}
	return ""
}
