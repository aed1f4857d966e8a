package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/api"
	"shian/staff"
	"shian/triage"
)

// adminFixture is a server with the supervision service on real SQLite,
// four users and their API tokens, and two complaints: one in Haigang
// (grid haigang-01) and one in Beidaihe.
type adminFixture struct {
	*cxFixture
	staff     *staff.Service
	passwords map[string]string
	tokens    map[string]string
	hg, bdh   string // tickets
	hgReceipt string
}

func newAdminFixture(t *testing.T) *adminFixture {
	t.Helper()
	cx := newCxFixture(t, cxStores[0].open)
	tr, err := triage.New(triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := staff.New(staff.Config{Store: cx.db, Triager: tr, Contacts: cx.svc, Now: cx.now})
	if err != nil {
		t.Fatal(err)
	}
	cx.srv = api.New(api.Config{Store: cx.db, Now: cx.now, Complaints: cx.svc, Accounts: st, Cases: st, Printer: fakeFreePrinter{},
		Scans: cx.db, LoginSlowdown: time.Millisecond})
	f := &adminFixture{cxFixture: cx, staff: st, passwords: map[string]string{}, tokens: map[string]string{}}
	ctx := t.Context()
	for _, u := range []staff.User{
		{Name: "admin", Role: staff.RoleAdmin},
		{Name: "officer", Role: staff.RoleOfficer, District: "haigang"},
		{Name: "other", Role: staff.RoleOfficer, District: "beidaihe"},
		{Name: "viewer", Role: staff.RoleViewer},
	} {
		pw, err := st.AddUser(ctx, u, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.passwords[u.Name] = pw
		if f.tokens[u.Name], err = st.IssueToken(ctx, u.Name, "test", "test"); err != nil {
			t.Fatal(err)
		}
	}
	r := f.postJSON(t, jsonBody(t, func(m map[string]any) { m["licence"] = "JY1130302000003" }), "", "")
	if r.status != 201 {
		t.Fatalf("file: %d %s", r.status, r.body)
	}
	f.hg, f.hgReceipt = r.m["ticket"].(string), r.m["receipt"].(string)
	r = f.postJSON(t, jsonBody(t, func(m map[string]any) { m["contact_phone"] = "13900001111" }), "", "")
	f.bdh = r.m["ticket"].(string)
	return f
}

func (f *adminFixture) api(t *testing.T, method, path, user, body string) cxResp {
	t.Helper()
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	return f.send(t, req)
}

// TestAdminAuthorizationMatrix sends every staff route as every role.
func TestAdminAuthorizationMatrix(t *testing.T) {
	f := newAdminFixture(t)
	roles := map[string]string{"admin": staff.RoleAdmin, "officer": staff.RoleOfficer, "other": staff.RoleOfficer, "viewer": staff.RoleViewer, "": ""}
	// A valid body for each kind of write, so that allowed calls reach the
	// case (a JSON body also works for the console's form routes' tests of
	// authorization; their fields are simply absent there).
	bodies := map[string]string{
		"transition": `{"to":"accepted"}`, "notes": `{"note":"内部记录"}`, "reassign": `{"district":"haigang","reason":"核实"}`,
		"merge": fmt.Sprintf(`{"into":%q,"reason":"同一事件"}`, f.bdh), "bulk": fmt.Sprintf(`{"tickets":[%q],"action":"claim"}`, f.hg),
		"sheets": `{"district":"haigang"}`, "claim": "{}", "release": "{}", "reveal-contact": "{}", "logout": "{}",
	}
	routes := f.srv.AdminRoutes()
	if len(routes) < 25 {
		t.Fatalf("only %d admin routes", len(routes))
	}
	for _, rt := range routes {
		path := strings.NewReplacer(":ticket", f.hg, ":licence", "JY1130302000003", ":figure", "districts").Replace(rt.Path)
		for user, role := range roles {
			name := user
			if name == "" {
				name = "anonymous"
			}
			t.Run(rt.Method+" "+rt.Path+" as "+name, func(t *testing.T) {
				body := ""
				if rt.Method == "POST" {
					body = bodies[rt.Path[strings.LastIndex(rt.Path, "/")+1:]]
				}
				r := f.api(t, rt.Method, path, user, body)
				p := &staff.Principal{Role: role, District: map[string]string{"officer": "haigang", "other": "beidaihe"}[user]}
				if user == "" {
					p = nil
				}
				isAPI := strings.HasPrefix(rt.Path, "/admin/api/")
				switch {
				case p == nil && !isAPI && rt.Method == "GET":
					if r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/admin/login") {
						t.Fatalf("anonymous console page: %d %s", r.status, r.header.Get("Location"))
					}
				case p == nil:
					if r.status != 401 {
						t.Fatalf("anonymous: %d %s", r.status, r.body)
					}
				case !staff.Allowed(p, rt.Action):
					if r.status != 403 {
						t.Fatalf("role %s without %s: %d %s", role, rt.Action, r.status, r.body)
					}
				case user == "other" && (strings.Contains(rt.Path, ":ticket") || strings.Contains(rt.Path, ":licence")):
					if r.status != 404 {
						t.Fatalf("another district's case or shop: %d %s", r.status, r.body)
					}
					if strings.Contains(string(r.body), "后厨有老鼠") {
						t.Fatal("the 404 shows the case")
					}
				case user == "other" && strings.HasSuffix(rt.Path, "/qr/sheets"):
					if r.status != 403 { // another district's sticker sheet
						t.Fatalf("another district's sheet: %d %s", r.status, r.body)
					}
				default:
					if r.status == 401 || r.status == 403 || r.status >= 500 {
						t.Fatalf("allowed: %d %s", r.status, r.body)
					}
				}
			})
		}
	}
}

func TestAdminCaseHandlingAPI(t *testing.T) {
	f := newAdminFixture(t)
	base := "/admin/api/v1/complaints/" + f.hg
	r := f.api(t, "GET", "/admin/api/v1/complaints", "officer", "")
	if r.status != 200 || r.m["total"].(float64) != 1 {
		t.Fatalf("officer queue: %d %s", r.status, r.body)
	}
	r = f.api(t, "GET", base, "officer", "")
	if r.status != 200 || r.m["phone_masked"] != "138****5678" || strings.Contains(string(r.body), "13812345678") {
		t.Fatalf("case: %d %s", r.status, r.body)
	}
	if r = f.api(t, "POST", base+"/transition", "officer", `{"to":"accepted"}`); r.status != 409 {
		t.Fatalf("transition before claiming: %d %s", r.status, r.body)
	}
	if r = f.api(t, "POST", base+"/claim", "officer", ""); r.status != 200 || r.m["claimed_by"] != "officer" {
		t.Fatalf("claim: %d %s", r.status, r.body)
	}
	if r = f.api(t, "POST", base+"/claim", "admin", ""); r.status != 409 {
		t.Fatalf("second claim: %d %s", r.status, r.body)
	}
	r = f.api(t, "POST", base+"/transition", "officer", `{"to":"resolved"}`)
	if r.status != 409 || fmt.Sprint(r.m["allowed"]) != "[accepted rejected]" {
		t.Fatalf("illegal transition: %d %s", r.status, r.body)
	}
	if r = f.api(t, "POST", base+"/transition", "officer", `{"to":"rejected","reason":"because"}`); r.status != 400 {
		t.Fatalf("rejection without a legal ground: %d %s", r.status, r.body)
	}
	if r = f.api(t, "POST", base+"/transition", "officer", `{"to":"accepted","note":"已受理，三日内联系您","public":true}`); r.status != 200 || r.m["status"] != "accepted" {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if r = f.api(t, "POST", base+"/notes", "officer", `{"note":"商户电话无人接听"}`); r.status != 200 {
		t.Fatalf("note: %d %s", r.status, r.body)
	}
	if r = f.api(t, "GET", base, "officer", ""); r.status != 200 || len(r.m["timeline"].([]any)) < 3 {
		t.Fatalf("case after a note: %d %s", r.status, r.body)
	}
	checkJSONShape(t, "case", r.body)
	tr, err := f.svc.Track(t.Context(), f.hg, shian.TrackingProof{Receipt: f.hgReceipt})
	if err != nil {
		t.Fatal(err)
	}
	var public []string
	for _, e := range tr.Timeline {
		public = append(public, e.Note)
	}
	if tr.Status != "accepted" || tr.MediationDue.IsZero() || !strings.Contains(strings.Join(public, "|"), "已受理，三日内联系您") ||
		strings.Contains(strings.Join(public, "|"), "无人接听") {
		t.Fatalf("tracking: status %s, mediation due %v, public notes %q", tr.Status, tr.MediationDue, public)
	}
	r = f.api(t, "POST", base+"/reveal-contact", "officer", "")
	if r.status != 200 || r.m["phone"] != "13812345678" {
		t.Fatalf("reveal: %d %s", r.status, r.body)
	}
	var n int
	f.db.DB.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'reveal_contact' AND actor = 'officer'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d reveal audit rows", n)
	}
	// Overdue and due-within filters.
	if r = f.api(t, "GET", "/admin/api/v1/complaints?overdue=true", "officer", ""); r.m["total"].(float64) != 0 {
		t.Fatalf("overdue: %s", r.body)
	}
	if r = f.api(t, "GET", "/admin/api/v1/complaints?due_within=60", "officer", ""); r.m["total"].(float64) != 1 {
		t.Fatalf("due within: %s", r.body)
	}
	// Reassign to Beidaihe: gone for the Haigang officer, there for Beidaihe's.
	if r = f.api(t, "POST", base+"/reassign", "officer", `{"district":"beidaihe","reason":"商户实际位于北戴河"}`); r.status != 200 || r.m["district"] != "beidaihe" || r.m["claimed_by"] != nil {
		t.Fatalf("reassign: %d %s", r.status, r.body)
	}
	if r = f.api(t, "GET", base, "officer", ""); r.status != 404 {
		t.Fatalf("after reassigning away: %d", r.status)
	}
	if r = f.api(t, "GET", base, "other", ""); r.status != 200 {
		t.Fatalf("the new district: %d", r.status)
	}
	// Bulk claim and merge as the Beidaihe officer.
	r = f.api(t, "POST", "/admin/api/v1/complaints/bulk", "other", fmt.Sprintf(`{"tickets":[%q,%q,"QHD-0000-0000"],"action":"claim"}`, f.hg, f.bdh))
	if r.status != 200 || !strings.Contains(string(r.body), `"ok":true`) || !strings.Contains(string(r.body), `"code":"not_found"`) {
		t.Fatalf("bulk: %d %s", r.status, r.body)
	}
	if r = f.api(t, "POST", "/admin/api/v1/complaints/"+f.bdh+"/merge", "other", fmt.Sprintf(`{"into":%q,"reason":"同一事件"}`, f.hg)); r.status != 200 || r.m["status"] != "closed" {
		t.Fatalf("merge: %d %s", r.status, r.body)
	}
	r = f.api(t, "GET", base, "other", "")
	if dups, _ := r.m["duplicates"].([]any); len(dups) != 1 {
		t.Fatalf("duplicates after merge: %s", r.body)
	}
	// Dashboard and CSV.
	r = f.api(t, "GET", "/admin/api/v1/dashboard", "viewer", "")
	if r.status != 200 || r.m["city"].(map[string]any)["filed"].(float64) != 2 {
		t.Fatalf("dashboard: %d %s", r.status, r.body)
	}
	checkJSONShape(t, "dashboard", r.body)
	r = f.api(t, "GET", "/admin/api/v1/dashboard/districts.csv", "viewer", "")
	if r.status != 200 || !strings.Contains(string(r.body), "district,name,open") || !strings.Contains(string(r.body), "海港区") {
		t.Fatalf("csv: %d %s", r.status, r.body)
	}
	if r = f.api(t, "GET", "/admin/api/v1/dashboard/nothing.csv", "viewer", ""); r.status != 400 {
		t.Fatalf("unknown figure: %d", r.status)
	}
	// Token revocation is immediate.
	if _, err := f.staff.RevokeTokens(t.Context(), "viewer", "", "test"); err != nil {
		t.Fatal(err)
	}
	if r = f.api(t, "GET", "/admin/api/v1/me", "viewer", ""); r.status != 401 {
		t.Fatalf("revoked token: %d", r.status)
	}
	if n, _, err := staff.VerifyChain(t.Context(), f.db); err != nil || n < 10 {
		t.Fatalf("audit chain: %d, %v", n, err)
	}
}

// browser is a cookie jar over app.Test for console tests.
type browser struct {
	f       *adminFixture
	cookies map[string]string
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (b *browser) do(t *testing.T, method, path string, form url.Values) cxResp {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	r := b.f.send(t, req)
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return r
}

func csrfOf(t *testing.T, body []byte) string {
	t.Helper()
	m := csrfRE.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF field in %s", body)
	}
	return string(m[1])
}

func (b *browser) login(t *testing.T, name, password string) cxResp {
	t.Helper()
	page := b.do(t, "GET", "/admin/login", nil)
	return b.do(t, "POST", "/admin/login", url.Values{"_csrf": {csrfOf(t, page.body)}, "name": {name}, "password": {password}, "next": {"/admin"}})
}

func TestAdminConsoleSessionCSRFAndExpiry(t *testing.T) {
	f := newAdminFixture(t)
	b := &browser{f: f, cookies: map[string]string{}}
	if r := b.do(t, "GET", "/admin/queue", nil); r.status != 303 {
		t.Fatalf("anonymous queue: %d", r.status)
	}
	// The login form itself needs its CSRF token.
	b.do(t, "GET", "/admin/login", nil)
	if r := b.do(t, "POST", "/admin/login", url.Values{"name": {"officer"}, "password": {f.passwords["officer"]}}); r.status != 403 {
		t.Fatalf("login without CSRF: %d", r.status)
	}
	r := b.login(t, "officer", f.passwords["officer"])
	if r.status != 303 || b.cookies["shian_session"] == "" {
		t.Fatalf("login: %d %v", r.status, b.cookies)
	}
	sc := r.header.Get("Set-Cookie")
	for _, want := range []string{"httponly", "samesite=strict", "path=/admin"} {
		if !strings.Contains(strings.ToLower(strings.Join(r.header.Values("Set-Cookie"), "; ")), want) {
			t.Fatalf("session cookie lacks %s: %s", want, sc)
		}
	}
	page := b.do(t, "GET", "/admin/queue", nil)
	if page.status != 200 || !strings.Contains(string(page.body), f.hg) || strings.Contains(string(page.body), f.bdh) {
		t.Fatalf("queue page: %d", page.status)
	}
	if strings.Contains(string(page.body), "<script>") || strings.Contains(string(page.body), " style=") {
		t.Fatal("inline script or style in the console")
	}
	// A write without the session's CSRF token is refused.
	if r := b.do(t, "POST", "/admin/cases/"+f.hg+"/claim", url.Values{"_csrf": {"forged"}}); r.status != 403 {
		t.Fatalf("claim with a forged token: %d", r.status)
	}
	csrf := csrfOf(t, page.body)
	if r := b.do(t, "POST", "/admin/cases/"+f.hg+"/claim", url.Values{"_csrf": {csrf}}); r.status != 303 {
		t.Fatalf("claim: %d %s", r.status, r.body)
	}
	if r := b.do(t, "POST", "/admin/cases/"+f.hg+"/transition", url.Values{"_csrf": {csrf}, "to": {"resolved"}}); r.status != 409 {
		t.Fatalf("illegal transition from the form: %d", r.status)
	}
	if r := b.do(t, "POST", "/admin/cases/"+f.hg+"/transition", url.Values{"_csrf": {csrf}, "to": {"accepted"}}); r.status != 303 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	c := b.do(t, "GET", "/admin/cases/"+f.hg, nil)
	if !strings.Contains(string(c.body), `data-status="accepted"`) {
		t.Fatalf("case page after accepting: %s", c.body)
	}
	d := b.do(t, "GET", "/admin/dashboard", nil)
	if d.status != 200 || !strings.Contains(string(d.body), "<svg") {
		t.Fatalf("dashboard: %d", d.status)
	}
	// Idle for longer than the session allows: back to the login page.
	f.advance(staff.DefaultSessionIdle + time.Minute)
	if r := b.do(t, "GET", "/admin/queue", nil); r.status != 303 || !strings.HasPrefix(r.header.Get("Location"), "/admin/login") {
		t.Fatalf("expired session: %d %s", r.status, r.header.Get("Location"))
	}
	// Logout ends the session at once.
	b.login(t, "officer", f.passwords["officer"])
	page = b.do(t, "GET", "/admin/queue", nil)
	sess := b.cookies["shian_session"]
	if r := b.do(t, "POST", "/admin/logout", url.Values{"_csrf": {csrfOf(t, page.body)}}); r.status != 303 {
		t.Fatalf("logout: %d", r.status)
	}
	b.cookies["shian_session"] = sess
	if r := b.do(t, "GET", "/admin/api/v1/me", nil); r.status != 401 {
		t.Fatalf("after logout: %d", r.status)
	}
}

func TestAdminLoginLockout(t *testing.T) {
	f := newAdminFixture(t)
	b := &browser{f: f, cookies: map[string]string{}}
	for i := range 5 {
		if r := b.login(t, "officer", "wrong password"); r.status != 401 {
			t.Fatalf("attempt %d: %d", i, r.status)
		}
	}
	// Locked: even the right password is refused for now.
	if r := b.login(t, "officer", f.passwords["officer"]); r.status != 429 {
		t.Fatalf("locked account: %d", r.status)
	}
	// Another account from the same IP still works until the IP's budget ends.
	if r := b.login(t, "viewer", f.passwords["viewer"]); r.status != 303 {
		t.Fatalf("other account: %d", r.status)
	}
	var failed int
	f.db.DB.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed'`).Scan(&failed)
	if failed != 5 {
		t.Fatalf("%d failed logins audited", failed)
	}
	_ = json.Valid
}

var (
	snakeCase  = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)
	looksTimed = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T`)
)

// checkJSONShape fails when a key of the JSON body is not snake_case or a
// timestamp is not RFC 3339: every answer of the API is shaped alike.
func checkJSONShape(t *testing.T, what string, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if !snakeCase.MatchString(k) {
					t.Errorf("%s: key %s.%s is not snake_case", what, path, k)
				}
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(path+"["+strconv.Itoa(i)+"]", e)
			}
		case string:
			if looksTimed.MatchString(x) {
				if _, err := time.Parse(time.RFC3339, x); err != nil {
					t.Errorf("%s: %s = %q is not RFC 3339", what, path, x)
				}
			}
		}
	}
	walk("", v)
}
