package triage

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"shian"
)

// Grids are the supervision grids (网格) as polygons, read from a GeoJSON
// FeatureCollection whose features have properties {district, grid, office}
// and a Polygon or MultiPolygon geometry (coordinates [lng, lat], WGS-84).
// The shipped file is approximate; official boundaries can replace it.
//
// Precedence: a functional zone (北戴河新区, 开发区 — shian.Districts with
// Zone set) lies inside or across ordinary districts and takes precedence
// over them, because its own office handles its complaints. Among features of
// the same kind, which should not overlap, the first in the file wins, so a
// point always has exactly one answer. Points on a shared edge belong to one
// of the two neighbours (ray casting's half-open rule).
//
// Grids is immutable after ParseGrids and safe for concurrent use.
type Grids struct {
	features   []gridFeature
	byGrid     map[string]int
	byDistrict map[string][]int
}

type gridFeature struct {
	district, grid, office string
	zone                   bool
	polygons               [][][][2]float64 // polygon → ring → point (lng, lat)
	minLng, minLat         float64
	maxLng, maxLat         float64
}

type geoJSON struct {
	Type     string       `json:"type"`
	Name     string       `json:"name"`
	Features []geoFeature `json:"features"`
}

type geoFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Properties struct {
		District string `json:"district"`
		Grid     string `json:"grid"`
		Office   string `json:"office"`
	} `json:"properties"`
	Geometry *struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

// maxGridPoints bounds the size of a grids file (official boundaries have a
// few thousand points per district).
const maxGridPoints = 2_000_000

// ParseGrids reads and validates a grids GeoJSON file: every feature must
// name a known district, a unique grid id and an office, carry closed rings
// of valid coordinates, and every district of shian.Districts must have at
// least one grid (so any shop can be placed). Errors are *shian.Error with
// code EINVALID naming the feature.
func ParseGrids(b []byte) (*Grids, error) {
	var f geoJSON
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("triage: grids: %w", shian.Errorf(shian.EINVALID, "not valid GeoJSON: %v", err))
	}
	if f.Type != "FeatureCollection" {
		return nil, fmt.Errorf("triage: grids: %w", shian.FieldError("type", "%q, want \"FeatureCollection\"", shian.Clip(f.Type, 40)))
	}
	g := &Grids{byGrid: map[string]int{}, byDistrict: map[string][]int{}}
	points := 0
	for i, gf := range f.Features {
		field := fmt.Sprintf("features[%d]", i)
		p := gf.Properties
		if p.Grid != "" {
			field += " (" + shian.Clip(p.Grid, 40) + ")"
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("triage: grids: %w", shian.FieldError(field, format, args...))
		}
		if gf.Type != "Feature" {
			return nil, bad("type %q, want \"Feature\"", shian.Clip(gf.Type, 40))
		}
		d, ok := shian.LookupCode(shian.Districts, p.District)
		if !ok {
			return nil, bad("properties.district %q is not a district code (%s)", shian.Clip(p.District, 40), codeList())
		}
		if p.Grid == "" || len(p.Grid) > 64 {
			return nil, bad("properties.grid must be a grid id of 1–64 bytes")
		}
		if _, dup := g.byGrid[p.Grid]; dup {
			return nil, bad("grid id %q is used twice", p.Grid)
		}
		if p.Office == "" {
			return nil, bad("properties.office is missing")
		}
		if gf.Geometry == nil {
			return nil, bad("geometry is missing")
		}
		var polys [][][][]float64
		switch gf.Geometry.Type {
		case "Polygon":
			var rings [][][]float64
			if err := json.Unmarshal(gf.Geometry.Coordinates, &rings); err != nil {
				return nil, bad("Polygon coordinates: %v", err)
			}
			polys = [][][][]float64{rings}
		case "MultiPolygon":
			if err := json.Unmarshal(gf.Geometry.Coordinates, &polys); err != nil {
				return nil, bad("MultiPolygon coordinates: %v", err)
			}
		default:
			return nil, bad("geometry type %q, want Polygon or MultiPolygon", shian.Clip(gf.Geometry.Type, 40))
		}
		feat := gridFeature{district: d.Code, grid: p.Grid, office: p.Office, zone: d.Zone,
			minLng: math.Inf(1), minLat: math.Inf(1), maxLng: math.Inf(-1), maxLat: math.Inf(-1)}
		if len(polys) == 0 {
			return nil, bad("geometry has no polygon")
		}
		for pi, rings := range polys {
			if len(rings) == 0 {
				return nil, bad("polygon %d has no ring", pi)
			}
			var poly [][][2]float64
			for ri, ring := range rings {
				if len(ring) < 4 {
					return nil, bad("polygon %d ring %d has %d positions; a closed ring needs at least 4", pi, ri, len(ring))
				}
				points += len(ring)
				if points > maxGridPoints {
					return nil, bad("the file has more than %d points", maxGridPoints)
				}
				r := make([][2]float64, 0, len(ring)-1)
				for k, pos := range ring {
					if len(pos) < 2 || len(pos) > 3 {
						return nil, bad("polygon %d ring %d position %d: want [lng, lat]", pi, ri, k)
					}
					lng, lat := pos[0], pos[1]
					if math.IsNaN(lng) || math.IsNaN(lat) || lng < -180 || lng > 180 || lat < -90 || lat > 90 {
						return nil, bad("polygon %d ring %d position %d: [%v, %v] is not a WGS-84 [lng, lat]", pi, ri, k, lng, lat)
					}
					if k < len(ring)-1 {
						r = append(r, [2]float64{lng, lat})
					}
				}
				first, last := ring[0], ring[len(ring)-1]
				if first[0] != last[0] || first[1] != last[1] {
					return nil, bad("polygon %d ring %d is not closed (the last position must repeat the first)", pi, ri)
				}
				if ri == 0 {
					for _, q := range r {
						feat.minLng, feat.maxLng = min(feat.minLng, q[0]), max(feat.maxLng, q[0])
						feat.minLat, feat.maxLat = min(feat.minLat, q[1]), max(feat.maxLat, q[1])
					}
				}
				poly = append(poly, r)
			}
			feat.polygons = append(feat.polygons, poly)
		}
		g.byGrid[p.Grid] = len(g.features)
		g.byDistrict[d.Code] = append(g.byDistrict[d.Code], len(g.features))
		g.features = append(g.features, feat)
	}
	for _, d := range shian.Districts {
		if len(g.byDistrict[d.Code]) == 0 {
			return nil, fmt.Errorf("triage: grids: %w", shian.FieldError("features", "district %q has no grid; every district needs at least one", d.Code))
		}
	}
	return g, nil
}

