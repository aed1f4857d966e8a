package shian

import (
	"slices"
	"strings"
	"testing"
)

func TestLinkLookup(t *testing.T) {
	cases := []struct {
		name     string
		c        Complaint
		want     RecentLookup
		wantLink bool
	}{
		{"illness: every complainant about the shop", Complaint{ShopKey: "licence:X", Category: CategoryIllness, PhoneHash: "p"},
			RecentLookup{ShopKey: "licence:X", Category: CategoryIllness}, true},
		{"illness, anonymous", Complaint{ShopKey: "licence:X", Category: CategoryIllness},
			RecentLookup{ShopKey: "licence:X", Category: CategoryIllness}, true},
		{"other category: the same phone only", Complaint{ShopKey: "licence:X", Category: "hygiene", PhoneHash: "p"},
			RecentLookup{ShopKey: "licence:X", Category: "hygiene", PhoneHash: "p"}, true},
		{"other category, anonymous: nothing to repeat", Complaint{ShopKey: "licence:X", Category: "hygiene"},
			RecentLookup{ShopKey: "licence:X", Category: "hygiene"}, false},
		{"no shop", Complaint{Category: CategoryIllness, PhoneHash: "p"}, RecentLookup{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.c.LinkLookup()
			if ok != tc.wantLink || (ok && got != tc.want) {
				t.Fatalf("LinkLookup = %+v, %v; want %+v, %v", got, ok, tc.want, tc.wantLink)
			}
		})
	}
	l := RecentLookup{ShopKey: "s", Category: "hygiene", PhoneHash: "p"}
	if !l.Matches(RecentComplaint{Category: "hygiene", PhoneHash: "p"}, "s") ||
		l.Matches(RecentComplaint{Category: "hygiene", PhoneHash: "q"}, "s") ||
		l.Matches(RecentComplaint{Category: "hygiene", PhoneHash: "p"}, "t") {
		t.Error("Matches: same shop, category and phone only")
	}
	if every := (RecentLookup{ShopKey: "s", Category: CategoryIllness}); !every.Matches(RecentComplaint{Category: CategoryIllness, PhoneHash: "q"}, "s") {
		t.Error("Matches: a lookup without phone takes every phone")
	}
}

func TestFilingEventsAndClusterJoin(t *testing.T) {
	c := &Complaint{Ticket: "QHD-AAAA-2222", Priority: PriorityNormal}
	c.StampFiled(c.CreatedAt)
	if c.Status != ComplaintReceived {
		t.Fatalf("status %q, want received", c.Status)
	}
	types := func(es []ComplaintEvent) (out []string) {
		for _, e := range es {
			out = append(out, e.Type)
			if e.Public != (e.Type == EventFiled) {
				t.Errorf("%s event public = %v: only filed is public", e.Type, e.Public)
			}
		}
		return out
	}
	if got := types(c.FilingEvents()); !slices.Equal(got, []string{EventFiled}) {
		t.Fatalf("unlinked: %v", got)
	}
	c.DuplicateOf = 7
	j := JoinCluster(c, []int64{9, 12}, []int64{5})
	if j.Root != 5 || j.Priority != PriorityUrgent || !j.Flagged {
		t.Fatalf("join = %+v, want root 5 (the oldest of members and their clusters), urgent, flagged", j)
	}
	j.Apply(c)
	if c.ClusterID != 5 || c.Priority != PriorityUrgent || !c.Flagged {
		t.Fatalf("applied: cluster %d priority %s flagged %v", c.ClusterID, c.Priority, c.Flagged)
	}
	if got := types(c.FilingEvents()); !slices.Equal(got, []string{EventFiled, EventDuplicate, EventCluster}) {
		t.Fatalf("linked: %v", got)
	}
	if e := j.MemberEvent("accepted"); e.Type != EventCluster || e.Status != "accepted" || e.Public || !strings.Contains(e.Note, c.Ticket) {
		t.Fatalf("member event %+v", e)
	}
	if e := RatedEvent("closed", 4); e.Type != EventRated || !e.Public || e.Note != "4/5" || e.Status != "closed" {
		t.Errorf("rated event %+v: public, 4/5", e)
	}
	if (&Complaint{Kind: KindReport, VerifyDue: c.CreatedAt.Add(1)}).FirstDue() != c.CreatedAt.Add(1) {
		t.Error("a report is queued by its verify deadline")
	}
}
