package shian_test

import (
	"testing"
	"time"

	"shian"
)

func TestEnforcementDecisionValidate(t *testing.T) {
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)
	good := func() shian.EnforcementDecision {
		return shian.EnforcementDecision{Number: "秦市监罚〔2026〕1号", DecidedOn: d("2026-06-01"), PublishedOn: d("2026-06-10"),
			PartyName: "老二位海鲜", CreditCode: "91350100M000100Y43", Violation: "销售过期食品", LegalBasis: "食品安全法第一百二十四条",
			Penalties: []string{"warning"}, Authority: "秦皇岛市市场监督管理局"}
	}
	if d := good(); d.Validate(now) != nil {
		t.Fatalf("good decision refused: %v", d.Validate(now))
	}
	for _, tc := range []struct {
		name  string
		f     func(*shian.EnforcementDecision)
		field string
	}{
		{"ID number in the party name", func(d *shian.EnforcementDecision) { d.PartyName = "张三（身份证130302198001011233）" }, "party_name"},
		{"bad credit code check", func(d *shian.EnforcementDecision) { d.CreditCode = "91350100M000100Y44" }, "credit_code"},
		{"future decision", func(d *shian.EnforcementDecision) { d.DecidedOn = d.DecidedOn.AddDate(1, 0, 0) }, "decided_on"},
		{"published before decided", func(d *shian.EnforcementDecision) { d.PublishedOn = d.DecidedOn.AddDate(0, 0, -1) }, "published_on"},
		{"fine without a sum", func(d *shian.EnforcementDecision) { d.Penalties = []string{"fine"} }, "fine_yuan"},
		{"sum without a fine", func(d *shian.EnforcementDecision) { d.FineYuan = 100 }, "fine_yuan"},
		{"unknown penalty", func(d *shian.EnforcementDecision) { d.Penalties = []string{"jail"} }, "penalties[0]"},
		{"no violation", func(d *shian.EnforcementDecision) { d.Violation = " " }, "violation"},
	} {
		d := good()
		tc.f(&d)
		err := d.Validate(now)
		e, _ := err.(*shian.Error)
		if e == nil || e.Field != tc.field {
			t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
		}
	}
	// An 18-digit number that fails the ID check (an order number) is allowed.
	d := good()
	d.Violation = "订单号 130302198001011236 的外卖"
	if err := d.Validate(now); err != nil {
		t.Errorf("a non-ID number refused: %v", err)
	}
}

func TestOverallResultAndGradeRules(t *testing.T) {
	it := func(key bool, r string) shian.InspectionItem {
		return shian.InspectionItem{Code: "x", Key: key, Result: r}
	}
	for _, tc := range []struct {
		name    string
		items   []shian.InspectionItem
		rectify bool
		score   *float64
		overall string
		grade   string
	}{
		{"all compliant", []shian.InspectionItem{it(true, "compliant"), it(false, "compliant")}, false, nil, "compliant", "excellent"},
		{"general item non-compliant", []shian.InspectionItem{it(true, "compliant"), it(false, "non_compliant")}, false, nil, "mostly", "good"},
		{"key item mostly", []shian.InspectionItem{it(true, "mostly"), it(false, "compliant")}, false, nil, "mostly", "good"},
		{"mostly with an order", []shian.InspectionItem{it(false, "mostly")}, true, nil, "mostly", "fair"},
		{"key item non-compliant", []shian.InspectionItem{it(false, "mostly"), it(true, "non_compliant")}, false, nil, "non_compliant", "fail"},
		{"a score decides", []shian.InspectionItem{it(true, "non_compliant")}, false, sc(89.9), "non_compliant", "good"},
	} {
		o := shian.OverallResult(tc.items)
		if g := shian.DefaultGradeRules.Result(o, tc.score, tc.rectify); o != tc.overall || g != tc.grade {
			t.Errorf("%s: %s → %s, want %s → %s", tc.name, o, g, tc.overall, tc.grade)
		}
	}
}
