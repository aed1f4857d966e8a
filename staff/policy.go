package staff

import "shian"

// Action is something a principal may be allowed to do. Every admin route
// names exactly one; Allowed is the one place that says who may.
type Action string

// Actions.
const (
	ReadCases     Action = "cases.read"     // the queue and case pages
	ActOnCases    Action = "cases.act"      // claim, transition, notes, reassign, merge, bulk
	RevealContact Action = "cases.reveal"   // see a complainant's phone in full (audited)
	ReadStats     Action = "stats.read"     // dashboard and its CSV exports
	PrintStickers Action = "stickers.print" // QR images, sheets and scan counts
	ReadSelf      Action = "self.read"      // who am I
)

// Allowed reports whether p may do a. A nil principal (anonymous) may do
// nothing. Officers act within their district; Sees decides per case.
//
//	action            admin officer viewer
//	cases.read          ✓      ✓
//	cases.act           ✓      ✓
//	cases.reveal        ✓      ✓
//	stats.read          ✓      ✓      ✓
//	stickers.print      ✓      ✓ (own district's shops)
//	self.read           ✓      ✓      ✓
func Allowed(p *Principal, a Action) bool {
	if p == nil {
		return false
	}
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleOfficer:
		switch a {
		case ReadCases, ActOnCases, RevealContact, ReadStats, PrintStickers, ReadSelf:
			return true
		}
	case RoleViewer:
		return a == ReadStats || a == ReadSelf
	}
	return false
}

// Sees reports whether p may see (and, with Allowed, act on) something of
// district and grid: admins everything; officers their district, and only
// their grid when they have one; viewers no single case. Callers answer
// ENOTFOUND when it is false, so another district's ticket looks like no
// ticket at all.
func Sees(p *Principal, district, grid string) bool {
	switch {
	case p == nil:
		return false
	case p.Role == RoleAdmin:
		return true
	case p.Role != RoleOfficer || p.District == "" || district != p.District:
		return false
	}
	return p.Grid == "" || grid == p.Grid
}

// errNotFound is what a case outside the principal's scope answers.
func errNotFound(ticket string) error {
	return &shian.Error{Code: shian.ENOTFOUND, Message: "no complaint has ticket " + ticket, Key: "case_not_found", Args: []any{ticket}}
}

// ErrForbidden is the answer to an action the role may not do.
var ErrForbidden = &shian.Error{Code: shian.EFORBIDDEN, Message: "you are not allowed to do this", Key: "forbidden"}

// ErrUnauthorized is the answer to a request without valid credentials.
var ErrUnauthorized = &shian.Error{Code: shian.EUNAUTHORIZED, Message: "please sign in or give a valid token", Key: "unauthorized"}

// Require returns nil when p may do a, else EUNAUTHORIZED (anonymous) or
// EFORBIDDEN.
func Require(p *Principal, a Action) error {
	switch {
	case p == nil:
		return ErrUnauthorized
	case !Allowed(p, a):
		return ErrForbidden
	}
	return nil
}
