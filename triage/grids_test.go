package triage

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"shian"
)

// MustGrids returns the shipped grids or fails the test.
func MustGrids(tb testing.TB) *Grids {
	tb.Helper()
	g, err := DefaultGrids()
	if err != nil {
		tb.Fatalf("DefaultGrids: %v", err)
	}
	return g
}

func TestLocate(t *testing.T) {
	g := MustGrids(t)
	tests := []struct {
		name           string
		lat, lng       float64
		district, grid string // "" district: outside every grid
	}{
		{"Haigang city centre", 39.93, 119.60, "haigang", ""},
		{"haigang-01 west of centre", 39.915, 119.52, "haigang", "haigang-01"},
		{"haigang-02 port", 39.935, 119.615, "haigang", "haigang-02"},
		{"haigang-03", 40.02, 119.60, "haigang", "haigang-03"},
		{"haigang-04 Shimenzhai", 40.15, 119.55, "haigang", "haigang-04"},
		{"Shanhaiguan old town", 40.00, 119.75, "shanhaiguan", "shanhaiguan-01"},
		{"shanhaiguan-02 Laolongtou", 40.00, 119.80, "shanhaiguan", "shanhaiguan-02"},
		{"shanhaiguan-03", 40.08, 119.78, "shanhaiguan", "shanhaiguan-03"},
		{"Beidaihe centre", 39.83, 119.48, "beidaihe", "beidaihe-01"},
		{"beidaihe-02", 39.85, 119.50, "beidaihe", "beidaihe-02"},
		{"beidaihe-03 Gezi Wo", 39.87, 119.54, "beidaihe", "beidaihe-03"},
		{"Funing town", 39.88, 119.24, "funing", "funing-01"},
		{"funing-02", 39.85, 119.38, "funing", "funing-02"},
		{"funing-03", 40.05, 119.20, "funing", "funing-03"},
		{"qinglong-01", 40.40, 118.70, "qinglong", "qinglong-01"},
		{"Qinglong county seat", 40.40, 118.95, "qinglong", "qinglong-02"},
		{"qinglong-03", 40.40, 119.40, "qinglong", "qinglong-03"},
		{"Changli town", 39.71, 119.16, "changli", "changli-01"},
		{"changli-02", 39.50, 118.95, "changli", "changli-02"},
		{"changli-03", 39.50, 119.15, "changli", "changli-03"},
		{"Lulong town", 39.89, 118.87, "lulong", "lulong-01"},
		{"lulong-02", 40.05, 118.80, "lulong", "lulong-02"},
		{"zone: BDH New Area south, inside Changli's polygon", 39.47, 119.24, "bdhxinqu", "bdhxinqu-01"},
		{"zone: Golden Coast, inside Changli's polygon", 39.62, 119.30, "bdhxinqu", "bdhxinqu-02"},
		{"zone: BDH New Area north", 39.72, 119.34, "bdhxinqu", "bdhxinqu-03"},
		{"zone: BDH New Area tip, inside Funing's polygon", 39.77, 119.42, "bdhxinqu", "bdhxinqu-03"},
		{"zone: ETDZ west, inside Haigang's polygon", 39.955, 119.52, "etdz", "etdz-01"},
		{"zone: ETDZ east, inside Haigang's polygon", 39.955, 119.56, "etdz", "etdz-02"},
		{"just outside ETDZ is Haigang", 39.955, 119.585, "haigang", "haigang-01"},
		{"Bohai Sea off Beidaihe", 39.70, 119.60, "", ""},
		{"Beijing", 39.90, 116.40, "", ""},
		{"Tangshan, west of Changli", 39.60, 118.60, "", ""},
		{"Liaoning, east of Shanhaiguan", 40.30, 119.95, "", ""},
		{"NaN", math.NaN(), 119.6, "", ""},
		{"infinity", math.Inf(1), math.Inf(-1), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, grid, ok := g.Locate(tt.lat, tt.lng)
			if ok != (tt.district != "") || d != tt.district {
				t.Fatalf("Locate(%v, %v) = %q, %q, %v; want district %q", tt.lat, tt.lng, d, grid, ok, tt.district)
			}
			if tt.grid != "" && grid != tt.grid {
				t.Errorf("grid = %q, want %q", grid, tt.grid)
			}
			if ok && !strings.HasPrefix(grid, d+"-") {
				t.Errorf("grid %q is not of district %q", grid, d)
			}
		})
	}
}

