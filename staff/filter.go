package staff

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"shian"
)

// Filter is what a supervisor asks of the queue (query parameters of
// GET /admin/api/v1/complaints and the console's queue page).
type Filter struct {
	Statuses  []string // empty: OpenStatuses; "all" in the query: every status
	District  string
	Grid      string
	Priority  string
	Category  string
	Kind      string
	Overdue   bool
	DueWithin int // working days; 0: no filter
	Cluster   int64
	Text      string
	Mine      bool // claimed by me
	Page      int  // 1-based
	PerPage   int
}

// Paging bounds.
const (
	DefaultPerPage = 50
	MaxPerPage     = 200
)

// ParseFilter reads a Filter from query parameters, rejecting unknown
// values with EINVALID naming the parameter.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Page: 1, PerPage: DefaultPerPage}
	for k := range q {
		switch k {
		case "status", "district", "grid", "priority", "category", "kind", "overdue", "due_within", "cluster", "q",
			"mine", "page", "per_page", "lang":
		default:
			return f, shian.FieldError(shian.Clip(k, 40), "unknown parameter")
		}
	}
	for _, v := range q["status"] {
		for _, st := range strings.Split(v, ",") {
			switch {
			case st == "" || st == "open":
			case st == "all":
				f.Statuses = slices.Clone(AllStatuses)
			case slices.Contains(AllStatuses, st):
				if !slices.Contains(f.Statuses, st) {
					f.Statuses = append(f.Statuses, st)
				}
			default:
				return f, shian.FieldError("status", "unknown status %q; allowed: open, all, %s", shian.Clip(st, 40), strings.Join(AllStatuses, ", "))
			}
		}
	}
	if v := q.Get("district"); v != "" {
		if _, ok := shian.LookupCode(shian.Districts, v); !ok && v != "none" {
			return f, shian.FieldError("district", "unknown district %q", shian.Clip(v, 40))
		}
		f.District = v
	}
	if v := q.Get("grid"); v != "" {
		if len(v) > 40 || strings.ContainsFunc(v, func(r rune) bool { return !nameOK(r) }) {
			return f, shian.FieldError("grid", "malformed grid id")
		}
		f.Grid = v
	}
	if v := q.Get("priority"); v != "" {
		if shian.PriorityRank(v) == 0 {
			return f, shian.FieldError("priority", "must be urgent, high, normal or low")
		}
		f.Priority = v
	}
	if v := q.Get("category"); v != "" {
		if _, ok := shian.LookupComplaintCategory(v); !ok {
			return f, shian.FieldError("category", "unknown category %q", shian.Clip(v, 40))
		}
		f.Category = v
	}
	if v := q.Get("kind"); v != "" {
		if v != shian.KindComplaint && v != shian.KindReport {
			return f, shian.FieldError("kind", "must be complaint or report")
		}
		f.Kind = v
	}
	var err error
	if f.Overdue, err = parseBool(q.Get("overdue")); err != nil {
		return f, shian.FieldError("overdue", "must be true or false")
	}
	if f.Mine, err = parseBool(q.Get("mine")); err != nil {
		return f, shian.FieldError("mine", "must be true or false")
	}
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{{"due_within", &f.DueWithin, 0, 60}, {"page", &f.Page, 1, 100000}, {"per_page", &f.PerPage, 1, MaxPerPage}}
	for _, x := range ints {
		if v := q.Get(x.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < x.min || n > x.max {
				return f, shian.FieldError(x.name, "must be a whole number from %d to %d", x.min, x.max)
			}
			*x.dst = n
		}
	}
	if v := q.Get("cluster"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, shian.FieldError("cluster", "must be a cluster id")
		}
		f.Cluster = n
	}
	if f.Text, err = cleanText("q", q.Get("q"), 100); err != nil {
		return f, err
	}
	return f, nil
}

// Values is the filter as query parameters (for links and paging), the
// inverse of ParseFilter.
func (f Filter) Values() url.Values {
	v := url.Values{}
	if len(f.Statuses) > 0 {
		v.Set("status", strings.Join(f.Statuses, ","))
	}
	for k, s := range map[string]string{"district": f.District, "grid": f.Grid, "priority": f.Priority, "category": f.Category,
		"kind": f.Kind, "q": f.Text} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.Overdue {
		v.Set("overdue", "true")
	}
	if f.Mine {
		v.Set("mine", "true")
	}
	if f.DueWithin > 0 {
		v.Set("due_within", strconv.Itoa(f.DueWithin))
	}
	if f.Cluster > 0 {
		v.Set("cluster", strconv.FormatInt(f.Cluster, 10))
	}
	if f.PerPage != 0 && f.PerPage != DefaultPerPage {
		v.Set("per_page", strconv.Itoa(f.PerPage))
	}
	return v
}

func parseBool(s string) (bool, error) {
	switch s {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, strconv.ErrSyntax
}
