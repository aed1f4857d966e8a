package triage

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"shian"
)

// MustTriager returns a Triager over the shipped data files or fails the test.
func MustTriager(tb testing.TB) *Triager {
	tb.Helper()
	tr, err := New(Config{})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return tr
}

func routingFileOf(t *testing.T) routingFile {
	t.Helper()
	var f routingFile
	if err := json.Unmarshal(defaultRouting, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDefaultRouting(t *testing.T) {
	tr := MustTriager(t)
	rt := tr.Routing()
	for _, d := range shian.Districts {
		o, ok := rt.Office(rt.OfficeFor(d.Code))
		if !ok || o.District != d.Code {
			t.Errorf("district %s: office %+v", d.Code, o)
		}
		for _, id := range tr.Grids().GridIDs(d.Code) {
			if g, ok := rt.Grid(id); !ok || g.Officer == "" || g.District != d.Code {
				t.Errorf("grid %s: %+v, %v", id, g, ok)
			}
		}
	}
	if rt.OfficeFor("") != "city" || rt.OfficeFor("atlantis") != "city" || rt.UnroutedOffice() != "city" {
		t.Error("unrouted office is not city")
	}
	if got := len(rt.Offices()); got != len(shian.Districts)+1 {
		t.Errorf("%d offices, want %d", got, len(shian.Districts)+1)
	}
	if rt.CategoryTeam(IllnessCategory) == "" {
		t.Error("no team for foodborne_illness")
	}
}

func TestAssignment(t *testing.T) {
	tr := MustTriager(t)
	r := tr.Triage(Input{Kind: shian.KindComplaint, Category: "hygiene", Description: "拉肚子了", ShopDistrict: "etdz", ShopGrid: "etdz-02"})
	a := tr.Assignment(r)
	if a.Office.Code != "etdz" || a.Office.Names.ZH == "" || a.Officer == "" || a.GridTeam == "" {
		t.Errorf("Assignment = %+v", a)
	}
	if a.CategoryTeam != "食品安全应急处置组" {
		t.Errorf("category team = %q, want the emergency team (illness raised the category)", a.CategoryTeam)
	}
	if a := tr.Assignment(shian.Routing{Office: "city", Category: "other"}); a.Office.Code != "city" || a.Officer != "" || a.CategoryTeam != "" {
		t.Errorf("unrouted Assignment = %+v", a)
	}
}

func TestParseRoutingErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *routingFile)
		raw    string
		want   string
	}{
		{name: "unknown field", raw: `{"unrouted_office": "city", "ofices": []}`, want: `unknown field "ofices"`},
		{name: "bad office code", mutate: func(f *routingFile) { f.Offices[1].Code = "Haigang Office" }, want: `offices[1].code: "Haigang Office" is not an office code`},
		{name: "office twice", mutate: func(f *routingFile) { f.Offices[2].Code = "haigang" }, want: `office "haigang" is listed twice`},
		{name: "office without Chinese name", mutate: func(f *routingFile) { f.Offices[3].Names.ZH = " " }, want: "offices[3].names.zh"},
		{name: "office of unknown district", mutate: func(f *routingFile) { f.Offices[3].District = "dalian" }, want: `offices[3].district: "dalian" is not a district code`},
		{name: "two offices for a district", mutate: func(f *routingFile) { f.Offices[3].District = "haigang" }, want: `district "haigang" has two offices, "haigang" and "beidaihe"`},
		{name: "district without office", mutate: func(f *routingFile) { f.Offices = f.Offices[:len(f.Offices)-1] }, want: `district "etdz" (秦皇岛经济技术开发区) has no office`},
		{name: "no unrouted office", mutate: func(f *routingFile) { f.UnroutedOffice = "" }, want: "unrouted_office: missing"},
		{name: "unknown unrouted office", mutate: func(f *routingFile) { f.UnroutedOffice = "province" }, want: `unrouted_office: "province" is not one of the offices`},
		{name: "unrouted office of a district", mutate: func(f *routingFile) { f.UnroutedOffice = "haigang" }, want: "must be a city-level office"},
		{name: "grid without id", mutate: func(f *routingFile) { f.Grids[0].Grid = "" }, want: "grids[0].grid: missing"},
		{name: "grid twice", mutate: func(f *routingFile) { f.Grids[1].Grid = f.Grids[0].Grid }, want: `grid "haigang-01" is listed twice`},
		{name: "grid of unknown district", mutate: func(f *routingFile) { f.Grids[0].District = "tangshan" }, want: `grids[0].district: grid "haigang-01": "tangshan" is not a district code`},
		{name: "grid without officer or team", mutate: func(f *routingFile) { f.Grids[0].Officer, f.Grids[0].Team = "", "" }, want: "has neither officer nor team"},
		{name: "unknown category", mutate: func(f *routingFile) { f.CategoryTeams[0].Category = "poison" }, want: `category_teams[0].category: "poison" is not a complaint category`},
		{name: "category twice", mutate: func(f *routingFile) { f.CategoryTeams[1].Category = f.CategoryTeams[0].Category }, want: "is listed twice"},
		{name: "category without team", mutate: func(f *routingFile) { f.CategoryTeams[0].Team = "" }, want: "category_teams[0].team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte(tt.raw)
			if tt.mutate != nil {
				f := routingFileOf(t)
				tt.mutate(&f)
				b = mustJSON(t, f)
			}
			_, err := ParseRouting(b)
			if err == nil {
				t.Fatalf("ParseRouting succeeded, want error containing %q", tt.want)
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

// TestNewCrossChecks covers files that are valid alone but disagree.
func TestNewCrossChecks(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(t *testing.T) Config
		want string
	}{
		{"grid's office not in routing", func(t *testing.T) Config {
			m := gridsFile(t)
			props(m, "funing-01")["office"] = "funing-north"
			return Config{Grids: mustJSON(t, m)}
		}, `features (funing-01): office "funing-north" is not in the routing table`},
		{"grid assigned to another district's office", func(t *testing.T) Config {
			m := gridsFile(t)
			props(m, "funing-01")["office"] = "lulong"
			return Config{Grids: mustJSON(t, m)}
		}, `grid of district "funing" is assigned to office "lulong"`},
		{"routing names a grid the grids file lacks", func(t *testing.T) Config {
			f := routingFileOf(t)
			f.Grids = append(f.Grids, GridTeam{Grid: "funing-09", District: "funing", Officer: "赵六"})
			return Config{Routing: mustJSON(t, f)}
		}, `grid "funing-09" is not in the grids file`},
		{"routing puts a grid in the wrong district", func(t *testing.T) Config {
			f := routingFileOf(t)
			f.Grids[0].District = "etdz"
			return Config{Routing: mustJSON(t, f)}
		}, `grid "haigang-01" is in district "haigang" in the grids file, not "etdz"`},
		{"bad calendar stops New", func(t *testing.T) Config { return Config{Calendar: []byte(`{}`)} }, "calendar: years: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg(t))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigFromFiles(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/calendar.json"
	if err := writeFile(path, `{"years": []}`); err != nil {
		t.Fatal(err)
	}
	cfg, err := ConfigFromFiles(path, "", "")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Calendar().Years()) != 0 {
		t.Error("the operator's calendar was not used")
	}
	if _, err := ConfigFromFiles(dir+"/missing.json", "", ""); err == nil {
		t.Error("ConfigFromFiles(missing file) succeeded")
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
