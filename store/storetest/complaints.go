package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"shian"
	"shian/store/sqlstore"
)

// Complaint returns a valid complaint (as the service would build it) with
// the given ticket about the shop with shopKey.
func Complaint(ticket, shopKey, category string) *shian.Complaint {
	return &shian.Complaint{Ticket: ticket, Kind: shian.KindComplaint, Status: shian.ComplaintReceived,
		Category: category, SubmittedCategory: category, Priority: shian.PriorityNormal, District: "beidaihe",
		Grid: "beidaihe-01", Office: "beidaihe", RoutedBy: "shop", ShopKey: shopKey, ShopName: "老二位海鲜",
		Description: "<b>菜里有头发</b>，服务员态度差", OccurredAt: Now.Add(-2 * time.Hour), Lat: 39.83, Lng: 119.48,
		HasGeo: true, Lang: "zh", Channel: shian.ChannelWeb, ContactSealed: "v1:sealed", PhoneHash: "hash-a",
		PhoneMasked: "138****1234", Last4Hash: "l4", ReceiptHash: "rc", AcceptDue: Now.Add(9 * 24 * time.Hour)}
}

// linkAll links a new complaint to every recent one of the same category:
// a cluster for illness, a duplicate otherwise (a stand-in for triage.Link).
func linkAll(category string) shian.LinkFunc {
	return func(recent []shian.RecentComplaint) shian.ComplaintLinks {
		var l shian.ComplaintLinks
		for _, r := range recent {
			switch {
			case r.Category != category:
			case category == "foodborne_illness":
				l.Cluster = append(l.Cluster, r.ID)
			case l.DuplicateOf == 0:
				l.DuplicateOf = r.ID
			}
		}
		return l
	}
}

