package api

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"shian/edge"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"shian"
)

func TestSecurityHeaders(t *testing.T) {
	for _, tc := range []struct {
		name  string
		https bool
	}{{"http", false}, {"https", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s := New(Config{Store: edgeStore(t), HTTPS: tc.https})
			for _, path := range []string{"/api/v1/shops/" + edgeLicence, "/shops/" + edgeLicence, "/nope", "/api/v1/shops/bad!"} {
				r := edgeGet(t, s, path)
				for h, want := range map[string]string{
					"Content-Security-Policy": edge.DefaultCSP,
					"X-Content-Type-Options":  "nosniff",
					"Referrer-Policy":         "strict-origin-when-cross-origin",
					"X-Frame-Options":         "DENY",
				} {
					if got := r.header.Get(h); got != want {
						t.Errorf("%s (%d): %s = %q", path, r.status, h, got)
					}
				}
				if hsts := r.header.Get("Strict-Transport-Security"); (hsts != "") != tc.https {
					t.Errorf("%s: HSTS %q under %s", path, hsts, tc.name)
				}
			}
		})
	}
	if !strings.Contains(edge.DefaultCSP, "frame-ancestors 'none'") || strings.Contains(edge.DefaultCSP, "unsafe-inline") {
		t.Fatalf("CSP %q", edge.DefaultCSP)
	}
}

func TestCORS(t *testing.T) {
	s := New(Config{Store: edgeStore(t)})
	preflight := func(path, method string) edgeResp {
		req := httptest.NewRequest("OPTIONS", path, nil)
		req.Header.Set("Origin", "https://travel.example")
		req.Header.Set("Access-Control-Request-Method", method)
		return edgeDo(t, s, req)
	}
	cases := []struct {
		name     string
		r        func() edgeResp
		wantACAO bool
	}{
		{"GET public API", func() edgeResp { return edgeGet(t, s, "/api/v1/districts", "Origin", "https://travel.example") }, true},
		{"GET shop API", func() edgeResp { return edgeGet(t, s, "/api/v1/shops/"+edgeLicence, "Origin", "https://x.example") }, true},
		{"preflight GET", func() edgeResp { return preflight("/api/v1/shops/search", "GET") }, true},
		{"preflight POST", func() edgeResp { return preflight("/api/v1/shops/search", "POST") }, false},
		{"page", func() edgeResp { return edgeGet(t, s, "/shops/"+edgeLicence, "Origin", "https://x.example") }, false},
		{"POST API", func() edgeResp {
			req := httptest.NewRequest("POST", "/api/v1/districts", nil)
			req.Header.Set("Origin", "https://x.example")
			return edgeDo(t, s, req)
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r()
			if got := r.header.Get("Access-Control-Allow-Origin"); (got == "*") != tc.wantACAO || (got != "" && got != "*") {
				t.Fatalf("%d Allow-Origin %q", r.status, got)
			}
			if r.header.Get("Access-Control-Allow-Credentials") != "" {
				t.Fatal("credentials allowed")
			}
			if strings.HasPrefix(tc.name, "preflight") {
				if r.status != 204 {
					t.Fatalf("preflight status %d", r.status)
				}
				if tc.wantACAO && (r.header.Get("Access-Control-Allow-Methods") != "GET, HEAD" || strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization")) {
					t.Fatalf("preflight headers %v", r.header)
				}
			}
			if tc.wantACAO && !strings.HasPrefix(tc.name, "preflight") && !strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "RateLimit") {
				t.Fatalf("Expose-Headers %q", r.header.Get("Access-Control-Expose-Headers"))
			}
		})
	}
}

