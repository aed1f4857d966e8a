package staff

import (
	"testing"
	"time"

	"shian"
)

// Every state of both machines, with and without an on-site check.
func TestVerificationSteps(t *testing.T) {
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)
	want := map[string]map[string]bool{
		shian.KindComplaint: {shian.ComplaintReceived: true, shian.ComplaintAccepted: true, shian.ComplaintMediating: true},
		shian.KindReport:    {shian.ComplaintVerifying: true},
	}
	for _, kind := range []string{shian.KindComplaint, shian.KindReport} {
		for _, st := range States(kind) {
			c := &Case{Complaint: &shian.Complaint{ID: 7, Ticket: "T1", Kind: kind, Status: st}}
			ch, err := Verification(c, "wang", "现场核查：符合。", now)
			if want[kind][st] {
				if err != nil || len(ch.Events) != 1 || !ch.Events[0].Event.Public || ch.Events[0].Event.Type != shian.EventVerified ||
					ch.Events[0].Event.Status != st || len(ch.Audit) != 1 {
					t.Errorf("%s %s: %+v, %v", kind, st, ch, err)
				}
				if c.Status != st {
					t.Errorf("%s %s: a check changed the status to %s", kind, st, c.Status)
				}
				continue
			}
			if shian.ErrorCode(err) != shian.ECONFLICT {
				t.Errorf("%s %s: a check was allowed (%v)", kind, st, err)
			}
		}
	}
}
