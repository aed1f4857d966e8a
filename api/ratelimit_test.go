package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"shian"
	"shian/edge"
	"shian/internal/testenv"
	"shian/ratelimit"
	"shian/store/sqlite"
	"shian/store/sqlstore"
	"shian/store/storetest"
)

const edgeLicence = "JY1130302000001"

// edgeStore is a migrated SQLite store with one shop.
func edgeStore(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "shian.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	storetest.MustMigrate(tb, db)
	if _, err := db.UpsertShops(context.Background(), []*shian.Shop{storetest.Shop(edgeLicence, "老二位海鲜", "beidaihe")}); err != nil {
		tb.Fatal(err)
	}
	return db
}

// edgeRedisLimiter is a limiter on the shared test Redis with keys unique
// to the test, policies replaced where given.
func edgeRedisLimiter(tb testing.TB, override ...ratelimit.Policy) *ratelimit.Limiter {
	tb.Helper()
	client := testenv.NewRedisClient(tb)
	prefix := testenv.KeyPrefix(tb)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if keys, err := client.Keys(ctx, "rate:"+prefix+"*").Result(); err == nil && len(keys) > 0 {
			client.Del(ctx, keys...)
		}
	})
	l, err := ratelimit.New(ratelimit.Options{RedisURL: testenv.RedisURL(tb), Prefix: prefix,
		Policies: edgePolicies(override...), Timeout: 2 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

func edgePolicies(override ...ratelimit.Policy) []ratelimit.Policy {
	ps := ratelimit.DefaultPolicies()
	for i, p := range ps {
		for _, o := range override {
			if o.Name == p.Name {
				ps[i] = o
			}
		}
	}
	return ps
}

type edgeResp struct {
	status int
	header http.Header
	body   string
	m      map[string]any
}

func edgeDo(tb testing.TB, s *Server, req *http.Request) edgeResp {
	tb.Helper()
	resp, err := s.App.Test(req, -1)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := edgeResp{status: resp.StatusCode, header: resp.Header, body: string(b)}
	_ = json.Unmarshal(b, &r.m)
	return r
}

func edgeGet(tb testing.TB, s *Server, path string, header ...string) edgeResp {
	tb.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return edgeDo(tb, s, req)
}

// app.Test connections come from 0.0.0.0: trusting it lets X-Real-IP pick
// the client in tests.
var testPeer = []*net.IPNet{{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(32, 32)}}

// TestPublicReadLimit: every public read path is charged to the client's
// IP, answers carry the RateLimit fields, and the refusal is a 429 problem
// in the client's language with Retry-After.
func TestPublicReadLimit(t *testing.T) {
	tight := ratelimit.Policy{Name: ratelimit.PublicRead, Rate: 3, Burst: 3, Period: time.Minute, Key: ratelimit.KeyIP}
	s := New(Config{Store: edgeStore(t), Limiter: edgeRedisLimiter(t, tight), TrustedProxies: testPeer})
	paths := []string{
		"/api/v1/shops/" + edgeLicence, "/api/v1/shops/search?q=x", "/API/V1/Shops/" + edgeLicence + "/inspections",
		"/shops/" + edgeLicence, "/s/NOTATOKEN", "/search", "/search/", "/api/v1/qr/NOTATOKEN",
	}
	for i, path := range paths {
		t.Run(path, func(t *testing.T) {
			ip := fmt.Sprintf("198.51.100.%d", i+1)
			for n := range 3 {
				r := edgeGet(t, s, path, "X-Real-IP", ip)
				if r.status == 429 {
					t.Fatalf("request %d refused", n+1)
				}
				if got := r.header.Get("RateLimit-Policy"); got != `"public_read";q=3;w=60` {
					t.Fatalf("RateLimit-Policy %q", got)
				}
				want := fmt.Sprintf(`"public_read";r=%d;t=`, 2-n)
				if got := r.header.Get("RateLimit"); !strings.HasPrefix(got, want) {
					t.Fatalf("request %d: RateLimit %q, want %s…", n+1, got, want)
				}
			}
			r := edgeGet(t, s, path, "X-Real-IP", ip, "Accept-Language", "en")
			if r.status != 429 || r.header.Get("Content-Type") != "application/problem+json" || r.m["code"] != shian.ERATELIMITED {
				t.Fatalf("4th: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
			}
			ra, err := strconv.Atoi(r.header.Get("Retry-After"))
			if err != nil || ra < 1 || ra > 20 {
				t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
			}
			if d, _ := r.m["detail"].(string); !strings.Contains(d, "Too many requests") || !strings.Contains(d, strconv.Itoa(ra)) {
				t.Fatalf("detail %q", d)
			}
			if r.header.Get("X-Request-ID") == "" || r.m["request_id"] != r.header.Get("X-Request-ID") {
				t.Fatalf("request id: %q vs %v", r.header.Get("X-Request-ID"), r.m["request_id"])
			}
		})
	}
	t.Run("languages", func(t *testing.T) {
		for lang, want := range map[string]string{"zh": "请求过于频繁", "ru": "Слишком много запросов", "en": "Too many requests"} {
			r := edgeGet(t, s, "/api/v1/shops/"+edgeLicence, "X-Real-IP", "198.51.100.1", "Accept-Language", lang)
			if d, _ := r.m["detail"].(string); r.status != 429 || !strings.Contains(d, want) || r.header.Get("Content-Language") != lang {
				t.Fatalf("%s: %d %s", lang, r.status, r.body)
			}
		}
	})
	t.Run("not limited", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/api/v1/districts", "/api/v1/categories"} {
			for range 5 {
				r := edgeGet(t, s, path, "X-Real-IP", "198.51.100.1")
				if r.status == 429 || r.header.Get("RateLimit") != "" {
					t.Fatalf("%s: %d RateLimit=%q", path, r.status, r.header.Get("RateLimit"))
				}
			}
		}
	})
}

// TestEveryPolicyOverHTTP mounts each default policy on a route the way the
// complaint, tracking, login and bot handlers do, and checks allow, deny
// and headers against Redis.
func TestEveryPolicyOverHTTP(t *testing.T) {
	var small []ratelimit.Policy
	for _, p := range ratelimit.DefaultPolicies() {
		p.Rate, p.Burst = 2, 2 // same period and key, quick to exhaust
		small = append(small, p)
	}
	s := New(Config{Store: edgeStore(t), Limiter: edgeRedisLimiter(t, small...), TrustedProxies: testPeer})
	for _, p := range small {
		s.App.Get("/test/one/"+p.Name, s.edge.Limit(p.Name, func(c *fiber.Ctx) string { return strings.Clone(c.Query("k")) }),
			func(c *fiber.Ctx) error { return c.SendString("ok") })
	}
	for _, p := range small {
		t.Run(p.Name, func(t *testing.T) {
			path := "/test/one/" + p.Name + "?k=key1"
			for n := range 2 {
				r := edgeGet(t, s, path)
				if r.status != 200 {
					t.Fatalf("request %d: %d %s", n+1, r.status, r.body)
				}
				wantPolicy := fmt.Sprintf(`%q;q=2;w=%d`, p.Name, int(p.Period.Seconds()))
				if r.header.Get("RateLimit-Policy") != wantPolicy || !strings.HasPrefix(r.header.Get("RateLimit"), fmt.Sprintf(`%q;r=%d;t=`, p.Name, 1-n)) {
					t.Fatalf("headers %q %q", r.header.Get("RateLimit-Policy"), r.header.Get("RateLimit"))
				}
			}
			r := edgeGet(t, s, path)
			ra, _ := strconv.Atoi(r.header.Get("Retry-After"))
			if r.status != 429 || ra < 1 || ra > int(p.Interval().Seconds())+1 {
				t.Fatalf("3rd: %d Retry-After %q (interval %v)", r.status, r.header.Get("Retry-After"), p.Interval())
			}
			if r := edgeGet(t, s, "/test/one/"+p.Name+"?k=key2"); r.status != 200 {
				t.Fatalf("other key: %d", r.status)
			}
		})
	}
}

// TestComplaintStyleLimit: four policies in one call (IP and phone, hour
// and day), all or nothing, both listed in the headers.
func TestComplaintStyleLimit(t *testing.T) {
	ipHour := ratelimit.Policy{Name: ratelimit.ComplaintIPHour, Rate: 3, Burst: 3, Period: time.Hour, Key: ratelimit.KeyIP}
	phoneHour := ratelimit.Policy{Name: ratelimit.ComplaintPhoneHour, Rate: 2, Burst: 2, Period: time.Hour, Key: ratelimit.KeyPhone}
	s := New(Config{Store: edgeStore(t), Limiter: edgeRedisLimiter(t, ipHour, phoneHour), TrustedProxies: testPeer})
	s.App.Post("/test/complaint", func(c *fiber.Ctx) error {
		phone := strings.Clone(c.Query("phone")) // stands for the keyed hash
		if err := s.edge.Charge(c, s.edge.IPHit(c, ratelimit.ComplaintIPHour), s.edge.IPHit(c, ratelimit.ComplaintIPDay),
			s.edge.Hit(ratelimit.ComplaintPhoneHour, phone), s.edge.Hit(ratelimit.ComplaintPhoneDay, phone)); err != nil {
			return err
		}
		return c.SendStatus(201)
	})
	post := func(ip, phone string) edgeResp {
		req := httptest.NewRequest("POST", "/test/complaint?phone="+phone, nil)
		req.Header.Set("X-Real-IP", ip)
		return edgeDo(t, s, req)
	}
	for n := range 2 {
		if r := post("203.0.113.1", "h1"); r.status != 201 {
			t.Fatalf("complaint %d: %d", n+1, r.status)
		}
	}
	r := post("203.0.113.1", "h1")
	if r.status != 429 {
		t.Fatalf("3rd complaint from one phone: %d", r.status)
	}
	if p := r.header.Get("RateLimit-Policy"); strings.Count(p, ";q=") != 4 || !strings.Contains(p, `"complaint_phone_day";q=10;w=86400`) {
		t.Fatalf("RateLimit-Policy %q", p)
	}
	// The refused complaint did not use the IP's hourly budget: one is left.
	if r := post("203.0.113.1", "h2"); r.status != 201 || !strings.Contains(r.header.Get("RateLimit"), `"complaint_ip_hour";r=0;`) {
		t.Fatalf("new phone, same IP: %d %q", r.status, r.header.Get("RateLimit"))
	}
	if r := post("203.0.113.1", "h3"); r.status != 429 {
		t.Fatalf("4th complaint from one IP: %d", r.status)
	}
}

// TestPeekThenCharge: a guessing guard counts only wrong attempts.
func TestPeekThenCharge(t *testing.T) {
	ticket := ratelimit.Policy{Name: ratelimit.TrackTicket, Rate: 2, Burst: 2, Period: time.Hour, Key: ratelimit.KeyTicket}
	s := New(Config{Store: edgeStore(t), Limiter: edgeRedisLimiter(t, ticket), TrustedProxies: testPeer})
	s.App.Get("/test/track/:ticket", func(c *fiber.Ctx) error {
		hits := []ratelimit.Hit{s.edge.Hit(ratelimit.TrackTicket, strings.Clone(c.Params("ticket"))), s.edge.IPHit(c, ratelimit.TrackIP)}
		if err := s.edge.Peek(c, hits...); err != nil {
			return err
		}
		if c.Query("proof") != "right" {
			_ = s.edge.Charge(c, hits...)
			return c.SendStatus(403)
		}
		return c.SendStatus(200)
	})
	for range 5 {
		if r := edgeGet(t, s, "/test/track/T1?proof=right"); r.status != 200 {
			t.Fatalf("right proof: %d", r.status)
		}
	}
	for n := range 2 {
		if r := edgeGet(t, s, "/test/track/T1?proof=wrong"); r.status != 403 {
			t.Fatalf("wrong proof %d: %d", n+1, r.status)
		}
	}
	if r := edgeGet(t, s, "/test/track/T1?proof=right"); r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("after 2 wrong proofs: %d", r.status)
	}
	if r := edgeGet(t, s, "/test/track/T2?proof=right"); r.status != 200 {
		t.Fatalf("another ticket: %d", r.status)
	}
}

