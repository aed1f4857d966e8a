package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shian"
	"shian/api"
	"shian/complaints"
	"shian/internal/testenv"
	"shian/ratelimit"
	"shian/store/postgres"
	"shian/store/sqlite"
	"shian/store/sqlstore"
	"shian/store/storetest"
	"shian/triage"
)

// cxStores are the two real stores every intake test runs against.
var cxStores = []struct {
	name string
	open func(t testing.TB) *sqlstore.DB
}{
	{"sqlite", func(t testing.TB) *sqlstore.DB {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shian.db"))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
	{"postgres", func(t testing.TB) *sqlstore.DB {
		db, err := postgres.Open(context.Background(), testenv.NewPostgresDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		return db
	}},
}

// cxFixture is a server with the complaint service on a real store.
type cxFixture struct {
	srv      *api.Server
	db       *sqlstore.DB
	svc      *complaints.Service
	photoDir string
	clock    *atomic.Int64 // unix nanoseconds
}

func (f *cxFixture) now() time.Time { return time.Unix(0, f.clock.Load()).UTC() }

func (f *cxFixture) advance(d time.Duration) { f.clock.Add(int64(d)) }

func newCxFixture(t testing.TB, open func(testing.TB) *sqlstore.DB) *cxFixture {
	t.Helper()
	f := &cxFixture{clock: &atomic.Int64{}, photoDir: filepath.Join(t.TempDir(), "photos")}
	f.clock.Store(storetest.Now.UnixNano())
	db := open(t)
	t.Cleanup(func() { db.Close() })
	db.Now = f.now
	storetest.MustMigrate(t, db)
	school := storetest.Shop("JY1130302000003", "海港实验小学食堂", "haigang")
	school.Category, school.Grid = "school_canteen", "haigang-01"
	if _, err := db.UpsertShops(context.Background(), []*shian.Shop{storetest.Shop("JY1130302000001", "老二位海鲜", "beidaihe"), school}); err != nil {
		t.Fatal(err)
	}
	f.db = db
	f.limit(t, roomyLimiter(t))
	return f
}

// limit rebuilds the service and the server over l: the complaint guard
// and the edge share one limiter, as in serve.
func (f *cxFixture) limit(t testing.TB, l *ratelimit.Limiter) {
	t.Helper()
	tr, err := triage.New(triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := complaints.New(complaints.Config{Store: f.db, Triager: tr, Secret: []byte(strings.Repeat("secret-", 6)), PhotoDir: f.photoDir,
		Limiter: l, Now: f.now})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	f.srv = api.New(api.Config{Store: f.db, Now: f.now, Complaints: svc, Limiter: l})
}

// roomyLimiter is an in-process limiter whose complaint and tracking limits
// do not get in the way of tests that file many complaints from one
// address; TestComplaintLimits checks the real limits.
func roomyLimiter(t testing.TB) *ratelimit.Limiter {
	t.Helper()
	ps, err := ratelimit.ParsePolicies("complaint_ip_hour=100000/1h,complaint_ip_day=100000/24h,"+
		"complaint_phone_hour=100000/1h,complaint_phone_day=100000/24h,track_ticket=100000/1h,track_ip=100000/1h,"+
		"complaint_user_hour=100000/1h,complaint_user_day=100000/24h,complaint_partner_hour=100000/1h,complaint_partner_day=100000/24h",
		ratelimit.DefaultPolicies())
	if err != nil {
		t.Fatal(err)
	}
	l, err := ratelimit.New(ratelimit.Options{Policies: ps})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type cxResp struct {
	status int
	header http.Header
	body   []byte
	m      map[string]any
}

func (f *cxFixture) send(t testing.TB, req *http.Request) cxResp {
	t.Helper()
	resp, err := f.srv.App.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := cxResp{status: resp.StatusCode, header: resp.Header}
	r.body, _ = io.ReadAll(resp.Body)
	_ = json.Unmarshal(r.body, &r.m)
	return r
}

func (f *cxFixture) postJSON(t testing.TB, body, key, lang string) cxResp {
	t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/complaints", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	return f.send(t, req)
}

func (f *cxFixture) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := f.db.DB.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func jsonBody(t testing.TB, change func(m map[string]any)) string {
	m := map[string]any{
		"kind": "complaint", "category": "hygiene", "licence": "JY1130302000001",
		"description": "后厨有老鼠，餐具没有消毒，桌上有蟑螂。", "occurred_at": "2026-07-14T19:30:00+08:00",
		"contact_name": "张三", "contact_phone": "138 1234 5678", "lang": "zh", "channel": "web",
	}
	if change != nil {
		change(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func forEachStore(t *testing.T, fn func(t *testing.T, f *cxFixture)) {
	for _, st := range cxStores {
		t.Run(st.name, func(t *testing.T) { fn(t, newCxFixture(t, st.open)) })
	}
}

func TestIntakeJSON(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *cxFixture) {
		filed := 0
		cases := []struct {
			name   string
			body   string
			ctype  string
			status int
			field  string
			check  func(t *testing.T, r cxResp)
		}{
			{"complaint about a known shop", jsonBody(t, nil), "", 201, "", func(t *testing.T, r cxResp) {
				if r.m["status"] != "received" || r.m["office"] != "beidaihe" || r.m["kind"] != "complaint" {
					t.Errorf("answer = %v", r.m)
				}
				// Received Wed 15 Jul 2026: 7 working days → Fri 24 Jul, end of day.
				if r.m["accept_due"] != "2026-07-24T23:59:59+08:00" || r.m["verify_due"] != nil {
					t.Errorf("due = %v / %v", r.m["accept_due"], r.m["verify_due"])
				}
				if tk, _ := r.m["ticket"].(string); !strings.HasPrefix(tk, "QHD-") || r.header.Get("Location") != "/api/v1/complaints/"+tk {
					t.Errorf("ticket %v, location %s", r.m["ticket"], r.header.Get("Location"))
				}
				if h, _ := r.m["lookup_hint"].(string); !strings.Contains(h, "138****5678") || strings.Contains(string(r.body), "13812345678") {
					t.Errorf("hint %q must show the phone masked, never in full", h)
				}
			}},
			{"anonymous report by name and text", jsonBody(t, func(m map[string]any) {
				m["kind"], m["licence"], m["shop_name"], m["contact_name"], m["contact_phone"] = "report", "", "山海关老街烤肠摊", "", ""
				m["description"] = "在山海关古城门口无证经营，现场制作烤肠。"
			}), "", 201, "", func(t *testing.T, r cxResp) {
				if r.m["office"] != "shanhaiguan" || r.m["verify_due"] != "2026-08-05T23:59:59+08:00" || r.m["accept_due"] != nil {
					t.Errorf("answer = %v", r.m)
				}
			}},
			{"status and priority from the client are ignored", jsonBody(t, func(m map[string]any) {
				m["status"], m["priority"], m["category"] = "closed", "low", "foreign_object"
			}), "", 201, "", func(t *testing.T, r cxResp) {
				c, err := f.db.ComplaintByTicket(context.Background(), r.m["ticket"].(string))
				if err != nil || c.Status != "received" || c.Priority != "normal" {
					t.Errorf("stored status %s priority %s (%v)", c.Status, c.Priority, err)
				}
			}},
			{"illness words raise the category", jsonBody(t, func(m map[string]any) {
				m["description"], m["category"] = "吃完海鲜全家上吐下泻，孩子发烧送医。", "spoiled_food"
			}), "", 201, "", func(t *testing.T, r cxResp) {
				c, _ := f.db.ComplaintByTicket(context.Background(), r.m["ticket"].(string))
				if c.Category != "foodborne_illness" || c.Priority != "urgent" || c.SubmittedCategory != "spoiled_food" {
					t.Errorf("category %s (submitted %s) priority %s", c.Category, c.SubmittedCategory, c.Priority)
				}
			}},
			{"html stays text", jsonBody(t, func(m map[string]any) {
				m["description"] = `<script>alert("x")</script><img src=x onerror=alert(1)> 菜里有虫子`
			}), "", 201, "", func(t *testing.T, r cxResp) {
				c, _ := f.db.ComplaintByTicket(context.Background(), r.m["ticket"].(string))
				if c.Description != `<script>alert("x")</script><img src=x onerror=alert(1)> 菜里有虫子` {
					t.Errorf("stored %q", c.Description)
				}
			}},
			{"missing kind", jsonBody(t, func(m map[string]any) { delete(m, "kind") }), "", 400, "kind", nil},
			{"wrong type", jsonBody(t, func(m map[string]any) { m["lat"], m["lng"] = "north", 119.4 }), "", 400, "lat", nil},
			{"unknown field", jsonBody(t, func(m map[string]any) { m["descripton"] = "typo" }), "", 400, "descripton", nil},
			{"unknown category", jsonBody(t, func(m map[string]any) { m["category"] = "noise" }), "", 400, "category", nil},
			{"unknown licence", jsonBody(t, func(m map[string]any) { m["licence"] = "JY9999999999999" }), "", 400, "licence", nil},
			{"malformed licence", jsonBody(t, func(m map[string]any) { m["licence"] = "JY-1" }), "", 400, "licence", nil},
			{"description too short", jsonBody(t, func(m map[string]any) { m["description"] = "很脏" }), "", 400, "description", nil},
			{"description too long", jsonBody(t, func(m map[string]any) { m["description"] = strings.Repeat("脏", 2001) }), "", 400, "description", nil},
			{"invalid phone", jsonBody(t, func(m map[string]any) { m["contact_phone"] = "110" }), "", 400, "contact_phone", nil},
			{"complaint without phone", jsonBody(t, func(m map[string]any) { delete(m, "contact_phone") }), "", 400, "contact_phone", nil},
			{"outside the city", jsonBody(t, func(m map[string]any) { m["lat"], m["lng"] = 39.9, 116.4 }), "", 400, "lat", nil},
			{"only lat", jsonBody(t, func(m map[string]any) { m["lat"] = 39.9 }), "", 400, "lat", nil},
			{"bad time", jsonBody(t, func(m map[string]any) { m["occurred_at"] = "yesterday" }), "", 400, "occurred_at", nil},
			{"future time", jsonBody(t, func(m map[string]any) { m["occurred_at"] = "2026-08-01" }), "", 400, "occurred_at", nil},
			{"open311 channel is not for this route", jsonBody(t, func(m map[string]any) { m["channel"] = "open311" }), "", 400, "channel", nil},
			{"invalid utf-8", strings.Replace(jsonBody(t, nil), "张三", "\xff\xfe", 1), "", 400, "body", nil},
			{"two objects", jsonBody(t, nil) + "{}", "", 400, "body", nil},
			{"not json", "kind=complaint", "", 400, "body", nil},
			{"array", "[]", "", 400, "", nil},
			{"plain text", "hello", "text/plain", 415, "", nil},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				req := httptest.NewRequest("POST", "/api/v1/complaints", strings.NewReader(tc.body))
				req.Header.Set("Content-Type", "application/json")
				if tc.ctype != "" {
					req.Header.Set("Content-Type", tc.ctype)
				}
				r := f.send(t, req)
				if r.status != tc.status {
					t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
				}
				if tc.status == 201 {
					filed++
				} else {
					if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
						t.Errorf("content type %s", ct)
					}
					if r.m["field"] != nil && r.m["field"] != tc.field || tc.field != "" && r.m["field"] != tc.field {
						t.Errorf("field = %v, want %s (%s)", r.m["field"], tc.field, r.body)
					}
					if d, _ := r.m["detail"].(string); d == "" || r.m["code"] == nil {
						t.Errorf("problem without detail or code: %s", r.body)
					}
				}
				if tc.check != nil {
					tc.check(t, r)
				}
			})
		}
		if n := f.count(t, "complaints"); n != filed {
			t.Fatalf("%d complaints stored after %d filings: a refused request wrote something", n, filed)
		}
		if n := f.count(t, "complaint_events WHERE type = 'filed'"); n != filed {
			t.Fatalf("%d filing entries in the timeline for %d complaints", n, filed)
		}
	})
}

func TestIntakeErrorLanguages(t *testing.T) {
	f := newCxFixture(t, cxStores[0].open)
	body := jsonBody(t, func(m map[string]any) { m["description"] = "太短" })
	want := map[string]string{"zh": "问题描述须为 10 至 2000 个字", "en": "The description must be 10 to 2000 characters", "ru": "Описание должно содержать от 10 до 2000"}
	for lang, text := range want {
		t.Run(lang, func(t *testing.T) {
			r := f.postJSON(t, body, "", lang)
			if d, _ := r.m["detail"].(string); r.status != 400 || !strings.Contains(d, text) || r.header.Get("Content-Language") != lang {
				t.Fatalf("%d %s: %s", r.status, r.header.Get("Content-Language"), r.body)
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	f := newCxFixture(t, cxStores[0].open)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go f.srv.App.Listener(ln)
	defer f.srv.App.Shutdown()
	// A 50 MB body is refused from its Content-Length, before it is read.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"kind\":", 50<<20)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != 413 {
		t.Fatalf("50 MB body: %v, %v", resp, err)
	}
	mid := `{"description":"` + strings.Repeat("x", 100<<10) + `"}`
	if r := f.postJSON(t, mid, "", ""); r.status != 413 {
		t.Fatalf("100 kB JSON: %d %s", r.status, r.body)
	}
	if n := f.count(t, "complaints"); n != 0 {
		t.Fatalf("%d complaints written", n)
	}
}

func TestIdempotency(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *cxFixture) {
		body := jsonBody(t, nil)
		first := f.postJSON(t, body, "key-1", "")
		again := f.postJSON(t, body, "key-1", "")
		if first.status != 201 || again.status != 201 || again.m["ticket"] != first.m["ticket"] || again.m["receipt"] != first.m["receipt"] {
			t.Fatalf("replay: %d %v / %d %v", first.status, first.m["ticket"], again.status, again.m["ticket"])
		}
		if again.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("Idempotent-Replayed: first %q, again %q", first.header.Get("Idempotent-Replayed"), again.header.Get("Idempotent-Replayed"))
		}
		other := f.postJSON(t, jsonBody(t, func(m map[string]any) { m["category"] = "other" }), "key-1", "en")
		if other.status != 422 || other.m["status"] != float64(422) {
			t.Fatalf("same key, other body: %d %s", other.status, other.body)
		}
		if bad := f.postJSON(t, body, "key with spaces", ""); bad.status != 400 {
			t.Fatalf("bad key: %d", bad.status)
		}
		if n := f.count(t, "complaints"); n != 1 {
			t.Fatalf("%d complaints, want 1", n)
		}
		f.advance(25 * time.Hour)
		later := f.postJSON(t, body, "key-1", "")
		if later.status != 201 || later.m["ticket"] == first.m["ticket"] {
			t.Fatalf("after 24 h the key is forgotten: %d %v", later.status, later.m["ticket"])
		}
	})
}

// Concurrent duplicates: exactly one complaint; every answer is the
// committed one (201, same ticket) or 409 while it is in progress.
func TestIdempotencyRace(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *cxFixture) {
		const clients = 12
		body := jsonBody(t, nil)
		var wg sync.WaitGroup
		results := make([]cxResp, clients)
		start := make(chan struct{})
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i] = f.postJSON(t, body, "race-key", "")
			}()
		}
		close(start)
		wg.Wait()
		tickets := map[any]bool{}
		created, busy := 0, 0
		for _, r := range results {
			switch r.status {
			case 201:
				created++
				tickets[r.m["ticket"]] = true
			case 409:
				busy++
				if r.header.Get("Retry-After") == "" {
					t.Error("409 without Retry-After")
				}
			default:
				t.Errorf("status %d: %s", r.status, r.body)
			}
		}
		if created == 0 || len(tickets) != 1 {
			t.Fatalf("%d created with %d distinct tickets, %d busy", created, len(tickets), busy)
		}
		if n := f.count(t, "complaints"); n != 1 {
			t.Fatalf("%d complaints for one key", n)
		}
		// Distinct keys in parallel all land.
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := f.postJSON(t, jsonBody(t, func(m map[string]any) { m["contact_phone"] = fmt.Sprintf("1391234%04d", i) }), fmt.Sprint("k", i), "")
				if r.status != 201 {
					t.Errorf("key k%d: %d %s", i, r.status, r.body)
				}
			}()
		}
		wg.Wait()
		if n := f.count(t, "complaints"); n != 1+clients {
			t.Fatalf("%d complaints, want %d", n, 1+clients)
		}
	})
}

