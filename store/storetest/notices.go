package storetest

import (
	"context"
	"testing"
	"time"

	"shian"
	"shian/staff"
)

func runNotices(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	svc := StaffService(t, db)
	admin := &staff.Principal{Name: "admin", Role: staff.RoleAdmin}
	c := MustFile(t, db, shian.KindComplaint, "beidaihe", "beidaihe-01")
	if _, err := svc.Transition(ctx, admin, c.Ticket, staff.TransitionInput{To: shian.ComplaintAccepted, Note: "internal", Public: false}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Transition(ctx, admin, c.Ticket, staff.TransitionInput{To: shian.ComplaintMediating}); err != nil {
		t.Fatal(err)
	}
	ns, err := db.Notices(ctx, c.ID)
	if err != nil || len(ns) != 2 || ns[0].Status != shian.ComplaintAccepted || ns[0].Ticket != c.Ticket || ns[0].State != shian.NoticePending {
		t.Fatalf("queued notices (the internal note queues none): %+v, %v", ns, err)
	}
	claimed, err := db.ClaimNotices(ctx, 1, time.Minute)
	if err != nil || len(claimed) != 1 || claimed[0].Attempts != 1 {
		t.Fatalf("claim: %+v, %v", claimed, err)
	}
	if err := db.FinishNotice(ctx, claimed[0].ID, shian.NoticeSent, "sms", "", time.Time{}); err != nil {
		t.Fatal(err)
	}
	second, _ := db.ClaimNotices(ctx, 10, -time.Second) // a lease already over: its worker is as good as dead
	if len(second) != 1 {
		t.Fatalf("second claim: %+v", second)
	}
	if again, _ := db.ClaimNotices(ctx, 10, time.Minute); len(again) != 0 {
		t.Fatalf("a notice whose sender died was claimed again: %+v", again)
	}
	ns, _ = db.Notices(ctx, c.ID)
	if ns[0].State != shian.NoticeSent || ns[1].State != shian.NoticeUncertain {
		t.Fatalf("states %s, %s", ns[0].State, ns[1].State)
	}
	if err := db.SetNoticeRecipient(ctx, c.ID, "sealed-1", Now); err != nil {
		t.Fatal(err)
	}
	if err := db.SetNoticeRecipient(ctx, c.ID, "sealed-2", Now); err != nil {
		t.Fatal(err)
	}
	if _, openID, err := db.NoticeRecipient(ctx, c.ID); err != nil || openID != "sealed-2" {
		t.Fatalf("recipient %q, %v", openID, err)
	}
}
