package api_test

import (
	"net"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestConsoleBrowser drives the console in headless Chromium: an officer
// signs in, claims a new complaint from the queue, accepts it on its page,
// and sees it move in the queue and on the dashboard.
func TestConsoleBrowser(t *testing.T) {
	ctx := newBrowser(t, chromedp.WindowSize(1280, 900))
	f := newAdminFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.srv.App.Listener(ln)
	t.Cleanup(func() { _ = f.srv.App.Shutdown() })
	base := "http://" + ln.Addr().String()

	br := chromePage{t, ctx}
	text, do := br.text, br.do
	row := css("#row-" + f.hg)
	do(chromedp.Navigate(base+"/admin/queue?lang=zh"),
		chromedp.WaitVisible(css("#login")), // sent to the login page
		chromedp.SendKeys(css("#name"), "officer"),
		chromedp.SendKeys(css("#password"), f.passwords["officer"]),
		chromedp.Click(css("#login")),
		chromedp.WaitVisible(row))
	rowStatus := text("#row-" + f.hg + " td.status")
	do(chromedp.Click(css("#claim-"+f.hg)),
		chromedp.WaitNotPresent(css("#claim-"+f.hg)),
		chromedp.Click(css("#row-"+f.hg+" a.ticket")),
		chromedp.WaitVisible(css("#transition")))
	claimed := text("#claimed")
	do(chromedp.SetValue(css("#to"), "accepted"),
		chromedp.SendKeys(css("#tnote"), "已受理"),
		chromedp.Click(css("#transition")),
		chromedp.WaitVisible(css(`#status[data-status="accepted"]`)))
	caseStatus := text("#status")
	do(chromedp.Navigate(base+"/admin/queue?lang=zh"), chromedp.WaitVisible(row))
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(row, "data-status"))
	if err != nil {
		t.Fatal(err)
	}
	queueAfter := attr.Value
	counts := text("nav.counts")
	do(chromedp.Navigate(base+"/admin/dashboard?lang=zh"), chromedp.WaitVisible(css("#d-haigang")))
	accepted := text("#d-haigang td.accept-rate")
	openN := text("#d-haigang td.open")
	checks := []struct{ name, got, want string }{
		{"queue row before", rowStatus, "已受理登记"},
		{"claimed by", claimed, "officer"},
		{"case status", caseStatus, "已受理"},
		{"queue row after", queueAfter, "accepted"},
		{"dashboard on-time acceptance", accepted, "100.0%"},
		{"dashboard open", openN, "1"},
	}
	for _, c := range checks {
		if strings.TrimSpace(c.got) != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !strings.Contains(counts, "已受理 1") || !strings.Contains(counts, "已受理登记 0") {
		t.Errorf("status counts after accepting: %q", counts)
	}
}