func TestTrackingAndRating(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *cxFixture) {
		r := f.postJSON(t, jsonBody(t, nil), "", "")
		ticket, receipt := r.m["ticket"].(string), r.m["receipt"].(string)
		track := func(query string) cxResp {
			return f.send(t, httptest.NewRequest("GET", "/api/v1/complaints/"+ticket+"?"+query, nil))
		}
		ok := track("phone_last4=5678")
		if ok.status != 200 || ok.m["status"] != "received" || ok.m["can_rate"] != false {
			t.Fatalf("track: %d %s", ok.status, ok.body)
		}
		for _, secret := range []string{"1381234", "张三", "priority", "grid", "phone_hash", "claimed", "description"} {
			if bytes.Contains(ok.body, []byte(secret)) {
				t.Errorf("tracking answer shows %q: %s", secret, ok.body)
			}
		}
		if tl := ok.m["timeline"].([]any); len(tl) != 1 {
			t.Errorf("timeline = %v", tl)
		}
		lower := strings.ToLower(strings.ReplaceAll(ticket, "-", " "))
		if r := f.send(t, httptest.NewRequest("GET", "/api/v1/complaints/"+strings.ReplaceAll(lower, " ", "%20")+"?receipt="+receipt, nil)); r.status != 200 {
			t.Fatalf("by receipt, ticket typed loosely: %d %s", r.status, r.body)
		}
		if r := f.send(t, httptest.NewRequest("GET", "/api/v1/complaints/QHD-2222-2222?phone_last4=5678", nil)); r.status != 404 {
			t.Fatalf("unknown ticket: %d", r.status)
		}
		for i := 1; i <= complaints.ProofAttempts; i++ {
			if r := track("phone_last4=0000"); r.status != 404 {
				t.Fatalf("wrong proof %d: %d", i, r.status)
			}
		}
		if r := track("phone_last4=1111"); r.status != 429 {
			t.Fatalf("after %d wrong proofs: %d", complaints.ProofAttempts, r.status)
		}
		if r := track("phone_last4=5678"); r.status != 429 {
			t.Fatalf("locked even for the right proof: %d", r.status)
		}
		f.advance(complaints.ProofWindow + time.Second)
		rate := func(stars int) cxResp {
			req := httptest.NewRequest("POST", "/api/v1/complaints/"+ticket+"/rating", strings.NewReader(fmt.Sprintf(`{"receipt":%q,"stars":%d,"comment":"<b>很快</b>"}`, receipt, stars)))
			req.Header.Set("Content-Type", "application/json")
			return f.send(t, req)
		}
		if r := rate(5); r.status != 409 {
			t.Fatalf("rating before an outcome: %d %s", r.status, r.body)
		}
		if _, err := f.db.DB.Exec(f.db.Q(`UPDATE complaints SET status = 'resolved' WHERE ticket = ?`), ticket); err != nil {
			t.Fatal(err)
		}
		if r := rate(0); r.status != 400 {
			t.Fatalf("0 stars: %d", r.status)
		}
		if r := rate(4); r.status != 200 {
			t.Fatalf("rating: %d %s", r.status, r.body)
		}
		if r := rate(5); r.status != 409 {
			t.Fatalf("second rating: %d", r.status)
		}
		if r := track("receipt=" + receipt); r.m["rating"] != float64(4) || r.m["can_rate"] != false {
			t.Fatalf("after rating: %s", r.body)
		}
	})
}

