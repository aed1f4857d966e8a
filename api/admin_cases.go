package api

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/csvsafe"
	"shian/edge"
	"shian/staff"
)

// caseItem is a case as the queue lists it.
type caseItem struct {
	Ticket      string    `json:"ticket"`
	Kind        string    `json:"kind"`
	Status      string    `json:"status"`
	Category    string    `json:"category"`
	Priority    string    `json:"priority"`
	District    string    `json:"district"`
	Grid        string    `json:"grid,omitempty"`
	Office      string    `json:"office"`
	ShopName    string    `json:"shop_name,omitempty"`
	Licence     string    `json:"licence,omitempty"`
	DueAt       time.Time `json:"due_at,omitzero"`
	Overdue     bool      `json:"overdue"`
	ClaimedBy   string    `json:"claimed_by,omitempty"`
	ClusterID   int64     `json:"cluster_id,omitempty"`
	Flagged     bool      `json:"flagged,omitempty"`
	PhoneMasked string    `json:"phone_masked,omitempty"`
	FiledAt     time.Time `json:"filed_at"`
}

func itemOf(c *staff.Case, now time.Time) caseItem {
	return caseItem{Ticket: c.Ticket, Kind: c.Kind, Status: c.Status, Category: c.Category, Priority: c.Priority,
		District: c.District, Grid: c.Grid, Office: c.Office, ShopName: c.ShopName, Licence: c.Licence, DueAt: c.DueAt,
		Overdue: !c.DueAt.IsZero() && staff.IsOpen(c.Status) && now.After(c.DueAt), ClaimedBy: c.ClaimedBy,
		ClusterID: c.ClusterID, Flagged: c.Flagged, PhoneMasked: c.PhoneMasked, FiledAt: c.CreatedAt}
}

func (s *Server) adminMe(c *fiber.Ctx) error {
	p := principal(c)
	return c.JSON(fiber.Map{"name": p.Name, "role": p.Role, "district": p.District, "grid": p.Grid, "via": p.Via})
}

// queryValues copies the request's query parameters.
func queryValues(c *fiber.Ctx) url.Values {
	v, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	return v
}

func (s *Server) adminQueue(c *fiber.Ctx) error {
	f, err := staff.ParseFilter(queryValues(c))
	if err != nil {
		return err
	}
	page, err := s.cases.Queue(c.UserContext(), principal(c), f)
	if err != nil {
		return err
	}
	now := s.cases.Now()
	items := make([]caseItem, 0, len(page.Items))
	for _, x := range page.Items {
		items = append(items, itemOf(x, now))
	}
	return c.JSON(fiber.Map{"items": items, "total": page.Total, "page": f.Page, "per_page": f.PerPage, "counts": page.Counts})
}

// caseDetail is a case with everything the console shows.
type caseDetail struct {
	caseItem
	SubmittedCategory string                 `json:"submitted_category"`
	RoutedBy          string                 `json:"routed_by"`
	Description       string                 `json:"description"`
	OccurredAt        time.Time              `json:"occurred_at,omitzero"`
	ShopAddress       string                 `json:"shop_address,omitempty"`
	OrderNo           string                 `json:"order_no,omitempty"`
	Channel           string                 `json:"channel"`
	AcceptDue         time.Time              `json:"accept_due,omitzero"`
	VerifyDue         time.Time              `json:"verify_due,omitzero"`
	MediationDue      time.Time              `json:"mediation_due,omitzero"`
	WorkingDaysLeft   *int                   `json:"working_days_left,omitempty"`
	DecidedAt         time.Time              `json:"decided_at,omitzero"`
	OutcomeAt         time.Time              `json:"outcome_at,omitzero"`
	RejectionGround   string                 `json:"rejection_ground,omitempty"`
	Reopened          int                    `json:"reopened,omitempty"`
	Rating            int                    `json:"rating,omitempty"`
	RatingNote        string                 `json:"rating_note,omitempty"`
	HasContact        bool                   `json:"has_contact"`
	Photos            int                    `json:"photos"`
	OfficeNames       shian.Names            `json:"office_names"`
	Officer           string                 `json:"grid_officer,omitempty"`
	GridTeam          string                 `json:"grid_team,omitempty"`
	CategoryTeam      string                 `json:"category_team,omitempty"`
	Cluster           []staff.Brief          `json:"cluster"`
	DuplicateOf       *staff.Brief           `json:"duplicate_of,omitempty"`
	Duplicates        []staff.Brief          `json:"duplicates"`
	SameShop          []staff.Brief          `json:"same_shop"`
	Shop              *shopBrief             `json:"shop,omitempty"`
	Timeline          []shian.ComplaintEvent `json:"timeline"`
	Next              []string               `json:"next"`
}

