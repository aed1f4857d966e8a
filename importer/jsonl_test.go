package importer_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/importer"
	"shian/importer/internal/gen"
)

// now is the clock of every test: 15 June 2026, midday in Qinhuangdao.
func now() time.Time { return time.Date(2026, 6, 15, 4, 0, 0, 0, time.UTC) }

func opts() importer.Options { return importer.Options{Now: now} }

// good is a valid line; bad cases are written as changes to it.
const good = `{"licence":"JY11303020001234","name":"老渔家海鲜大排档","name_en":"Old Fisherman Seafood","category":"restaurant","address":"河北大街88号","district":"haigang","lat":39.93,"lng":119.6,"licensed_on":"2020-03-01","inspections":[{"date":"2025-05-01","score":92},{"date":"2026-05-20","result":"fair","items_failed":["冷藏温度不达标"],"inspector":"王"}],"annual":[{"year":2025,"grade":"A"}]}`

// with returns good with the first occurrence of old replaced by new.
func with(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(good, old) {
		t.Fatalf("good line has no %q", old)
	}
	return strings.Replace(good, old, new, 1)
}

func TestParseJSONLGood(t *testing.T) {
	in := "\xef\xbb\xbf" + good + "\n\n   \n" +
		`{"licence":"SC10513030200017","name":"包子铺","category":"street_vendor","address":"东大街1号","district":"shanhaiguan","status":"suspended","haccp":true,"aliases":["老包子"],"grid":"G-7"}` + "\r\n"
	res, err := importer.ParseJSONL(strings.NewReader(in), importer.Options{
		Now:     now,
		GridFor: func(d string, lat, lng float64) string { return d + "-grid" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 0 {
		t.Fatalf("errors: %v", importer.ErrorList(res.Errors))
	}
	if len(res.Shops) != 2 || res.Lines != 2 {
		t.Fatalf("got %d shops from %d lines, want 2 from 2", len(res.Shops), res.Lines)
	}
	s := res.Shops[0]
	tests := []struct {
		name      string
		got, want any
	}{
		{"licence", s.Licence, "JY11303020001234"},
		{"status defaults to open", s.Status, shian.StatusOpen},
		{"geo", [3]any{s.HasGeo, s.Lat, s.Lng}, [3]any{true, 39.93, 119.6}},
		{"grid from GridFor", s.Grid, "haigang-grid"},
		{"licensed_on", s.LicensedOn, time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"inspections newest first", s.Inspections[0].Date.Format(shian.DateLayout), "2026-05-20"},
		{"result derived from score", s.Inspections[1].Result, shian.ResultExcellent},
		{"items_failed", strings.Join(s.Inspections[0].ItemsFailed, ","), "冷藏温度不达标"},
		{"annual", s.Annual, []shian.AnnualGrade{{Year: 2025, Grade: "A"}}},
		{"second: status", res.Shops[1].Status, shian.StatusSuspended},
		{"second: grid kept", res.Shops[1].Grid, "G-7"},
		{"second: no geo", res.Shops[1].HasGeo, false},
		{"second: haccp", res.Shops[1].HACCP, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !equal(tt.got, tt.want) {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func equal(a, b any) bool {
	if at, ok := a.(time.Time); ok {
		return at.Equal(b.(time.Time))
	}
	return strings.TrimSpace(sprint(a)) == strings.TrimSpace(sprint(b))
}

func sprint(v any) string { return fmt.Sprintf("%v", v) }

func TestParseJSONLGenerated(t *testing.T) {
	// The benchmark's generator must keep writing valid files.
	var buf bytes.Buffer
	if err := gen.WriteJSONL(&buf, gen.Options{Shops: 300, Inspections: 5, Seed: 7, Now: now()}); err != nil {
		t.Fatal(err)
	}
	res, err := importer.ParseJSONL(&buf, opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 || len(res.Shops) != 300 || len(res.Shops[0].Inspections) != 5 {
		t.Fatalf("got %d shops and errors %v, want 300 valid shops with 5 inspections", len(res.Shops), importer.ErrorList(res.Errors))
	}
}

func TestParseJSONLBad(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		field string
		msg   string // a part of the message
	}{
		{"malformed JSON", `{"licence":"JY11303020001234","name":`, "", "malformed JSON"},
		{"malformed JSON syntax", with(t, `"name":`, `"name"`), "", "malformed JSON at byte"},
		{"not an object", `["JY11303020001234"]`, "", "one JSON object"},
		{"trailing garbage", good + ` {}`, "", "unexpected data after the JSON object"},
		{"wrong type string", with(t, `"lat":39.93`, `"lat":"39.93"`), "lat", "must be a number, got string"},
		{"wrong type score", with(t, `"score":92`, `"score":"92"`), "inspections[0].score", "must be a number"},
		{"wrong type bool", with(t, `"name_en"`, `"haccp":"yes","name_en"`), "haccp", "true or false"},
		{"wrong type inspections", with(t, `"inspections":[`, `"inspections":7,"x":[`), "inspections", "must be an array"},
		{"inspection not an object", with(t, `[{"date":"2025-05-01","score":92},`, `[1,`), "inspections[0]", "must be an object"},
		{"unknown field", with(t, `"name_en"`, `"nmae_en":"x","name_en"`), "nmae_en", "unknown field"},
		{"unknown field in inspection", with(t, `"score":92`, `"score":92,"grade":"A"`), "inspections[0].grade", "unknown field"},
		{"missing licence", with(t, `"licence":"JY11303020001234",`, ``), "licence", "is required"},
		{"bad licence", with(t, `JY11303020001234`, `jy-1`), "licence", "6–32 upper-case"},
		{"missing name", with(t, `"name":"老渔家海鲜大排档",`, ``), "name", "is required"},
		{"unknown district", with(t, `"haigang"`, `"xx"`), "district", `unknown district "xx"; allowed: haigang, shanhaiguan`},
		{"unknown category", with(t, `"restaurant"`, `"bar"`), "category", `unknown category "bar"`},
		{"lat without lng", with(t, `,"lng":119.6`, ``), "lng", "lat is given without lng"},
		{"lng without lat", with(t, `"lat":39.93,`, ``), "lat", "lng is given without lat"},
		{"outside city", with(t, `"lat":39.93`, `"lat":31.23`), "lat", "outside Qinhuangdao"},
		{"future inspection", with(t, `"2026-05-20"`, `"2026-06-16"`), "inspections[1].date", "in the future"},
		{"future licence", with(t, `"2020-03-01"`, `"2027-01-01"`), "licensed_on", "2027-01-01 is in the future"},
		{"bad date", with(t, `"2020-03-01"`, `"1/3/2020"`), "licensed_on", "YYYY-MM-DD"},
		{"score out of range", with(t, `"score":92`, `"score":101`), "inspections[0].score", "0–100"},
		{"no result nor score", with(t, `,"score":92`, ``), "inspections[0].result", "result or score is required"},
		{"bad result", with(t, `"fair"`, `"ok"`), "inspections[1].result", "must be excellent"},
		{"bad annual grade", with(t, `"grade":"A"`, `"grade":"D"`), "annual[0].grade", "A, B or C"},
		{"short credit code", with(t, `"name_en"`, `"credit_code":"91130300","name_en"`), "credit_code", "18 characters"},
		{"bad status", with(t, `"name_en"`, `"status":"gone","name_en"`), "status", "open, suspended or closed"},
		{"invalid UTF-8", with(t, `老渔家`, "老\xff渔家"), "", "invalid UTF-8 at byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bad line is line 2, between two good lines with other licences.
			other := strings.Replace(good, "JY11303020001234", "JY11303020009999", 1)
			third := strings.Replace(good, "JY11303020001234", "JY11303020008888", 1)
			res, err := importer.ParseJSONL(strings.NewReader(other+"\n"+tt.line+"\n"+third+"\n"), opts())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) != 1 {
				t.Fatalf("got errors %v, want one", importer.ErrorList(res.Errors))
			}
			e := res.Errors[0]
			t.Log(e.Error())
			if e.Line != 2 || e.Field != tt.field || !strings.Contains(e.Message, tt.msg) {
				t.Errorf("got %q (line %d, field %q), want line 2, field %q, message containing %q", e.Error(), e.Line, e.Field, tt.field, tt.msg)
			}
			if len(res.Shops) != 2 {
				t.Errorf("got %d good shops, want 2 (parsing goes on after a bad line)", len(res.Shops))
			}
		})
	}
}

func TestParseJSONLDuplicateLicence(t *testing.T) {
	other := strings.Replace(good, "JY11303020001234", "JY11303020009999", 1)
	res, err := importer.ParseJSONL(strings.NewReader(good+"\n"+other+"\n\n"+good+"\n"), opts())
	if err != nil {
		t.Fatal(err)
	}
	want := "line 4: licence: duplicate licence JY11303020001234, first on line 1"
	if len(res.Errors) != 1 || res.Errors[0].Error() != want {
		t.Fatalf("got %v, want %q", importer.ErrorList(res.Errors), want)
	}
	if len(res.Shops) != 2 {
		t.Errorf("got %d shops, want the first two", len(res.Shops))
	}
}

func TestParseJSONLHugeLine(t *testing.T) {
	// A 10 MB line (one huge name) between two good lines. The input is
	// streamed, so bytes allocated while parsing tell whether the parser
	// held the line in memory.
	other := strings.Replace(good, "JY11303020001234", "JY11303020009999", 1)
	in := io.MultiReader(
		strings.NewReader(good+"\n"+`{"licence":"JY11303020007777","name":"`),
		io.LimitReader(repeatReader('x'), 10<<20),
		strings.NewReader(`"}`+"\n"+other),
	)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := importer.ParseJSONL(in, opts())
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 {
		t.Fatalf("got %v, want one error", importer.ErrorList(res.Errors))
	}
	e := res.Errors[0]
	if e.Line != 2 || !strings.Contains(e.Message, "longer than the limit of 1048576 bytes") {
		t.Errorf("got %q, want line 2 too long", e.Error())
	}
	if len(res.Shops) != 2 || res.Shops[1].Licence != "JY11303020009999" {
		t.Errorf("got %d shops, want both good lines", len(res.Shops))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 6<<20 {
		t.Errorf("parsing allocated %d bytes; the 10 MB line must be skipped, not read into memory", alloc)
	}

	t.Run("MaxLine", func(t *testing.T) {
		res, err := importer.ParseJSONL(strings.NewReader(good+"\n"+good[:100]), importer.Options{Now: now, MaxLine: 200})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) != 2 || res.Errors[0].Line != 1 || !strings.Contains(res.Errors[0].Message, "longer than the limit of 200") {
			t.Errorf("got %v, want line 1 too long and line 2 malformed", importer.ErrorList(res.Errors))
		}
	})
}

func TestParseJSONLReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := importer.ParseJSONL(&failingReader{data: []byte(good + "\n" + good), err: boom}, opts())
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the read error", err)
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data[:min(len(r.data), 10)])
	r.data = r.data[n:]
	return n, nil
}

func TestParseJSONLProgress(t *testing.T) {
	var buf bytes.Buffer
	for i := 0; i < 20001; i++ {
		buf.WriteString("\n")
	}
	var calls []importer.Progress
	_, err := importer.ParseJSONL(&buf, importer.Options{Now: now, Progress: func(p importer.Progress) { calls = append(calls, p) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 3 || calls[0].Done != 10000 || calls[1].Done != 20000 || calls[0].Stage != "parse" {
		t.Errorf("got progress %+v, want at 10000, 20000 and the end", calls)
	}
}

// repeatReader reads an endless run of one byte.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}
