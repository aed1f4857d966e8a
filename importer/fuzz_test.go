package importer_test

import (
	"bytes"
	"testing"
	"testing/fstest"

	"shian/importer"
)

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(good + "\n" + good + "\n"))
	f.Add([]byte(rich))
	f.Add([]byte("\xef\xbb\xbf\n\xef\xbb\xbf{}"))
	f.Add([]byte(`{"licence":"JY11303020001234","lat":39.9}` + "\n\xff\n[1]\n{} {}\n"))
	f.Add([]byte(`{"licence":"JY11303020001234","name":"x","category":"online","address":"y","district":"etdz","inspections":[{"date":"2026-01-01","score":-1}],"annual":[{"year":1e3}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := importer.ParseJSONL(bytes.NewReader(data), importer.Options{Now: now, MaxLine: 4096})
		if err != nil {
			t.Fatalf("error from an in-memory reader: %v", err)
		}
		if res.Lines != len(res.Shops)+len(res.Errors) {
			t.Errorf("%d lines gave %d shops and %d errors", res.Lines, len(res.Shops), len(res.Errors))
		}
		checkResult(t, res)
	})
}

func FuzzParseLIVES(f *testing.F) {
	f.Add(feed["businesses.csv"], feed["inspections.csv"], feed["violations.csv"], feed["legend.csv"])
	f.Add("business_id,name\nX,\"y\n", "business_id,date\n", "", "minimum_score,maximum_score,description\n0,100,A\n")
	f.Add("business_id,name,district,address,latitude\nJY123456,店,haigang,路,40\n", "business_id,date,result\nJY123456,20260101,good\n", "business_id,date\njy123456,20260101\n", "")
	f.Fuzz(func(t *testing.T, businesses, inspections, violations, legend string) {
		fsys := fstest.MapFS{
			"businesses.csv":  {Data: []byte(businesses)},
			"inspections.csv": {Data: []byte(inspections)},
		}
		if violations != "" {
			fsys["violations.csv"] = &fstest.MapFile{Data: []byte(violations)}
		}
		if legend != "" {
			fsys["legend.csv"] = &fstest.MapFile{Data: []byte(legend)}
		}
		res, err := importer.ParseLIVES(fsys, livesOpts())
		if err != nil {
			t.Fatalf("error for a feed with both files: %v", err)
		}
		checkResult(t, res)
	})
}

// checkResult checks what every parser promises: each shop passes the
// domain validation, licences are unique, and errors name a line.
func checkResult(t *testing.T, res *importer.Result) {
	t.Helper()
	seen := map[string]bool{}
	for _, s := range res.Shops {
		if err := s.Validate(now()); err != nil {
			t.Errorf("shop %q does not validate: %v", s.Licence, err)
		}
		if seen[s.Licence] {
			t.Errorf("licence %s returned twice", s.Licence)
		}
		seen[s.Licence] = true
		for i := 1; i < len(s.Inspections); i++ {
			if s.Inspections[i].Date.After(s.Inspections[i-1].Date) {
				t.Errorf("shop %s: inspections not newest first", s.Licence)
			}
		}
	}
	for _, e := range res.Errors {
		if e.Line < 1 || e.Message == "" {
			t.Errorf("error without a line or message: %+v", e)
		}
	}
}
