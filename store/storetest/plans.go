package storetest

import (
	"context"
	"fmt"
	"testing"

	"shian"
	"shian/inspections"
	"shian/staff"
)

func runPlans(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	var shops []*shian.Shop
	for i := range 30 {
		s := Shop(fmt.Sprintf("JY11303040%05d", i), fmt.Sprintf("海鲜%d", i), "beidaihe")
		s.Grid = fmt.Sprintf("beidaihe-0%d", i%3+1)
		shops = append(shops, s)
	}
	if _, err := db.UpsertShops(ctx, shops); err != nil {
		t.Fatal(err)
	}
	svc := StaffService(t, db)
	for i := range 9 {
		if _, err := svc.AddUser(ctx, staff.User{Name: fmt.Sprintf("officer%d", i), Role: staff.RoleOfficer, District: "beidaihe",
			Grid: fmt.Sprintf("beidaihe-0%d", i%3+1)}, "cli"); err != nil {
			t.Fatal(err)
		}
	}
	plans := &inspections.Plans{Store: db, Weights: inspections.DefaultPlanWeights(), Now: db.Now}
	office := inspections.Scope{Officer: "chief", District: "beidaihe"}
	if _, err := plans.Seed(ctx, inspections.Scope{Officer: "x", District: "haigang"}, "beidaihe", "2026-08"); shian.ErrorCode(err) != shian.EFORBIDDEN {
		t.Fatalf("another district's plan: %v", err)
	}
	p, err := plans.Seed(ctx, office, "beidaihe", "2026-08")
	if err != nil || len(p.Seed) != 64 {
		t.Fatalf("seed: %+v, %v", p, err)
	}
	drawn, err := plans.Draw(ctx, office, "beidaihe", "2026-08", 10)
	if err != nil || len(drawn.Items) != 10 {
		t.Fatalf("draw: %v", err)
	}
	if err := plans.Verify(ctx, "beidaihe", "2026-08"); err != nil {
		t.Fatalf("verify: %v", err)
	}
	if _, err := plans.Draw(ctx, office, "beidaihe", "2026-08", 10); shian.ErrorCode(err) != shian.ECONFLICT {
		t.Fatalf("second draw: %v", err)
	}
	if err := plans.Publish(ctx, office, "beidaihe", "2026-08"); err != nil {
		t.Fatal(err)
	}
	if _, err := plans.Seed(ctx, office, "beidaihe", "2026-08"); shian.ErrorCode(err) != shian.ECONFLICT {
		t.Fatalf("plan for a published month: %v", err)
	}
	// September avoids August's pairs.
	if _, err := plans.Seed(ctx, office, "beidaihe", "2026-09"); err != nil {
		t.Fatal(err)
	}
	sep, err := plans.Draw(ctx, office, "beidaihe", "2026-09", 10)
	if err != nil || len(sep.Inputs.PreviousPairs) != 10 {
		t.Fatalf("september: %v", err)
	}
	// A changed row no longer verifies.
	if _, err := db.DB.Exec(db.Q(`UPDATE plan_items SET inspector_a = 'someone' WHERE plan_id = ? AND pos = 3`), drawn.ID); err != nil {
		t.Fatal(err)
	}
	if err := plans.Verify(ctx, "beidaihe", "2026-08"); shian.ErrorCode(err) != shian.ECONFLICT {
		t.Fatalf("verify after tampering: %v", err)
	}
}
