package shian_test

import (
	"testing"
	"time"

	"shian"
)

func d(s string) time.Time {
	t, err := shian.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func sc(n float64) *float64 { return &n }

func TestResultForScore(t *testing.T) {
	for _, tc := range []struct {
		score float64
		want  string
	}{
		{100, "excellent"}, {90, "excellent"}, {89.9, "good"}, {89.99, "good"}, {89, "good"}, {75, "good"},
		{74.95, "fair"}, {74, "fair"}, {60, "fair"}, {59.9, "fail"}, {59, "fail"}, {0, "fail"},
	} {
		if got := shian.ResultForScore(tc.score); got != tc.want {
			t.Errorf("ResultForScore(%v) = %s, want %s", tc.score, got, tc.want)
		}
	}
}

func TestComputeGrade(t *testing.T) {
	now := time.Date(2026, 7, 15, 12, 0, 0, 0, shian.CST)
	ins := func(date string, result string, score float64) shian.Inspection {
		in := shian.Inspection{Date: d(date), Result: result}
		if score >= 0 {
			in.Score = sc(score)
		}
		return in
	}
	cases := []struct {
		name string
		shop shian.Shop
		want shian.Grade
	}{
		{"never inspected", shian.Shop{Status: "open"},
			shian.Grade{Dynamic: "not_graded", Status: "open"}},
		{"licensed 89 days ago is not graded", shian.Shop{Status: "open", LicensedOn: d("2026-04-17"),
			Inspections: []shian.Inspection{ins("2026-07-01", "", 95)}},
			shian.Grade{Dynamic: "not_graded", Status: "open"}},
		{"licensed 91 days ago is graded", shian.Shop{Status: "open", LicensedOn: d("2026-04-15"),
			Inspections: []shian.Inspection{ins("2026-07-01", "", 95)}},
			shian.Grade{Dynamic: "excellent", DynamicDate: "2026-07-01", Status: "open"}},
		{"latest inspection wins, whatever the order", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2026-01-10", "excellent", -1), ins("2026-06-10", "fair", -1), ins("2025-03-01", "fail", -1)}},
			shian.Grade{Dynamic: "fair", DynamicDate: "2026-06-10", Status: "open", AnnualYear: 2025}},
		{"score exactly 90 is excellent and A", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-04-01", "", 90), ins("2025-10-01", "", 90)}},
			shian.Grade{Dynamic: "excellent", DynamicDate: "2025-10-01", Annual: "A", AnnualYear: 2025, Status: "open"}},
		{"score exactly 75 is good and B", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-10-01", "", 75)}},
			shian.Grade{Dynamic: "good", DynamicDate: "2025-10-01", Annual: "B", AnnualYear: 2025, Status: "open"}},
		{"score exactly 60 is fair and C", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-10-01", "", 60)}},
			shian.Grade{Dynamic: "fair", DynamicDate: "2025-10-01", Annual: "C", AnnualYear: 2025, Status: "open"}},
		{"mean 89.5 is B", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-04-01", "", 89), ins("2025-10-01", "", 90)}},
			shian.Grade{Dynamic: "excellent", DynamicDate: "2025-10-01", Annual: "B", AnnualYear: 2025, Status: "open"}},
		{"one fail in the year gives no annual grade", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-03-01", "", 98), ins("2025-06-01", "fail", 55), ins("2025-11-01", "", 97)}},
			shian.Grade{Dynamic: "excellent", DynamicDate: "2025-11-01", Status: "open", AnnualYear: 2025}},
		{"mean below 60 gives no annual grade", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-03-01", "fair", 50)}},
			shian.Grade{Dynamic: "fair", DynamicDate: "2025-03-01", Status: "open", AnnualYear: 2025}},
		{"the current year's inspections do not make an annual grade yet", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2026-03-01", "", 95)}},
			shian.Grade{Dynamic: "excellent", DynamicDate: "2026-03-01", Status: "open"}},
		{"supplied annual grade wins over computed", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-03-01", "", 95)}, Annual: []shian.AnnualGrade{{Year: 2025, Grade: "C"}}},
			shian.Grade{Dynamic: "excellent", DynamicDate: "2025-03-01", Annual: "C", AnnualYear: 2025, AnnualSupplied: true, Status: "open"}},
		{"a newer computed year beats an older supplied one", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-03-01", "", 80)}, Annual: []shian.AnnualGrade{{Year: 2024, Grade: "A"}}},
			shian.Grade{Dynamic: "good", DynamicDate: "2025-03-01", Annual: "B", AnnualYear: 2025, Status: "open"}},
		{"results without scores: worst result decides", shian.Shop{Status: "open",
			Inspections: []shian.Inspection{ins("2025-03-01", "excellent", -1), ins("2025-09-01", "good", -1)}},
			shian.Grade{Dynamic: "good", DynamicDate: "2025-09-01", Annual: "B", AnnualYear: 2025, Status: "open"}},
		{"suspended shows its status above the grade", shian.Shop{Status: "suspended",
			Inspections: []shian.Inspection{ins("2026-06-01", "fail", 40)}},
			shian.Grade{Dynamic: "fail", DynamicDate: "2026-06-01", Status: "suspended", StatusNote: "suspended"}},
		{"closed", shian.Shop{Status: "closed"},
			shian.Grade{Dynamic: "not_graded", Status: "closed", StatusNote: "closed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := shian.ComputeGrade(&tc.shop, now); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
