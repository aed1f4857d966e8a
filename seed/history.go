package seed

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"shian"
)

// This file writes a shop's licensing and inspection history: three years
// of routine inspections (one to three a year, more in the beach districts'
// summer), follow-ups after a failed inspection, suspensions and closures,
// and annual grades the authority published.

const day = 24 * time.Hour

// Life stories of a shop, which decide its grade.
const (
	storyRegular    = iota // licensed long ago, inspected regularly
	storyNew               // licensed in the last three months: not graded
	storyNever             // licensed a while ago, never inspected: not graded
	storySuspended         // failed its latest inspection and was ordered to close for rectification
	storyClosed            // gave up its licence; inspections stop at the closure
	storyRectifying        // open, failed its latest inspection, re-inspection still to come
)

func (g *gen) story(fixture bool) int {
	if fixture {
		return storyRegular
	}
	switch x := g.r.IntN(1000); {
	case x < 40:
		return storyNew
	case x < 70:
		return storyNever
	case x < 85:
		return storySuspended
	case x < 115:
		return storyClosed
	case x < 127:
		return storyRectifying
	}
	return storyRegular
}

// Dates are handled as day numbers (days since 1970-01-01) while a history
// is made, and become midnight-UTC times, the domain's dates, at the end.

func dayNum(t time.Time) int { return int(t.Unix() / 86400) }

func dayTime(n int) time.Time { return time.Unix(int64(n)*86400, 0).UTC() }

// daysAgo returns the date n days before today.
func (g *gen) daysAgo(n int) time.Time { return dayTime(g.todayN - n) }

// history fills LicensedOn, Status, Inspections (newest first) and Annual.
func (g *gen) history(s *shian.Shop, d *district, seafood, fixture bool) {
	r := g.r
	st := g.story(fixture)
	s.Status = shian.StatusOpen
	switch st {
	case storyNew:
		s.LicensedOn = g.daysAgo(r.IntN(86))
		if r.IntN(2) == 0 { // the pre-opening check
			since := int(g.today.Sub(s.LicensedOn) / day)
			s.Inspections = []shian.Inspection{g.inspection(s, d, g.daysAgo(r.IntN(since+1)), g.quality(s), seafood)}
		}
		return
	case storyNever:
		if r.IntN(5) > 0 {
			s.LicensedOn = g.daysAgo(95 + r.IntN(400))
		}
		return
	}

	// Regular life: licensed between four months and twelve years ago; for
	// a few the licence date is unknown (old records).
	if r.IntN(30) > 0 {
		s.LicensedOn = g.daysAgo(120 + r.IntN(12*365))
	}
	from := g.threeYearsAgo
	if !s.LicensedOn.IsZero() {
		from = max(from, dayNum(s.LicensedOn)+14)
	}
	dates := g.inspectionDates(from, d.class == beach)
	q := g.quality(s)
	ins := make([]shian.Inspection, 0, len(dates)+2)
	for i, dt := range dates {
		in := g.inspection(s, d, dt, q, seafood)
		ins = append(ins, in)
		if in.Result != shian.ResultFail || r.IntN(100) >= 85 {
			continue
		}
		// A failed shop must rectify; the inspectors come back within a month.
		fu := dt.Add(time.Duration(7+r.IntN(24)) * day)
		if fu.After(g.today) || (i+1 < len(dates) && !dates[i+1].After(fu)) {
			continue
		}
		ins = append(ins, g.followUp(s, d, fu, q))
	}

	switch st {
	case storyRectifying:
		at := g.daysAgo(1 + r.IntN(25))
		ins = slices.DeleteFunc(ins, func(in shian.Inspection) bool { return !in.Date.Before(at) })
		ins = append(ins, g.failed(s, d, at, 45+r.IntN(15), seafood, "责令限期整改，到期复查"))
	case storySuspended:
		at := g.daysAgo(3 + r.IntN(60))
		ins = slices.DeleteFunc(ins, func(in shian.Inspection) bool { return !in.Date.Before(at) })
		ins = append(ins, g.failed(s, d, at, 35+r.IntN(25), seafood, "存在严重食品安全隐患，责令停业整改"))
		s.Status = shian.StatusSuspended
	case storyClosed:
		at := g.daysAgo(30 + r.IntN(700))
		ins = slices.DeleteFunc(ins, func(in shian.Inspection) bool { return in.Date.After(at) })
		if n := len(ins); n > 0 && r.IntN(3) == 0 {
			// Closed after failing: the last inspection found serious problems.
			ins[n-1] = g.failed(s, d, ins[n-1].Date, 40+r.IntN(20), seafood, "责令限期整改，经营者随后申请注销")
		}
		s.Status = shian.StatusClosed
	}

	slices.Reverse(ins) // newest first
	s.Inspections = ins
	if st == storyRegular && r.IntN(5) == 0 {
		s.Annual = g.annual(ins)
	}
}

