package openapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"shian"
	"shian/api"
	"shian/api/openapi/openapitest"
	"shian/bot/bottest"
	"shian/bot/wechat"
)

// newServer builds the whole public server over the bot fixture: a real
// SQLite store seeded with a demo city, store-backed search, the complaint
// intake, the chat engine, sticker tokens, WeChat and the admin token (so
// that the route walk sees every kind of route). It is the one place to
// change when the HTTP layer is split by audience: return the app that
// cmd/shian mounts.
func newServer(t *testing.T) (*fiber.App, *bottest.Env) {
	t.Helper()
	env := bottest.New(t)
	eng := env.Engine(t, env.DB)
	wx, err := wechat.New(wechat.Config{Token: "wx-test-token", Now: env.Clock.Now}, eng)
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(api.Config{Store: env.DB, Search: env.Search, Complaints: env.Complaints, Chat: eng, WeChat: wx,
		Stickers: env, Now: env.Clock.Now, AdminToken: "openapi-test-admin-token",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return srv.App, env
}

// pageOrStaff says which routes do not belong in the document: the pages
// people read (with their form posts), WeChat's XML callback (Tencent's
// servers only, signed), and the staff console and admin API. Every other
// route must be documented, so a new machine route fails TestRoutesDocumented
// until it is.
func pageOrStaff(method, path string) bool {
	switch path {
	case "/api/v1/reference", "/chat", "/search", "/shops/:licence", "/s/:token", "/complaints", "/complaints/new", "/complaints/track",
		"/bot/wechat":
		return true
	}
	return strings.HasPrefix(path, "/admin/") || strings.HasPrefix(path, "/console")
}

// notYetMounted are documented routes the server does not serve yet; each
// must leave this list when its route is mounted (the test says so).
var notYetMounted = map[string]bool{}

func TestRoutesDocumented(t *testing.T) {
	app, _ := newServer(t)
	var served []openapitest.Route
	for _, r := range app.GetRoutes(true) {
		if r.Method == "OPTIONS" {
			continue // CORS preflights, answered by edge for the routes that declare CORS
		}
		served = append(served, openapitest.Route{Method: r.Method, Path: r.Path})
	}
	undocumented, unserved := openapitest.Compare(served, func(m, p string) bool { return !pageOrStaff(m, p) })
	for _, r := range undocumented {
		t.Errorf("%s is served but not in api/openapi/openapi.json: document it, or list it in pageOrStaff when it is a page or a staff route", r)
	}
	for _, r := range unserved {
		if !notYetMounted[r] {
			t.Errorf("%s is in api/openapi/openapi.json but no route serves it", r)
		}
		delete(notYetMounted, r)
	}
	for r := range notYetMounted {
		t.Errorf("%s is served now: remove it from notYetMounted", r)
	}
}

// exchange is one request of TestResponsesMatchDocument and the status it
// must get.
type exchange struct {
	name        string
	method      string
	target      string
	contentType string
	body        string
	header      map[string]string
	want        int
}

// do sends the request and returns the answer, failing on a status other
// than want; the answer is then validated against the document.
func do(t *testing.T, app *fiber.App, x exchange) []byte {
	t.Helper()
	var body io.Reader
	if x.body != "" {
		body = strings.NewReader(x.body)
	}
	req := httptest.NewRequest(x.method, x.target, body)
	if x.contentType != "" {
		req.Header.Set("Content-Type", x.contentType)
	}
	for k, v := range x.header {
		req.Header.Set(k, v)
	}
	resp, err := app.Test(req, 10000)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != x.want {
		t.Fatalf("%s %s: status %d, want %d: %s", x.method, x.target, resp.StatusCode, x.want, b)
	}
	// The validator reads the request's URL and method only: a fresh one
	// stands for the request whose body app.Test consumed.
	openapitest.ValidateResponse(t, httptest.NewRequest(x.method, x.target, nil), resp.StatusCode, resp.Header, b)
	return b
}

func TestResponsesMatchDocument(t *testing.T) {
	app, env := newServer(t)
	ctx := context.Background()
	shops, err := env.DB.ListShops(ctx, shian.ShopFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	// A shop with everything the view can show: inspections, coordinates.
	var full *shian.Shop
	for _, s := range shops {
		if s.HasGeo && s.Status == shian.StatusOpen {
			if s, err = env.DB.ShopByLicence(ctx, s.Licence); err != nil {
				t.Fatal(err)
			}
			if len(s.Inspections) > 0 && !s.LicensedOn.IsZero() {
				full = s
				break
			}
		}
	}
	if full == nil {
		t.Fatal("the fixture has no open shop with coordinates, a licence date and inspections")
	}
	annual := env.Shop(t, bottest.ShopB)
	sticker := env.Signer.Sign(full.ID, full.StickerVersion)

	reads := []exchange{
		{name: "healthz", method: "GET", target: "/healthz", want: 200},
		{name: "readyz", method: "GET", target: "/readyz", want: 200},
		{name: "districts", method: "GET", target: "/api/v1/districts", want: 200},
		{name: "categories", method: "GET", target: "/api/v1/categories?lang=ru", want: 200},
		{name: "shop", method: "GET", target: "/api/v1/shops/" + full.Licence, want: 200},
		{name: "shop lower-case, annual grade", method: "GET", target: "/api/v1/shops/" + strings.ToLower(annual.Licence) + "?lang=en", want: 200},
		{name: "shop malformed", method: "GET", target: "/api/v1/shops/a!", want: 400},
		{name: "shop unknown", method: "GET", target: "/api/v1/shops/ZZ000000000000", want: 404},
		{name: "inspections", method: "GET", target: "/api/v1/shops/" + full.Licence + "/inspections?page=1&per_page=2", want: 200},
		{name: "inspections bad page", method: "GET", target: "/api/v1/shops/" + full.Licence + "/inspections?page=0", want: 400},
		{name: "search text", method: "GET", target: "/api/v1/shops/search?q=" + url.QueryEscape(annual.Name) + "&lang=en", want: 200},
		{name: "search near", method: "GET", target: "/api/v1/shops/search?lat=39.83&lng=119.48&radius_m=3000&district=beidaihe&grade=excellent,good&per_page=5", want: 200},
		{name: "search bad filter", method: "GET", target: "/api/v1/shops/search?district=atlantis", want: 400},
		{name: "search by licence", method: "GET", target: "/api/v1/shops/search?q=" + annual.Licence, want: 200},
		{name: "search closed too", method: "GET", target: "/api/v1/shops/search?q=" + url.QueryEscape(annual.Name) + "&status=open,closed", want: 200},
		{name: "search contradiction", method: "GET", target: "/api/v1/shops/search?open_only=true&status=closed", want: 400},
		{name: "suggest", method: "GET", target: "/api/v1/shops/suggest?q=" + url.QueryEscape(string([]rune(annual.Name)[:1])), want: 200},
		{name: "suggest emoji only", method: "GET", target: "/api/v1/shops/suggest?q=" + url.QueryEscape("🍜🍜"), want: 400},
		{name: "sticker", method: "GET", target: "/api/v1/qr/" + sticker, want: 200},
		{name: "sticker forged", method: "GET", target: "/api/v1/qr/NOTASTICKER", want: 404},
		{name: "open311 services", method: "GET", target: "/open311/v2/services.json?lang=en", want: 200},
		{name: "open311 service", method: "GET", target: "/open311/v2/services/hygiene.json", want: 200},
		{name: "open311 unknown service", method: "GET", target: "/open311/v2/services/noise.json", want: 404},
		{name: "open311 bad key", method: "GET", target: "/open311/v2/requests.json?api_key=nope", want: 403},
		{name: "chat", method: "POST", target: "/api/v1/chat", contentType: "application/json",
			body: `{"session":"openapi-test-session-1","text":"` + annual.Name + `","lang":"zh"}`, want: 200},
		{name: "chat near me", method: "POST", target: "/api/v1/chat", contentType: "application/json",
			body: `{"session":"openapi-test-session-2","location":{"lat":39.83,"lng":119.48}}`, want: 200},
		{name: "chat from a shop page", method: "POST", target: "/api/v1/chat", contentType: "application/json",
			body: `{"session":"openapi-test-session-3","shop":"` + annual.Licence + `","lang":"en"}`, want: 200},
		{name: "chat bad shop", method: "POST", target: "/api/v1/chat", contentType: "application/json",
			body: `{"session":"openapi-test-session-4","shop":"no such"}`, want: 400},
		{name: "chat bad session", method: "POST", target: "/api/v1/chat", contentType: "application/json", body: `{"session":"x","text":"hi"}`, want: 400},
	}
	for _, x := range reads {
		t.Run(x.name, func(t *testing.T) { do(t, app, x) })
	}

	t.Run("complaint filed, tracked, rated", func(t *testing.T) {
		body := `{"kind":"complaint","category":"hygiene","licence":"` + full.Licence + `",` +
			`"description":"Flies in the kitchen and raw fish next to cooked food.","occurred_at":"2026-07-14T19:30:00+08:00",` +
			`"lat":39.83,"lng":119.48,"contact_name":"Ivan Petrov","contact_phone":"+7 916 123-45-67","lang":"en"}`
		b := do(t, app, exchange{method: "POST", target: "/api/v1/complaints", contentType: "application/json", body: body,
			header: map[string]string{"Idempotency-Key": "openapi-test-1"}, want: 201})
		var filed struct{ Ticket, Receipt string }
		if err := json.Unmarshal(b, &filed); err != nil || filed.Ticket == "" {
			t.Fatalf("filed: %v %s", err, b)
		}
		do(t, app, exchange{method: "POST", target: "/api/v1/complaints", contentType: "application/json", body: body,
			header: map[string]string{"Idempotency-Key": "openapi-test-1"}, want: 201})
		do(t, app, exchange{method: "GET", target: "/api/v1/complaints/" + filed.Ticket + "?phone_last4=4567&lang=ru", want: 200})
		do(t, app, exchange{method: "GET", target: "/api/v1/complaints/" + filed.Ticket + "?receipt=" + url.QueryEscape(filed.Receipt), want: 200})
		do(t, app, exchange{method: "GET", target: "/api/v1/complaints/" + filed.Ticket + "?phone_last4=0000", want: 404})
		do(t, app, exchange{method: "POST", target: "/api/v1/complaints/" + filed.Ticket + "/rating", contentType: "application/json",
			body: `{"phone_last4":"4567","stars":5}`, want: 409}) // not handled yet
	})
	t.Run("complaint refused", func(t *testing.T) {
		do(t, app, exchange{method: "POST", target: "/api/v1/complaints", contentType: "application/json",
			body: `{"kind":"report","category":"hygiene","shop_name":"x","description":"short","colour":"red"}`, want: 400})
		do(t, app, exchange{method: "POST", target: "/api/v1/complaints", contentType: "text/plain", body: "hello", want: 415})
	})
	t.Run("open311 filed and listed", func(t *testing.T) {
		key, err := env.Complaints.AddAPIKey(ctx, "openapi-partner")
		if err != nil {
			t.Fatal(err)
		}
		form := url.Values{"api_key": {key}, "service_code": {"hygiene"}, "lat": {"39.8351"}, "long": {"119.4862"},
			"address_string": {"北戴河区保二路1号"}, "first_name": {"Ivan"}, "last_name": {"Petrov"}, "phone": {"+7 916 123-45-67"},
			"description": {"Dirty kitchen, flies everywhere, raw and cooked food mixed."}, "attribute[licence]": {full.Licence}}
		b := do(t, app, exchange{method: "POST", target: "/open311/v2/requests.json", contentType: "application/x-www-form-urlencoded",
			body: form.Encode(), want: 201})
		var created []struct {
			ID string `json:"service_request_id"`
		}
		if err := json.Unmarshal(b, &created); err != nil || len(created) != 1 {
			t.Fatalf("created: %v %s", err, b)
		}
		id := created[0].ID
		do(t, app, exchange{method: "GET", target: "/open311/v2/requests.json?api_key=" + url.QueryEscape(key) + "&status=open", want: 200})
		do(t, app, exchange{method: "GET", target: "/open311/v2/requests/" + id + ".json?api_key=" + url.QueryEscape(key) + "&lang=en", want: 200})
		do(t, app, exchange{method: "GET", target: "/open311/v2/tokens/" + id + ".json?api_key=" + url.QueryEscape(key), want: 200})
		do(t, app, exchange{method: "GET", target: "/open311/v2/requests.json?api_key=" + url.QueryEscape(key) + "&status=lost", want: 400})
	})
}

// The validator must catch what it is there to catch: an answer that breaks
// the document fails, naming the request and the field.
func TestValidatorCatchesMismatch(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/districts", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	if err := openapitest.Check(req, 200, h, []byte(`{"districts":[{"code":"haigang","names":{"zh":"海港区","en":"Haigang","ru":"Хайган"}}]}`)); err != nil {
		t.Fatalf("a valid answer was refused: %v", err)
	}
	for _, c := range []struct {
		name, body string
		status     int
		want       []string
	}{
		{"wrong type", `{"districts":[{"code":7,"names":{"zh":"海港区","en":"Haigang","ru":"Хайган"}}]}`, 200, []string{"GET /api/v1/districts", "code"}},
		{"missing field", `{"districts":[{"code":"haigang","names":{"zh":"海港区","en":"Haigang"}}]}`, 200, []string{"ru"}},
		{"undocumented field", `{"districts":[],"count":0}`, 200, []string{"count"}},
		{"undocumented status", `{"districts":[]}`, 418, []string{"418"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := openapitest.Check(req, c.status, h, []byte(c.body))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not name %q:\n%v", w, err)
				}
			}
		})
	}
}