type shopBrief struct {
	Licence     string             `json:"licence"`
	Name        string             `json:"name"`
	Status      string             `json:"status"`
	Grade       shian.Grade        `json:"grade"`
	Inspections []shian.Inspection `json:"inspections"`
}

// visibleBriefs drops related cases the principal may not see: their
// tickets would tell an officer of another district's cases.
func visibleBriefs(p *staff.Principal, in []staff.Brief) []staff.Brief {
	out := []staff.Brief{}
	for _, b := range in {
		if staff.Sees(p, b.District, b.Grid) {
			out = append(out, b)
		}
	}
	return out
}

func detailOf(p *staff.Principal, v *staff.CaseView, now time.Time) caseDetail {
	c := v.Case
	d := caseDetail{caseItem: itemOf(c, now), SubmittedCategory: c.SubmittedCategory, RoutedBy: c.RoutedBy,
		Description: c.Description, OccurredAt: c.OccurredAt, ShopAddress: c.ShopAddress, OrderNo: c.OrderNo, Channel: c.Channel,
		AcceptDue: c.AcceptDue, VerifyDue: c.VerifyDue, MediationDue: c.MediationDue, DecidedAt: c.DecidedAt, OutcomeAt: c.OutcomeAt,
		RejectionGround: c.RejectionGround, Reopened: c.Reopened, Rating: c.Rating, RatingNote: c.RatingNote,
		HasContact: c.ContactSealed != "", Photos: len(c.Photos), OfficeNames: v.Assignment.Office.Names,
		Officer: v.Assignment.Officer, GridTeam: v.Assignment.GridTeam, CategoryTeam: v.Assignment.CategoryTeam,
		Cluster: visibleBriefs(p, v.Related.Cluster), Duplicates: visibleBriefs(p, v.Related.Duplicates),
		SameShop: visibleBriefs(p, v.Related.SameShop), Timeline: v.Timeline, Next: v.Next}
	if d.Timeline == nil {
		d.Timeline = []shian.ComplaintEvent{}
	}
	if d.Next == nil {
		d.Next = []string{}
	}
	if v.HasDeadline {
		n := v.WorkingDaysLeft
		d.WorkingDaysLeft = &n
	}
	if r := v.Related.DuplicateOf; r != nil && staff.Sees(p, r.District, r.Grid) {
		d.DuplicateOf = r
	}
	if sh := v.Shop; sh != nil {
		d.Shop = &shopBrief{Licence: sh.Licence, Name: sh.Name, Status: sh.Status, Grade: sh.Grade, Inspections: sh.Inspections}
		if len(d.Shop.Inspections) > 5 {
			d.Shop.Inspections = d.Shop.Inspections[:5]
		}
	}
	return d
}

func (s *Server) adminCase(c *fiber.Ctx) error {
	v, err := s.cases.Case(c.UserContext(), principal(c), ticketParam(c))
	if err != nil {
		return err
	}
	return c.JSON(detailOf(principal(c), v, s.cases.Now()))
}

// caseAnswer answers an action with the case's new state.
func (s *Server) caseAnswer(c *fiber.Ctx, cs *staff.Case, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(itemOf(cs, s.cases.Now()))
}

func (s *Server) adminClaim(c *fiber.Ctx) error {
	cs, err := s.cases.Claim(c.UserContext(), principal(c), ticketParam(c))
	return s.caseAnswer(c, cs, err)
}

func (s *Server) adminRelease(c *fiber.Ctx) error {
	cs, err := s.cases.Release(c.UserContext(), principal(c), ticketParam(c))
	return s.caseAnswer(c, cs, err)
}

func (s *Server) adminTransition(c *fiber.Ctx) error {
	var in staff.TransitionInput
	if err := edge.DecodeJSON(c, &in); err != nil {
		return err
	}
	cs, err := s.cases.Transition(c.UserContext(), principal(c), ticketParam(c), in)
	return s.caseAnswer(c, cs, err)
}

func (s *Server) adminNote(c *fiber.Ctx) error {
	var in struct {
		Note   string `json:"note"`
		Public bool   `json:"public"`
	}
	if err := edge.DecodeJSON(c, &in); err != nil {
		return err
	}
	cs, err := s.cases.AddNote(c.UserContext(), principal(c), ticketParam(c), in.Note, in.Public)
	return s.caseAnswer(c, cs, err)
}

func (s *Server) adminReassign(c *fiber.Ctx) error {
	var in staff.ReassignInput
	if err := edge.DecodeJSON(c, &in); err != nil {
		return err
	}
	cs, err := s.cases.Reassign(c.UserContext(), principal(c), ticketParam(c), in)
	return s.caseAnswer(c, cs, err)
}