// jpegWithEXIF is a small JPEG carrying an EXIF segment with a camera and
// a location that must not survive intake.
func jpegWithEXIF(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(0, 0, color.White)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00GPSLatitude 39.8351N SecretPhone-12")
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), append(seg, payload...)...), b[2:]...)
}

type part struct {
	field, filename, ctype string
	data                   []byte
}

func multipartBody(t testing.TB, fields map[string]string, files []part) (*bytes.Buffer, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for _, p := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.field, p.filename))
		h.Set("Content-Type", p.ctype)
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.data)
	}
	w.Close()
	return &b, w.FormDataContentType()
}

func formFields() map[string]string {
	return map[string]string{"kind": "report", "category": "hygiene", "licence": "JY1130302000001",
		"description": "厨房地面积水，苍蝇很多，生熟不分。", "lang": "en", "channel": "qr"}
}

func TestIntakePhotos(t *testing.T) {
	forEachStore(t, func(t *testing.T, f *cxFixture) {
		photo := jpegWithEXIF(t)
		pdf := []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF")
		cases := []struct {
			name   string
			files  []part
			status int
			key    string
		}{
			{"jpeg with exif", []part{{"photos", "IMG_0001.jpg", "image/jpeg", photo}}, 201, ""},
			{"pdf renamed .jpg", []part{{"photos", "receipt.jpg", "image/jpeg", pdf}}, 400, "photo_type"},
			{"four photos", []part{{"photos", "a.jpg", "image/jpeg", photo}, {"photos", "b.jpg", "image/jpeg", photo},
				{"photos", "c.jpg", "image/jpeg", photo}, {"photos", "d.jpg", "image/jpeg", photo}}, 400, "photos"},
			{"over 5 MB", []part{{"photos", "big.jpg", "image/jpeg", append(photo, make([]byte, 5<<20)...)}}, 400, "photos"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				body, ctype := multipartBody(t, formFields(), tc.files)
				req := httptest.NewRequest("POST", "/api/v1/complaints", body)
				req.Header.Set("Content-Type", ctype)
				r := f.send(t, req)
				if r.status != tc.status {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				if tc.status != 201 {
					if r.m["field"] != "photos" {
						t.Errorf("field %v", r.m["field"])
					}
					return
				}
				c, err := f.db.ComplaintByTicket(context.Background(), r.m["ticket"].(string))
				if err != nil || len(c.Photos) != 1 || c.Channel != "qr" {
					t.Fatalf("stored %+v, %v", c, err)
				}
				stored, err := os.ReadFile(filepath.Join(f.photoDir, c.Photos[0].Path))
				if err != nil {
					t.Fatal(err)
				}
				for _, leak := range []string{"Exif", "GPSLatitude", "SecretPhone"} {
					if bytes.Contains(stored, []byte(leak)) {
						t.Errorf("stored photo contains %q", leak)
					}
				}
				if cfg, err := jpeg.DecodeConfig(bytes.NewReader(stored)); err != nil || cfg.Width != 40 || cfg.Height != 30 {
					t.Errorf("stored photo %v, %v", cfg, err)
				}
				if !strings.HasPrefix(filepath.Clean(filepath.Join(f.photoDir, c.Photos[0].Path)), f.photoDir) {
					t.Errorf("photo stored outside the photo directory: %s", c.Photos[0].Path)
				}
			})
		}
		if n := f.count(t, "complaint_photos"); n != 1 {
			t.Fatalf("%d photo rows", n)
		}
		var files int
		filepath.Walk(f.photoDir, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				files++
			}
			return nil
		})
		if files != 1 {
			t.Fatalf("%d files in the photo directory, want 1: refused filings must leave none", files)
		}
	})
}

