package staff

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"shian"
	"shian/triage"
)

// Queue returns a page of the principal's queue, sorted by priority then
// nearest deadline. Officers see their district (and grid) only; a filter
// outside it gives an empty page. Errors: EFORBIDDEN, EINVALID.
func (s *Service) Queue(ctx context.Context, p *Principal, f Filter) (*Page, error) {
	if err := Require(p, ReadCases); err != nil {
		return nil, err
	}
	q, empty := s.query(p, f)
	if empty {
		return &Page{Counts: map[string]int{}}, nil
	}
	return s.store.Queue(ctx, q)
}

func (s *Service) query(p *Principal, f Filter) (Query, bool) {
	q := Query{Statuses: f.Statuses, District: f.District, Grid: f.Grid, Priority: f.Priority, Category: f.Category,
		Kind: f.Kind, Cluster: f.Cluster, Text: f.Text}
	if len(q.Statuses) == 0 {
		q.Statuses = OpenStatuses
	}
	if q.District == "none" {
		q.District = "-" // the unrouted: district ''
	}
	// A district's queue shows the unrouted cases that are probably its.
	q.Probable = true
	if p.Role != RoleAdmin {
		if q.District != "" && q.District != p.District {
			return q, true
		}
		q.District = p.District
		if p.Grid != "" {
			if q.Grid != "" && q.Grid != p.Grid {
				return q, true
			}
			q.Grid = p.Grid
		}
	}
	now := s.now()
	switch {
	case f.DueWithin > 0:
		q.DueBefore = s.triage.Calendar().AddWorkingDays(now, f.DueWithin)
	case f.Overdue:
		q.DueBefore = now
	}
	if f.Mine {
		q.ClaimedBy = p.Name
	}
	per := f.PerPage
	if per <= 0 || per > MaxPerPage {
		per = DefaultPerPage
	}
	q.Limit, q.Offset = per, (max(f.Page, 1)-1)*per
	return q, false
}

// CaseView is everything the console shows of one case. The phone is
// masked; RevealContact shows it in full.
type CaseView struct {
	Case       *Case
	Timeline   []shian.ComplaintEvent
	Related    *Related
	Shop       *shian.Shop // nil when not a known shop
	Assignment triage.Assignment
	Next       []string
	Overdue    bool
	// WorkingDaysLeft until DueAt (negative when overdue), when a deadline runs.
	WorkingDaysLeft int
	HasDeadline     bool
}

// Case returns a case the principal may see. Another district's case is
// ENOTFOUND, exactly like a ticket that does not exist.
func (s *Service) Case(ctx context.Context, p *Principal, ticket string) (*CaseView, error) {
	if err := Require(p, ReadCases); err != nil {
		return nil, err
	}
	c, err := s.visible(ctx, p, ticket)
	if err != nil {
		return nil, err
	}
	v := &CaseView{Case: c}
	if v.Timeline, err = s.store.ComplaintEvents(ctx, c.ID, false); err != nil {
		return nil, err
	}
	if v.Related, err = s.store.Related(ctx, c); err != nil {
		return nil, err
	}
	if c.ShopID != 0 {
		if v.Shop, err = s.store.ShopByID(ctx, c.ShopID); err != nil && shian.ErrorCode(err) != shian.ENOTFOUND {
			return nil, err
		}
	}
	v.Assignment = s.triage.Assignment(shian.Routing{District: c.District, Grid: c.Grid, Office: c.Office, Category: c.Category})
	now := s.now()
	v.Next = Next(stateOf(c), now)
	if !c.DueAt.IsZero() && IsOpen(c.Status) {
		v.HasDeadline = true
		v.Overdue = now.After(c.DueAt)
		v.WorkingDaysLeft = s.triage.Calendar().WorkingDaysBetween(now, c.DueAt)
	}
	return v, nil
}

func (s *Service) visible(ctx context.Context, p *Principal, ticket string) (*Case, error) {
	t, ok := shian.ParseTicket(ticket)
	if !ok {
		return nil, errNotFound(shian.Clip(ticket, 40))
	}
	c, err := s.store.Case(ctx, t)
	if err != nil {
		return nil, err
	}
	if !seesCase(p, c.Complaint) {
		return nil, errNotFound(t)
	}
	return c, nil
}

func stateOf(c *Case) CaseState {
	return CaseState{Kind: c.Kind, Status: c.Status, Rating: c.Rating, OutcomeAt: c.OutcomeAt, Accepted: !c.MediationDue.IsZero()}
}

