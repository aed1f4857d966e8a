package inspections

import (
	"bytes"
	"testing"
	"time"

	"shian"
)

// FuzzParseDecisions: any file gives decisions that validate, or line
// errors, never a panic.
func FuzzParseDecisions(f *testing.F) {
	f.Add([]byte(`{"number":"秦市监罚〔2026〕1号","decided_on":"2026-06-20","published_on":"2026-06-30","party_name":"x","violation":"v","legal_basis":"b","penalties":["warning"],"authority":"a"}`))
	f.Add([]byte("{\"number\":1}\n\xff\n{}\n"))
	f.Add([]byte(`{"number":"n","decided_on":"2026-06-20","published_on":"2026-06-30","party_name":"张三 130302198001011233","violation":"v","legal_basis":"b","penalties":["fine"],"fine_yuan":-1,"authority":"a"}`))
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, _, err := ParseDecisions(bytes.NewReader(b), now)
		if err != nil {
			return
		}
		for _, d := range ds {
			if err := d.Validate(now); err != nil {
				t.Fatalf("a parsed decision does not validate: %v", err)
			}
		}
	})
}

// FuzzInspectionInput: Validate never panics, and what it accepts has two
// distinct inspectors and a date not in the future.
func FuzzInspectionInput(f *testing.F) {
	f.Add("d1", "JY1130302000001", "routine", "2026-07-14", "王", "李", "1.1", "compliant", 0)
	f.Add("d 2", "x", "patrol", "2027-01-01", "王", "王", "", "mostly", -3)
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, draft, licence, typ, date, a, b, code, result string, days int) {
		d, _ := shian.ParseDate(date)
		in := shian.InspectionInput{DraftKey: draft, Licence: licence, Type: typ, Date: d, Inspectors: []string{a, b},
			Items: []shian.InspectionItem{{Code: code, Result: result}}, RectifyDays: days}
		if in.Validate(now) != nil {
			return
		}
		if in.Inspectors[0] == in.Inspectors[1] || in.Date.After(now) || in.RectifyDays < 0 {
			t.Fatalf("accepted %+v", in)
		}
	})
}
