package staff

import (
	"context"
	"slices"
	"time"

	"shian"
)

// TrendWeeks is how many weeks the category trend shows.
const TrendWeeks = 12

// DistrictStats are one district's figures on the dashboard.
type DistrictStats struct {
	District string `json:"district"`
	Open     int    `json:"open"`
	Overdue  int    `json:"overdue"`
	Filed    int    `json:"filed"`
	// AcceptOnTime is the share of decisions (accept/reject, or start of
	// verification for reports) made by the legal deadline, of those
	// decided; -1 when none was.
	AcceptOnTime float64 `json:"accept_on_time"`
	// ResolveOnTime is the share of outcomes reached by their deadline.
	ResolveOnTime float64 `json:"resolve_on_time"`
	// MedianAcceptDays and MedianResolveDays are working days from
	// receipt; -1 when there is nothing to measure.
	MedianAcceptDays  float64 `json:"median_accept_days"`
	MedianResolveDays float64 `json:"median_resolve_days"`
	// Satisfaction is the mean rating (1–5), 0 when nobody rated.
	Satisfaction float64 `json:"satisfaction"`
	Rated        int     `json:"rated"`
}

// TrendPoint is complaints of one category in one week.
type TrendPoint struct {
	Week     string `json:"week"` // the week's Monday, YYYY-MM-DD (CST)
	Category string `json:"category"`
	Count    int    `json:"count"`
}

// Cluster is an active outbreak cluster.
type Cluster struct {
	ID       int64     `json:"id"`
	Ticket   string    `json:"ticket"`
	ShopName string    `json:"shop_name"`
	District string    `json:"district"`
	Members  int       `json:"members"`
	Open     int       `json:"open"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
}

// Dashboard is the city dashboard for a period of filings.
type Dashboard struct {
	From      time.Time       `json:"from"`
	To        time.Time       `json:"to"`
	Districts []DistrictStats `json:"districts"`
	City      DistrictStats   `json:"city"`
	Weeks     []string        `json:"weeks"`
	Trend     []TrendPoint    `json:"trend"`
	Clusters  []Cluster       `json:"clusters"`
}

// Dashboard computes the dashboard for complaints filed from from to to
// (zero: the last 90 days). Every role with stats.read sees the whole city:
// the figures hold no personal data.
func (s *Service) Dashboard(ctx context.Context, p *Principal, from, to time.Time) (*Dashboard, error) {
	if err := Require(p, ReadStats); err != nil {
		return nil, err
	}
	now := s.now()
	if to.IsZero() || to.After(now) {
		to = now
	}
	if from.IsZero() || !from.Before(to) {
		from = to.AddDate(0, 0, -90)
	}
	weeks := weekStarts(to, TrendWeeks)
	rows, err := s.store.Dashboard(ctx, DashQuery{From: from.UTC(), To: to.UTC(), Now: now.UTC(), Weeks: weeks})
	if err != nil {
		return nil, err
	}
	return Summarize(rows, from, to, weeks), nil
}

// weekStarts returns the Mondays (00:00 CST) of the n weeks up to to.
func weekStarts(to time.Time, n int) []time.Time {
	t := to.In(shian.CST)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, shian.CST)
	d = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	out := make([]time.Time, n)
	for i := range out {
		out[n-1-i] = d.AddDate(0, 0, -7*i)
	}
	return out
}

// Summarize turns the store's raw figures into rates and medians.
func Summarize(rows *DashRows, from, to time.Time, weeks []time.Time) *Dashboard {
	d := &Dashboard{From: from, To: to}
	byDistrict := map[string]DistrictRow{}
	for _, r := range rows.Districts {
		byDistrict[r.District] = r
	}
	city := DistrictRow{AcceptHist: map[int]int{}, ResolveHist: map[int]int{}}
	codes := append(shian.CodeList(shian.Districts), "")
	for _, code := range codes {
		r, ok := byDistrict[code]
		if !ok && code == "" {
			continue // no unrouted complaints
		}
		r.District = code
		d.Districts = append(d.Districts, stats(r))
		city.Open += r.Open
		city.Overdue += r.Overdue
		city.Filed += r.Filed
		city.Decided += r.Decided
		city.DecidedOnTime += r.DecidedOnTime
		city.Outcomes += r.Outcomes
		city.OutcomesOnTime += r.OutcomesOnTime
		city.Rated += r.Rated
		city.RatingSum += r.RatingSum
		for k, v := range r.AcceptHist {
			city.AcceptHist[k] += v
		}
		for k, v := range r.ResolveHist {
			city.ResolveHist[k] += v
		}
	}
	d.City = stats(city)
	d.City.District = "city"
	for _, w := range weeks {
		d.Weeks = append(d.Weeks, w.Format(shian.DateLayout))
	}
	for _, t := range rows.Trend {
		if t.Week >= 0 && t.Week < len(weeks) {
			d.Trend = append(d.Trend, TrendPoint{Week: d.Weeks[t.Week], Category: t.Category, Count: t.N})
		}
	}
	slices.SortFunc(d.Trend, func(a, b TrendPoint) int {
		if a.Week != b.Week {
			if a.Week < b.Week {
				return -1
			}
			return 1
		}
		return categoryIndex(a.Category) - categoryIndex(b.Category)
	})
	for _, c := range rows.Clusters {
		d.Clusters = append(d.Clusters, Cluster{ID: c.ClusterID, Ticket: c.Ticket, ShopName: c.ShopName, District: c.District,
			Members: c.Members, Open: c.Open, First: c.First, Last: c.Last})
	}
	return d
}

func categoryIndex(code string) int {
	for i, c := range shian.ComplaintCategories {
		if c.Code == code {
			return i
		}
	}
	return len(shian.ComplaintCategories)
}

func stats(r DistrictRow) DistrictStats {
	s := DistrictStats{District: r.District, Open: r.Open, Overdue: r.Overdue, Filed: r.Filed, Rated: r.Rated,
		AcceptOnTime: ratio(r.DecidedOnTime, r.Decided), ResolveOnTime: ratio(r.OutcomesOnTime, r.Outcomes),
		MedianAcceptDays: Median(r.AcceptHist), MedianResolveDays: Median(r.ResolveHist)}
	if r.Rated > 0 {
		s.Satisfaction = float64(r.RatingSum) / float64(r.Rated)
	}
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return -1
	}
	return float64(a) / float64(b)
}

// Median returns the median of a histogram (value → count), the mean of
// the two middle values for an even total, -1 for an empty one.
func Median(hist map[int]int) float64 {
	total := 0
	keys := make([]int, 0, len(hist))
	for k, n := range hist {
		if n > 0 {
			total += n
			keys = append(keys, k)
		}
	}
	if total == 0 {
		return -1
	}
	slices.Sort(keys)
	at := func(i int) int { // the i-th value (0-based) in sorted order
		for _, k := range keys {
			if i < hist[k] {
				return k
			}
			i -= hist[k]
		}
		return keys[len(keys)-1]
	}
	if total%2 == 1 {
		return float64(at(total / 2))
	}
	return float64(at(total/2-1)+at(total/2)) / 2
}