// ErrClaimed is the answer to claiming a case someone holds.
func errClaimed(by string) error {
	return &shian.Error{Code: shian.ECONFLICT, Key: "case_claimed", Args: []any{by}, Message: "this case is claimed by " + by}
}

// update runs fn on one visible case under a lock.
func (s *Service) update(ctx context.Context, p *Principal, ticket string, mode LockMode, fn func(c *Case, now time.Time) (*Change, error)) (*Case, error) {
	if err := Require(p, ActOnCases); err != nil {
		return nil, err
	}
	t, ok := shian.ParseTicket(ticket)
	if !ok {
		return nil, errNotFound(shian.Clip(ticket, 40))
	}
	var out *Case
	err := s.store.UpdateCases(ctx, []string{t}, mode, func(cs []*Case) (*Change, error) {
		c := cs[0]
		if !seesCase(p, c.Complaint) {
			return nil, errNotFound(t)
		}
		now := s.now()
		ch, err := fn(c, now)
		if err != nil {
			return nil, err
		}
		c.UpdatedAt = now.UTC()
		out = c
		return ch, nil
	})
	return out, err
}

func event(c *Case, typ string, public bool, actor, note string) CaseEvent {
	return CaseEvent{ComplaintID: c.ID, Event: shian.ComplaintEvent{Type: typ, Status: c.Status, Public: public, Actor: actor, Note: note}}
}

func audit(p *Principal, now time.Time, action, target, det string) AuditEntry {
	return AuditEntry{At: AuditTime(now), Actor: p.Name, Action: action, Target: target, Detail: det}
}

// Claim makes the principal the case's handler. Of two officers claiming
// at once exactly one wins; the other gets ECONFLICT. Claiming a case one
// already holds is fine.
func (s *Service) Claim(ctx context.Context, p *Principal, ticket string) (*Case, error) {
	return s.update(ctx, p, ticket, LockSkip, func(c *Case, now time.Time) (*Change, error) {
		switch {
		case c.ClaimedBy == p.Name:
			return &Change{}, nil
		case c.ClaimedBy != "":
			return nil, errClaimed(c.ClaimedBy)
		case c.Status == shian.ComplaintClosed:
			return nil, &shian.Error{Code: shian.ECONFLICT, Message: "a closed case cannot be claimed"}
		}
		c.ClaimedBy, c.ClaimedAt = p.Name, now.UTC()
		return &Change{Events: []CaseEvent{event(c, "claimed", false, p.Name, "")},
			Audit: []AuditEntry{audit(p, now, "claim", c.Ticket, "")}}, nil
	})
}

// Release gives a claimed case back to the queue (its holder or an admin).
func (s *Service) Release(ctx context.Context, p *Principal, ticket string) (*Case, error) {
	return s.update(ctx, p, ticket, LockWait, func(c *Case, now time.Time) (*Change, error) {
		if c.ClaimedBy == "" {
			return &Change{}, nil
		}
		if c.ClaimedBy != p.Name && p.Role != RoleAdmin {
			return nil, errClaimed(c.ClaimedBy)
		}
		prev := c.ClaimedBy
		c.ClaimedBy, c.ClaimedAt = "", time.Time{}
		return &Change{Events: []CaseEvent{event(c, "released", false, p.Name, "")},
			Audit: []AuditEntry{audit(p, now, "release", c.Ticket, detail("was", prev))}}, nil
	})
}

// TransitionInput is a requested state change.
type TransitionInput struct {
	To     string `json:"to"`
	Note   string `json:"note"`
	Reason string `json:"reason"` // a rejection ground when To is rejected
	// Public shows the note in the complainant's timeline.
	Public bool `json:"public"`
}

// mustHold refuses an action on a case held by someone else; an officer
// must claim a case before acting on it, an admin may act on any.
func mustHold(p *Principal, c *Case) error {
	switch {
	case c.ClaimedBy == p.Name || p.Role == RoleAdmin:
		return nil
	case c.ClaimedBy == "":
		return &shian.Error{Code: shian.ECONFLICT, Key: "case_unclaimed", Message: "claim this case before acting on it"}
	}
	return errClaimed(c.ClaimedBy)
}