func TestComplaintFormPage(t *testing.T) {
	f := newCxFixture(t, cxStores[0].open)
	r := f.send(t, httptest.NewRequest("GET", "/complaints/new?licence=JY1130302000001&channel=qr&lang=en", nil))
	page := string(r.body)
	if r.status != 200 || !strings.Contains(page, "老二位海鲜") || !strings.Contains(page, `name="idempotency_key" value="form-`) ||
		!strings.Contains(page, `name="channel" value="qr"`) || !strings.Contains(page, "File a complaint") {
		t.Fatalf("form page: %d\n%s", r.status, page)
	}
	key := page[strings.Index(page, `value="form-`)+7:]
	key = key[:strings.Index(key, `"`)]

	fields := formFields()
	fields["idempotency_key"] = key
	submit := func(fields map[string]string) cxResp {
		body, ctype := multipartBody(t, fields, []part{{"photos", "p.jpg", "image/jpeg", jpegWithEXIF(t)}})
		req := httptest.NewRequest("POST", "/complaints?lang=en", body)
		req.Header.Set("Content-Type", ctype)
		return f.send(t, req)
	}
	done := submit(fields)
	if done.status != 200 || !strings.Contains(string(done.body), "QHD-") || !strings.Contains(string(done.body), "Track a complaint") {
		t.Fatalf("done page: %d\n%s", done.status, done.body)
	}
	again := submit(fields) // a double click or a reload
	ticketOf := func(b []byte) string {
		s := string(b)
		i := strings.Index(s, `<p class="ticket" id="ticket"><b>`)
		return s[i+33 : i+46]
	}
	if ticketOf(again.body) != ticketOf(done.body) || f.count(t, "complaints") != 1 {
		t.Fatalf("resubmitting the form filed twice: %s / %s", ticketOf(done.body), ticketOf(again.body))
	}

	bad := formFields()
	bad["licence"], bad["shop_name"], bad["description"] = "", `<script>alert("x")</script>`, "short"
	r = submit(bad)
	page = string(r.body)
	if r.status != 400 || strings.Contains(page, `<script>alert("x")</script>`) || !strings.Contains(page, "&lt;script&gt;") ||
		!strings.Contains(page, "The description must be") || !strings.Contains(page, `aria-invalid="true"`) {
		t.Fatalf("error page: %d\n%s", r.status, page)
	}

	// Track through the page with the receipt.
	receipt := string(done.body)
	receipt = receipt[strings.Index(receipt, `<b id="receipt">`)+16:]
	receipt = receipt[:strings.Index(receipt, "<")]
	req := httptest.NewRequest("POST", "/complaints/track?lang=en", strings.NewReader("ticket="+ticketOf(done.body)+"&receipt="+receipt))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = f.send(t, req)
	if r.status != 200 || !strings.Contains(string(r.body), `id="tracking"`) || !strings.Contains(string(r.body), "Received") {
		t.Fatalf("track page: %d\n%s", r.status, r.body)
	}
}

