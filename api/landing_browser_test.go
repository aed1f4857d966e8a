package api_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shian/api"
	"shian/complaints"
	"shian/triage"
)

// TestLandingBrowser is what a tourist does, in headless Chromium: open the
// page a door sticker leads to, read it in Chinese, English and Russian
// (switching with the page's own links), then press the complaint button
// and file a complaint whose ticket the next page shows.
func TestLandingBrowser(t *testing.T) {
	ctx := newBrowser(t, chromedp.Flag("lang", "zh-CN"), chromedp.WindowSize(390, 844)) // a phone's screen
	db := newStore(t)
	sg := newSigner(t)
	tr, err := triage.New(triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := complaints.New(complaints.Config{Store: db, Triager: tr, Secret: []byte(strings.Repeat("browser-", 5)),
		PhotoDir: filepath.Join(t.TempDir(), "photos")})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Config{Store: db, Stickers: sg, Complaints: cs, Limiter: roomyLimiter(t)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.App.Listener(ln)
	t.Cleanup(func() { _ = srv.App.Shutdown() })
	shop, err := db.ShopByLicence(context.Background(), "JY1130302000001")
	if err != nil {
		t.Fatal(err)
	}
	landing := "http://" + ln.Addr().String() + "/s/" + sg.Sign(shop.ID, shop.StickerVersion)

	br := chromePage{t, ctx}
	text, do := br.text, br.do

	pages := []struct {
		lang, link, verified, grade, button string
	}{
		{"zh", "", "官方二维码", "良好", "投诉此商户"},
		{"en", "English", "Official code issued by the city", "Good", "Complain about this shop"},
		{"ru", "Русский", "Официальный код", "Хорошо", "Пожаловаться на заведение"},
	}
	do(chromedp.Navigate(landing + "?lang=zh"))
	for _, p := range pages {
		if p.link != "" { // switch language with the page's own link
			do(chromedp.Click(css(`nav.langs a[hreflang="`+p.lang+`"]`)), chromedp.WaitVisible(css("#name")))
			if got := text(`nav.langs b`); got != p.link {
				t.Errorf("after switching to %s the page marks %q as current", p.lang, got)
			}
		}
		// The visitor's-language name first, the Chinese beneath it (lang="zh").
		name := text("section.card") // #name, and #name-zh where the page has a visitor's name
		got := map[string]string{"name": name, "verified": text("#verified"), "grade": text("#grade"), "button": text("#complain")}
		want := map[string]string{"name": "老二位海鲜", "verified": p.verified, "grade": p.grade, "button": p.button}
		for k, w := range want {
			if !strings.Contains(got[k], w) {
				t.Errorf("%s page: %s = %q, want it to contain %q", p.lang, k, got[k], w)
			}
		}
	}

	// From the (now Russian) landing page to a filed complaint.
	do(chromedp.Click(css("#complain")), chromedp.WaitVisible(css("#description")))
	if licence, err := chromedp.Run(ctx, chromedp.Value(css(`input[name="licence"]`))); err != nil || licence != "JY1130302000001" {
		t.Fatalf("the form's licence = %q, %v; want it filled from the sticker", licence, err)
	}
	if shop := text("section.shop b"); shop != "老二位海鲜" {
		t.Fatalf("the form names shop %q", shop)
	}
	do(chromedp.Click(css(`input[name="kind"][value="complaint"]`)),
		chromedp.SetValue(css("#category"), "hygiene"),
		chromedp.SendKeys(css("#description"), "На столе тараканы, посуда грязная."),
		chromedp.SendKeys(css("#contact_name"), "Иван"),
		chromedp.SendKeys(css("#contact_phone"), "13812345678"),
		chromedp.Submit(css("#description")),
		chromedp.WaitVisible(css("#ticket")))
	ticket := text("#ticket")
	if !strings.HasPrefix(ticket, "QHD-") {
		t.Fatalf("the done page shows ticket %q", ticket)
	}
	c, err := db.ComplaintByTicket(context.Background(), ticket)
	if err != nil || c.Channel != "qr" || c.Licence != "JY1130302000001" || c.Lang != "ru" {
		t.Fatalf("stored complaint: %+v, %v", c, err)
	}
}
