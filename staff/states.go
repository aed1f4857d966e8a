package staff

import (
	"slices"
	"time"

	"shian"
)

// Reopen is the transition target that reopens a finished case whose
// complainant is dissatisfied (rating 1 or 2) within ReopenWindow of its
// outcome. It is not a state: the case goes back to mediating (an accepted
// complaint), received (a rejected one) or verifying (a report).
const Reopen = "reopen"

// ReopenWindow is how long after the outcome a dissatisfied complainant's
// case may be reopened.
const ReopenWindow = 15 * 24 * time.Hour

// nextStates are the legal state machines (市场监督管理投诉举报处理暂行办法):
//
//	complaint: received → accepted | rejected; accepted → mediating;
//	           mediating → resolved | mediation_failed; rejected, resolved,
//	           mediation_failed → closed
//	report:    received → verifying → case_opened | not_opened → closed
var nextStates = map[string]map[string][]string{
	shian.KindComplaint: {
		shian.ComplaintReceived:        {shian.ComplaintAccepted, shian.ComplaintRejected},
		shian.ComplaintAccepted:        {shian.ComplaintMediating},
		shian.ComplaintMediating:       {shian.ComplaintResolved, shian.ComplaintMediationFailed},
		shian.ComplaintRejected:        {shian.ComplaintClosed},
		shian.ComplaintResolved:        {shian.ComplaintClosed},
		shian.ComplaintMediationFailed: {shian.ComplaintClosed},
		shian.ComplaintClosed:          {},
	},
	shian.KindReport: {
		shian.ComplaintReceived:   {shian.ComplaintVerifying},
		shian.ComplaintVerifying:  {shian.ComplaintCaseOpened, shian.ComplaintNotOpened},
		shian.ComplaintCaseOpened: {shian.ComplaintClosed},
		shian.ComplaintNotOpened:  {shian.ComplaintClosed},
		shian.ComplaintClosed:     {},
	},
}

// States returns every state of kind's machine.
func States(kind string) []string {
	var out []string
	for s := range nextStates[kind] {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// OpenStatuses are the states in which a legal deadline runs: the default
// queue.
var OpenStatuses = []string{shian.ComplaintReceived, shian.ComplaintAccepted, shian.ComplaintMediating, shian.ComplaintVerifying}

// AllStatuses are every status of either machine, in lifecycle order.
var AllStatuses = []string{shian.ComplaintReceived, shian.ComplaintAccepted, shian.ComplaintVerifying, shian.ComplaintMediating,
	shian.ComplaintRejected, shian.ComplaintResolved, shian.ComplaintMediationFailed, shian.ComplaintCaseOpened,
	shian.ComplaintNotOpened, shian.ComplaintClosed}

// IsOpen reports whether a deadline runs in status.
func IsOpen(status string) bool { return slices.Contains(OpenStatuses, status) }

// CaseState is what the machine needs to know of a case.
type CaseState struct {
	Kind      string
	Status    string
	Rating    int       // 0 when not rated
	OutcomeAt time.Time // when it reached an outcome, zero if never
	Accepted  bool      // a complaint that was accepted once (reopens to mediating)
}

// Next returns the states (and Reopen) that s may move to at now.
func Next(s CaseState, now time.Time) []string {
	out := slices.Clone(nextStates[s.Kind][s.Status])
	if canReopen(s, now) {
		out = append(out, Reopen)
	}
	return out
}

func canReopen(s CaseState, now time.Time) bool {
	return s.Status != shian.ComplaintReceived && !IsOpen(s.Status) && s.Rating >= 1 && s.Rating <= 2 &&
		!s.OutcomeAt.IsZero() && now.Sub(s.OutcomeAt) <= ReopenWindow
}

// ReopenTo is the state a reopened case goes back to.
func ReopenTo(s CaseState) string {
	switch {
	case s.Kind == shian.KindReport:
		return shian.ComplaintVerifying
	case s.Accepted:
		return shian.ComplaintMediating
	}
	return shian.ComplaintReceived
}

// TransitionError is a transition the machine forbids. Its Allowed lists
// the legal next states, which the API returns with 409.
type TransitionError struct {
	Err  *shian.Error
	Next []string
}

func (e *TransitionError) Error() string { return e.Err.Error() }
func (e *TransitionError) Unwrap() error { return e.Err }

// AllowedValues lists the legal next states (problem+json "allowed").
func (e *TransitionError) AllowedValues() []string { return e.Next }

// Check returns nil when s may move to to at now, else a
// *TransitionError (ECONFLICT) naming the allowed next states.
func Check(s CaseState, to string, now time.Time) error {
	next := Next(s, now)
	if slices.Contains(next, to) {
		return nil
	}
	msg := "a " + s.Kind + " in status " + s.Status + " cannot move to " + to
	if to == Reopen {
		msg = "only a finished case whose complainant rated it 1 or 2 stars can be reopened, within 15 days of its outcome"
	}
	return &TransitionError{Err: &shian.Error{Code: shian.ECONFLICT, Field: "to", Message: msg}, Next: next}
}

// RejectionGrounds are the legal grounds for not accepting a complaint
// (市场监督管理投诉举报处理暂行办法 第十五条).
var RejectionGrounds = []shian.Code{
	{Code: "not_competent", Names: shian.Names{ZH: "不属于市场监督管理部门职责或本机关无处理权限", EN: "Outside market supervision's remit or this office's competence"}},
	{Code: "handled_elsewhere", Names: shian.Names{ZH: "法院、仲裁、行政机关或调解组织已受理或处理过同一争议", EN: "Already accepted or handled by a court, arbitration, authority or mediator"}},
	{Code: "not_consumer", Names: shian.Names{ZH: "非生活消费或不能证明存在消费者权益争议", EN: "Not consumption for daily life, or no consumer dispute shown"}},
	{Code: "time_barred", Names: shian.Names{ZH: "知道或应当知道权益受侵害之日起超过三年", EN: "More than three years since the complainant knew of the harm"}},
	{Code: "missing_materials", Names: shian.Names{ZH: "未提供规定的投诉材料", EN: "Required complaint materials not provided"}},
	{Code: "other_legal", Names: shian.Names{ZH: "法律、法规、规章规定不予受理的其他情形", EN: "Other grounds set by laws, regulations or rules"}},
}