func TestUnknownPolicyIsAnInternalError(t *testing.T) {
	s := New(Config{Store: edgeStore(t)})
	s.App.Get("/test/typo", func(c *fiber.Ctx) error { return s.edge.Charge(c, s.edge.Hit("complaint_per_hour", "k")) })
	if r := edgeGet(t, s, "/test/typo"); r.status != 500 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Limit with an unknown policy did not panic at set-up")
		}
	}()
	s.edge.Limit("nope", s.edge.IPKey)
}

// TestClientIdentity: X-Real-IP counts only from a trusted proxy; a spoofed
// X-Forwarded-For never does; IPv6 clients share their /64.
func TestClientIdentity(t *testing.T) {
	tight := ratelimit.Policy{Name: ratelimit.PublicRead, Rate: 2, Burst: 2, Period: time.Hour, Key: ratelimit.KeyIP}
	path := "/api/v1/shops/" + edgeLicence
	t.Run("untrusted peer", func(t *testing.T) {
		s := New(Config{Store: edgeStore(t), Limiter: edgeRedisLimiter(t, tight)})
		// A scraper rotating forged headers is still one client.
		for i := range 3 {
			fake := fmt.Sprintf("10.9.8.%d", i)
			r := edgeGet(t, s, path, "X-Real-IP", fake, "X-Forwarded-For", fake+", 1.1.1.1")
			if want := i < 2; (r.status == 200) != want {
				t.Fatalf("request %d with forged headers: %d", i+1, r.status)
			}
		}
	})
	t.Run("trusted proxy", func(t *testing.T) {
		s := New(Config{Store: edgeStore(t), Limiter: edgeRedisLimiter(t, tight), TrustedProxies: testPeer})
		for i := range 3 {
			if r := edgeGet(t, s, path, "X-Real-IP", fmt.Sprintf("192.0.2.%d", i)); r.status != 200 {
				t.Fatalf("distinct clients behind the proxy: %d", r.status)
			}
		}
		// X-Forwarded-For is ignored even from the proxy: one X-Real-IP, one budget.
		for i := range 3 {
			r := edgeGet(t, s, path, "X-Real-IP", "192.0.2.200", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
			if want := i < 2; (r.status == 200) != want {
				t.Fatalf("request %d: %d", i+1, r.status)
			}
		}
	})
	t.Run("IPv6 /64", func(t *testing.T) {
		s := New(Config{Store: edgeStore(t), Limiter: edgeRedisLimiter(t, tight), TrustedProxies: testPeer})
		for i, ip := range []string{"2001:db8:5:6::1", "2001:db8:5:6:ffff::2", "2001:db8:5:6::3"} {
			r := edgeGet(t, s, path, "X-Real-IP", ip)
			if want := i < 2; (r.status == 200) != want {
				t.Fatalf("%s: %d", ip, r.status)
			}
		}
		if r := edgeGet(t, s, path, "X-Real-IP", "2001:db8:5:7::1"); r.status != 200 {
			t.Fatalf("next /64: %d", r.status)
		}
	})
}

// TestLimiterFallbackOverHTTP: with Redis unreachable every request is still
// answered under the same policy, /readyz says the limiter is degraded and
// the metrics show it.
func TestLimiterFallbackOverHTTP(t *testing.T) {
	tight := ratelimit.Policy{Name: ratelimit.PublicRead, Rate: 2, Burst: 2, Period: time.Hour, Key: ratelimit.KeyIP}
	l, err := ratelimit.New(ratelimit.Options{RedisURL: fmt.Sprintf("redis://127.0.0.1:%d", testenv.FreePort(t)), Policies: edgePolicies(tight)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m := edge.NewMetrics(prometheus.NewRegistry())
	s := New(Config{Store: edgeStore(t), Limiter: l, Metrics: m})
	path := "/api/v1/shops/" + edgeLicence
	for i := range 3 {
		r := edgeGet(t, s, path)
		if want := i < 2; (r.status == 200) != want {
			t.Fatalf("request %d without Redis: %d", i+1, r.status)
		}
	}
	r := edgeGet(t, s, "/readyz")
	checks, _ := r.m["checks"].(map[string]any)
	if r.status != 200 || r.m["status"] != "degraded" || !strings.Contains(fmt.Sprint(checks["ratelimit"]), "degraded") {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}
	metrics := edgeMetrics(t, m)
	for _, want := range []string{
		"shian_ratelimit_degraded 1",
		"shian_ratelimit_fallbacks_total 3",
		`shian_ratelimit_decisions_total{backend="local",decision="allowed",policy="public_read"} 2`,
		`shian_ratelimit_decisions_total{backend="local",decision="denied",policy="public_read"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func edgeMetrics(t *testing.T, m *edge.Metrics) string {
	t.Helper()
	resp, err := m.AdminApp().Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	return string(b)
}
