package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/api"
	"shian/qrcodes"
	"shian/store/storetest"
)

// signer adapts a real qrcodes.Signer to api.Stickers, as cmd/shian does.
type signer struct{ *qrcodes.Signer }

func (s signer) Verify(token string) (int64, int, error) {
	c, err := s.Signer.Verify(token)
	return c.ShopID, c.Version, err
}

func newSigner(t testing.TB) signer {
	keys, err := qrcodes.DeriveKeys([]byte("test-master-secret-0123456789abcdef"), "1")
	if err != nil {
		t.Fatal(err)
	}
	sg, err := qrcodes.NewSigner(keys)
	if err != nil {
		t.Fatal(err)
	}
	return signer{sg}
}

func page(t *testing.T, s *api.Server, path, lang string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := s.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestLandingPage(t *testing.T) {
	db := newStore(t)
	sg := newSigner(t)
	s := api.New(api.Config{Store: db, Stickers: sg, Scans: db, Now: func() time.Time { return storetest.Now }})
	shop, _ := db.ShopByLicence(context.Background(), "JY1130302000001")
	token := sg.Sign(shop.ID, shop.StickerVersion)

	cases := []struct {
		name, path, lang string
		status           int
		want, notWant    []string
	}{
		{"chinese", "/s/" + token, "zh-CN", 200, []string{"老二位海鲜", "良好", "🙂", "检查日期 2026-05-10", "JY1130302000001", "官方二维码", "餐具消毒不到位", "投诉此商户", "/complaints/new?licence=JY1130302000001&amp;channel=qr"}, []string{"<script"}},
		{"english, upper-case path", "/S/" + token, "en", 200, []string{"Seafood JY1130302000001", "Good", "Official code issued by the city", "Complain about this shop"}, nil},
		{"russian", "/s/" + strings.ToLower(token), "ru", 200, []string{"Хорошо", "Официальный код"}, nil},
		{"forged", "/s/" + token[:len(token)-1] + "A", "en", 404, []string{"not issued by the city", "category=fake_grade"}, []string{"老二位海鲜"}},
		{"garbage", "/s/HELLO", "zh", 404, []string{"不是秦皇岛市监管部门签发的"}, nil},
		{"public page has no verified mark", "/shops/JY1130302000001", "en", 200, []string{"Seafood JY1130302000001", "Good"}, []string{"Official code issued"}},
		{"closed shop banner", "/shops/JY1130302000002", "en", 200, []string{`class="banner"`, "CLOSED"}, []string{"🙂"}},
		{"unknown shop page", "/shops/JY0000000000", "en", 404, []string{"There is no such shop"}, nil},
	}
	if strings.HasSuffix(token, "A") {
		cases[3].path = "/s/" + token[:len(token)-1] + "B"
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, body := page(t, s, tc.path, tc.lang)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(body, w) {
					t.Errorf("page shows %q", w)
				}
			}
			if len(body) > 30*1024 {
				t.Errorf("page is %d bytes, over 30 KB", len(body))
			}
		})
	}
	// Scans were counted and flush to the store.
	if err := s.FlushScans(context.Background()); err != nil {
		t.Fatal(err)
	}
	days, err := db.ShopScans(context.Background(), shop.ID, "2026-01-01")
	if err != nil || len(days) != 1 || days[0].Scans != 3 {
		t.Fatalf("scans = %v, %v (want 3 valid scans today)", days, err)
	}
}

func TestOutdatedSticker(t *testing.T) {
	db := newStore(t)
	sg := newSigner(t)
	s := api.New(api.Config{Store: db, Stickers: sg, ShopCacheTTL: time.Nanosecond})
	shop, _ := db.ShopByLicence(context.Background(), "JY1130302000001")
	old := sg.Sign(shop.ID, shop.StickerVersion)
	v, err := db.ReissueSticker(context.Background(), shop.Licence)
	if err != nil || v != shop.StickerVersion+1 {
		t.Fatalf("reissue = %d, %v", v, err)
	}
	_, body := page(t, s, "/s/"+old, "en")
	if !strings.Contains(body, "Outdated sticker") || !strings.Contains(body, "老二位海鲜") {
		t.Fatal("an old sticker does not say it is outdated, or hides the shop")
	}
	_, body = page(t, s, "/s/"+sg.Sign(shop.ID, v), "en")
	if strings.Contains(body, "Outdated sticker") {
		t.Fatal("the current sticker shows as outdated")
	}
	req := httptest.NewRequest("GET", "/api/v1/qr/"+old, nil)
	resp, _ := s.App.Test(req, -1)
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	if m["valid"] != true || m["outdated"] != true || m["shop"].(map[string]any)["licence"] != shop.Licence {
		t.Fatalf("qr json = %v", m)
	}
	req = httptest.NewRequest("GET", "/api/v1/qr/AAAAAAAAAAAAAAAAAAAA", nil)
	resp, _ = s.App.Test(req, -1)
	m = nil
	json.NewDecoder(resp.Body).Decode(&m)
	if resp.StatusCode != 404 || m["valid"] != false {
		t.Fatalf("forged qr json = %d %v", resp.StatusCode, m)
	}
}

func TestAdminQR(t *testing.T) {
	db := newStore(t)
	s := api.New(api.Config{Store: db, Stickers: newSigner(t), Printer: fakeFreePrinter{}, AdminToken: "admintoken-123"})
	req := httptest.NewRequest("GET", "/admin/api/v1/shops/JY1130302000001/qr.png", nil)
	resp, _ := s.App.Test(req, -1)
	if resp.StatusCode != 401 {
		t.Fatalf("without a token: %d", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer wrong")
	if resp, _ = s.App.Test(req, -1); resp.StatusCode != 401 {
		t.Fatalf("with a wrong token: %d", resp.StatusCode)
	}
	req = httptest.NewRequest("GET", "/admin/api/v1/shops/JY1130302000001/qr.png?size=3", nil)
	req.Header.Set("Authorization", "Bearer admintoken-123")
	resp, _ = s.App.Test(req, -1)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(body, []byte("\x89PNG")) {
		t.Fatalf("png: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// fakeFreePrinter draws real codes through qrcodes with a fixed URL; only
// sheets, which need a font file, are left out of this unit test (the
// qrcodes and cmd tests cover them).
type fakeFreePrinter struct{}

func (fakeFreePrinter) PNG(s *shian.Shop, ppm int) ([]byte, error) {
	return qrcodes.PNG("HTTP://127.0.0.1:8080/S/"+s.Licence, ppm)
}
func (fakeFreePrinter) SVG(s *shian.Shop) ([]byte, error) {
	return qrcodes.SVG("HTTP://127.0.0.1:8080/S/" + s.Licence)
}
func (fakeFreePrinter) Sheet(io.Writer, []*shian.Shop, string) error { return nil }
