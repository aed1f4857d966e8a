// Package triage decides, for a complaint or report, who handles it (district,
// supervision grid, office), how urgently (category and priority from the
// reading of its words, package reading) and by when (legal deadlines in working days on the Chinese
// calendar), and links outbreak clusters and duplicates.
//
// It is pure logic: the calendar, grids and routing table are data files
// parsed once by New (the shipped ones are embedded; operators can pass
// their own), and every decision is a function of its input, so the rules
// are table-tested and the same answer comes out of every replica.
package triage

import (
	_ "embed"
	"fmt"
	"os"
	"strings"
	"time"

	"shian"
	"shian/reading"
)

var (
	//go:embed data/calendar.json
	defaultCalendar []byte
	//go:embed data/grids.geojson
	defaultGrids []byte
	//go:embed data/routing.json
	defaultRouting []byte
)

// Legal periods in working days (市场监督管理投诉举报处理暂行办法, docs/complaints.md).
const (
	AcceptWorkingDays    = 7  // complaint: decide to accept or reject, from receipt
	VerifyWorkingDays    = 15 // report: verify and decide on a case, from receipt
	MediationWorkingDays = 45 // complaint: end mediation, from acceptance
)

// IllnessCategory is the category that illness words raise a complaint to,
// and the one outbreak clusters are made of.
const IllnessCategory = "foodborne_illness"

// How Routing.RoutedBy says the district was found.
const (
	RoutedByShop = "shop" // the known shop's district
	RoutedByGeo  = "geo"  // the reporter's coordinates, inside a grid
	RoutedByText = "text" // a district named in the address, shop name or description
	RoutedByNone = "none" // not found: the unrouted office's queue
)

// Config holds the data files; a nil field means the one shipped with the
// project. Operators replace them to publish a new year's holidays, official
// grid boundaries or new officers.
type Config struct {
	Calendar []byte // calendar JSON (data/calendar.json)
	Grids    []byte // GeoJSON FeatureCollection (data/grids.geojson)
	Routing  []byte // routing table JSON (data/routing.json)
}

// ConfigFromFiles reads the data files at the given paths; an empty path
// keeps the shipped file. It is for cmd at start, the only I/O here.
func ConfigFromFiles(calendarPath, gridsPath, routingPath string) (Config, error) {
	var c Config
	for _, f := range []struct {
		path string
		dst  *[]byte
	}{{calendarPath, &c.Calendar}, {gridsPath, &c.Grids}, {routingPath, &c.Routing}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			return Config{}, fmt.Errorf("triage: read data file: %w", err)
		}
		*f.dst = b
	}
	return c, nil
}

// Triager makes triage decisions. It is immutable and safe for concurrent use.
type Triager struct {
	cal     *Calendar
	grids   *Grids
	routing *RoutingTable
}

// New parses and validates the data files and checks that grids and routing
// agree. Its errors name the file and entry at fault, so serve can refuse to
// start with a message the operator can act on.
func New(cfg Config) (*Triager, error) {
	cal, err := ParseCalendar(orDefault(cfg.Calendar, defaultCalendar))
	if err != nil {
		return nil, err
	}
	grids, err := ParseGrids(orDefault(cfg.Grids, defaultGrids))
	if err != nil {
		return nil, err
	}
	routing, err := ParseRouting(orDefault(cfg.Routing, defaultRouting))
	if err != nil {
		return nil, err
	}
	if err := routing.crossCheck(grids); err != nil {
		return nil, err
	}
	return &Triager{cal: cal, grids: grids, routing: routing}, nil
}

func orDefault(b, def []byte) []byte {
	if b == nil {
		return def
	}
	return b
}

// Calendar returns the working-day calendar (for dashboards and warnings).
func (t *Triager) Calendar() *Calendar { return t.cal }

// Grids returns the supervision grids (for import and seed: GridFor,
// RandomPointIn).
func (t *Triager) Grids() *Grids { return t.grids }

// Routing returns the routing table (offices, officers, category teams).
func (t *Triager) Routing() *RoutingTable { return t.routing }

// Warnings returns what serve should log at start: years without an official
// holiday schedule that deadlines computed now may reach.
func (t *Triager) Warnings(now time.Time) []string { return t.cal.Warnings(now) }

// Input is what triage needs to know about a complaint. The caller fills the
// shop fields from the store when the complaint names a known licence.
type Input struct {
	Kind         string // shian.KindComplaint or shian.KindReport
	Category     string // the submitted category code
	Description  string
	ShopDistrict string // the known shop's district, "" when no shop is known
	ShopGrid     string // the known shop's grid, may be ""
	ShopCategory string // the known shop's category; school_canteen makes it at least high
	HasGeo       bool   // Lat/Lng were given (by the reporter's device)
	Lat, Lng     float64
	ShopName     string // free text when no shop is known
	ShopAddress  string // free text when no shop is known
	ReceivedAt   time.Time
}