// Transition moves a case along its state machine. An illegal move is a
// *TransitionError (ECONFLICT with the allowed next states). Accepting
// sets the mediation deadline; every outcome records whether it was on
// time and how many working days it took.
func (s *Service) Transition(ctx context.Context, p *Principal, ticket string, in TransitionInput) (*Case, error) {
	note, err := cleanText("note", in.Note, 2000)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, p, ticket, LockWait, func(c *Case, now time.Time) (*Change, error) {
		if err := Check(stateOf(c), in.To, now); err != nil {
			return nil, err
		}
		if err := mustHold(p, c); err != nil {
			return nil, err
		}
		from := c.Status
		ground := ""
		if in.To == shian.ComplaintRejected {
			g, ok := shian.LookupCode(RejectionGrounds, in.Reason)
			if !ok {
				return nil, &TransitionError{Err: &shian.Error{Code: shian.EINVALID, Field: "reason",
					Message: "rejecting needs one of the legal grounds: " + strings.Join(shian.CodeList(RejectionGrounds), ", ")},
					Next: shian.CodeList(RejectionGrounds)}
			}
			ground = g.Code
		}
		s.apply(c, in.To, ground, now)
		pubNote := ""
		if ground != "" {
			g, _ := shian.LookupCode(RejectionGrounds, ground)
			pubNote = g.Names.ZH
		}
		if in.Public && note != "" {
			pubNote = strings.TrimSpace(pubNote + " " + note)
		}
		ch := &Change{Events: []CaseEvent{event(c, "status", true, p.Name, pubNote)},
			Audit: []AuditEntry{audit(p, now, "transition", c.Ticket, detail("from", from, "to", c.Status, "reason", ground))}}
		if note != "" && !in.Public {
			ch.Events = append(ch.Events, event(c, "note", false, p.Name, note))
		}
		return ch, nil
	})
}

// apply sets the status and the deadlines and figures that go with it.
func (s *Service) apply(c *Case, to, ground string, now time.Time) {
	cal := s.triage.Calendar()
	received := c.CreatedAt
	decide := func(due time.Time) {
		c.DecidedAt = now.UTC()
		c.AcceptWDays = max(cal.WorkingDaysBetween(received, now), 0)
		c.AcceptOnTime = onTime(now, due)
	}
	outcome := func(due time.Time) {
		c.OutcomeAt = now.UTC()
		c.ResolveWDays = max(cal.WorkingDaysBetween(received, now), 0)
		c.ResolveOnTime = onTime(now, due)
		c.DueAt = time.Time{}
	}
	if to == Reopen {
		to = ReopenTo(stateOf(c))
		c.Reopened++
		c.OutcomeAt, c.ResolveWDays, c.ResolveOnTime = time.Time{}, -1, -1
		switch to {
		case shian.ComplaintMediating:
			c.MediationDue = s.triage.MediationDue(now)
			c.DueAt = c.MediationDue
		case shian.ComplaintVerifying:
			c.VerifyDue = cal.AddWorkingDays(now, triage.VerifyWorkingDays)
			c.DueAt = c.VerifyDue
		default: // a rejected complaint decided again
			c.DecidedAt, c.AcceptWDays, c.AcceptOnTime, c.RejectionGround = time.Time{}, -1, -1, ""
			c.AcceptDue = cal.AddWorkingDays(now, triage.AcceptWorkingDays)
			c.DueAt = c.AcceptDue
		}
		c.Status = to
		return
	}
	switch to {
	case shian.ComplaintAccepted:
		decide(c.AcceptDue)
		c.MediationDue = s.triage.MediationDue(now)
		c.DueAt = c.MediationDue
	case shian.ComplaintRejected:
		decide(c.AcceptDue)
		outcome(c.AcceptDue)
		c.RejectionGround = ground
	case shian.ComplaintVerifying:
		decide(c.VerifyDue)
		c.DueAt = c.VerifyDue
	case shian.ComplaintResolved, shian.ComplaintMediationFailed:
		outcome(c.MediationDue)
	case shian.ComplaintCaseOpened, shian.ComplaintNotOpened:
		outcome(c.VerifyDue)
	case shian.ComplaintClosed:
		c.DueAt = time.Time{}
	}
	c.Status = to
}

func onTime(at, due time.Time) int {
	if due.IsZero() || !at.After(due) {
		return 1
	}
	return 0
}

// AddNote adds a note to a case's timeline: internal, or public (shown to
// the complainant when tracking).
func (s *Service) AddNote(ctx context.Context, p *Principal, ticket, note string, public bool) (*Case, error) {
	note, err := cleanText("note", note, 2000)
	if err != nil {
		return nil, err
	}
	if note == "" {
		return nil, shian.FieldError("note", "is required")
	}
	return s.update(ctx, p, ticket, LockWait, func(c *Case, now time.Time) (*Change, error) {
		ch := &Change{Events: []CaseEvent{event(c, "note", public, p.Name, note)}}
		if public {
			ch.Audit = []AuditEntry{audit(p, now, "public_note", c.Ticket, "")}
		}
		return ch, nil
	})
}