func TestBodyLimits(t *testing.T) {
	s := New(Config{Store: edgeStore(t)})
	s.edge.Handle(s.App, "POST", "/test/small", edge.Policy{Limit: edge.Unlimited, Body: 100},
		func(c *fiber.Ctx) error { return c.SendString("ok") })
	s.edge.Handle(s.App, "POST", "/test/default", edge.Policy{Limit: edge.Unlimited},
		func(c *fiber.Ctx) error { return c.SendString("ok") })
	s.edge.Handle(s.App, "POST", "/complaints", edge.Policy{Limit: edge.Unlimited, Body: edge.MaxRequestBody},
		func(c *fiber.Ctx) error { return c.SendString("big ok") })
	post := func(path string, n int, chunked bool) edgeResp {
		var body io.Reader = bytes.NewReader(bytes.Repeat([]byte("x"), n))
		if chunked {
			body = io.MultiReader(body) // hides the length: no Content-Length
		}
		req := httptest.NewRequest("POST", path, body)
		if chunked {
			req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		return edgeDo(t, s, req)
	}
	for _, tc := range []struct {
		name    string
		path    string
		n       int
		chunked bool
		want    int
	}{
		{"route limit: under", "/test/small", 100, false, 200},
		{"route limit: over", "/test/small", 101, false, 413},
		{"route limit: over, chunked", "/test/small", 101, true, 413},
		{"default limit: over", "/test/default", edge.DefaultBodyLimit + 1, false, 413},
		{"default limit: at", "/test/default", edge.DefaultBodyLimit, false, 200},
		{"large route: 2 MiB", "/complaints", 2 << 20, false, 200},
		{"large route: trailing slash", "/complaints/", 2 << 20, false, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(tc.path, tc.n, tc.chunked)
			if r.status != tc.want {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tc.want == 413 && (r.m["code"] != shian.EINVALID || r.header.Get("Content-Type") != "application/problem+json") {
				t.Fatalf("413 body: %s", r.body)
			}
		})
	}
}

// edgeListen serves s on a real loopback listener until the test ends.
func edgeListen(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.App.Listener(ln)
	t.Cleanup(func() { s.App.ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String()
}

// TestServerBodyCap: past the largest route limit the server refuses by
// Content-Length before reading the body.
func TestServerBodyCap(t *testing.T) {
	s := New(Config{Store: edgeStore(t)})
	addr := edgeListen(t, s)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	// Announce 17 MiB, send none of it: the answer must come anyway.
	io.WriteString(conn, "POST /api/v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 17825792\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(b), `"status":413`) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

// TestSlowClientTimesOut: a client dribbling its headers one byte at a time
// (slowloris) is cut off at the read timeout, not kept for as long as it
// cares to trickle.
func TestSlowClientTimesOut(t *testing.T) {
	s := New(Config{Store: edgeStore(t), ReadTimeout: time.Second, IdleTimeout: time.Second})
	addr := edgeListen(t, s)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan time.Duration, 1)
	go func() { // the server's close shows as EOF (or a reset) on read
		io.Copy(io.Discard, conn)
		closed <- time.Since(start)
	}()
	req := "GET /api/v1/shops/" + edgeLicence + " HTTP/1.1\r\nHost: x\r\nUser-Agent: slow\r\nX-Pad: " + strings.Repeat("a", 40) + "\r\n\r\n"
	for i := 0; i < len(req); i++ { // 80+ bytes at 100 ms: 8 s if allowed
		if _, err := conn.Write([]byte{req[i]}); err != nil {
			break
		}
		select {
		case took := <-closed:
			if took > 2500*time.Millisecond {
				t.Fatalf("closed after %v, read timeout is 1s", took)
			}
			t.Logf("slow client cut off after %v, %d of %d bytes sent", took, i+1, len(req))
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("server kept a slow client for %v and the whole request", time.Since(start))
}

// TestAccessLog: one line per request, with the route pattern, status,
// request id and the client's network, and nothing personal: no query
// string (a phone number), no full address.
func TestAccessLog(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	s := New(Config{Store: edgeStore(t), Logger: log, TrustedProxies: testPeer})
	r := edgeGet(t, s, "/api/v1/shops/"+edgeLicence+"?phone=13800138000&proof=secret", "X-Real-IP", "203.0.113.77")
	if r.status != 200 {
		t.Fatalf("%d", r.status)
	}
	edgeGet(t, s, "/no/such/13800138000")
	out := buf.String()
	for _, want := range []string{
		`"route":"/api/v1/shops/:licence"`, `"status":200`, `"method":"GET"`,
		`"request_id":"` + r.header.Get("X-Request-ID") + `"`, `"client_net":"203.0.113.0/24"`,
		`"route":"unmatched"`, `"status":404`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s:\n%s", want, out)
		}
	}
	for _, bad := range []string{"13800138000", "secret", "203.0.113.77", edgeLicence} {
		if strings.Contains(out, bad) {
			t.Errorf("log holds %q:\n%s", bad, out)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestMetrics(t *testing.T) {
	m := edge.NewMetrics(prometheus.NewRegistry())
	s := New(Config{Store: edgeStore(t), Metrics: m})
	edgeGet(t, s, "/api/v1/shops/"+edgeLicence)
	edgeGet(t, s, "/api/v1/shops/JY0000000000")
	edgeGet(t, s, "/random/path/1")
	m.SetSearchDegraded(true)
	m.SetOutbox(12, 90*time.Second)
	out := edgeMetrics(t, m)
	for _, want := range []string{
		`shian_http_requests_total{method="GET",route="/api/v1/shops/:licence",status="200"} 1`,
		`shian_http_requests_total{method="GET",route="/api/v1/shops/:licence",status="404"} 1`,
		`shian_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`shian_http_request_duration_seconds_count{method="GET",route="/api/v1/shops/:licence"} 2`,
		`shian_ratelimit_decisions_total{backend="local",decision="allowed",policy="public_read"} 2`,
		"shian_ratelimit_degraded 0", "shian_ratelimit_fallbacks_total 0",
		"shian_search_degraded 1", "shian_outbox_pending 12", "shian_outbox_lag_seconds 90",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A nil *edge.Metrics is a no-op.
	var none *edge.Metrics
	none.SetSearchDegraded(true)
	none.SetOutbox(1, time.Second)
}

// TestMetricsKeepAlive drives mixed POST and GET traffic over one keep-alive
// connection of a real listener (app.Test opens a connection per request,
// so it never reuses Fiber's buffers) and then scrapes /metrics: every
// label must be a real method, and the scrape must succeed. A label that
// aliases Fiber's request buffer turns POST into "GETT" and makes two
// series with one label set, which Prometheus answers with a 500.
func TestMetricsKeepAlive(t *testing.T) {
	m := edge.NewMetrics(prometheus.NewRegistry())
	s := New(Config{Store: edgeStore(t), Metrics: m})
	addr := edgeListen(t, s)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(conn)
	for i := 0; i < 20; i++ {
		req := "GET /api/v1/districts HTTP/1.1\r\nHost: x\r\n\r\n"
		if i%2 == 0 {
			req = "POST /api/v1/districts HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"
		}
		if _, err := io.WriteString(conn, req); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	out := rec.Body.String()
	if rec.Code != 200 {
		t.Fatalf("/metrics answered %d:\n%s", rec.Code, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if _, rest, ok := strings.Cut(line, `method="`); ok {
			if method, _, _ := strings.Cut(rest, `"`); method != "GET" && method != "POST" {
				t.Errorf("method label %q in %s", method, line)
			}
		}
	}
	for _, want := range []string{
		`shian_http_requests_total{method="GET",route="/api/v1/districts",status="200"} 10`,
		`shian_http_requests_total{method="POST",route="unmatched",status="405"} 10`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s:\n%s", want, out)
		}
	}
}
