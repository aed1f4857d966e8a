package triage

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"shian"
)

// Office is a supervision office that owns a queue of complaints: the city
// office (District "") takes what cannot be routed, every district and
// functional zone has its own.
type Office struct {
	Code     string      `json:"code"`
	District string      `json:"district"`
	Names    shian.Names `json:"names"`
}

// GridTeam is who works a supervision grid.
type GridTeam struct {
	Grid     string `json:"grid"`
	District string `json:"district"`
	Officer  string `json:"officer"`
	Team     string `json:"team"`
}

// CategoryTeam is the specialist team that also sees every complaint of a
// category (for example the emergency team for suspected food poisoning).
type CategoryTeam struct {
	Category string `json:"category"`
	Team     string `json:"team"`
}

// RoutingTable says which office, officer and team handle what. It is
// immutable after ParseRouting and safe for concurrent use.
type RoutingTable struct {
	unrouted   string
	offices    []Office
	byCode     map[string]int
	byDistrict map[string]string
	grids      map[string]GridTeam
	teams      map[string]string
}

type routingFile struct {
	Comment        string         `json:"comment"`
	UnroutedOffice string         `json:"unrouted_office"`
	Offices        []Office       `json:"offices"`
	Grids          []GridTeam     `json:"grids"`
	CategoryTeams  []CategoryTeam `json:"category_teams"`
}

var officeCodeRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// ParseRouting reads and validates a routing table (see data/routing.json):
// office codes are unique, every district has exactly one office, the
// unrouted office exists and belongs to no district, every grid and category
// names something that exists. Errors are *shian.Error with code EINVALID
// naming the entry, because an operator edits this file by hand.
func ParseRouting(b []byte) (*RoutingTable, error) {
	var f routingFile
	if err := decodeStrict(b, &f); err != nil {
		return nil, fmt.Errorf("triage: routing: %w", err)
	}
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("triage: routing: %w", shian.FieldError(field, format, args...))
	}
	t := &RoutingTable{byCode: map[string]int{}, byDistrict: map[string]string{},
		grids: map[string]GridTeam{}, teams: map[string]string{}}
	for i, o := range f.Offices {
		field := fmt.Sprintf("offices[%d]", i)
		if !officeCodeRE.MatchString(o.Code) {
			return nil, bad(field+".code", "%q is not an office code (lower-case letters, digits, - and _, at most 32)", shian.Clip(o.Code, 40))
		}
		if _, dup := t.byCode[o.Code]; dup {
			return nil, bad(field+".code", "office %q is listed twice", o.Code)
		}
		if strings.TrimSpace(o.Names.ZH) == "" {
			return nil, bad(field+".names.zh", "office %q needs a Chinese name", o.Code)
		}
		if o.District != "" {
			if _, ok := shian.LookupCode(shian.Districts, o.District); !ok {
				return nil, bad(field+".district", "%q is not a district code (%s)", shian.Clip(o.District, 40), codeList())
			}
			if prev, dup := t.byDistrict[o.District]; dup {
				return nil, bad(field+".district", "district %q has two offices, %q and %q", o.District, prev, o.Code)
			}
			t.byDistrict[o.District] = o.Code
		}
		t.byCode[o.Code] = len(t.offices)
		t.offices = append(t.offices, o)
	}
	for _, d := range shian.Districts {
		if _, ok := t.byDistrict[d.Code]; !ok {
			return nil, bad("offices", "district %q (%s) has no office", d.Code, d.Names.ZH)
		}
	}
	i, ok := t.byCode[f.UnroutedOffice]
	switch {
	case f.UnroutedOffice == "":
		return nil, bad("unrouted_office", "missing; name the office whose queue takes complaints that cannot be routed")
	case !ok:
		return nil, bad("unrouted_office", "%q is not one of the offices", shian.Clip(f.UnroutedOffice, 40))
	case t.offices[i].District != "":
		return nil, bad("unrouted_office", "%q belongs to district %q; the unrouted queue must be a city-level office (no district)", f.UnroutedOffice, t.offices[i].District)
	}
	t.unrouted = f.UnroutedOffice
	for i, g := range f.Grids {
		field := fmt.Sprintf("grids[%d]", i)
		if g.Grid == "" {
			return nil, bad(field+".grid", "missing grid id")
		}
		if _, dup := t.grids[g.Grid]; dup {
			return nil, bad(field+".grid", "grid %q is listed twice", g.Grid)
		}
		if _, ok := shian.LookupCode(shian.Districts, g.District); !ok {
			return nil, bad(field+".district", "grid %q: %q is not a district code (%s)", g.Grid, shian.Clip(g.District, 40), codeList())
		}
		if strings.TrimSpace(g.Officer) == "" && strings.TrimSpace(g.Team) == "" {
			return nil, bad(field, "grid %q has neither officer nor team", g.Grid)
		}
		t.grids[g.Grid] = g
	}
	for i, c := range f.CategoryTeams {
		field := fmt.Sprintf("category_teams[%d]", i)
		if _, ok := shian.LookupComplaintCategory(c.Category); !ok {
			cats := make([]string, len(shian.ComplaintCategories))
			for k, cc := range shian.ComplaintCategories {
				cats[k] = cc.Code
			}
			return nil, bad(field+".category", "%q is not a complaint category (%s)", shian.Clip(c.Category, 40), strings.Join(cats, ", "))
		}
		if _, dup := t.teams[c.Category]; dup {
			return nil, bad(field+".category", "category %q is listed twice", c.Category)
		}
		if strings.TrimSpace(c.Team) == "" {
			return nil, bad(field+".team", "category %q has no team", c.Category)
		}
		t.teams[c.Category] = c.Team
	}
	return t, nil
}