// ReassignInput moves a case to another district (and grid) or office.
type ReassignInput struct {
	District string `json:"district"`
	Grid     string `json:"grid"`
	Office   string `json:"office"`
	Reason   string `json:"reason"`
}

// Reassign re-routes a case: triage runs again for the new district or
// office, the claim is dropped, and a case still awaiting its decision
// gets new deadlines from now. A reason is required.
func (s *Service) Reassign(ctx context.Context, p *Principal, ticket string, in ReassignInput) (*Case, error) {
	reason, err := cleanText("reason", in.Reason, 500)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, shian.FieldError("reason", "a reassignment needs a reason")
	}
	rt := s.triage.Routing()
	district, grid := in.District, in.Grid
	switch {
	case in.Office != "":
		o, ok := rt.Office(in.Office)
		if !ok {
			return nil, shian.FieldError("office", "unknown office %q", shian.Clip(in.Office, 40))
		}
		if district != "" && district != o.District {
			return nil, shian.FieldError("office", "office %s is not district %s's", o.Code, shian.Clip(district, 40))
		}
		district = o.District
	case district != "":
		if _, ok := shian.LookupCode(shian.Districts, district); !ok {
			return nil, shian.FieldError("district", "unknown district %q", shian.Clip(district, 40))
		}
	default:
		return nil, shian.FieldError("district", "give the district (and grid) or the office to reassign to")
	}
	if grid != "" {
		if g, ok := rt.Grid(grid); !ok || g.District != district {
			return nil, shian.FieldError("grid", "no grid %q in district %s", shian.Clip(grid, 40), district)
		}
	}
	return s.update(ctx, p, ticket, LockWait, func(c *Case, now time.Time) (*Change, error) {
		if c.Status == shian.ComplaintClosed {
			return nil, &shian.Error{Code: shian.ECONFLICT, Message: "a closed case cannot be reassigned"}
		}
		if c.ClaimedBy != "" && c.ClaimedBy != p.Name && p.Role != RoleAdmin {
			return nil, errClaimed(c.ClaimedBy)
		}
		from := c.Office + "/" + c.District + "/" + c.Grid
		r := s.triage.Triage(triage.Input{Kind: c.Kind, Category: c.SubmittedCategory, Description: c.Description,
			ShopDistrict: district, ShopGrid: grid, ShopName: c.ShopName, ShopAddress: c.ShopAddress, ReceivedAt: now})
		if district == "" { // to the city office
			r.District, r.Grid, r.Office = "", "", rt.UnroutedOffice()
		}
		if in.Office != "" {
			r.Office = in.Office
		}
		c.District, c.Grid, c.Office, c.RoutedBy = r.District, r.Grid, r.Office, "reassigned"
		c.ClaimedBy, c.ClaimedAt = "", time.Time{}
		if c.Status == shian.ComplaintReceived {
			if c.Kind == shian.KindReport {
				c.VerifyDue, c.DueAt = r.VerifyDue, r.VerifyDue
			} else {
				c.AcceptDue, c.DueAt = r.AcceptDue, r.AcceptDue
			}
		}
		to := c.Office + "/" + c.District + "/" + c.Grid
		return &Change{Events: []CaseEvent{event(c, "reassigned", false, p.Name, fmt.Sprintf("%s → %s: %s", from, to, reason))},
			Audit: []AuditEntry{audit(p, now, "reassign", c.Ticket, detail("from", from, "to", to, "reason", reason))}}, nil
	})
}