// TestComplaintLimits files from one address and one phone with the
// default policies: the phone's hourly limit (3) refuses the 4th complaint
// with 429, Retry-After and the client's language; another phone from the
// same address still passes until the address's hourly limit (20).
func TestComplaintLimits(t *testing.T) {
	f := newCxFixture(t, cxStores[0].open)
	l, err := ratelimit.New(ratelimit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.limit(t, l)
	body := func(phone string) string {
		return `{"kind":"complaint","category":"hygiene","licence":"JY1130302000001","description":"桌上有蟑螂，餐具也不干净。",` +
			`"contact_name":"王先生","contact_phone":"` + phone + `"}`
	}
	for i := 1; i <= 4; i++ {
		r := f.postJSON(t, body("13812345678"), fmt.Sprintf("limit-a-%d", i), "en")
		switch {
		case i <= 3 && r.status != 201:
			t.Fatalf("complaint %d from one phone: %d %s", i, r.status, r.body)
		case i == 4 && (r.status != 429 || r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), "Too many requests")):
			t.Fatalf("4th complaint from one phone in an hour: %d %s", r.status, r.body)
		}
	}
	filed := 3
	for i := 0; filed < 20; i++ {
		if r := f.postJSON(t, body(fmt.Sprintf("139%08d", i)), fmt.Sprintf("limit-b-%d", i), "zh"); r.status == 201 {
			filed++
		} else {
			t.Fatalf("complaint %d from the address: %d %s", filed+1, r.status, r.body)
		}
	}
	r := f.postJSON(t, body("13700000000"), "limit-c", "ru")
	if r.status != 429 || !strings.Contains(string(r.body), "Слишком много запросов") {
		t.Fatalf("21st complaint from one address in an hour: %d %s", r.status, r.body)
	}
	if n := f.count(t, "complaints"); n != 20 {
		t.Fatalf("%d complaints stored, want 20", n)
	}
}

