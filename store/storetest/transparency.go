package storetest

import (
	"context"
	"strings"
	"testing"

	"shian"
	"shian/inspections"
	"shian/staff"
	"shian/triage"
)

// CreditCode completes a 17-character prefix with its check character.
func CreditCode(prefix string) string {
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if code := prefix + string(c); shian.ValidCreditCode(code) {
			return code
		}
	}
	panic("no check character for " + prefix)
}

func runTransparency(t *testing.T, open Opener) {
	ctx := context.Background()
	db := open(t)
	const lic = "JY1130302000001"
	shop := mustShop(t, db, lic)
	cases := StaffService(t, db)
	ins := InspectionService(t, db)
	cal, _ := triage.DefaultCalendar()
	tr := &inspections.Transparency{Store: db, Calendar: cal, Now: db.Now}
	admin := &staff.Principal{Name: "admin", Role: staff.RoleAdmin}
	var filed []*shian.Complaint
	for _, kind := range []string{shian.KindComplaint, shian.KindComplaint, shian.KindReport} {
		c := MustFile(t, db, kind, "beidaihe", "beidaihe-01")
		db.DB.Exec(db.Q(`UPDATE complaints SET shop_id = ? WHERE id = ?`), shop.ID, c.ID)
		filed = append(filed, c)
	}
	move := func(ticket, to string) {
		t.Helper()
		if _, err := cases.Transition(ctx, admin, ticket, staff.TransitionInput{To: to}); err != nil {
			t.Fatal(err)
		}
	}
	move(filed[0].Ticket, shian.ComplaintAccepted)
	move(filed[2].Ticket, shian.ComplaintVerifying)
	in := with(Routine(lic, "t1"), func(in *shian.InspectionInput) {
		in.Type, in.CaseTicket, in.RectifyDays = shian.InspectionVerification, filed[2].Ticket, 5
		in.Items[2].Result = shian.ItemMostly
	})
	if _, err := ins.Record(ctx, beidaiheOfficer, in); err != nil {
		t.Fatal(err)
	}
	move(filed[2].Ticket, shian.ComplaintCaseOpened)
	// The right to reply: only to a substantiated complaint.
	if err := tr.AttachReply(ctx, beidaiheOfficer, filed[0].Ticket, "我们已更换冷柜"); shian.ErrorCode(err) != shian.EINVALID {
		t.Fatalf("reply to an unsubstantiated complaint: %v", err)
	}
	if err := tr.AttachReply(ctx, beidaiheOfficer, filed[2].Ticket, "我们已全面消杀并更换冷柜"); err != nil {
		t.Fatal(err)
	}
	if err := tr.AttachReply(ctx, beidaiheOfficer, filed[2].Ticket, "again"); shian.ErrorCode(err) != shian.ECONFLICT {
		t.Fatalf("second reply: %v", err)
	}
	code := CreditCode("92130304MA0G8K3X1")
	jsonl := `{"number":"秦北市监罚〔2026〕15号","decided_on":"2026-06-20","published_on":"2026-06-30","licence":"` + lic + `","party_name":"老二位海鲜（个体工商户）","credit_code":"` + code + `","violation":"冷藏食品温度不达标，销售超过保质期的海产品","legal_basis":"《中华人民共和国食品安全法》第一百二十四条","penalties":["warning","fine"],"fine_yuan":5000,"authority":"秦皇岛市市场监督管理局北戴河分局"}` + "\n"
	bad := strings.Replace(jsonl, "老二位海鲜（个体工商户）", "张三 130302198001011233", 1)
	if _, lines, err := tr.ImportDecisions(ctx, strings.NewReader(jsonl+bad), "cli"); shian.ErrorCode(err) != shian.EINVALID || len(lines) != 1 ||
		!strings.Contains(lines[0].Error(), "line 2") || !strings.Contains(lines[0].Error(), "ID number") {
		t.Fatalf("a file with an ID number: %v %v", lines, err)
	}
	st, lines, err := tr.ImportDecisions(ctx, strings.NewReader(jsonl), "cli")
	if err != nil || len(lines) != 0 || st.Created != 1 {
		t.Fatalf("import: %+v %v %v", st, lines, err)
	}
	if st, _, _ := tr.ImportDecisions(ctx, strings.NewReader(jsonl), "cli"); st.Updated != 1 || st.Created != 0 {
		t.Fatalf("re-import: %+v", st)
	}
	v, err := tr.Shop(ctx, lic)
	if err != nil {
		t.Fatal(err)
	}
	if v.Complaints != 2 || v.Reports != 1 || v.Substantiated != 1 || v.MedianDecisionWDays == nil {
		t.Fatalf("figures %+v", v)
	}
	sc := v.SubstantiatedCases[0]
	if sc.Reply == nil || sc.Reply.Text != "我们已全面消杀并更换冷柜" || !strings.Contains(sc.Finding, "餐具消毒") {
		t.Errorf("substantiated case %+v", sc)
	}
	if len(v.Orders) != 1 || v.Orders[0].Met != nil || v.Orders[0].Overdue {
		t.Errorf("orders %+v", v.Orders)
	}
	if len(v.Decisions) != 1 || v.Decisions[0].FineYuan != 5000 || v.Decisions[0].ShopID != shop.ID || v.Decisions[0].Penalties[1] != "fine" {
		t.Errorf("decisions %+v", v.Decisions)
	}
}