// Merge marks a case as a duplicate of another and closes it; both
// timelines say so. The principal must see both.
func (s *Service) Merge(ctx context.Context, p *Principal, ticket, into, reason string) (*Case, error) {
	if err := Require(p, ActOnCases); err != nil {
		return nil, err
	}
	reason, err := cleanText("reason", reason, 500)
	if err != nil {
		return nil, err
	}
	a, ok1 := shian.ParseTicket(ticket)
	b, ok2 := shian.ParseTicket(into)
	switch {
	case !ok1:
		return nil, errNotFound(shian.Clip(ticket, 40))
	case !ok2:
		return nil, errNotFound(shian.Clip(into, 40))
	case a == b:
		return nil, shian.FieldError("into", "a case cannot be merged into itself")
	}
	var out *Case
	err = s.store.UpdateCases(ctx, []string{a, b}, LockWait, func(cs []*Case) (*Change, error) {
		var dup, orig *Case
		for _, c := range cs {
			if !seesCase(p, c.Complaint) {
				return nil, errNotFound(c.Ticket)
			}
			if c.Ticket == a {
				dup = c
			} else {
				orig = c
			}
		}
		switch {
		case dup.Status == shian.ComplaintClosed:
			return nil, &shian.Error{Code: shian.ECONFLICT, Message: "a closed case cannot be merged"}
		case orig.DuplicateOf == dup.ID:
			return nil, &shian.Error{Code: shian.ECONFLICT, Field: "into", Message: orig.Ticket + " is itself a duplicate of " + dup.Ticket}
		}
		if err := mustHold(p, dup); err != nil {
			return nil, err
		}
		now := s.now()
		dup.DuplicateOf = orig.ID
		dup.Status, dup.DueAt, dup.UpdatedAt = shian.ComplaintClosed, time.Time{}, now.UTC()
		orig.UpdatedAt = now.UTC()
		out = dup
		return &Change{
			Events: []CaseEvent{
				event(dup, "merged", true, p.Name, "与 "+orig.Ticket+" 合并办理 / merged into "+orig.Ticket),
				event(orig, "duplicate", false, p.Name, dup.Ticket+" merged into this case: "+reason),
			},
			Audit: []AuditEntry{audit(p, now, "merge", dup.Ticket, detail("into", orig.Ticket, "reason", reason))},
		}, nil
	})
	return out, err
}

// BulkInput is one action on many cases.
type BulkInput struct {
	Tickets []string `json:"tickets"`
	Action  string   `json:"action"` // claim or transition
	TransitionInput
}

// BulkResult is the outcome for one ticket.
type BulkResult struct {
	Ticket string   `json:"ticket"`
	OK     bool     `json:"ok"`
	Status string   `json:"status,omitempty"`
	Error  string   `json:"error,omitempty"`
	Code   string   `json:"code,omitempty"`
	Next   []string `json:"allowed,omitempty"`
}

// MaxBulk bounds one bulk request.
const MaxBulk = 200

// Bulk claims or transitions many cases, each in its own transaction, and
// reports each one's outcome.
func (s *Service) Bulk(ctx context.Context, p *Principal, in BulkInput) ([]BulkResult, error) {
	if err := Require(p, ActOnCases); err != nil {
		return nil, err
	}
	if len(in.Tickets) == 0 || len(in.Tickets) > MaxBulk {
		return nil, shian.FieldError("tickets", "give 1 to %d tickets", MaxBulk)
	}
	if in.Action != "claim" && in.Action != "transition" {
		return nil, shian.FieldError("action", "must be claim or transition")
	}
	var out []BulkResult
	seen := map[string]bool{}
	for _, t := range in.Tickets {
		if seen[t] {
			continue
		}
		seen[t] = true
		var c *Case
		var err error
		if in.Action == "claim" {
			c, err = s.Claim(ctx, p, t)
		} else {
			c, err = s.Transition(ctx, p, t, in.TransitionInput)
		}
		r := BulkResult{Ticket: shian.Clip(t, 40), OK: err == nil}
		if err != nil {
			if code := shian.ErrorCode(err); code == shian.EINTERNAL || code == shian.EUNAVAILABLE {
				return out, err
			}
			r.Code, r.Error = shian.ErrorCode(err), shian.ErrorMessage(err)
			if te, ok := err.(*TransitionError); ok {
				r.Next = te.Next
			}
		} else {
			r.Status = c.Status
		}
		out = append(out, r)
	}
	return out, nil
}

// Contact is a revealed contact.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// RevealContact unseals a case's contact for the principal and audits it
// (the audit row and a timeline entry are written before the phone is
// returned). Errors: ENOTFOUND (also when there is no contact).
func (s *Service) RevealContact(ctx context.Context, p *Principal, ticket string) (Contact, error) {
	if err := Require(p, RevealContact); err != nil {
		return Contact{}, err
	}
	if s.contacts == nil {
		return Contact{}, &shian.Error{Code: shian.EUNAVAILABLE, Message: "contact data cannot be opened on this server"}
	}
	var ct Contact
	_, err := s.update(ctx, p, ticket, LockWait, func(c *Case, now time.Time) (*Change, error) {
		x, err := s.contacts.OpenContact(c.Complaint)
		if err != nil {
			return nil, err
		}
		ct = Contact{Name: x.Name, Phone: x.Phone}
		return &Change{Events: []CaseEvent{event(c, "contact_revealed", false, p.Name, "")},
			Audit: []AuditEntry{audit(p, now, "reveal_contact", c.Ticket, "")}}, nil
	})
	return ct, err
}