// Triage routes a complaint and sets its priority and deadline.
//
// District: the known shop's; else the grid containing Lat/Lng; else a
// district or well-known place named in ShopAddress, then ShopName, then
// Description (reading.Locate); else none, and the complaint goes to the
// unrouted (city) office's queue. Office: the grid's office when the grid is
// known, else the district's.
//
// Category and priority: the reading of the words (Input.Reading: illness
// makes it foodborne_illness and urgent, school words school_food and at
// least high, a category chosen against the words is replaced by theirs,
// an illness the writer denies is dropped); a school canteen shop makes it
// at least high. The submitted category is kept by the caller beside it.
// Deadline: AcceptDue for a complaint (7 working days), VerifyDue for a
// report (15); any kind other than report gets the complaint's shorter
// deadline; a zero ReceivedAt gets none.
func (t *Triager) Triage(in Input) shian.Routing {
	r := shian.Routing{Category: in.Category}
	t.route(&r, in)

	rd := in.Reading()
	r.Category, r.Priority = rd.Category, rd.Priority
	if in.ShopCategory == "school_canteen" {
		r.Priority = raise(r.Priority, shian.PriorityHigh)
	}

	if !in.ReceivedAt.IsZero() {
		if in.Kind == shian.KindReport {
			r.VerifyDue = t.cal.AddWorkingDays(in.ReceivedAt, VerifyWorkingDays)
		} else {
			r.AcceptDue = t.cal.AddWorkingDays(in.ReceivedAt, AcceptWorkingDays)
		}
	}
	return r
}

func (t *Triager) route(r *shian.Routing, in Input) {
	switch {
	case t.fromShop(r, in):
	case in.HasGeo && t.fromGeo(r, in):
	case t.fromText(r, in):
	default:
		r.RoutedBy, r.Office = RoutedByNone, t.routing.UnroutedOffice()
		return
	}
	r.Office = t.routing.OfficeFor(r.District)
	if _, office, ok := t.grids.grid(r.Grid); ok {
		r.Office = office
	}
}

func (t *Triager) fromShop(r *shian.Routing, in Input) bool {
	if _, ok := shian.LookupCode(shian.Districts, in.ShopDistrict); !ok {
		return false
	}
	r.District, r.Grid, r.RoutedBy = in.ShopDistrict, in.ShopGrid, RoutedByShop
	if d, _, known := t.grids.grid(in.ShopGrid); known && d != in.ShopDistrict {
		r.Grid = "" // a stale grid of another district must not pick the office
	}
	return true
}

func (t *Triager) fromGeo(r *shian.Routing, in Input) bool {
	d, g, ok := t.grids.Locate(in.Lat, in.Lng)
	if ok {
		r.District, r.Grid, r.RoutedBy = d, g, RoutedByGeo
	}
	return ok
}

func (t *Triager) fromText(r *shian.Routing, in Input) bool {
	for _, text := range []string{in.ShopAddress, in.ShopName, in.Description} {
		if p, ok := reading.Locate(text); ok {
			r.District, r.RoutedBy = p.District, RoutedByText
			return true
		}
	}
	return false
}

// Reading is the service's reading of the complaint's words (see package
// reading): the suggested category and priority that Triage uses, with the
// signals and words behind them, for the case to keep beside the category
// submitted. The free-text fields are read as separate sentences.
func (in Input) Reading() reading.Reading {
	return reading.Read(in.Category, strings.Join([]string{in.Description, in.ShopName, in.ShopAddress}, "。"))
}

// raise returns the more urgent of p and to.
func raise(p, to string) string {
	if shian.PriorityRank(to) > shian.PriorityRank(p) {
		return to
	}
	return p
}

// MediationDue is the end of mediation of a complaint accepted at
// acceptedAt: 45 working days, counted like every deadline (see Calendar).
func (t *Triager) MediationDue(acceptedAt time.Time) time.Time {
	return t.cal.AddWorkingDays(acceptedAt, MediationWorkingDays)
}

// Assignment is who works a routed complaint, for the supervisor console.
type Assignment struct {
	Office       Office
	Officer      string // the grid's officer, "" when the grid is unknown
	GridTeam     string // the grid's team
	CategoryTeam string // the category's specialist team, "" if none
}

// Assignment looks up the office, grid officer and category team of a
// routing decision.
func (t *Triager) Assignment(r shian.Routing) Assignment {
	a := Assignment{CategoryTeam: t.routing.CategoryTeam(r.Category)}
	a.Office, _ = t.routing.Office(r.Office)
	if g, ok := t.routing.Grid(r.Grid); ok {
		a.Officer, a.GridTeam = g.Officer, g.Team
	}
	return a
}
