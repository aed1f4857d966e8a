package shian_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/inspections"
	"shian/staff"
)

// docs/inspections.md's grade table is the shipped grade rules file.
func TestDocsInspectionGrades(t *testing.T) {
	b, err := os.ReadFile("inspections/data/grade_rules.json")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := inspections.ParseGradeRules(b)
	if err != nil {
		t.Fatal(err)
	}
	rows := mdTable(t, "inspections.md", "overall result", "with an order to rectify", "dynamic grade (default)")
	if len(rows) != 4 {
		t.Fatalf("grade table has %d rows", len(rows))
	}
	for _, r := range rows {
		if got := rules.Result(r[0], nil, r[1] == "yes"); got != r[2] {
			t.Errorf("inspections.md: %s (order %s) gives %s; grade_rules.json gives %s", r[0], r[1], r[2], got)
		}
	}
}

// docs/complaints.md's on-site verification table is staff.CanVerify.
func TestDocsVerificationSteps(t *testing.T) {
	rows := mdTable(t, "complaints.md", "kind", "statuses that take a check", "why")
	for _, r := range rows {
		listed := strings.Split(strings.ReplaceAll(r[1], " ", ""), ",")
		for _, st := range staff.States(r[0]) {
			if got := staff.CanVerify(staff.CaseState{Kind: r[0], Status: st}); got != slices.Contains(listed, st) {
				t.Errorf("complaints.md: %s in %s takes a check: docs %v, staff %v", r[0], st, !got, got)
			}
		}
	}
}

// The example line of the decisions JSONL contract imports.
func TestDocsDecisionsExample(t *testing.T) {
	b, err := os.ReadFile("docs/data-contract.md")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^\{"number":.*\}$`).FindString(string(b))
	ds, bad, err := inspections.ParseDecisions(strings.NewReader(line), time.Date(2026, 7, 15, 0, 0, 0, 0, shian.CST))
	if err != nil || len(bad) != 0 || len(ds) != 1 {
		t.Fatalf("example %q: %v %v", line, bad, err)
	}
}
