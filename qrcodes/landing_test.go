package qrcodes_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"shian"
	"shian/qrcodes"
	"shian/store/sqlite"
	"shian/store/storetest"
)

// verifier adapts a Signer to the Verifier of a Landing, as cmd does.
type verifier struct{ *qrcodes.Signer }

func (v verifier) Verify(token string) (int64, int, error) {
	c, err := v.Signer.Verify(token)
	return c.ShopID, c.Version, err
}

// failingScans refuses once, to show counts survive a failed flush.
type failingScans struct {
	qrcodes.ScanStore
	fail bool
}

func (f *failingScans) AddScans(ctx context.Context, day string, counts map[int64]int) error {
	if f.fail {
		f.fail = false
		return errors.New("store down")
	}
	return f.ScanStore.AddScans(ctx, day, counts)
}

func TestLanding(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shian.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.MustMigrate(t, db)
	if _, err := db.UpsertShops(ctx, []*shian.Shop{storetest.Shop("JY1130302000001", "老二位海鲜", "beidaihe")}); err != nil {
		t.Fatal(err)
	}
	shop, err := db.ShopByLicence(ctx, "JY1130302000001")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := qrcodes.DeriveKeys([]byte("test-master-secret-0123456789abcdef"), "1")
	if err != nil {
		t.Fatal(err)
	}
	sg, err := qrcodes.NewSigner(keys)
	if err != nil {
		t.Fatal(err)
	}
	scans := &failingScans{ScanStore: db, fail: true}
	l := qrcodes.NewLanding(qrcodes.LandingConfig{Verifier: verifier{sg}, Shops: db, Scans: scans,
		Now: func() time.Time { return storetest.Now }})
	token := sg.Sign(shop.ID, shop.StickerVersion)
	for range 3 {
		got, outdated, err := l.Resolve(ctx, token)
		if err != nil || got == nil || got.Licence != shop.Licence || outdated {
			t.Fatalf("valid token: %v %v %v", got, outdated, err)
		}
	}
	if got, _, err := l.Resolve(ctx, sg.Sign(shop.ID+1000, 1)); got != nil || err != nil {
		t.Fatalf("a token for no shop: %v %v", got, err)
	}
	if got, _, err := l.Resolve(ctx, "HELLO"); got != nil || err != nil {
		t.Fatalf("garbage: %v %v", got, err)
	}
	if got, outdated, _ := l.Resolve(ctx, sg.Sign(shop.ID, shop.StickerVersion-1)); got == nil || !outdated {
		t.Fatalf("an older sticker: %v outdated %v", got, outdated)
	}
	if err := l.Flush(ctx); err == nil {
		t.Fatal("flush to a failing store succeeded")
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	days, err := db.ShopScans(ctx, shop.ID, "2026-01-01")
	if err != nil || len(days) != 1 || days[0].Scans != 4 {
		t.Fatalf("scans = %v, %v (want the 4 valid scans, kept across the failed flush)", days, err)
	}
}