// inspectionDates returns sorted, distinct dates from from to today: one to
// three routine inspections per calendar year, fewer in a partial year.
// In the beach districts many fall in the summer season checks (Jun–Aug).
func (g *gen) inspectionDates(from int, beachDistrict bool) []time.Time {
	r := g.r
	days := make([]int, 0, 8)
	for y := dayTime(from).Year(); y <= g.today.Year(); y++ {
		lo := max(from, dayNum(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)))
		hi := min(g.todayN, dayNum(time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)))
		if hi < lo {
			continue
		}
		span := hi - lo + 1
		n := 1
		switch x := r.IntN(100); {
		case x >= 80:
			n = 3
		case x >= 35:
			n = 2
		}
		n = int(float64(n)*float64(span)/365 + r.Float64())
		sLo := max(lo, dayNum(time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC)))
		sHi := min(hi, dayNum(time.Date(y, 8, 31, 0, 0, 0, 0, time.UTC)))
		for range n {
			if beachDistrict && sHi >= sLo && r.IntN(2) == 0 {
				days = append(days, sLo+r.IntN(sHi-sLo+1))
				continue
			}
			days = append(days, lo+r.IntN(span))
		}
	}
	if len(days) == 0 {
		days = append(days, from+r.IntN(g.todayN-from+1))
	}
	slices.Sort(days)
	days = slices.Compact(days)
	dates := make([]time.Time, len(days))
	for i, d := range days {
		dates[i] = dayTime(d)
	}
	return dates
}

// quality is a shop's typical inspection score: most shops keep good order,
// school canteens are held to the strictest standard, stalls and small
// workshops struggle more.
func (g *gen) quality(s *shian.Shop) float64 {
	q := 84 + 6.5*g.r.NormFloat64()
	switch s.Category {
	case "school_canteen":
		q += 4
	case "canteen", "producer":
		q += 2
	case "street_vendor", "workshop":
		q -= 4
	}
	return math.Max(50, math.Min(98, q))
}

// inspection is one routine inspection of a shop of quality q.
func (g *gen) inspection(s *shian.Shop, d *district, at time.Time, q float64, seafood bool) shian.Inspection {
	r := g.r
	score := int(math.Round(q + 5*r.NormFloat64()))
	score = max(20, min(100, score))
	in := shian.Inspection{
		Date:      at,
		Result:    shian.ResultForScore(float64(score)),
		Inspector: g.inspector(d),
	}
	// Older paper records often carry only the face, not the score.
	if r.IntN(10) > 0 {
		in.Score = g.score(score)
	}
	in.ItemsFailed = g.findings(s, seafood, in.Result)
	switch in.Result {
	case shian.ResultGood:
		if r.IntN(2) == 0 {
			in.Notes = "当场责令改正"
		}
	case shian.ResultFair:
		in.Notes = "责令限期整改"
	case shian.ResultFail:
		in.Notes = "责令限期整改，到期复查"
	}
	return in
}