// DefaultRouting parses the routing table shipped with the project.
func DefaultRouting() (*RoutingTable, error) { return ParseRouting(defaultRouting) }

// Offices returns every office in file order, for the console's queue list.
func (t *RoutingTable) Offices() []Office { return slices.Clone(t.offices) }

// Office returns the office with the given code.
func (t *RoutingTable) Office(code string) (Office, bool) {
	i, ok := t.byCode[code]
	if !ok {
		return Office{}, false
	}
	return t.offices[i], true
}

// OfficeFor returns the code of the office of district, or the unrouted
// (city) office for "" or an unknown district.
func (t *RoutingTable) OfficeFor(district string) string {
	if o, ok := t.byDistrict[district]; ok {
		return o
	}
	return t.unrouted
}

// UnroutedOffice returns the code of the office whose queue takes what
// cannot be routed.
func (t *RoutingTable) UnroutedOffice() string { return t.unrouted }

// Grid returns who works grid.
func (t *RoutingTable) Grid(grid string) (GridTeam, bool) {
	g, ok := t.grids[grid]
	return g, ok
}

// CategoryTeam returns the specialist team of category, "" if none.
func (t *RoutingTable) CategoryTeam(category string) string { return t.teams[category] }

// crossCheck verifies that grids and routing agree, so that a replaced grids
// file cannot leave officers attached to grids that no longer exist or
// features pointing at offices that do not.
func (t *RoutingTable) crossCheck(g *Grids) error {
	for _, f := range g.features {
		o, ok := t.Office(f.office)
		if !ok {
			return fmt.Errorf("triage: grids: %w", shian.FieldError("features ("+f.grid+")", "office %q is not in the routing table", f.office))
		}
		if o.District != "" && o.District != f.district {
			return fmt.Errorf("triage: grids: %w", shian.FieldError("features ("+f.grid+")", "grid of district %q is assigned to office %q of district %q", f.district, o.Code, o.District))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(t.grids)) {
		gt := t.grids[id]
		d, _, ok := g.grid(gt.Grid)
		if !ok {
			return fmt.Errorf("triage: routing: %w", shian.FieldError("grids ("+gt.Grid+")", "grid %q is not in the grids file", gt.Grid))
		}
		if d != gt.District {
			return fmt.Errorf("triage: routing: %w", shian.FieldError("grids ("+gt.Grid+")", "grid %q is in district %q in the grids file, not %q", gt.Grid, d, gt.District))
		}
	}
	return nil
}
