package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"shian"
	"shian/store/sqlstore"
	"shian/views"
)

// ReplicaOpener returns two store handles on one new, migrated database:
// what two replicas of the service see.
type ReplicaOpener func(t *testing.T) (a, b *sqlstore.DB)

// RunViews runs the read-model suite (docs/read-model.md): the view row
// follows every write, grades follow the date, and a write through one
// handle drops the cached answers of another within its poll interval.
func RunViews(t *testing.T, open ReplicaOpener) {
	ctx := context.Background()
	t.Run("ViewFollowsWrites", func(t *testing.T) {
		db, _ := open(t)
		const lic = "JY1130302000101"
		if _, err := db.UpsertShops(ctx, []*shian.Shop{Shop(lic, "老二位海鲜", "beidaihe")}); err != nil {
			t.Fatal(err)
		}
		first, err := db.ShopByLicence(ctx, lic)
		if err != nil || first.Name != "老二位海鲜" || len(first.Inspections) != 2 {
			t.Fatalf("first read = %+v, %v", first, err)
		}
		// Rebuilt views are written back in the background.
		for deadline := time.Now().Add(5 * time.Second); !viewBuilt(t, db, lic); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("a read did not build the view row")
			}
		}
		again, err := db.ShopByLicence(ctx, lic)
		if err != nil || again.Name != first.Name || again.Grade != first.Grade || again.ID != first.ID {
			t.Fatalf("read from the view = %+v, %v; want %+v", again, err, first)
		}
		changed := Shop(lic, "老二位海鲜大排档", "beidaihe")
		changed.Inspections = changed.Inspections[:1]
		if _, err := db.UpsertShops(ctx, []*shian.Shop{changed}); err != nil {
			t.Fatal(err)
		}
		if viewBuilt(t, db, lic) {
			t.Fatal("an upsert left the view row fresh")
		}
		byID, err := db.ShopByID(ctx, first.ID)
		if err != nil || byID.Name != "老二位海鲜大排档" || len(byID.Inspections) != 1 {
			t.Fatalf("read by id after the upsert = %+v, %v", byID, err)
		}
		if _, err := db.ReissueSticker(ctx, lic); err != nil {
			t.Fatal(err)
		}
		s, err := db.ShopByLicence(ctx, lic)
		if err != nil || s.StickerVersion != first.StickerVersion+1 {
			t.Fatalf("sticker version after reissue = %d, %v; want %d", s.StickerVersion, err, first.StickerVersion+1)
		}
	})
	t.Run("ViewGradeFollowsTheDate", func(t *testing.T) {
		db, _ := open(t)
		const lic = "JY1130302000102"
		if _, err := db.UpsertShops(ctx, []*shian.Shop{Shop(lic, "渔家乐", "beidaihe")}); err != nil {
			t.Fatal(err)
		}
		today, err := db.ShopByLicence(ctx, lic)
		if err != nil {
			t.Fatal(err)
		}
		later := Now.AddDate(0, 6, 0) // past 90 days without inspection, and past New Year
		db.Now = func() time.Time { return later }
		t.Cleanup(func() { db.Now = func() time.Time { return Now } })
		s, err := db.ShopByLicence(ctx, lic)
		if err != nil {
			t.Fatal(err)
		}
		want := shian.ComputeGrade(s, later)
		if s.Grade != want || s.Grade == today.Grade {
			t.Fatalf("grade half a year later = %+v; want %+v (it was %+v)", s.Grade, want, today.Grade)
		}
	})
	t.Run("ReplicasInvalidate", func(t *testing.T) { testReplicas(t, open) })
}

// viewBuilt says whether the shop's view row holds a body.
func viewBuilt(t *testing.T, db *sqlstore.DB, licence string) bool {
	t.Helper()
	var n int
	if err := db.DB.QueryRowContext(context.Background(), db.Q(`SELECT COUNT(*) FROM shop_views WHERE licence = ? AND body IS NOT NULL`), licence).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// testReplicas: replica B caches answers read through its own handle, and
// polls the change sequence like the service does; writes go through A.
func testReplicas(t *testing.T, open ReplicaOpener) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, b := open(t)
	const known, unknown = "JY1130302000201", "JY1130302000202"
	if _, err := a.UpsertShops(ctx, []*shian.Shop{Shop(known, "老二位海鲜", "beidaihe")}); err != nil {
		t.Fatal(err)
	}
	cache := views.New(views.Options{NegativeTTL: time.Hour}) // only the poller may drop answers here
	poller := &views.Poller{Feed: b, Cache: cache, Interval: 50 * time.Millisecond}
	if err := poller.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	answer := func(licence string) (string, error) {
		body, err := cache.Answer(ctx, licence, "json", func(ctx context.Context) ([]byte, error) {
			s, err := b.ShopByLicence(ctx, licence)
			if err != nil {
				return nil, err
			}
			return json.Marshal(s.Name)
		})
		return string(body), err
	}
	if got, err := answer(known); err != nil || got != `"老二位海鲜"` {
		t.Fatalf("B's first answer = %s, %v", got, err)
	}
	if _, err := answer(unknown); shian.ErrorCode(err) != shian.ENOTFOUND {
		t.Fatalf("B's answer for an unknown licence = %v; want ENOTFOUND", err)
	}
	if st := cache.Stats(); st.Entries != 1 || st.NegativeEntries != 1 {
		t.Fatalf("B's cache = %+v; want one answer and one unknown licence", st)
	}
	go poller.Run(ctx, func(err error) { t.Errorf("poll: %v", err) })

	if _, err := a.UpsertShops(ctx, []*shian.Shop{Shop(known, "老二位海鲜大排档", "beidaihe"), Shop(unknown, "渔家乐", "haigang")}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{known: `"老二位海鲜大排档"`, unknown: `"渔家乐"`}
	deadline := time.Now().Add(5 * time.Second)
	for licence, w := range want {
		for {
			got, err := answer(licence)
			if err == nil && got == w {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("B still answers %s, %v for %s 5 s after A's write; want %s", got, err, licence, w)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