func (s *Server) adminMerge(c *fiber.Ctx) error {
	var in struct {
		Into   string `json:"into"`
		Reason string `json:"reason"`
	}
	if err := edge.DecodeJSON(c, &in); err != nil {
		return err
	}
	cs, err := s.cases.Merge(c.UserContext(), principal(c), ticketParam(c), in.Into, in.Reason)
	return s.caseAnswer(c, cs, err)
}

func (s *Server) adminBulk(c *fiber.Ctx) error {
	var in staff.BulkInput
	if err := edge.DecodeJSON(c, &in); err != nil {
		return err
	}
	res, err := s.cases.Bulk(c.UserContext(), principal(c), in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"results": res})
}

func (s *Server) adminReveal(c *fiber.Ctx) error {
	ct, err := s.cases.RevealContact(c.UserContext(), principal(c), ticketParam(c))
	if err != nil {
		return err
	}
	return c.JSON(ct)
}

// dashboardPeriod reads ?from= and ?to= (YYYY-MM-DD, CST; to inclusive).
func dashboardPeriod(c *fiber.Ctx) (time.Time, time.Time, error) {
	var from, to time.Time
	for _, x := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := c.Query(x.name); v != "" {
			t, err := time.ParseInLocation(shian.DateLayout, v, shian.CST)
			if err != nil {
				return from, to, badParam(x.name, "a date YYYY-MM-DD")
			}
			*x.dst = t
		}
	}
	if !to.IsZero() {
		to = to.Add(24*time.Hour - time.Second)
	}
	return from, to, nil
}

func (s *Server) adminDashboard(c *fiber.Ctx) error {
	from, to, err := dashboardPeriod(c)
	if err != nil {
		return err
	}
	d, err := s.cases.Dashboard(c.UserContext(), principal(c), from, to)
	if err != nil {
		return err
	}
	return c.JSON(d)
}

// adminDashboardCSV exports one figure of the dashboard: districts,
// trend or clusters.
func (s *Server) adminDashboardCSV(c *fiber.Ctx) error {
	figure := strings.Clone(c.Params("figure"))
	from, to, err := dashboardPeriod(c)
	if err != nil {
		return err
	}
	d, err := s.cases.Dashboard(c.UserContext(), principal(c), from, to)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // so that spreadsheet programs read UTF-8
	// csvsafe: no cell may run as a spreadsheet formula.
	w := csvsafe.NewWriter(&buf)
	f := func(x float64) string {
		if x < 0 {
			return ""
		}
		return strconv.FormatFloat(x, 'f', 3, 64)
	}
	switch figure {
	case "districts":
		w.Write([]string{"district", "name", "open", "overdue", "filed", "accept_on_time_rate", "resolve_on_time_rate",
			"median_working_days_to_accept", "median_working_days_to_resolve", "satisfaction", "rated"})
		for _, r := range append(d.Districts, d.City) {
			w.Write([]string{r.District, districtName(r.District, "zh"), strconv.Itoa(r.Open), strconv.Itoa(r.Overdue), strconv.Itoa(r.Filed),
				f(r.AcceptOnTime), f(r.ResolveOnTime), f(r.MedianAcceptDays), f(r.MedianResolveDays), f(r.Satisfaction), strconv.Itoa(r.Rated)})
		}
	case "trend":
		w.Write([]string{"week", "category", "count"})
		for _, t := range d.Trend {
			w.Write([]string{t.Week, t.Category, strconv.Itoa(t.Count)})
		}
	case "clusters":
		w.Write([]string{"cluster", "ticket", "shop_name", "district", "members", "open", "first", "last"})
		for _, cl := range d.Clusters {
			w.Write([]string{strconv.FormatInt(cl.ID, 10), cl.Ticket, cl.ShopName, cl.District, strconv.Itoa(cl.Members),
				strconv.Itoa(cl.Open), cl.First.UTC().Format(time.RFC3339), cl.Last.UTC().Format(time.RFC3339)})
		}
	default:
		return badParam("figure", "districts, trend or clusters")
	}
	w.Flush()
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="shian-%s-%s.csv"`, figure, d.To.In(shian.CST).Format("20060102")))
	return c.Send(buf.Bytes())
}

func districtName(code, lang string) string {
	switch code {
	case "city":
		return map[string]string{"zh": "全市", "en": "City", "ru": "Город"}[lang]
	case "":
		return map[string]string{"zh": "未分派", "en": "Unrouted", "ru": "Не распределено"}[lang]
	}
	if d, ok := shian.LookupCode(shian.Districts, code); ok {
		return d.Names.In(lang)
	}
	return code
}