func runComplaints(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("RoundTrip", func(t *testing.T) {
		db := open(t)
		if _, err := db.UpsertShops(ctx, []*shian.Shop{Shop("JY1130302000001", "老二位海鲜", "beidaihe")}); err != nil {
			t.Fatal(err)
		}
		shop, _ := db.ShopByLicence(ctx, "JY1130302000001")
		in := Complaint("QHD-AAAA-2222", "licence:JY1130302000001", "hygiene")
		in.ShopID, in.Licence = shop.ID, shop.Licence
		in.Photos = []shian.ComplaintPhoto{{Path: "2026/07/ab.jpg", Type: "image/jpeg", Width: 40, Height: 30, Size: 999}}
		if err := db.InsertComplaint(ctx, in, linkAll("hygiene"), nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.ComplaintByTicket(ctx, "QHD-AAAA-2222")
		if err != nil {
			t.Fatal(err)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"id", got.ID, in.ID},
			{"status", got.Status, shian.ComplaintReceived},
			{"description kept as text", got.Description, "<b>菜里有头发</b>，服务员态度差"},
			{"shop", fmt.Sprint(got.ShopID, got.Licence), fmt.Sprint(shop.ID, shop.Licence)},
			{"geo", fmt.Sprintf("%v %.2f %.2f", got.HasGeo, got.Lat, got.Lng), "true 39.83 119.48"},
			{"occurred", got.OccurredAt.Equal(in.OccurredAt), true},
			{"accept due", got.AcceptDue.Equal(in.AcceptDue), true},
			{"verify due unset", got.VerifyDue.IsZero(), true},
			{"sealed", got.ContactSealed, "v1:sealed"},
			{"masked", got.PhoneMasked, "138****1234"},
			{"photo", fmt.Sprint(got.Photos), "[{2026/07/ab.jpg image/jpeg 40 30 999}]"},
			{"created", got.CreatedAt.Equal(Now), true},
		}
		for _, c := range checks {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
		events, err := db.ComplaintEvents(ctx, got.ID, true)
		if err != nil || len(events) != 1 || events[0].Type != "filed" || !events[0].Public {
			t.Fatalf("public timeline = %+v, %v", events, err)
		}
		if _, err := db.ComplaintByTicket(ctx, "QHD-ZZZZ-ZZZZ"); shian.ErrorCode(err) != shian.ENOTFOUND {
			t.Fatalf("unknown ticket: %v", err)
		}
	})
	t.Run("TicketTaken", func(t *testing.T) {
		db := open(t)
		if err := db.InsertComplaint(ctx, Complaint("QHD-BBBB-2222", "", "other"), nil, nil); err != nil {
			t.Fatal(err)
		}
		err := db.InsertComplaint(ctx, Complaint("QHD-BBBB-2222", "", "other"), nil, nil)
		if err != sqlstore.ErrTicketTaken {
			t.Fatalf("second insert with the same ticket: %v", err)
		}
	})
	t.Run("DuplicatesAndClusters", func(t *testing.T) {
		db := open(t)
		key := "name:haigang:老王烧烤"
		a := Complaint("QHD-CCCC-2222", key, "hygiene")
		b := Complaint("QHD-CCCC-3333", key, "hygiene")
		if err := db.InsertComplaint(ctx, a, linkAll("hygiene"), nil); err != nil {
			t.Fatal(err)
		}
		if err := db.InsertComplaint(ctx, b, linkAll("hygiene"), nil); err != nil {
			t.Fatal(err)
		}
		if b.DuplicateOf != a.ID {
			t.Errorf("duplicate_of = %d, want %d", b.DuplicateOf, a.ID)
		}
		var ill []*shian.Complaint
		for i := range 3 {
			c := Complaint(fmt.Sprintf("QHD-DDDD-%d222", i+2), key, "foodborne_illness")
			if err := db.InsertComplaint(ctx, c, linkAll("foodborne_illness"), nil); err != nil {
				t.Fatal(err)
			}
			ill = append(ill, c)
		}
		for _, c := range ill {
			got, _ := db.ComplaintByTicket(ctx, c.Ticket)
			if got.ClusterID != ill[0].ID || !got.Flagged || got.Priority != shian.PriorityUrgent {
				t.Errorf("%s: cluster %d flagged %v priority %s; want cluster %d, flagged, urgent", c.Ticket, got.ClusterID, got.Flagged, got.Priority, ill[0].ID)
			}
		}
		first, _ := db.ComplaintEvents(ctx, ill[0].ID, false)
		public, _ := db.ComplaintEvents(ctx, ill[0].ID, true)
		if len(first) != 3 || len(public) != 1 {
			t.Errorf("first of the cluster: %d events (%d public), want 3 (1): internal cluster notes are not public", len(first), len(public))
		}
	})
	t.Run("Idempotency", func(t *testing.T) {
		db := open(t)
		clock := Now
		db.Now = func() time.Time { return clock }
		idem := &shian.Idempotency{Key: "k1", RequestHash: "h1", Owner: "o1", Held: true}
		steps := []struct {
			name  string
			idem  shian.Idempotency
			after time.Duration // clock advance before the step
			want  shian.IdempotencyState
		}{
			{"new key", *idem, 0, shian.IdemNew},
			{"same request while held", shian.Idempotency{Key: "k1", RequestHash: "h1", Owner: "o2"}, time.Second, shian.IdemBusy},
			{"other request", shian.Idempotency{Key: "k1", RequestHash: "h2", Owner: "o3"}, 0, shian.IdemMismatch},
			{"holder died: lease over", shian.Idempotency{Key: "k1", RequestHash: "h1", Owner: "o4"}, 31 * time.Second, shian.IdemNew},
		}
		for _, s := range steps {
			clock = clock.Add(s.after)
			i := s.idem
			st, err := db.BeginIdempotency(ctx, &i, 30*time.Second, 24*time.Hour)
			if err != nil || st != s.want {
				t.Fatalf("%s: state %v, %v; want %v", s.name, st, err, s.want)
			}
		}
		// o1 lost the key to o4: its filing must not commit.
		idem.Response = []byte("first")
		if err := db.InsertComplaint(ctx, Complaint("QHD-EEEE-2222", "", "other"), nil, idem); shian.ErrorCode(err) != shian.ECONFLICT {
			t.Fatalf("filing by a holder that lost its lease: %v", err)
		}
		o4 := &shian.Idempotency{Key: "k1", RequestHash: "h1", Owner: "o4", Response: []byte("answer"), Held: true}
		if err := db.InsertComplaint(ctx, Complaint("QHD-EEEE-3333", "", "other"), nil, o4); err != nil {
			t.Fatal(err)
		}
		replay := &shian.Idempotency{Key: "k1", RequestHash: "h1", Owner: "o5"}
		if st, err := db.BeginIdempotency(ctx, replay, 30*time.Second, 24*time.Hour); st != shian.IdemDone || string(replay.Response) != "answer" || err != nil {
			t.Fatalf("replay: %v %q %v", st, replay.Response, err)
		}
		if _, err := db.ComplaintByTicket(ctx, "QHD-EEEE-2222"); shian.ErrorCode(err) != shian.ENOTFOUND {
			t.Fatalf("the losing filing was written: %v", err)
		}
		clock = clock.Add(25 * time.Hour)
		fresh := &shian.Idempotency{Key: "k1", RequestHash: "other", Owner: "o6"}
		if st, _ := db.BeginIdempotency(ctx, fresh, 30*time.Second, 24*time.Hour); st != shian.IdemNew {
			t.Fatalf("a key older than 24 h is new again, got %v", st)
		}
		if err := db.ReleaseIdempotency(ctx, fresh); err != nil {
			t.Fatal(err)
		}
		if st, _ := db.BeginIdempotency(ctx, fresh, 30*time.Second, 24*time.Hour); st != shian.IdemNew {
			t.Fatalf("a released key is new again, got %v", st)
		}
	})
	t.Run("LinkingUnderGroupCommit", func(t *testing.T) {
		// Filings that arrive together share a transaction (and, on
		// PostgreSQL, one lookup of earlier complaints): they must still
		// see each other as if filed one by one.
		db := open(t)
		const n = 10
		type filing struct {
			c    *shian.Complaint
			link shian.LinkFunc
		}
		var fs []filing
		for i := range n {
			ill := Complaint(fmt.Sprintf("QHD-GGGA-%04d", i), "shop-x", "foodborne_illness")
			ill.PhoneHash = fmt.Sprint("ill-", i)
			dup := Complaint(fmt.Sprintf("QHD-GGGB-%04d", i), "shop-y", "hygiene")
			other := Complaint(fmt.Sprintf("QHD-GGGC-%04d", i), "shop-y", "hygiene")
			other.PhoneHash = fmt.Sprint("other-", i)
			fs = append(fs, filing{ill, linkAll("foodborne_illness")}, filing{dup, linkAll("hygiene")}, filing{other, linkAll("hygiene")})
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, f := range fs {
			wg.Go(func() {
				<-start
				if err := db.InsertComplaint(ctx, f.c, f.link, nil); err != nil {
					t.Error(err)
				}
			})
		}
		close(start)
		wg.Wait()
		firstIll, firstDup := int64(1<<62), int64(1<<62)
		for _, f := range fs {
			switch f.c.Ticket[:8] {
			case "QHD-GGGA":
				firstIll = min(firstIll, f.c.ID)
			case "QHD-GGGB":
				firstDup = min(firstDup, f.c.ID)
			}
		}
		for _, f := range fs {
			got, err := db.ComplaintByTicket(ctx, f.c.Ticket)
			if err != nil {
				t.Fatal(err)
			}
			switch f.c.Ticket[:8] {
			case "QHD-GGGA": // one outbreak cluster, named after its first
				if got.ClusterID != firstIll || !got.Flagged || got.Priority != shian.PriorityUrgent {
					t.Errorf("%s: cluster %d flagged %v priority %s; want cluster %d", got.Ticket, got.ClusterID, got.Flagged, got.Priority, firstIll)
				}
			case "QHD-GGGB": // one phone: the first, and duplicates of it
				want := firstDup
				if got.ID == firstDup {
					want = 0
				}
				if got.DuplicateOf != want {
					t.Errorf("%s: duplicate of %d, want %d", got.Ticket, got.DuplicateOf, want)
				}
			default: // other phones: no links
				if got.DuplicateOf != 0 || got.ClusterID != 0 {
					t.Errorf("%s: linked (duplicate of %d, cluster %d) though from another phone", got.Ticket, got.DuplicateOf, got.ClusterID)
				}
			}
		}
	})
	t.Run("GroupFailureIsolated", func(t *testing.T) {
		// One filing that fails (its ticket is taken) among many that
		// arrive together: it gets its own error, the others are stored.
		db := open(t)
		if err := db.InsertComplaint(ctx, Complaint("QHD-HHHH-0000", "shop-z", "hygiene"), nil, nil); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 12)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range errs {
			wg.Go(func() {
				<-start
				ticket := fmt.Sprintf("QHD-HHHH-%04d", i+1)
				if i == 5 {
					ticket = "QHD-HHHH-0000"
				}
				c := Complaint(ticket, fmt.Sprint("shop-", i%3), "hygiene")
				c.PhoneHash = fmt.Sprint("phone-", i)
				errs[i] = db.InsertComplaint(ctx, c, linkAll("hygiene"), nil)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if i == 5 {
				if !errors.Is(err, sqlstore.ErrTicketTaken) {
					t.Errorf("the filing with a taken ticket: %v", err)
				}
				continue
			}
			if err != nil {
				t.Errorf("filing %d: %v", i, err)
			} else if _, err := db.ComplaintByTicket(ctx, fmt.Sprintf("QHD-HHHH-%04d", i+1)); err != nil {
				t.Errorf("filing %d acknowledged but not stored: %v", i, err)
			}
		}
	})
	t.Run("IdempotencyClaimedInFiling", func(t *testing.T) {
		db := open(t)
		clock := Now
		db.Now = func() time.Time { return clock }
		key := func(owner, answer string) *shian.Idempotency {
			return &shian.Idempotency{Key: "k2", RequestHash: "h1", Owner: owner, Response: []byte(answer), Keep: 24 * time.Hour}
		}
		if err := db.InsertComplaint(ctx, Complaint("QHD-FFFF-0001", "", "other"), nil, key("o1", "first")); err != nil {
			t.Fatal(err)
		}
		replay := key("o2", "")
		if st, err := db.BeginIdempotency(ctx, replay, 30*time.Second, 24*time.Hour); st != shian.IdemDone || string(replay.Response) != "first" || err != nil {
			t.Fatalf("after a filing that claimed the key: %v %q %v", st, replay.Response, err)
		}
		// In use: nothing is stored, under any number of concurrent tries.
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				errs[i] = db.InsertComplaint(ctx, Complaint(fmt.Sprintf("QHD-FFFF-%04d", 10+i), "", "other"), nil, key(fmt.Sprint("x", i), "again"))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if !errors.Is(err, shian.ErrIdempotencyTaken) {
				t.Fatalf("filing %d under a key in use: %v", i, err)
			}
			if _, err := db.ComplaintByTicket(ctx, fmt.Sprintf("QHD-FFFF-%04d", 10+i)); shian.ErrorCode(err) != shian.ENOTFOUND {
				t.Fatalf("filing %d under a key in use was written: %v", i, err)
			}
		}
		// A fresh key claimed by many at once: exactly one files.
		won := 0
		for i := range errs {
			wg.Go(func() {
				k := key(fmt.Sprint("y", i), "race")
				k.Key = "k3"
				errs[i] = db.InsertComplaint(ctx, Complaint(fmt.Sprintf("QHD-FFFF-%04d", 20+i), "", "other"), nil, k)
			})
		}
		wg.Wait()
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, shian.ErrIdempotencyTaken):
				t.Fatalf("racing filing %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d racing filings with one key were stored, want 1", won, len(errs))
		}
		// A key left pending by a holder that died is taken over after its
		// lease; one older than Keep is new again.
		dead := &shian.Idempotency{Key: "k4", RequestHash: "h1", Owner: "dead"}
		if st, err := db.BeginIdempotency(ctx, dead, 30*time.Second, 24*time.Hour); st != shian.IdemNew || err != nil {
			t.Fatal(st, err)
		}
		k4 := key("o3", "taken over")
		k4.Key = "k4"
		if err := db.InsertComplaint(ctx, Complaint("QHD-FFFF-0030", "", "other"), nil, k4); !errors.Is(err, shian.ErrIdempotencyTaken) {
			t.Fatalf("a key held under a live lease: %v", err)
		}
		clock = clock.Add(31 * time.Second)
		if err := db.InsertComplaint(ctx, Complaint("QHD-FFFF-0031", "", "other"), nil, k4); err != nil {
			t.Fatalf("a key whose holder's lease ran out: %v", err)
		}
		clock = clock.Add(25 * time.Hour)
		if err := db.InsertComplaint(ctx, Complaint("QHD-FFFF-0032", "", "other"), nil, key("o4", "a day later")); err != nil {
			t.Fatalf("a key older than its Keep: %v", err)
		}
	})
	t.Run("IdempotencyRace", func(t *testing.T) {
		db := open(t)
		const n = 16
		states := make([]shian.IdempotencyState, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				states[i], errs[i] = db.BeginIdempotency(ctx, &shian.Idempotency{Key: "race", RequestHash: "h", Owner: fmt.Sprint("o", i)}, time.Minute, time.Hour)
			}()
		}
		wg.Wait()
		won := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("begin %d: %v", i, errs[i])
			}
			switch states[i] {
			case shian.IdemNew:
				won++
			case shian.IdemBusy:
			default:
				t.Errorf("begin %d: state %v", i, states[i])
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d concurrent holders got the key, want exactly 1", won, n)
		}
	})
	t.Run("ProofFailuresAndRating", func(t *testing.T) {
		db := open(t)
		clock := Now
		db.Now = func() time.Time { return clock }
		c := Complaint("QHD-FFFF-2222", "", "other")
		if err := db.InsertComplaint(ctx, c, nil, nil); err != nil {
			t.Fatal(err)
		}
		for want := 1; want <= 3; want++ {
			if n, err := db.RecordProofFailure(ctx, c.ID, 15*time.Minute); n != want || err != nil {
				t.Fatalf("failure %d counted as %d, %v", want, n, err)
			}
		}
		clock = clock.Add(16 * time.Minute)
		if n, _ := db.RecordProofFailure(ctx, c.ID, 15*time.Minute); n != 1 {
			t.Fatalf("a new window starts counting at 1, got %d", n)
		}
		if err := db.RateComplaint(ctx, c.ID, 4, "<i>快</i>"); err != nil {
			t.Fatal(err)
		}
		if err := db.RateComplaint(ctx, c.ID, 1, "again"); shian.ErrorCode(err) != shian.ECONFLICT {
			t.Fatalf("second rating: %v", err)
		}
		got, _ := db.ComplaintByTicket(ctx, c.Ticket)
		if got.Rating != 4 || got.RatingNote != "<i>快</i>" || got.RatedAt.IsZero() {
			t.Fatalf("rating = %d %q %v", got.Rating, got.RatingNote, got.RatedAt)
		}
	})
	t.Run("PurgeContacts", func(t *testing.T) {
		db := open(t)
		old, active, recent := Complaint("QHD-GGGG-2222", "", "other"), Complaint("QHD-GGGG-3333", "", "other"), Complaint("QHD-GGGG-4444", "", "other")
		for _, c := range []*shian.Complaint{old, active, recent} {
			if err := db.InsertComplaint(ctx, c, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []*shian.Complaint{old, recent} {
			if _, err := db.DB.ExecContext(ctx, db.Q(`UPDATE complaints SET status = 'closed' WHERE id = ?`), c.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.DB.ExecContext(ctx, db.Q(`UPDATE complaints SET updated_at = ? WHERE id IN (?, ?)`), Now.Add(-400*24*time.Hour), old.ID, active.ID); err != nil {
			t.Fatal(err)
		}
		n, err := db.PurgeContacts(ctx, Now.Add(-365*24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v; want 1 (closed and older than the cutoff)", n, err)
		}
		for _, c := range []struct {
			ticket string
			purged bool
		}{{old.Ticket, true}, {active.Ticket, false}, {recent.Ticket, false}} {
			got, _ := db.ComplaintByTicket(ctx, c.ticket)
			if purged := got.ContactSealed == "" && got.PhoneHash == "" && got.PhoneMasked == ""; purged != c.purged {
				t.Errorf("%s: purged %v, want %v", c.ticket, purged, c.purged)
			}
		}
	})
	t.Run("ListAndAPIKeys", func(t *testing.T) {
		db := open(t)
		if err := db.AddAPIKey(ctx, "meituan", "h1"); err != nil {
			t.Fatal(err)
		}
		if err := db.AddAPIKey(ctx, "meituan", "h2"); shian.ErrorCode(err) != shian.ECONFLICT {
			t.Fatalf("same partner twice: %v", err)
		}
		if name, err := db.APIKeyPartner(ctx, "h1"); name != "meituan" || err != nil {
			t.Fatalf("partner = %q, %v", name, err)
		}
		if _, err := db.APIKeyPartner(ctx, "nope"); shian.ErrorCode(err) != shian.EUNAUTHORIZED {
			t.Fatalf("unknown key: %v", err)
		}
		for i, p := range []string{"meituan", "meituan", "eleme"} {
			c := Complaint(fmt.Sprintf("QHD-HHHH-%d222", i+2), "", []string{"hygiene", "other", "hygiene"}[i])
			c.Partner, c.Channel = p, shian.ChannelOpen311
			if err := db.InsertComplaint(ctx, c, nil, nil); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			name string
			f    shian.ComplaintFilter
			want int
		}{
			{"partner", shian.ComplaintFilter{Partner: "meituan"}, 2},
			{"partner and category", shian.ComplaintFilter{Partner: "meituan", Categories: []string{"hygiene"}}, 1},
			{"ticket of another partner", shian.ComplaintFilter{Partner: "meituan", Tickets: []string{"QHD-HHHH-4222"}}, 0},
			{"status", shian.ComplaintFilter{Partner: "eleme", Statuses: []string{"closed"}}, 0},
			{"window", shian.ComplaintFilter{Partner: "meituan", From: Now.Add(time.Minute)}, 0},
		}
		for _, c := range cases {
			got, err := db.ListComplaints(ctx, c.f)
			if err != nil || len(got) != c.want {
				t.Errorf("%s: %d complaints, %v; want %d", c.name, len(got), err, c.want)
			}
		}
	})
}