// NextFor lists the allowed next states of a case, for forms.
func NextFor(c *Case, now time.Time) []string { return Next(stateOf(c), now) }

// Rejectable reports whether the next states include rejected.
func Rejectable(next []string) bool { return slices.Contains(next, shian.ComplaintRejected) }

// seesCase is Sees for a case: a case routed nowhere whose probable
// district is p's is seen by the district's officers (not a grid's).
func seesCase(p *Principal, c *shian.Complaint) bool {
	return Sees(p, c.District, c.Grid) || c.Probable() && Sees(p, c.ProbableDistrict, "")
}

// ConfirmShop sets the shop of a case filed without a licence: the officer
// chooses it among the candidates the resolution found (or names any
// registered shop). The case is then routed and prioritised again by the
// shop, exactly as if the licence had been given — its district, grid,
// office, the shop's key for later clusters and duplicates, and the
// shop's complaint history — with an event on the timeline and an audit
// entry. The priority is never lowered. Errors: EINVALID (unknown
// licence), ENOTFOUND, ECONFLICT (closed, or claimed by another),
// EFORBIDDEN.
func (s *Service) ConfirmShop(ctx context.Context, p *Principal, ticket, licence string) (*Case, error) {
	licence = strings.ToUpper(strings.TrimSpace(licence))
	if !shian.ValidLicence(licence) {
		return nil, &shian.Error{Code: shian.EINVALID, Field: "licence", Message: "malformed licence number", Key: "bad_licence"}
	}
	if err := Require(p, ActOnCases); err != nil {
		return nil, err
	}
	shop, err := s.store.ShopByLicence(ctx, licence)
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		return nil, &shian.Error{Code: shian.EINVALID, Field: "licence", Key: "shop_not_found", Args: []any{licence},
			Message: "no shop has licence number " + licence}
	} else if err != nil {
		return nil, err
	}
	return s.update(ctx, p, ticket, LockWait, func(c *Case, now time.Time) (*Change, error) {
		if c.Status == shian.ComplaintClosed {
			return nil, &shian.Error{Code: shian.ECONFLICT, Message: "a closed case cannot change its shop"}
		}
		if c.ClaimedBy != "" && c.ClaimedBy != p.Name && p.Role != RoleAdmin {
			return nil, errClaimed(c.ClaimedBy)
		}
		from := c.Licence
		if from == "" {
			from = c.Resolution.Outcome
		}
		r := s.triage.Triage(triage.Input{Kind: c.Kind, Category: c.SubmittedCategory, Description: c.Description,
			ShopDistrict: shop.District, ShopGrid: shop.Grid, ShopCategory: shop.Category, ShopName: c.ShopName,
			ShopAddress: c.ShopAddress, HasGeo: c.HasGeo, Lat: c.Lat, Lng: c.Lng, ReceivedAt: now})
		moved := r.District != c.District
		c.District, c.Grid, c.Office, c.RoutedBy = r.District, r.Grid, r.Office, r.RoutedBy
		c.Category = r.Category
		if shian.PriorityRank(r.Priority) > shian.PriorityRank(c.Priority) {
			c.Priority = r.Priority
		}
		c.ShopID, c.Licence = shop.ID, shop.Licence
		if c.ShopName == "" {
			c.ShopName = shop.Name
		}
		c.ShopKey = triage.ShopKey(shop.Licence, c.District, c.ShopName)
		c.Resolution.Outcome, c.Resolution.ConfirmedBy = shian.ShopConfirmed, p.Name
		c.ProbableDistrict = ""
		if moved && c.Status == shian.ComplaintReceived {
			// As a reassignment: the new office's deadline runs from now.
			if c.Kind == shian.KindReport {
				c.VerifyDue, c.DueAt = r.VerifyDue, r.VerifyDue
			} else {
				c.AcceptDue, c.DueAt = r.AcceptDue, r.AcceptDue
			}
		}
		note := fmt.Sprintf("shop %s → %s (%s)", from, shop.Licence, shop.Name)
		return &Change{Events: []CaseEvent{event(c, "shop_confirmed", false, p.Name, note)},
			Audit: []AuditEntry{audit(p, now, "confirm_shop", c.Ticket, detail("from", from, "to", shop.Licence))}}, nil
	})
}
