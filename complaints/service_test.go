package complaints_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/complaints"
)

func newService(t *testing.T) (*complaints.Service, func(time.Duration)) {
	t.Helper()
	svc, _, advance := newServiceOn(t, filingStores[0].open)
	return svc, advance
}

func illness(phone, text string) shian.ComplaintSubmission {
	return shian.ComplaintSubmission{Input: shian.ComplaintInput{Kind: shian.KindComplaint, Category: "spoiled_food",
		Licence: "JY1130302000001", Description: text, ContactName: "李四", ContactPhone: phone}}
}

// Triage decides, the store links: illness complaints from two people about
// one shop within 48 h form a cluster; the same person again is a duplicate.
func TestFileLinksClustersAndDuplicates(t *testing.T) {
	svc, advance := newService(t)
	ctx := context.Background()
	steps := []struct {
		name        string
		sub         shian.ComplaintSubmission
		after       time.Duration
		cluster     bool
		duplicateOf int // index of the step it repeats, -1 for none
	}{
		{"first illness complaint", illness("13800000001", "昨晚吃了海鲜，半夜呕吐腹泻。"), 0, false, -1},
		{"same person again", illness("13800000001", "昨晚吃了海鲜，半夜呕吐腹泻，今天还发烧。"), time.Hour, false, 0},
		{"another person within 48 h", illness("13900000002", "我们一家三口都拉肚子了，去医院输液。"), 20 * time.Hour, true, -1},
		{"a third, two days after the first but within 48 h of the second", illness("13700000003", "food poisoning after dinner, vomiting all night"), 40 * time.Hour, true, -1},
	}
	var tickets []string
	for _, s := range steps {
		advance(s.after)
		f, err := svc.File(ctx, s.sub)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		tickets = append(tickets, f.Ticket)
		if f.Category != "foodborne_illness" {
			t.Errorf("%s: category %s, want foodborne_illness (raised by the words)", s.name, f.Category)
		}
	}
	tracks := make([]*shian.Complaint, len(tickets))
	for i, tk := range tickets {
		l, _ := svc.List(ctx, shian.ComplaintFilter{Tickets: []string{tk}})
		tracks[i] = l[0]
	}
	for i, s := range steps {
		c := tracks[i]
		if s.duplicateOf >= 0 && c.DuplicateOf != tracks[s.duplicateOf].ID {
			t.Errorf("%s: duplicate_of %d, want %d", s.name, c.DuplicateOf, tracks[s.duplicateOf].ID)
		}
		if s.duplicateOf < 0 && c.DuplicateOf != 0 {
			t.Errorf("%s: duplicate_of %d, want none", s.name, c.DuplicateOf)
		}
		if s.cluster && (c.ClusterID == 0 || !c.Flagged || c.Priority != shian.PriorityUrgent) {
			t.Errorf("%s: cluster %d flagged %v priority %s", s.name, c.ClusterID, c.Flagged, c.Priority)
		}
	}
	if tracks[0].ClusterID == 0 || tracks[0].ClusterID != tracks[2].ClusterID || tracks[3].ClusterID != tracks[0].ClusterID {
		t.Errorf("clusters: %d %d %d %d, want one cluster", tracks[0].ClusterID, tracks[1].ClusterID, tracks[2].ClusterID, tracks[3].ClusterID)
	}
	contact, err := svc.OpenContact(tracks[2])
	if err != nil || contact.Phone != "13900000002" || tracks[2].PhoneMasked != "139****0002" || strings.Contains(tracks[2].ContactSealed, "1390000") {
		t.Errorf("contact %+v, %v; masked %s", contact, err, tracks[2].PhoneMasked)
	}
}

func TestPurgeAndAPIKeys(t *testing.T) {
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Purge(ctx, time.Hour); shian.ErrorCode(err) != shian.EINVALID {
		t.Fatalf("purge of the last hour: %v", err)
	}
	if n, err := svc.Purge(ctx, 365*24*time.Hour); n != 0 || err != nil {
		t.Fatalf("purge = %d, %v", n, err)
	}
	key, err := svc.AddAPIKey(ctx, "meituan")
	if err != nil || !strings.HasPrefix(key, "qhd_") {
		t.Fatalf("key %q, %v", key, err)
	}
	for _, tc := range []struct {
		key  string
		want string
		code string
	}{{key, "meituan", ""}, {key + "x", "", shian.EUNAUTHORIZED}, {"", "", shian.EUNAUTHORIZED}} {
		got, err := svc.Partner(ctx, tc.key)
		if got != tc.want || shian.ErrorCode(err) != tc.code {
			t.Errorf("Partner(%q) = %q, %v", tc.key, got, err)
		}
	}
}