// TestGridsUnambiguous samples the city on a lattice (offset so no sample
// sits on a boundary): no point may lie in two ordinary grids or two zone
// grids, so file order never decides.
func TestGridsUnambiguous(t *testing.T) {
	g := MustGrids(t)
	for lat := 39.30013; lat < 40.6; lat += 0.00737 {
		for lng := 118.50029; lng < 120.0; lng += 0.00941 {
			var plain, zones []string
			for _, f := range g.features {
				if f.contains(lat, lng) {
					if f.zone {
						zones = append(zones, f.grid)
					} else {
						plain = append(plain, f.grid)
					}
				}
			}
			if len(plain) > 1 || len(zones) > 1 {
				t.Fatalf("(%.5f, %.5f) is in %v and zones %v", lat, lng, plain, zones)
			}
			if len(zones) == 1 && len(plain) == 0 {
				t.Fatalf("(%.5f, %.5f): zone %v outside every district (zones lie in districts)", lat, lng, zones)
			}
		}
	}
}

func TestEveryGridReachable(t *testing.T) {
	g := MustGrids(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, f := range g.features {
		t.Run(f.grid, func(t *testing.T) {
			for range 5000 {
				lat := f.minLat + r.Float64()*(f.maxLat-f.minLat)
				lng := f.minLng + r.Float64()*(f.maxLng-f.minLng)
				if _, grid, _ := g.Locate(lat, lng); grid == f.grid {
					return
				}
			}
			t.Errorf("no sampled point of %s's box locates to it", f.grid)
		})
	}
}

func TestRandomPointInAndGridFor(t *testing.T) {
	g := MustGrids(t)
	r := rand.New(rand.NewPCG(5, 6))
	for _, d := range shian.Districts {
		t.Run(d.Code, func(t *testing.T) {
			for range 200 {
				lat, lng, ok := g.RandomPointIn(d.Code, r)
				if !ok {
					t.Fatal("RandomPointIn found no point")
				}
				if got, _, _ := g.Locate(lat, lng); got != d.Code {
					t.Fatalf("point (%v, %v) locates to %q", lat, lng, got)
				}
				if lat < 39.3 || lat > 40.6 || lng < 118.5 || lng > 120.0 {
					t.Fatalf("point (%v, %v) outside the city's bounding box", lat, lng)
				}
				grid, ok := g.GridFor(d.Code, lat, lng)
				if !ok || !strings.HasPrefix(grid, d.Code+"-") {
					t.Fatalf("GridFor(%s, %v, %v) = %q, %v", d.Code, lat, lng, grid, ok)
				}
			}
		})
	}
	if _, _, ok := g.RandomPointIn("atlantis", r); ok {
		t.Error("RandomPointIn(unknown district) ok")
	}
}

func TestGridFor(t *testing.T) {
	g := MustGrids(t)
	tests := []struct {
		name, district string
		lat, lng       float64
		want           string
	}{
		{"Haigang shop inside the ETDZ polygon keeps a Haigang grid", "haigang", 39.955, 119.52, "haigang-01"},
		{"ETDZ shop", "etdz", 39.955, 119.52, "etdz-01"},
		{"Changli shop inside BDH New Area keeps a Changli grid", "changli", 39.62, 119.30, "changli-01"},
		{"point of another district", "lulong", 39.83, 119.48, ""},
		{"unknown district", "atlantis", 39.83, 119.48, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := g.GridFor(tt.district, tt.lat, tt.lng)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("GridFor = %q, %v; want %q", got, ok, tt.want)
			}
		})
	}
	if ids := g.GridIDs("etdz"); len(ids) != 2 || ids[0] != "etdz-01" {
		t.Errorf("GridIDs(etdz) = %v", ids)
	}
}

