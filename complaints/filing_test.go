package complaints_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/complaints"
	"shian/internal/testenv"
	"shian/store/postgres"
	"shian/store/sqlite"
	"shian/store/sqlstore"
	"shian/store/storetest"
	"shian/triage"
)

// filingStores are the real stores the filing rules are pinned against.
var filingStores = []struct {
	name string
	open func(t *testing.T) *sqlstore.DB
}{
	{"sqlite", func(t *testing.T) *sqlstore.DB {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shian.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
	{"postgres", func(t *testing.T) *sqlstore.DB {
		db, err := postgres.Open(context.Background(), testenv.NewPostgresDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
}

// newServiceOn is newService on the store open returns.
func newServiceOn(t *testing.T, open func(*testing.T) *sqlstore.DB) (*complaints.Service, *sqlstore.DB, func(time.Duration)) {
	t.Helper()
	db := open(t)
	t.Cleanup(func() { db.Close() })
	now := storetest.Now
	db.Now = func() time.Time { return now }
	storetest.MustMigrate(t, db)
	if _, err := db.UpsertShops(context.Background(), []*shian.Shop{storetest.Shop("JY1130302000001", "老二位海鲜", "beidaihe")}); err != nil {
		t.Fatal(err)
	}
	tr, err := triage.New(triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := complaints.New(complaints.Config{Store: db, Triager: tr, Secret: []byte(strings.Repeat("x", 32)),
		PhotoDir: t.TempDir(), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return svc, db, func(d time.Duration) { now = now.Add(d) }
}

// The filing rules, through the service and into each real store: which
// earlier complaints a new one is compared with (illness: everyone's about
// the shop; anything else: the same phone's), and the timeline a filing
// starts (public "filed"; internal notes of its duplicate and cluster; a
// note on every earlier member of a cluster it joins).
func TestFilingRules(t *testing.T) {
	hygiene := func(phone string) shian.ComplaintSubmission {
		in := shian.ComplaintInput{Kind: shian.KindComplaint, Category: "hygiene", Licence: "JY1130302000001",
			Description: "厨房里看到老鼠，餐具也不干净。", ContactName: "王五", ContactPhone: phone}
		if phone == "" {
			in.Kind, in.ContactName = shian.KindReport, ""
		}
		return shian.ComplaintSubmission{Input: in}
	}
	steps := []struct {
		name  string
		sub   shian.ComplaintSubmission
		after time.Duration
		// want
		duplicateOf int      // index of the step repeated, -1 for none
		clusterWith int      // index of the step whose cluster it is in, -1 for none
		events      []string // the staff timeline right after filing
	}{
		{"illness, person A", illness("13800000001", "昨晚吃了海鲜，半夜呕吐腹泻。"), 0, -1, -1, []string{"filed"}},
		{"hygiene, person B", hygiene("13900000002"), time.Minute, -1, -1, []string{"filed"}},
		{"hygiene, person C: another phone is no duplicate", hygiene("13700000003"), time.Minute, -1, -1, []string{"filed"}},
		{"hygiene, person B again: a duplicate", hygiene("13900000002"), time.Hour, 1, -1, []string{"filed", "duplicate"}},
		{"hygiene, anonymous", hygiene(""), time.Minute, -1, -1, []string{"filed"}},
		{"hygiene, anonymous again: no phone, no duplicate", hygiene(""), time.Minute, -1, -1, []string{"filed"}},
		{"illness, person D: any phone counts towards an outbreak", illness("13600000004", "我们一家三口都拉肚子了，去医院输液。"), 2 * time.Hour, -1, 0, []string{"filed", "cluster"}},
	}
	for _, st := range filingStores {
		t.Run(st.name, func(t *testing.T) {
			svc, db, advance := newServiceOn(t, st.open)
			ctx := context.Background()
			filed := make([]*shian.Complaint, len(steps))
			for i, s := range steps {
				advance(s.after)
				f, err := svc.File(ctx, s.sub)
				if err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				if filed[i], err = db.ComplaintByTicket(ctx, f.Ticket); err != nil {
					t.Fatal(err)
				}
				events, err := db.ComplaintEvents(ctx, filed[i].ID, false)
				if err != nil {
					t.Fatal(err)
				}
				if got := eventTypes(events); !slices.Equal(got, s.events) {
					t.Errorf("%s: timeline %v, want %v", s.name, got, s.events)
				}
			}
			for i, s := range steps {
				c := filed[i]
				want := int64(0)
				if s.duplicateOf >= 0 {
					want = filed[s.duplicateOf].ID
				}
				if c.DuplicateOf != want {
					t.Errorf("%s: duplicate of %d, want %d", s.name, c.DuplicateOf, want)
				}
				// An earlier complaint may have been joined by a later one.
				if s.clusterWith >= 0 {
					root := filed[s.clusterWith]
					if c.ClusterID != root.ID || !c.Flagged || c.Priority != shian.PriorityUrgent {
						t.Errorf("%s: cluster %d flagged %v priority %s; want cluster %d, flagged, urgent", s.name, c.ClusterID, c.Flagged, c.Priority, root.ID)
					}
				} else if i != 0 && c.ClusterID != 0 {
					t.Errorf("%s: in cluster %d, want none", s.name, c.ClusterID)
				}
				public, err := db.ComplaintEvents(ctx, c.ID, true)
				if err != nil || !slices.Equal(eventTypes(public), []string{"filed"}) {
					t.Errorf("%s: public timeline %v, %v; want [filed]: links are internal", s.name, eventTypes(public), err)
				}
			}
			// The first illness complaint, joined by the later one: it is in
			// the cluster named after it, urgent, with a note naming the
			// ticket that joined it.
			first, err := db.ComplaintByTicket(ctx, filed[0].Ticket)
			if err != nil {
				t.Fatal(err)
			}
			if first.ClusterID != first.ID || !first.Flagged || first.Priority != shian.PriorityUrgent {
				t.Errorf("first illness complaint: cluster %d flagged %v priority %s; want its own id, flagged, urgent", first.ClusterID, first.Flagged, first.Priority)
			}
			events, _ := db.ComplaintEvents(ctx, first.ID, false)
			if got := eventTypes(events); !slices.Equal(got, []string{"filed", "cluster"}) {
				t.Fatalf("first illness complaint: timeline %v, want [filed cluster]", got)
			}
			if note := events[1].Note; !strings.Contains(note, filed[6].Ticket) || events[1].Public {
				t.Errorf("first illness complaint: cluster note %q (public %v); want an internal note naming %s", note, events[1].Public, filed[6].Ticket)
			}
		})
	}
}

func eventTypes(events []shian.ComplaintEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

// The store compares a new complaint with those of the last
// shian.LinkLookback: triage's windows must fit in it, or a cluster or a
// duplicate it should see would not be loaded.
func TestLinkLookbackCoversTriageWindows(t *testing.T) {
	for _, w := range []struct {
		name string
		d    time.Duration
	}{{"cluster", triage.ClusterWindow}, {"duplicate", triage.DuplicateWindow}, {"lookback", triage.Lookback}} {
		if w.d > shian.LinkLookback {
			t.Errorf("triage's %s window %v is longer than shian.LinkLookback %v", w.name, w.d, shian.LinkLookback)
		}
	}
}
