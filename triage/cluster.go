package triage

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"shian/reading"
)

// Windows of the outbreak and duplicate rules (issue 5). Both are inclusive:
// a complaint exactly 48 h after another is in its cluster.
const (
	// ClusterWindow: two or more illness complaints about the same shop
	// within this time of each other form an outbreak cluster.
	ClusterWindow = 48 * time.Hour
	// DuplicateWindow: the same phone, shop and category within this time is
	// a duplicate, linked to the first complaint rather than dropped.
	DuplicateWindow = 24 * time.Hour
	// Lookback is how far back the store must load Recent complaints for Link.
	Lookback = ClusterWindow
)

// Filed is the complaint being filed, as Link needs it. Category is the one
// Triage returned (it may have been raised to foodborne_illness). ShopKey
// comes from ShopKey; PhoneHash is the keyed hash of the complainant's phone,
// "" when anonymous.
type Filed struct {
	ShopKey    string
	Category   string
	PhoneHash  string
	ReceivedAt time.Time
}

// Recent is an earlier complaint loaded by the store (received within
// Lookback of the new one). DuplicateOf is its own link, if it was itself a
// duplicate, so that every duplicate points at the original.
type Recent struct {
	ID          string
	ShopKey     string
	Category    string
	PhoneHash   string
	ReceivedAt  time.Time
	DuplicateOf string
}

// Links are what the store records for a new complaint.
type Links struct {
	// Cluster lists the earlier illness complaints about the same shop within
	// ClusterWindow, oldest first; nil when there is no outbreak. When not
	// nil, the new complaint and all of these are urgent and flagged for
	// supervisors. Clusters chain: if the listed complaints already belong to
	// clusters, the store merges them.
	Cluster []string
	// DuplicateOf is the id of the original complaint this one repeats (same
	// phone, shop and category within DuplicateWindow), "" if none.
	DuplicateOf string
}

// Link decides the cluster and duplicate links of a new complaint against
// recent ones. It is pure so that the rules are table-tested; the store
// loads recent (same shop, since f.ReceivedAt−Lookback) and records the
// result in the same transaction as the complaint.
//
// One person filing twice is not an outbreak: a cluster needs at least one
// earlier complaint from a different (or unknown) phone.
func Link(f Filed, recent []Recent) Links {
	var l Links
	if f.ShopKey == "" {
		return l // a shop nobody can identify cannot cluster or repeat
	}
	var cluster []Recent
	var dup *Recent
	otherPerson := false
	for i := range recent {
		r := &recent[i]
		if r.ShopKey != f.ShopKey {
			continue
		}
		gap := f.ReceivedAt.Sub(r.ReceivedAt).Abs()
		if f.Category == IllnessCategory && r.Category == IllnessCategory && gap <= ClusterWindow {
			cluster = append(cluster, *r)
			if f.PhoneHash == "" || r.PhoneHash != f.PhoneHash {
				otherPerson = true
			}
		}
		samePhone := f.PhoneHash != "" && r.PhoneHash == f.PhoneHash
		if samePhone && r.Category == f.Category && gap <= DuplicateWindow && !r.ReceivedAt.After(f.ReceivedAt) {
			if dup == nil || earlier(*r, *dup) {
				dup = r
			}
		}
	}
	if otherPerson {
		slices.SortFunc(cluster, func(a, b Recent) int {
			return cmp.Or(a.ReceivedAt.Compare(b.ReceivedAt), strings.Compare(a.ID, b.ID))
		})
		for _, r := range cluster {
			l.Cluster = append(l.Cluster, r.ID)
		}
	}
	if dup != nil {
		l.DuplicateOf = cmp.Or(dup.DuplicateOf, dup.ID)
	}
	return l
}

func earlier(a, b Recent) bool {
	return a.ReceivedAt.Before(b.ReceivedAt) || (a.ReceivedAt.Equal(b.ReceivedAt) && a.ID < b.ID)
}

// ShopKey is the key under which complaints about one shop are compared: the
// licence when the shop is known, else the routed district and the shop name
// as typed, folded (case, width, spaces) so that "老王 烧烤" and "老王烧烤"
// match while two 沙县小吃 in different districts do not. "" when neither
// licence nor name is given: such complaints never cluster or repeat.
func ShopKey(licence, district, name string) string {
	if l := strings.TrimSpace(licence); l != "" {
		return "licence:" + strings.ToUpper(l)
	}
	n := strings.ReplaceAll(reading.Normalize(name), " ", "")
	if n == "" {
		return ""
	}
	return "name:" + district + ":" + n
}