// DefaultGrids parses the grids shipped with the project, for callers such as
// the seed generator that need geometry without a Triager.
func DefaultGrids() (*Grids, error) { return ParseGrids(defaultGrids) }

// Locate returns the district and grid containing the point, applying the
// zone precedence rule; ok is false outside every grid (at sea, outside the
// city, or not a number).
func (g *Grids) Locate(lat, lng float64) (district, grid string, ok bool) {
	best := -1
	for i := range g.features {
		f := &g.features[i]
		if best >= 0 && (g.features[best].zone || !f.zone) {
			continue // cannot beat the current answer
		}
		if f.contains(lat, lng) {
			best = i
		}
	}
	if best < 0 {
		return "", "", false
	}
	return g.features[best].district, g.features[best].grid, true
}

// GridFor returns the grid of district that contains the point, ignoring
// other districts and zones: a shop's district is authoritative (a Haigang
// shop inside the 开发区 polygon still gets a Haigang grid). ok is false when
// no grid of district contains the point.
func (g *Grids) GridFor(district string, lat, lng float64) (grid string, ok bool) {
	for _, i := range g.byDistrict[district] {
		if g.features[i].contains(lat, lng) {
			return g.features[i].grid, true
		}
	}
	return "", false
}

// Rand is the part of *math/rand.Rand and *math/rand/v2.Rand that
// RandomPointIn uses, so either works and tests stay reproducible.
type Rand interface{ Float64() float64 }

// RandomPointIn returns a point that Locate places in district (so a demo
// shop of Haigang never lands in the 开发区 zone). ok is false for an unknown
// district, or if no such point was found, which for sane grids does not
// happen.
func (g *Grids) RandomPointIn(district string, r Rand) (lat, lng float64, ok bool) {
	idx := g.byDistrict[district]
	if len(idx) == 0 {
		return 0, 0, false
	}
	minLng, minLat, maxLng, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, i := range idx {
		f := &g.features[i]
		minLng, maxLng = min(minLng, f.minLng), max(maxLng, f.maxLng)
		minLat, maxLat = min(minLat, f.minLat), max(maxLat, f.maxLat)
	}
	for range 10000 {
		lat = minLat + r.Float64()*(maxLat-minLat)
		lng = minLng + r.Float64()*(maxLng-minLng)
		if d, _, found := g.Locate(lat, lng); found && d == district {
			return lat, lng, true
		}
	}
	return 0, 0, false
}

// GridIDs returns the grid ids of district in file order (all grids for "").
func (g *Grids) GridIDs(district string) []string {
	var out []string
	for _, f := range g.features {
		if district == "" || f.district == district {
			out = append(out, f.grid)
		}
	}
	return out
}

// grid returns the district and office of a grid id.
func (g *Grids) grid(id string) (district, office string, ok bool) {
	i, ok := g.byGrid[id]
	if !ok {
		return "", "", false
	}
	return g.features[i].district, g.features[i].office, true
}

func (f *gridFeature) contains(lat, lng float64) bool {
	if !(lat >= f.minLat && lat <= f.maxLat && lng >= f.minLng && lng <= f.maxLng) {
		return false // also false for NaN
	}
	for _, poly := range f.polygons {
		// Even-odd over all rings: holes (rings after the first) subtract.
		in := false
		for _, ring := range poly {
			if crossings(ring, lng, lat)%2 == 1 {
				in = !in
			}
		}
		if in {
			return true
		}
	}
	return false
}

// crossings counts the edges of ring that a ray from (x, y) towards +x
// crosses, with the half-open rule so that a vertex is counted once.
func crossings(ring [][2]float64, x, y float64) int {
	n := 0
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		xi, yi := ring[i][0], ring[i][1]
		xj, yj := ring[j][0], ring[j][1]
		if (yi > y) != (yj > y) && x < xi+(y-yi)*(xj-xi)/(yj-yi) {
			n++
		}
	}
	return n
}

func codeList() string { return strings.Join(shian.CodeList(shian.Districts), ", ") }