// TestTrackingLimitKeyedOnParsedTicket: wrong proofs typed with different
// spellings of one ticket (case, dashes, the prefix left off) share one
// per-ticket budget, on the API, the rating and the form's track page.
func TestTrackingLimitKeyedOnParsedTicket(t *testing.T) {
	f := newCxFixture(t, cxStores[0].open)
	ps, err := ratelimit.ParsePolicies("track_ticket=3/1h,track_ip=1000/1h", ratelimit.DefaultPolicies())
	if err != nil {
		t.Fatal(err)
	}
	l, err := ratelimit.New(ratelimit.Options{Policies: ps})
	if err != nil {
		t.Fatal(err)
	}
	r := f.postJSON(t, jsonBody(t, nil), "", "")
	ticket := r.m["ticket"].(string)
	f.srv = api.New(api.Config{Store: f.db, Now: f.now, Complaints: f.svc, Limiter: l})
	code := strings.TrimPrefix(strings.ReplaceAll(ticket, "-", ""), "QHD")
	spellings := []string{ticket, strings.ToLower(ticket), code}
	for i, sp := range spellings {
		if r := f.send(t, httptest.NewRequest("GET", "/api/v1/complaints/"+sp+"?phone_last4=0000", nil)); r.status != 404 {
			t.Fatalf("wrong proof %d (%s): %d %s", i+1, sp, r.status, r.body)
		}
	}
	rating := httptest.NewRequest("POST", "/api/v1/complaints/"+strings.ToLower(code)+"/rating", strings.NewReader(`{"phone_last4":"0000","stars":5}`))
	rating.Header.Set("Content-Type", "application/json")
	form := httptest.NewRequest("POST", "/complaints/track", strings.NewReader("ticket="+code+"&phone_last4=0000"))
	form.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for name, req := range map[string]*http.Request{
		"api, another spelling": httptest.NewRequest("GET", "/api/v1/complaints/"+strings.ToLower(code)+"?phone_last4=5678", nil),
		"rating":                rating,
		"track page":            form,
	} {
		if r := f.send(t, req); r.status != 429 {
			t.Errorf("%s after 3 wrong proofs under other spellings: %d %s", name, r.status, r.body)
		}
	}
	// Wrong phone digits lock the digits, not the complainant: the receipt
	// code still opens the ticket (issue 19, item 5).
	receipt := r.m["receipt"].(string)
	if got := f.send(t, httptest.NewRequest("GET", "/api/v1/complaints/"+code+"?receipt="+receipt, nil)); got.status != 200 {
		t.Errorf("the receipt after others' wrong digits: %d %s", got.status, got.body)
	}
	// A made-up ticket answers exactly as a real one: 404 until its budget
	// is spent, then 429, so the answers tell nobody which tickets exist.
	for i := 1; i <= 4; i++ {
		want := 404
		if i == 4 {
			want = 429
		}
		if got := f.send(t, httptest.NewRequest("GET", "/api/v1/complaints/QHD-ZZZZ-ZZZ2?phone_last4=0000", nil)); got.status != want {
			t.Errorf("made-up ticket, try %d: %d, want %d (%s)", i, got.status, want, got.body)
		}
	}
}
