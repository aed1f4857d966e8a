package importer_test

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"shian"
	"shian/importer"
)

// feed is a small LIVES feed as another city's system would write it, with
// our extension columns on some rows only.
var feed = map[string]string{
	"businesses.csv": "\ufeffbusiness_id,name,address,city,state,postal_code,latitude,longitude,phone_number,district,category,name_en,status,licensed_on\n" +
		"jy11303020001234,老渔家海鲜大排档,河北大街88号,Qinhuangdao,河北,066000,39.93,119.6,0335-1234567,haigang,,Old Fisherman,,20200301\n" +
		"JY11303020005678,\"山海关饺子馆, 老店\",南关大街1号,山海关区,河北,066200,,,,,,,suspended,\n" +
		"JY11303020009999,北戴河咖啡馆,保二路5号,Qinhuangdao,河北,,39.83,119.48,,,retail,,,\n",
	"inspections.csv": "business_id,score,date,description,type\n" +
		"JY11303020001234,92,20250501,routine visit,routine\n" +
		"JY11303020001234,71,20260520,,routine\n" +
		"JY11303020005678,58,20260110,closed for rectification,complaint\n" +
		"JY11303020009999,88,20260301,,routine\n",
	"violations.csv": "business_id,date,code,description\n" +
		"JY11303020001234,20260520,V12,冷藏温度不达标\n" +
		"JY11303020005678,20260110,V3,\n",
	"legend.csv": "minimum_score,maximum_score,description\n" +
		"85,100,优秀\n70,84,良好\n60,69,一般\n0,59,不合格\n",
	"feed_info.csv": "feed_date,feed_version,municipality_name\n20260601,1.0,Qinhuangdao\n",
}

func mapFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, body := range files {
		m[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

// locate puts everything north of 39.9 in haigang and the rest in beidaihe.
func locate(lat, lng float64) (string, bool) {
	if lat > 39.9 {
		return "haigang", true
	}
	return "beidaihe", true
}

func livesOpts() importer.Options { return importer.Options{Now: now, Locate: locate} }

func TestParseLIVES(t *testing.T) {
	res, err := importer.ParseLIVES(mapFS(feed), livesOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 {
		t.Fatalf("errors: %v", importer.ErrorList(res.Errors))
	}
	if len(res.Shops) != 3 {
		t.Fatalf("got %d shops, want 3", len(res.Shops))
	}
	a, b, c := res.Shops[0], res.Shops[1], res.Shops[2]
	tests := []struct {
		name      string
		got, want any
	}{
		{"business_id upper-cased to licence", a.Licence, "JY11303020001234"},
		{"district column", a.District, "haigang"},
		{"category defaults to restaurant", a.Category, "restaurant"},
		{"name_en", a.NameEN, "Old Fisherman"},
		{"phone", a.Phone, "0335-1234567"},
		{"licensed_on YYYYMMDD", a.LicensedOn.Format(shian.DateLayout), "2020-03-01"},
		{"inspections newest first", a.Inspections[0].Date.Format(shian.DateLayout), "2026-05-20"},
		{"legend maps 71 to good", a.Inspections[0].Result, shian.ResultGood},
		{"legend maps 92 to excellent", a.Inspections[1].Result, shian.ResultExcellent},
		{"violations are items failed", strings.Join(a.Inspections[0].ItemsFailed, ","), "冷藏温度不达标"},
		{"description is notes", a.Inspections[1].Notes, "routine visit"},
		{"quoted name", b.Name, "山海关饺子馆, 老店"},
		{"district from Chinese city", b.District, "shanhaiguan"},
		{"status column", b.Status, shian.StatusSuspended},
		{"violation without description uses code", strings.Join(b.Inspections[0].ItemsFailed, ","), "V3"},
		{"legend maps 58 to fail", b.Inspections[0].Result, shian.ResultFail},
		{"district from Locate", c.District, "beidaihe"},
		{"category column", c.Category, "retail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !equal(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}

	t.Run("cut-offs without a legend", func(t *testing.T) {
		files := copyFeed()
		delete(files, "legend.csv")
		res, err := importer.ParseLIVES(mapFS(files), livesOpts())
		if err != nil || len(res.Errors) > 0 {
			t.Fatal(err, importer.ErrorList(res.Errors))
		}
		if got := res.Shops[0].Inspections[0].Result; got != shian.ResultFair {
			t.Errorf("71 gave %s, want fair by the cut-offs of docs/grades.md", got)
		}
	})
}

func copyFeed() map[string]string {
	m := map[string]string{}
	for k, v := range feed {
		m[k] = v
	}
	return m
}

func TestParseLIVESBad(t *testing.T) {
	tests := []struct {
		name       string
		file, old  string // replace old by new in file
		new        string
		wantFile   string
		line       int
		field, msg string
		wantShops  int
		noLocate   bool
		errs       int // errors expected (0: one)
	}{
		{"unknown district", "businesses.csv", "haigang,,Old", "xx,,Old", "businesses.csv", 2, "district", `unknown district "xx"`, 2, false, 0},
		{"unknown category", "businesses.csv", "retail", "bar", "businesses.csv", 4, "category", `unknown category "bar"`, 2, false, 0},
		{"latitude without longitude", "businesses.csv", "39.83,119.48", "39.83,", "businesses.csv", 4, "longitude", "without longitude", 2, false, 0},
		{"outside city", "businesses.csv", "39.83,119.48", "31.2,121.5", "businesses.csv", 4, "latitude", "outside Qinhuangdao", 2, false, 0},
		{"no district at all", "businesses.csv", "39.83,119.48", ",", "businesses.csv", 4, "district", "no district", 2, false, 0},
		{"no Locate", "businesses.csv", "", "", "businesses.csv", 4, "district", "no district", 2, true, 0},
		{"bad licence", "*", "JY11303020009999", "JY9", "businesses.csv", 4, "business_id", "6–32 upper-case", 2, false, 0},
		{"duplicate business", "*", "JY11303020009999", "JY11303020005678", "businesses.csv", 4, "business_id", "duplicate business_id JY11303020005678, first on line 3", 2, false, 0},
		{"future licence", "businesses.csv", "20200301", "20270101", "businesses.csv", 2, "licensed_on", "in the future", 2, false, 0},
		{"bad date", "inspections.csv", "20260520", "2026052", "inspections.csv", 3, "date", "YYYYMMDD", 2, false, 0},
		{"future inspection", "*", "20260520", "20260701", "inspections.csv", 3, "date", "in the future", 2, false, 0},
		{"bad score", "inspections.csv", ",71,", ",7l,", "inspections.csv", 3, "score", "must be a number 0–100", 2, false, 0},
		{"no score", "inspections.csv", ",71,", ",,", "inspections.csv", 3, "score", "is required", 2, false, 0},
		{"unknown business", "inspections.csv", "JY11303020009999,88", "JY00000000000000,88", "inspections.csv", 5, "business_id", "no business JY00000000000000", 3, false, 0},
		{"violation without inspection", "violations.csv", "20260520", "20260521", "violations.csv", 2, "date", "no inspection of JY11303020001234 on 2026-05-21", 2, false, 0},
		{"unmappable legend", "legend.csv", "良好", "so-so", "legend.csv", 3, "description", `cannot map "so-so"`, 3, false, 0},
		{"invalid UTF-8", "businesses.csv", "北戴河咖啡馆", "北\xff", "businesses.csv", 4, "name", "invalid UTF-8", 2, false, 0},
		{"malformed CSV", "businesses.csv", "北戴河咖啡馆", `北"戴`, "businesses.csv", 4, "", "malformed CSV", 2, false, 2},
		{"missing column", "inspections.csv", "business_id,score,date", "business_id,score,day", "inspections.csv", 1, "date", "missing column", 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := copyFeed()
			for name := range files {
				if tt.file == "*" && name != "legend.csv" || name == tt.file {
					if !strings.Contains(files[name], tt.old) && tt.file != "*" {
						t.Fatalf("%s has no %q", name, tt.old)
					}
					files[name] = strings.ReplaceAll(files[name], tt.old, tt.new)
				}
			}
			o := livesOpts()
			if tt.noLocate {
				o.Locate = nil
			}
			res, err := importer.ParseLIVES(mapFS(files), o)
			if err != nil {
				t.Fatal(err)
			}
			if want := max(tt.errs, 1); len(res.Errors) != want {
				t.Fatalf("got errors %v, want %d", importer.ErrorList(res.Errors), want)
			}
			e := res.Errors[0]
			t.Log(importer.ErrorList(res.Errors))
			if e.File != tt.wantFile || e.Line != tt.line || e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %q, want %s line %d, field %q, message containing %q", e.Error(), tt.wantFile, tt.line, tt.field, tt.msg)
			}
			if len(res.Shops) != tt.wantShops {
				t.Errorf("got %d good shops, want %d", len(res.Shops), tt.wantShops)
			}
		})
	}

	t.Run("not a feed", func(t *testing.T) {
		_, err := importer.ParseLIVES(fstest.MapFS{"x.csv": {}}, livesOpts())
		if shian.ErrorCode(err) != shian.EINVALID || !strings.Contains(err.Error(), "businesses.csv") {
			t.Errorf("got %v, want EINVALID naming businesses.csv", err)
		}
	})
}

// writeFeed writes files into dir/sub.
func writeFeed(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func writeZip(t *testing.T, path, prefix string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, err := zw.Create(prefix + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenLIVES(t *testing.T) {
	dir := t.TempDir()
	writeFeed(t, filepath.Join(dir, "feed"), feed)
	writeZip(t, filepath.Join(dir, "flat.zip"), "", feed)
	writeZip(t, filepath.Join(dir, "folder.zip"), "qhd-2026/", feed)
	if err := os.WriteFile(filepath.Join(dir, "junk.zip"), []byte("not a zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		wantErr    bool
	}{
		{"directory", "feed", false},
		{"zip", "flat.zip", false},
		{"zip of a folder", "folder.zip", false},
		{"missing", "nope", true},
		{"not a zip", "junk.zip", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys, closer, err := importer.OpenLIVES(filepath.Join(dir, tt.path))
			if tt.wantErr {
				if err == nil {
					t.Fatal("opened, want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer closer.Close()
			res, err := importer.ParseLIVES(fsys, livesOpts())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Shops) != 3 || len(res.Errors) != 0 {
				t.Errorf("got %d shops and errors %v, want 3 and none", len(res.Shops), importer.ErrorList(res.Errors))
			}
		})
	}
}
