package shian

import (
	"fmt"
	"slices"
	"time"
)

// The rules of filing a complaint: which earlier complaints it is compared
// with, what its timeline starts with, and what joining an outbreak cluster
// changes. They are decided here, not in the store: the store runs them
// inside its filing transaction (where the earlier complaints and the
// cluster's members are read) and writes what they return. The links
// themselves are decided by the LinkFunc the complaint service passes
// (triage.Link).

// LinkLookback is how far back a new complaint is compared with earlier
// ones. It covers triage's cluster and duplicate windows (a test in
// complaints holds it to them).
const LinkLookback = 48 * time.Hour

// RecentLookup names the earlier complaints a new one is linked against:
// about the same shop, in the same category and, unless PhoneHash is "",
// from the same phone. A shop with hundreds of complaints a day then costs
// a few rows.
type RecentLookup struct {
	ShopKey, Category, PhoneHash string
}

// Matches reports whether r, about the shop with shopKey, is one of the
// complaints l names.
func (l RecentLookup) Matches(r RecentComplaint, shopKey string) bool {
	return shopKey == l.ShopKey && r.Category == l.Category && (l.PhoneHash == "" || r.PhoneHash == l.PhoneHash)
}

// LinkLookup says which earlier complaints c is linked against, and whether
// any can be (ok false: the store reads none). A complaint about no
// identifiable shop links to nothing. An illness complaint is compared with
// every illness complaint about the shop, whoever filed it: every
// complainant counts towards an outbreak. Any other is compared only with
// the same phone's (a duplicate is one person repeating), so an anonymous
// one links to nothing.
func (c *Complaint) LinkLookup() (l RecentLookup, ok bool) {
	if c.ShopKey == "" {
		return RecentLookup{}, false
	}
	if c.Category == CategoryIllness {
		return RecentLookup{ShopKey: c.ShopKey, Category: c.Category}, true
	}
	return RecentLookup{ShopKey: c.ShopKey, Category: c.Category, PhoneHash: c.PhoneHash}, c.PhoneHash != ""
}

// Timeline event types the complaint's own flow writes (staff actions add
// theirs).
const (
	EventFiled     = "filed"
	EventDuplicate = "duplicate"
	EventCluster   = "cluster"
	EventRated     = "rated"
)

// StampFiled readies c to be written as filed at now: a complaint starts
// received unless its filer set another status.
func (c *Complaint) StampFiled(now time.Time) {
	c.CreatedAt, c.UpdatedAt = now, now
	if c.Status == "" {
		c.Status = ComplaintReceived
	}
}

// FilingEvents are the first entries of c's timeline, once its links are
// decided: "filed", which the complainant sees, and internal notes of the
// duplicate and the cluster it was linked to, which only staff see.
func (c *Complaint) FilingEvents() []ComplaintEvent {
	events := []ComplaintEvent{{Type: EventFiled, Status: c.Status, Public: true}}
	if c.DuplicateOf != 0 {
		events = append(events, ComplaintEvent{Type: EventDuplicate, Status: c.Status, Note: fmt.Sprintf("duplicate of complaint %d", c.DuplicateOf)})
	}
	if c.ClusterID != 0 {
		events = append(events, ComplaintEvent{Type: EventCluster, Status: c.Status, Note: fmt.Sprintf("outbreak cluster %d", c.ClusterID)})
	}
	return events
}

// ClusterJoin is what a new complaint joining an outbreak cluster changes,
// for it and for every member of the clusters it merges.
type ClusterJoin struct {
	Root     int64 // the cluster's id: its oldest member's
	Priority string
	Flagged  bool
	ticket   string
}

// JoinCluster decides how c joins the earlier complaints members, some of
// which may belong to clusters already: those clusters merge into one,
// named after the oldest complaint of all, and every member becomes urgent
// and flagged for supervisors. members must not be empty.
func JoinCluster(c *Complaint, members, clusters []int64) ClusterJoin {
	root := slices.Min(append(slices.Clone(members), clusters...))
	return ClusterJoin{Root: root, Priority: PriorityUrgent, Flagged: true, ticket: c.Ticket}
}

// Apply records the join on the new complaint itself.
func (j ClusterJoin) Apply(c *Complaint) {
	c.ClusterID, c.Flagged, c.Priority = j.Root, j.Flagged, j.Priority
}

// MemberEvent is the internal note on the timeline of an earlier member,
// whose status is status, when the new complaint joins it.
func (j ClusterJoin) MemberEvent(status string) ComplaintEvent {
	return ComplaintEvent{Type: EventCluster, Status: status,
		Note: fmt.Sprintf("outbreak cluster %d: another illness complaint about the same shop (%s)", j.Root, j.ticket)}
}

// FirstDue is the deadline a new complaint is queued by: deciding whether to
// accept a complaint, or whether to open a case on a report.
func (c *Complaint) FirstDue() time.Time {
	if c.Kind == KindReport {
		return c.VerifyDue
	}
	return c.AcceptDue
}

// RatedEvent is the timeline entry of a complainant's rating, which the
// complainant sees; status is the complaint's at the time.
func RatedEvent(status string, stars int) ComplaintEvent {
	return ComplaintEvent{Type: EventRated, Status: status, Public: true, Note: fmt.Sprintf("%d/5", stars)}
}