// failed is an inspection that found serious problems.
func (g *gen) failed(s *shian.Shop, d *district, at time.Time, score int, seafood bool, notes string) shian.Inspection {
	return shian.Inspection{
		Date: at, Result: shian.ResultForScore(float64(score)), Score: g.score(score),
		ItemsFailed: g.findings(s, seafood, shian.ResultFail),
		Notes:       notes,
		Inspector:   g.inspector(d),
	}
}

// followUp is the re-inspection after a fail: the problems were fixed.
func (g *gen) followUp(s *shian.Shop, d *district, at time.Time, q float64) shian.Inspection {
	score := int(math.Round(math.Max(q, 80) + 3*g.r.NormFloat64()))
	score = max(75, min(100, score))
	in := shian.Inspection{
		Date: at, Result: shian.ResultForScore(float64(score)), Score: g.score(score),
		Notes: "复查：上次检查发现的问题已整改", Inspector: g.inspector(d),
	}
	in.ItemsFailed = g.findings(s, false, in.Result)
	return in
}

// score returns a pointer to a copy of v, from a slab so that a 100,000-shop
// city does not make half a million tiny allocations.
func (g *gen) score(v int) *float64 {
	if len(g.scores) == 0 {
		g.scores = make([]float64, 4096)
	}
	p := &g.scores[0]
	g.scores = g.scores[1:]
	*p = float64(v)
	return p
}

// findings lists the failed items of an inspection with the given result:
// none or one minor item for excellent, more and graver ones further down.
func (g *gen) findings(s *shian.Shop, seafood bool, result string) []string {
	r := g.r
	minor := minorFindings
	var extra []string
	switch s.Category {
	case "school_canteen":
		extra = schoolFindings
	case "canteen":
		extra = canteenFindings
	case "producer":
		extra = producerFindings
	}
	if seafood {
		extra = seafoodFindings
	}
	var nMinor, nSerious int
	switch result {
	case shian.ResultExcellent:
		if r.IntN(5) == 0 {
			nMinor = 1
		}
	case shian.ResultGood:
		nMinor = 1 + r.IntN(2)
	case shian.ResultFair:
		nMinor = 2 + r.IntN(2)
		if r.IntN(3) == 0 {
			nSerious = 1
		}
	case shian.ResultFail:
		nMinor = 1 + r.IntN(2)
		nSerious = 1 + r.IntN(2)
	}
	if nMinor+nSerious == 0 {
		return nil
	}
	out := make([]string, 0, nMinor+nSerious)
	out = pickDistinct(r, out, seriousFindings, nSerious)
	if len(extra) > 0 && nMinor > 0 && r.IntN(3) == 0 {
		out = pickDistinct(r, out, extra, 1)
		nMinor--
	}
	return pickDistinct(r, out, minor, nMinor)
}

// pickDistinct appends n items of pool not yet in out (fewer if pool runs out).
func pickDistinct(r *rand.Rand, out, pool []string, n int) []string {
	n = min(n, len(pool))
	for added, tries := 0, 0; added < n && tries < 100; tries++ {
		c := pool[r.IntN(len(pool))]
		if slices.Contains(out, c) {
			continue
		}
		out = append(out, c)
		added++
	}
	return out
}

// inspector names the two law-enforcement officers on an inspection.
func (g *gen) inspector(d *district) string {
	pairs := g.inspectors[d.idx]
	return pairs[g.r.IntN(len(pairs))]
}

// annual returns the annual grades the authority published for the last
// complete years, which agree with the grades computed from the inspections.
func (g *gen) annual(ins []shian.Inspection) []shian.AnnualGrade {
	var out []shian.AnnualGrade
	for y := g.today.Year() - 3; y < g.today.Year(); y++ {
		if a := shian.ComputeAnnual(ins, y); a != "" && g.r.IntN(5) > 0 {
			out = append(out, shian.AnnualGrade{Year: y, Grade: a})
		}
	}
	return out
}