// gridsFile returns the shipped grids as generic JSON to mutate in tests.
func gridsFile(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(defaultGrids, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func features(m map[string]any) []any { return m["features"].([]any) }

func feature(m map[string]any, grid string) map[string]any {
	for _, f := range features(m) {
		if f.(map[string]any)["properties"].(map[string]any)["grid"] == grid {
			return f.(map[string]any)
		}
	}
	panic("no grid " + grid)
}

func props(m map[string]any, grid string) map[string]any {
	return feature(m, grid)["properties"].(map[string]any)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGridsHoleAndMultiPolygon(t *testing.T) {
	m := gridsFile(t)
	// etdz-01 becomes two squares, the first with a hole in its middle.
	feature(m, "etdz-01")["geometry"] = map[string]any{
		"type": "MultiPolygon",
		"coordinates": [][][][]float64{
			{
				{{119.50, 39.93}, {119.54, 39.93}, {119.54, 39.98}, {119.50, 39.98}, {119.50, 39.93}},
				{{119.51, 39.94}, {119.53, 39.94}, {119.53, 39.97}, {119.51, 39.97}, {119.51, 39.94}},
			},
			{{{119.62, 40.00}, {119.63, 40.00}, {119.63, 40.01}, {119.62, 40.01}, {119.62, 40.00}}},
		},
	}
	g, err := ParseGrids(mustJSON(t, m))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		lat, lng float64
		grid     string
	}{
		{"ring of the first polygon", 39.935, 119.505, "etdz-01"},
		{"hole falls through to Haigang", 39.955, 119.52, "haigang-01"},
		{"second polygon", 40.005, 119.625, "etdz-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, grid, _ := g.Locate(tt.lat, tt.lng); grid != tt.grid {
				t.Errorf("Locate = %q, want %q", grid, tt.grid)
			}
		})
	}
}

func TestParseGridsErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		raw    string
		want   string
	}{
		{name: "not JSON", raw: `{"type": "FeatureCollection", "features": [`, want: "not valid GeoJSON"},
		{name: "not a collection", raw: `{"type": "Feature"}`, want: `type: "Feature", want "FeatureCollection"`},
		{name: "unknown district", mutate: func(m map[string]any) { props(m, "lulong-02")["district"] = "luan" }, want: `features[20] (lulong-02): properties.district "luan" is not a district code`},
		{name: "missing grid id", mutate: func(m map[string]any) { props(m, "lulong-02")["grid"] = "" }, want: "features[20]: properties.grid must be"},
		{name: "grid id twice", mutate: func(m map[string]any) { props(m, "lulong-02")["grid"] = "lulong-01" }, want: `grid id "lulong-01" is used twice`},
		{name: "missing office", mutate: func(m map[string]any) { delete(props(m, "lulong-02"), "office") }, want: "properties.office is missing"},
		{name: "missing geometry", mutate: func(m map[string]any) { feature(m, "lulong-02")["geometry"] = nil }, want: "geometry is missing"},
		{name: "point geometry", mutate: func(m map[string]any) {
			feature(m, "lulong-02")["geometry"] = map[string]any{"type": "Point", "coordinates": []float64{118.8, 40}}
		}, want: `geometry type "Point", want Polygon or MultiPolygon`},
		{name: "ring too short", mutate: func(m map[string]any) {
			feature(m, "lulong-02")["geometry"] = map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{118.8, 40}, {118.9, 40}, {118.8, 40}}}}
		}, want: "ring 0 has 3 positions"},
		{name: "ring not closed", mutate: func(m map[string]any) {
			feature(m, "lulong-02")["geometry"] = map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{118.8, 40}, {118.9, 40}, {118.9, 40.1}, {118.8, 40.1}}}}
		}, want: "ring 0 is not closed"},
		{name: "lat/lng swapped beyond range", mutate: func(m map[string]any) {
			feature(m, "lulong-02")["geometry"] = map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{40, 118.8}, {40, 118.9}, {40.1, 118.9}, {40, 118.8}}}}
		}, want: "is not a WGS-84 [lng, lat]"},
		{name: "district without grid", mutate: func(m map[string]any) {
			var keep []any
			for _, f := range features(m) {
				if f.(map[string]any)["properties"].(map[string]any)["district"] != "etdz" {
					keep = append(keep, f)
				}
			}
			m["features"] = keep
		}, want: `district "etdz" has no grid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.raw)
			if tt.mutate != nil {
				m := gridsFile(t)
				tt.mutate(m)
				b = mustJSON(t, m)
			}
			_, err := ParseGrids(b)
			if err == nil {
				t.Fatalf("ParseGrids succeeded, want error containing %q", tt.want)
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
