package staff

import (
	"slices"
	"time"

	"shian"
)

// verifySteps are the states in which an on-site check (an inspection of
// type complaint_verification) may be linked to a case, beside the state
// machine rather than in it (docs/complaints.md#on-site-verification):
//
//	complaint: received, accepted, mediating — an illness or hygiene
//	           complaint is checked on site while it is being decided or
//	           mediated; the check does not change the status or deadlines.
//	report:    verifying — the check is the 核查 of 核查中 → 立案 / 不予立案.
//
// Finished cases take no new check: a reopened one is open again.
var verifySteps = map[string][]string{
	shian.KindComplaint: {shian.ComplaintReceived, shian.ComplaintAccepted, shian.ComplaintMediating},
	shian.KindReport:    {shian.ComplaintVerifying},
}

// CanVerify reports whether an on-site check may be linked to a case in s.
func CanVerify(s CaseState) bool { return slices.Contains(verifySteps[s.Kind], s.Status) }

// Verification returns what linking an on-site check to c writes: a public
// timeline event carrying finding (the public sentence, never an internal
// note) and an audit entry. A case whose state takes no check is ECONFLICT,
// naming the states that do.
func Verification(c *Case, actor, finding string, now time.Time) (*Change, error) {
	s := stateOf(c)
	if !CanVerify(s) {
		return nil, &TransitionError{Err: &shian.Error{Code: shian.ECONFLICT, Field: "case", Key: "case_no_verification",
			Message: "an on-site check cannot be linked to a " + s.Kind + " in status " + s.Status}, Next: verifySteps[s.Kind]}
	}
	return &Change{Events: []CaseEvent{event(c, shian.EventVerified, true, actor, finding)},
		Audit: []AuditEntry{audit(&Principal{Name: actor}, now, "verify", c.Ticket, "")}}, nil
}
