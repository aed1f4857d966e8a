package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"shian"
	"shian/staff"
	"shian/store/sqlstore"
	"shian/triage"
)

// StaffService returns the supervision service over db with the suite's
// clock.
func StaffService(tb testing.TB, db *sqlstore.DB) *staff.Service {
	tb.Helper()
	tr, err := triage.New(triage.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := staff.New(staff.Config{Store: db, Triager: tr, Now: db.Now})
	if err != nil {
		tb.Fatal(err)
	}
	return svc
}

// MustFile stores a new complaint of kind in district/grid and returns it.
func MustFile(tb testing.TB, db *sqlstore.DB, kind, district, grid string) *shian.Complaint {
	tb.Helper()
	ticket, err := shian.NewTicket()
	if err != nil {
		tb.Fatal(err)
	}
	c := Complaint(ticket, "", "hygiene")
	c.Kind, c.District, c.Grid, c.Office = kind, district, grid, district
	if kind == shian.KindReport {
		c.AcceptDue, c.VerifyDue = time.Time{}, db.Now().Add(20*24*time.Hour)
	}
	if err := db.InsertComplaint(context.Background(), c, nil, nil); err != nil {
		tb.Fatal(err)
	}
	return c
}

func officer(name, district, grid string) *staff.Principal {
	return &staff.Principal{Name: name, Role: staff.RoleOfficer, District: district, Grid: grid, Via: staff.ViaToken}
}

func runStaff(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("AccountsSessionsTokens", func(t *testing.T) {
		db := open(t)
		svc := StaffService(t, db)
		pw, err := svc.AddUser(ctx, staff.User{Name: "Wang.JG", Role: staff.RoleOfficer, District: "haigang", Grid: "haigang-01"}, "cli")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddUser(ctx, staff.User{Name: "wang.jg", Role: staff.RoleViewer}, "cli"); shian.ErrorCode(err) != shian.ECONFLICT {
			t.Fatalf("duplicate name: %v", err)
		}
		if _, _, err := svc.Login(ctx, "wang.jg", pw+"x", "127.0.0.1"); shian.ErrorCode(err) != shian.EUNAUTHORIZED {
			t.Fatalf("wrong password: %v", err)
		}
		id, p, err := svc.Login(ctx, "WANG.JG", pw, "127.0.0.1")
		if err != nil || p.District != "haigang" || p.Grid != "haigang-01" || p.CSRF == "" {
			t.Fatalf("login = %+v, %v", p, err)
		}
		got, err := svc.Authenticate(ctx, id)
		if err != nil || got.Name != "wang.jg" || got.CSRF != p.CSRF {
			t.Fatalf("authenticate = %+v, %v", got, err)
		}
		if err := svc.Logout(ctx, got); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Authenticate(ctx, id); shian.ErrorCode(err) != shian.EUNAUTHORIZED {
			t.Fatalf("after logout: %v", err)
		}
		tok, err := svc.IssueToken(ctx, "wang.jg", "ci", "cli")
		if err != nil {
			t.Fatal(err)
		}
		if p, err := svc.AuthenticateToken(ctx, tok); err != nil || p.Name != "wang.jg" || p.Via != staff.ViaToken {
			t.Fatalf("token = %+v, %v", p, err)
		}
		if n, err := svc.RevokeTokens(ctx, "wang.jg", "", "cli"); err != nil || n != 1 {
			t.Fatalf("revoke = %d, %v", n, err)
		}
		if _, err := svc.AuthenticateToken(ctx, tok); shian.ErrorCode(err) != shian.EUNAUTHORIZED {
			t.Fatalf("revoked token: %v", err)
		}
		// A password reset revokes the tokens with the sessions (issue 19).
		tok2, err := svc.IssueToken(ctx, "wang.jg", "ci2", "cli")
		if err != nil {
			t.Fatal(err)
		}
		id2, _, err := svc.Login(ctx, "wang.jg", pw, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if pw, err = svc.ResetPassword(ctx, "wang.jg", "cli"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AuthenticateToken(ctx, tok2); shian.ErrorCode(err) != shian.EUNAUTHORIZED {
			t.Fatalf("token after a password reset: %v", err)
		}
		if _, err := svc.Authenticate(ctx, id2); shian.ErrorCode(err) != shian.EUNAUTHORIZED {
			t.Fatalf("session after a password reset: %v", err)
		}
		var hash string
		db.DB.QueryRow(`SELECT password_hash FROM users WHERE name = 'wang.jg'`).Scan(&hash)
		if hash == pw || len(hash) < 40 || hash[:10] != "$argon2id$" {
			t.Fatalf("stored password hash %q", hash)
		}
	})
	t.Run("ConcurrentClaimsOneWinner", func(t *testing.T) {
		db := open(t)
		svc := StaffService(t, db)
		for round := 0; round < 3; round++ {
			c := MustFile(t, db, shian.KindComplaint, "haigang", "haigang-01")
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = svc.Claim(ctx, officer(fmt.Sprintf("officer%d", i), "haigang", ""), c.Ticket)
				}()
			}
			close(start)
			wg.Wait()
			wins := 0
			for i, err := range errs {
				switch shian.ErrorCode(err) {
				case "":
					wins++
				case shian.ECONFLICT:
				default:
					t.Fatalf("claim %d: %v", i, err)
				}
			}
			got, _ := db.Case(ctx, c.Ticket)
			if wins != 1 || got.ClaimedBy == "" {
				t.Fatalf("round %d: %d winners, claimed by %q", round, wins, got.ClaimedBy)
			}
		}
	})
	t.Run("TransitionsAndTimeline", func(t *testing.T) {
		db := open(t)
		svc := StaffService(t, db)
		c := MustFile(t, db, shian.KindComplaint, "beidaihe", "beidaihe-01")
		p := officer("zhou", "beidaihe", "")
		if _, err := svc.Transition(ctx, p, c.Ticket, staff.TransitionInput{To: shian.ComplaintAccepted}); shian.ErrorCode(err) != shian.ECONFLICT {
			t.Fatalf("transition before claiming: %v", err)
		}
		if _, err := svc.Claim(ctx, p, c.Ticket); err != nil {
			t.Fatal(err)
		}
		_, err := svc.Transition(ctx, p, c.Ticket, staff.TransitionInput{To: shian.ComplaintResolved})
		var te *staff.TransitionError
		if !errors.As(err, &te) || fmt.Sprint(te.Next) != "[accepted rejected]" {
			t.Fatalf("illegal transition: %v", err)
		}
		got, err := svc.Transition(ctx, p, c.Ticket, staff.TransitionInput{To: shian.ComplaintAccepted, Note: "已联系商户", Public: true})
		if err != nil {
			t.Fatal(err)
		}
		if got.MediationDue.IsZero() || !got.DueAt.Equal(got.MediationDue) || got.AcceptOnTime != 1 {
			t.Fatalf("accepted: mediation_due %v due_at %v on time %d", got.MediationDue, got.DueAt, got.AcceptOnTime)
		}
		if _, err := svc.AddNote(ctx, p, c.Ticket, "内部：商户拒绝配合", false); err != nil {
			t.Fatal(err)
		}
		stored, _ := db.Case(ctx, c.Ticket)
		if !stored.DueAt.Equal(got.DueAt) || stored.Status != shian.ComplaintAccepted || stored.AcceptWDays != 0 {
			t.Fatalf("stored case: %+v", stored)
		}
		public, _ := db.ComplaintEvents(ctx, c.ID, true)
		all, _ := db.ComplaintEvents(ctx, c.ID, false)
		last := public[len(public)-1]
		if last.Type != "status" || last.Status != shian.ComplaintAccepted || last.Note != "已联系商户" || len(all) <= len(public) {
			t.Fatalf("timeline: public %+v, all %d", public, len(all))
		}
		for _, e := range public {
			if e.Note == "内部：商户拒绝配合" {
				t.Fatal("an internal note is public")
			}
		}
		// Another district's officer: not found, not forbidden.
		if _, err := svc.Case(ctx, officer("li", "haigang", ""), c.Ticket); shian.ErrorCode(err) != shian.ENOTFOUND {
			t.Fatalf("other district: %v", err)
		}
		// The queue and its counts.
		page, err := svc.Queue(ctx, p, staff.Filter{})
		if err != nil || page.Total != 1 || page.Counts[shian.ComplaintAccepted] != 1 {
			t.Fatalf("queue = %+v, %v", page, err)
		}
		if page, _ := svc.Queue(ctx, officer("li", "haigang", ""), staff.Filter{}); page.Total != 0 || len(page.Items) != 0 {
			t.Fatalf("another district's queue shows %d", page.Total)
		}
	})
	t.Run("AuditChainDetectsEdits", func(t *testing.T) {
		db := open(t)
		for i := range 5 {
			if err := db.AppendAudit(ctx, staff.AuditEntry{At: staff.AuditTime(Now), Actor: "cli", Action: "test", Target: fmt.Sprint(i)}); err != nil {
				t.Fatal(err)
			}
		}
		n, _, err := staff.VerifyChain(ctx, db)
		if err != nil || n != 5 {
			t.Fatalf("verify = %d, %v", n, err)
		}
		if _, err := db.DB.Exec(`UPDATE audit_log SET target = 'x' WHERE seq = 3`); err == nil {
			t.Fatal("the audit log accepted an UPDATE")
		}
		// Someone with the database owner's rights drops the guard and edits a row.
		drop := `DROP TRIGGER audit_log_no_update`
		if db.Dialect.Name == "postgres" {
			drop = `DROP TRIGGER audit_log_no_change ON audit_log`
		}
		if _, err := db.DB.Exec(drop); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DB.Exec(`UPDATE audit_log SET detail = 'edited' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		_, _, err = staff.VerifyChain(ctx, db)
		var ce *staff.ChainError
		if !errors.As(err, &ce) || ce.Seq != 3 {
			t.Fatalf("verify after an edit = %v", err)
		}
	})
	t.Run("Dashboard", func(t *testing.T) {
		db := open(t)
		svc := StaffService(t, db)
		admin := &staff.Principal{Name: "root", Role: staff.RoleAdmin}
		c := MustFile(t, db, shian.KindComplaint, "beidaihe", "")
		MustFile(t, db, shian.KindReport, "haigang", "")
		if _, err := svc.Transition(ctx, admin, c.Ticket, staff.TransitionInput{To: shian.ComplaintAccepted}); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Dashboard(ctx, admin, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if d.City.Open != 2 || d.City.Filed != 2 || d.City.AcceptOnTime != 1 || d.City.MedianAcceptDays != 0 || len(d.Weeks) != staff.TrendWeeks {
			t.Fatalf("city = %+v", d.City)
		}
		// The rollups the dashboard reads agree with the complaints, after
		// an acceptance, a rejection (an outcome) and a reassignment.
		r := MustFile(t, db, shian.KindComplaint, "funing", "")
		if _, err := svc.Transition(ctx, admin, r.Ticket, staff.TransitionInput{To: shian.ComplaintRejected, Reason: "time_barred"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Reassign(ctx, admin, c.Ticket, staff.ReassignInput{District: "haigang", Reason: "地址在海港区"}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{
			`SELECT (SELECT COUNT(*) FROM complaints) - (SELECT SUM(n) FROM complaint_daily)`,
			`SELECT (SELECT COUNT(accept_on_time) FROM complaints) - (SELECT SUM(decided) FROM complaint_daily)`,
			`SELECT (SELECT COUNT(resolve_on_time) FROM complaints) - (SELECT SUM(outcomes) FROM complaint_daily)`,
			`SELECT (SELECT COUNT(accept_wdays) + COUNT(resolve_wdays) FROM complaints) - (SELECT SUM(n) FROM complaint_daily_days)`,
			`SELECT (SELECT COUNT(*) FROM complaints WHERE district = 'haigang') - (SELECT SUM(n) FROM complaint_daily WHERE district = 'haigang')`,
			`SELECT (SELECT COUNT(*) FROM complaints WHERE status = 'rejected') - (SELECT SUM(n) FROM complaint_counts WHERE status = 'rejected')`,
		} {
			var diff int
			if err := db.DB.QueryRow(q).Scan(&diff); err != nil || diff != 0 {
				t.Errorf("%s = %d, %v", q, diff, err)
			}
		}
		total := 0
		for _, p := range d.Trend {
			total += p.Count
		}
		if total != 2 {
			t.Fatalf("trend = %+v", d.Trend)
		}
	})
}
