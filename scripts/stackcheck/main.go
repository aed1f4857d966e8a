// Command stackcheck proves, against the local multi-replica stack of
// scripts/stack.sh, what one process cannot: that limits, claims and search
// hold across replicas (`stackcheck test`), and that the service survives a
// replica crash and the loss of each backing service (`stackcheck drills`).
//
// It talks to loopback only. Client addresses are other 127.0.0.0/8
// addresses bound as the source of each connection, so that nginx passes a
// distinct X-Real-IP for each simulated client. Every check is bounded in
// time and prints PASS, FAIL or PENDING (a feature the check needs is not
// wired into `shian serve` yet); the exit status is 0 only when all passed.
//
//	eval "$(scripts/stack.sh env)"; go run ./scripts/stackcheck test|drills [-only NAME]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"shian/ratelimit"
)

// errPending marks a check whose feature is not wired yet.
var errPending = errors.New("pending")

func pending(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errPending}, args...)...)
}

type check struct {
	name    string
	timeout time.Duration
	run     func(ctx context.Context, s *stack) (string, error)
}

func main() {
	only := flag.String("only", "", "run only the check with this name")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: stackcheck test|drills [-only NAME]   (after eval \"$(scripts/stack.sh env)\")")
		flag.PrintDefaults()
	}
	if len(os.Args) < 2 {
		flag.Usage()
		os.Exit(2)
	}
	suite := os.Args[1]
	_ = flag.CommandLine.Parse(os.Args[2:])
	var checks []check
	switch suite {
	case "test":
		checks = []check{
			{"ratelimit-global", 90 * time.Second, checkGlobalLimit},
			{"claim-race", 60 * time.Second, checkClaimRace},
			{"search-cross-replica", 90 * time.Second, checkSearchCross},
			{"real-client-ip", 30 * time.Second, checkRealIP},
		}
	case "drills":
		checks = []check{
			{"kill-replica-2000-complaints", 4 * time.Minute, drillKillReplica},
			{"meilisearch-down", 3 * time.Minute, drillMeili},
			{"redis-down", 2 * time.Minute, drillRedis},
			{"postgres-restart", 2 * time.Minute, drillPostgres},
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
	ctx := context.Background()
	s, err := openStack(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "stackcheck:", err)
		os.Exit(1)
	}
	defer s.close()
	var passed, failed, pend int
	for _, c := range checks {
		if *only != "" && c.name != *only {
			continue
		}
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, c.timeout)
		detail, err := c.run(cctx, s)
		cancel()
		took := time.Since(start).Round(100 * time.Millisecond)
		switch {
		case err == nil:
			passed++
			fmt.Printf("PASS     %-30s %6s  %s\n", c.name, took, detail)
		case errors.Is(err, errPending):
			pend++
			fmt.Printf("PENDING  %-30s %6s  %v\n", c.name, took, err)
		default:
			failed++
			if detail != "" {
				err = fmt.Errorf("%w (%s)", err, detail)
			}
			fmt.Printf("FAIL     %-30s %6s  %v\n", c.name, took, err)
		}
	}
	fmt.Printf("stackcheck %s: %d passed, %d failed, %d pending\n", suite, passed, failed, pend)
	if failed > 0 || pend > 0 || passed == 0 {
		os.Exit(1)
	}
}

// stack is what the checks know of the running stack (scripts/stack.sh env).
type stack struct {
	dir, nginx, a, b string
	adminToken       string
	script           string
	pg               *pgxpool.Pool
	rdb              *redis.Client
	run              string // this run's id, in every name the checks create

	mu      sync.Mutex
	clients map[string]*http.Client
}

func openStack(ctx context.Context) (*stack, error) {
	get := func(k string) (string, error) {
		v := os.Getenv(k)
		if v == "" {
			return "", fmt.Errorf("%s is not set: run eval \"$(scripts/stack.sh env)\" after make stack", k)
		}
		return v, nil
	}
	s := &stack{clients: map[string]*http.Client{}, run: fmt.Sprintf("%x", rand.Uint32())}
	var err error
	for k, p := range map[string]*string{"STACK_DIR": &s.dir, "STACK_NGINX_URL": &s.nginx, "STACK_A_URL": &s.a,
		"STACK_B_URL": &s.b, "STACK_ADMIN_TOKEN": &s.adminToken} {
		if *p, err = get(k); err != nil {
			return nil, err
		}
	}
	pgURL, err := get("STACK_PG_URL")
	if err != nil {
		return nil, err
	}
	redisURL, err := get("STACK_REDIS_URL")
	if err != nil {
		return nil, err
	}
	if s.pg, err = pgxpool.New(ctx, pgURL); err != nil {
		return nil, fmt.Errorf("open stack postgres: %w", err)
	}
	ro, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("stack redis URL: %w", err)
	}
	s.rdb = redis.NewClient(ro)
	s.script, _ = filepath.Abs(filepath.Join("scripts", "stack.sh"))
	return s, nil
}

func (s *stack) close() {
	s.pg.Close()
	_ = s.rdb.Close()
}

// stackCmd runs scripts/stack.sh with args (start/stop/kill a component, or shian …).
func (s *stack) stackCmd(ctx context.Context, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.script, args...)
	cmd.Stdin = stdin
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("stack.sh %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

// client returns an HTTP client whose connections come from source address ip
// (any 127.0.0.0/8 address works on Linux loopback): a distinct client to
// nginx, which passes it on in X-Real-IP.
func (s *stack) client(ip string) *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[ip]; ok {
		return c
	}
	d := &net.Dialer{Timeout: 2 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	s.clients[ip] = c
	return c
}

// release forgets ip's client and closes its idle connections (a drill with
// thousands of client addresses must not keep a connection open for each).
func (s *stack) release(ip string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[ip]; ok {
		c.CloseIdleConnections()
		delete(s.clients, ip)
	}
}

// randomNet returns a fresh 127.x.y.0/24 prefix for this check's clients, so
// that counters left in Redis by an earlier run do not matter.
func randomNet() string {
	return fmt.Sprintf("127.%d.%d.", 10+rand.IntN(240), 1+rand.IntN(250))
}

type answer struct {
	status int
	header http.Header
	body   []byte
	took   time.Duration
}

func (a answer) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(a.body, &m)
	return m
}

func (s *stack) do(ctx context.Context, ip, method, url string, body []byte, hdr map[string]string) (answer, error) {
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := s.client(ip).Do(req)
	if err != nil {
		return answer{took: time.Since(start)}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: b, took: time.Since(start)}, err
}

// ---- shared helpers ----------------------------------------------------------------------------------

func (s *stack) shopLicence(ctx context.Context, district string, offset int) (string, error) {
	var l string
	err := s.pg.QueryRow(ctx, `SELECT licence FROM shops WHERE district = $1 AND status = 'open' ORDER BY licence OFFSET $2 LIMIT 1`,
		district, offset).Scan(&l)
	if err != nil {
		return "", fmt.Errorf("a shop in %s: %w", district, err)
	}
	return l, nil
}

func complaintBody(licence, marker string) []byte {
	b, _ := json.Marshal(map[string]any{"kind": "report", "category": "hygiene", "licence": licence, "lang": "zh",
		"description": marker + " 后厨卫生差，地面积水，有苍蝇。"})
	return b
}

// fileComplaint posts one complaint, retrying with its idempotency key until
// it is filed: network errors, 5xx, 409 (same key still in progress) and
// 429 are retried with backoff; any other answer is final.
func (s *stack) fileComplaint(ctx context.Context, ip, url, key string, body []byte) (ticket string, attempts int, err error) {
	backoff := 100 * time.Millisecond
	for {
		attempts++
		a, err := s.do(ctx, ip, "POST", url+"/api/v1/complaints", body, map[string]string{"Idempotency-Key": key})
		switch {
		case err == nil && (a.status == 200 || a.status == 201):
			t, _ := a.json()["ticket"].(string)
			if t == "" {
				return "", attempts, fmt.Errorf("answer %d without a ticket: %.200s", a.status, a.body)
			}
			return t, attempts, nil
		case err == nil && a.status == 404:
			return "", attempts, pending("POST /api/v1/complaints is not mounted in serve")
		case err == nil && a.status == 429:
			// Waiting out a long Retry-After would only hang the check: report it.
			if ra, _ := strconv.Atoi(a.header.Get("Retry-After")); ra > 10 {
				return "", attempts, fmt.Errorf("complaint %s rate-limited after %d attempts (Retry-After %d s): %.200s", key, attempts, ra, a.body)
			}
		case err == nil && a.status < 500 && a.status != 409:
			return "", attempts, fmt.Errorf("complaint refused: %d %.300s", a.status, a.body)
		}
		select {
		case <-ctx.Done():
			return "", attempts, fmt.Errorf("complaint %s not filed in time after %d attempts (last: %v %d)", key, attempts, err, a.status)
		case <-time.After(backoff + time.Duration(rand.Int64N(int64(backoff)))):
		}
		backoff = min(backoff*2, 3*time.Second)
	}
}

type readiness struct {
	Status   string            `json:"status"`
	Checks   map[string]string `json:"checks"`
	Degraded []string          `json:"degraded"`
}

func (s *stack) ready(ctx context.Context, base string) (readiness, int, error) {
	var r readiness
	a, err := s.do(ctx, "127.0.0.1", "GET", base+"/readyz", nil, nil)
	if err != nil {
		return r, 0, err
	}
	err = json.Unmarshal(a.body, &r)
	return r, a.status, err
}

func (r readiness) degraded(part string) bool {
	for _, d := range r.Degraded {
		if d == part {
			return true
		}
	}
	return false
}

// searchHits asks base for q and returns the licences found and whether the
// answer was degraded (from the store, not Meilisearch).
func (s *stack) searchHits(ctx context.Context, base, q string) (map[string]bool, bool, answer, error) {
	a, err := s.do(ctx, "127.0.0.1", "GET", base+"/api/v1/shops/search?per_page=50&q="+q, nil, nil)
	if err != nil {
		return nil, false, a, err
	}
	if a.status != 200 {
		return nil, false, a, fmt.Errorf("search %q: %d %.200s", q, a.status, a.body)
	}
	var r struct {
		Hits []struct {
			Licence string `json:"licence"`
		} `json:"hits"`
		Degraded bool `json:"degraded"`
	}
	if err := json.Unmarshal(a.body, &r); err != nil {
		return nil, false, a, fmt.Errorf("search answer: %w", err)
	}
	found := map[string]bool{}
	for _, h := range r.Hits {
		found[h.Licence] = true
	}
	return found, r.Degraded, a, nil
}

// meiliWired reports whether serve searches with Meilisearch (readyz names a
// search check); a stack without it can only be pending on search checks.
func (s *stack) meiliWired(ctx context.Context) error {
	r, _, err := s.ready(ctx, s.a)
	if err != nil {
		return err
	}
	for k := range r.Checks {
		if strings.Contains(k, "search") || strings.Contains(k, "meili") {
			return nil
		}
	}
	return pending("serve's /readyz has no search check: SHIAN_MEILI_URL not wired into serve yet")
}

// importShops writes shops as JSON Lines through `shian import shops`.
func (s *stack) importShops(ctx context.Context, shops []map[string]any) error {
	var b strings.Builder
	for _, sh := range shops {
		line, _ := json.Marshal(sh)
		b.Write(line)
		b.WriteByte('\n')
	}
	f, err := os.CreateTemp(s.dir, "import-*.jsonl")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	f.Close()
	_, err = s.stackCmd(ctx, nil, "shian", "import", "shops", f.Name())
	return err
}

// word is a made-up word no seeded shop contains, searchable on its own.
func word(prefix string) string {
	const letters = "bcdfghjklmnpqrstvwxz"
	var b strings.Builder
	b.WriteString(prefix)
	for range 6 {
		b.WriteByte(letters[rand.IntN(len(letters))])
	}
	return b.String()
}

func testShop(licence, nameEn string) map[string]any {
	return map[string]any{"licence": licence, "name": "栈测试餐馆" + licence[len(licence)-4:], "name_en": nameEn,
		"category": "restaurant", "address": "海港区文化路1号", "district": "haigang"}
}

// waitSearch polls base until q finds licence from Meilisearch (not the
// degraded fallback), or ctx ends.
func (s *stack) waitSearch(ctx context.Context, base, q, licence string, want bool) (time.Duration, error) {
	start := time.Now()
	var last string
	for {
		found, degraded, _, err := s.searchHits(ctx, base, q)
		switch {
		case err != nil:
			last = err.Error()
		case degraded:
			last = "answer is degraded (store fallback)"
		case found[licence] == want:
			return time.Since(start), nil
		default:
			last = fmt.Sprintf("found=%v", found[licence])
		}
		select {
		case <-ctx.Done():
			return time.Since(start), fmt.Errorf("search %q via %s: want found=%v, still %s after %s", q, base, want, last, time.Since(start).Round(time.Millisecond))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ---- stack-test --------------------------------------------------------------------------------------

// limitBurst drives public reads for one client address alternately through
// both replicas and compares what was allowed with one global budget.
func (s *stack) limitBurst(ctx context.Context, ip string, n int) (string, error) {
	var p ratelimit.Policy
	for _, q := range ratelimit.DefaultPolicies() {
		if q.Name == ratelimit.PublicRead {
			p = q
		}
	}
	licence, err := s.shopLicence(ctx, "haigang", 3)
	if err != nil {
		return "", err
	}
	var allowed, denied, other int
	var mu sync.Mutex
	start := time.Now()
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				base := s.a
				if i%2 == 1 {
					base = s.b
				}
				a, err := s.do(ctx, ip, "GET", base+"/api/v1/shops/"+licence, nil, nil)
				mu.Lock()
				switch {
				case err != nil:
					other++
				case a.status == 200:
					allowed++
				case a.status == 429:
					denied++
				default:
					other++
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	refill := float64(p.Rate) * elapsed.Seconds() / p.Period.Seconds()
	want := float64(p.Burst) + refill
	detail := fmt.Sprintf("%d requests from %s over both replicas in %s: %d allowed, %d refused (one global budget: %d burst + %.0f refilled = %.0f)",
		n, ip, elapsed.Round(time.Millisecond), allowed, denied, p.Burst, refill, want)
	if other > 0 {
		return detail, fmt.Errorf("%d requests neither allowed nor refused", other)
	}
	// Within a few percent of one budget; two separate budgets would allow about twice the burst.
	if float64(allowed) > want*1.05+2 || float64(allowed) < float64(p.Burst)*0.95 {
		return detail, errors.New("allowed count is not one global budget")
	}
	return detail, nil
}

func checkGlobalLimit(ctx context.Context, s *stack) (string, error) {
	r, _, err := s.ready(ctx, s.a)
	if err != nil {
		return "", err
	}
	if strings.Contains(r.Checks["ratelimit"], "no Redis configured") {
		return "", pending("serve does not use SHIAN_REDIS_URL yet (/readyz: %s)", r.Checks["ratelimit"])
	}
	return s.limitBurst(ctx, randomNet()+"7", 450)
}

// staffToken creates an officer of district and returns an API token.
func (s *stack) staffToken(ctx context.Context, name, district string) (string, error) {
	if _, err := s.stackCmd(ctx, nil, "shian", "user", "add", "--name", name, "--role", "officer", "--district", district); err != nil {
		return "", err
	}
	out, err := s.stackCmd(ctx, nil, "shian", "user", "token", "--name", name, "--label", "stackcheck")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

func checkClaimRace(ctx context.Context, s *stack) (string, error) {
	licence, err := s.shopLicence(ctx, "haigang", 0)
	if err != nil {
		return "", err
	}
	ticket, _, err := s.fileComplaint(ctx, randomNet()+"9", s.nginx, "claim-"+s.run, complaintBody(licence, "claim-race "+s.run))
	if err != nil {
		return "", err
	}
	tokA, err := s.staffToken(ctx, "race-a-"+s.run, "haigang")
	if err != nil {
		return "", err
	}
	tokB, err := s.staffToken(ctx, "race-b-"+s.run, "haigang")
	if err != nil {
		return "", err
	}
	me, err := s.do(ctx, "127.0.0.1", "GET", s.a+"/admin/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + tokA})
	if err != nil {
		return "", err
	}
	if me.status == 404 || me.status == 401 {
		return "", pending("staff API not wired into serve (GET /admin/api/v1/me: %d)", me.status)
	}
	type res struct {
		who    string
		status int
		body   string
	}
	results := make(chan res, 2)
	gate := make(chan struct{})
	for _, c := range []struct{ who, base, tok string }{{"race-a", s.a, tokA}, {"race-b", s.b, tokB}} {
		go func() {
			<-gate
			a, err := s.do(ctx, "127.0.0.1", "POST", c.base+"/admin/api/v1/complaints/"+ticket+"/claim", nil,
				map[string]string{"Authorization": "Bearer " + c.tok})
			if err != nil {
				results <- res{c.who, 0, err.Error()}
				return
			}
			results <- res{c.who, a.status, string(a.body)}
		}()
	}
	close(gate)
	r1, r2 := <-results, <-results
	detail := fmt.Sprintf("ticket %s: %s via its replica → %d, %s → %d", ticket, r1.who, r1.status, r2.who, r2.status)
	var winner string
	switch {
	case r1.status == 200 && r2.status == 409:
		winner = r1.who
	case r2.status == 200 && r1.status == 409:
		winner = r2.who
	default:
		return detail, fmt.Errorf("want one 200 and one 409: %.200s | %.200s", r1.body, r2.body)
	}
	a, err := s.do(ctx, "127.0.0.1", "GET", s.b+"/admin/api/v1/complaints/"+ticket, nil, map[string]string{"Authorization": "Bearer " + tokA})
	if err != nil {
		return detail, err
	}
	if got, _ := a.json()["claimed_by"].(string); got != winner+"-"+s.run {
		return detail, fmt.Errorf("case shows claimed_by %q, want %q", got, winner+"-"+s.run)
	}
	return detail + "; the case is held by the winner", nil
}

func checkSearchCross(ctx context.Context, s *stack) (string, error) {
	if err := s.meiliWired(ctx); err != nil {
		return "", err
	}
	licence := fmt.Sprintf("STK%08X", rand.Uint32())
	w1, w2 := word("Kest"), word("Plov")
	if err := s.importShops(ctx, []map[string]any{testShop(licence, "Stack "+w1)}); err != nil {
		return "", err
	}
	t1, err := s.waitSearch(ctx, s.b, w1, licence, true)
	if err != nil {
		return "", err
	}
	if _, err := s.waitSearch(ctx, s.a, w1, licence, true); err != nil {
		return "", err
	}
	if err := s.importShops(ctx, []map[string]any{testShop(licence, "Stack "+w2)}); err != nil {
		return "", err
	}
	t2, err := s.waitSearch(ctx, s.b, w2, licence, true)
	if err != nil {
		return "", err
	}
	if _, err := s.waitSearch(ctx, s.b, w1, licence, false); err != nil {
		return "", err
	}
	return fmt.Sprintf("new shop %s searchable from Meilisearch via replica B after %s, renamed after %s (old name gone)",
		licence, t1.Round(time.Millisecond), t2.Round(time.Millisecond)), nil
}

// qrToken issues a sticker for licence and returns its token.
func (s *stack) qrToken(ctx context.Context, licence string) (string, error) {
	out, err := s.stackCmd(ctx, nil, "shian", "qr", licence, "-o", filepath.Join(s.dir, "stackcheck-qr.png"))
	if err != nil {
		return "", err
	}
	for _, f := range strings.Fields(out) {
		if i := strings.LastIndex(strings.ToLower(f), "/s/"); i >= 0 {
			return f[i+3:], nil
		}
	}
	return "", fmt.Errorf("no sticker URL in %q", out)
}

// logHas waits until the replica logs hold a line containing every part.
func (s *stack) logHas(ctx context.Context, parts ...string) (string, error) {
	for {
		for _, r := range []string{"a", "b"} {
			b, _ := os.ReadFile(filepath.Join(s.dir, "log", "shian-"+r+".log"))
		lines:
			for _, line := range strings.Split(string(b), "\n") {
				for _, p := range parts {
					if !strings.Contains(line, p) {
						continue lines
					}
				}
				return "replica " + r + ": " + line, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("no replica log line with %q", parts)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func checkRealIP(ctx context.Context, s *stack) (string, error) {
	licence, err := s.shopLicence(ctx, "beidaihe", 0)
	if err != nil {
		return "", err
	}
	tok, err := s.qrToken(ctx, licence)
	if err != nil {
		return "", err
	}
	prefix := randomNet()
	ip := prefix + "55"
	a, err := s.do(ctx, ip, "GET", s.nginx+"/s/"+tok, nil, map[string]string{"X-Real-IP": "198.51.100.7", "X-Forwarded-For": "198.51.100.8"})
	if err != nil {
		return "", err
	}
	if a.status != 200 {
		return "", fmt.Errorf("QR landing through nginx: %d", a.status)
	}
	rid := a.header.Get("X-Request-ID")
	want := prefix + "0/24"
	line, err := s.logHas(ctx, "request_id="+rid)
	if err != nil {
		return "", err
	}
	if !strings.Contains(line, "client_net="+want+" ") && !strings.HasSuffix(line, "client_net="+want) {
		return line, fmt.Errorf("the replica did not see the scan as coming from %s (nginx passes X-Real-IP; is SHIAN_TRUSTED_PROXIES wired into serve?)", want)
	}
	// A client that is not a trusted proxy cannot choose its address with X-Real-IP.
	b, err := s.do(ctx, ip, "GET", s.a+"/s/"+tok, nil, map[string]string{"X-Real-IP": "198.51.100.7"})
	if err != nil {
		return "", err
	}
	if _, err := s.logHas(ctx, "request_id="+b.header.Get("X-Request-ID"), "client_net="+want); err != nil {
		return "", fmt.Errorf("a direct request with a spoofed X-Real-IP: %w", err)
	}
	return fmt.Sprintf("scan from %s through nginx logged as client_net=%s (spoofed X-Real-IP/X-Forwarded-For ignored): %s", ip, want, strings.TrimSpace(line)), nil
}

// ---- drills ------------------------------------------------------------------------------------------

func drillKillReplica(ctx context.Context, s *stack) (string, error) {
	// One complaint per client address: a retry with the same key is charged
	// to the address's complaint budget too, and a key whose first attempt
	// died with the replica is retried for its whole 30 s lease.
	const total, workers, perIP = 2000, 16, 1
	licence, err := s.shopLicence(ctx, "haigang", 1)
	if err != nil {
		return "", err
	}
	// Probe that the route exists before starting the stream.
	if _, _, err := s.fileComplaint(ctx, randomNet()+"1", s.nginx, "probe-"+s.run, complaintBody(licence, "probe "+s.run)); err != nil {
		return "", err
	}
	defer func() { _, _ = s.stackCmd(context.WithoutCancel(ctx), nil, "start", "a") }()
	marker := "drill-" + s.run
	netA := 10 + rand.IntN(240)
	var (
		mu       sync.Mutex
		tickets  = map[string]int{}
		filed    int
		retried  int
		failures []string
		killedAt = -1
		startAt  = -1
	)
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				ip := fmt.Sprintf("127.%d.%d.%d", netA, 1+(i/perIP)/250, 1+(i/perIP)%250)
				key := fmt.Sprintf("%s-%05d", marker, i)
				t, attempts, err := s.fileComplaint(ctx, ip, s.nginx, key, complaintBody(licence, fmt.Sprintf("%s %05d", marker, i)))
				s.release(ip)
				mu.Lock()
				if err != nil {
					failures = append(failures, err.Error())
				} else {
					tickets[t]++
					filed++
					retried += attempts - 1
				}
				n := filed
				mu.Unlock()
				switch n {
				case 600:
					if _, err := s.stackCmd(ctx, nil, "kill", "a"); err != nil {
						mu.Lock()
						failures = append(failures, err.Error())
						mu.Unlock()
					}
					mu.Lock()
					killedAt = n
					mu.Unlock()
				case 1400:
					go func() {
						if _, err := s.stackCmd(ctx, nil, "start", "a"); err == nil {
							mu.Lock()
							startAt = 1400
							mu.Unlock()
						}
					}()
				}
			}
		}()
	}
	for i := 0; i < total; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	if _, err := s.stackCmd(ctx, nil, "start", "a"); err != nil {
		return "", err
	}
	mu.Lock()
	defer mu.Unlock()
	var rows, distinct int
	if err := s.pg.QueryRow(ctx, `SELECT count(*), count(DISTINCT ticket) FROM complaints WHERE description LIKE $1`,
		marker+" %").Scan(&rows, &distinct); err != nil {
		return "", fmt.Errorf("count complaints: %w", err)
	}
	var descs int
	if err := s.pg.QueryRow(ctx, `SELECT count(DISTINCT description) FROM complaints WHERE description LIKE $1`,
		marker+" %").Scan(&descs); err != nil {
		return "", fmt.Errorf("count complaints: %w", err)
	}
	dups := 0
	for _, n := range tickets {
		if n > 1 {
			dups++
		}
	}
	detail := fmt.Sprintf("%d submissions through nginx (%d workers, %d client IPs) in %s; replica A killed -9 after %d filed, restarted after %d; %d retries; client got %d distinct tickets; PostgreSQL holds %d rows, %d distinct submissions",
		total, workers, total/perIP, elapsed.Round(time.Millisecond), killedAt, startAt, retried, len(tickets), rows, descs)
	switch {
	case len(failures) > 0:
		return detail, fmt.Errorf("%d submissions failed, first: %s", len(failures), failures[0])
	case killedAt < 0:
		return detail, errors.New("the replica was never killed")
	case rows != total || distinct != total || descs != total || len(tickets) != total || dups > 0:
		return detail, errors.New("want exactly 2000 complaints, none duplicated, none lost")
	}
	return detail, nil
}

func drillMeili(ctx context.Context, s *stack) (string, error) {
	if err := s.meiliWired(ctx); err != nil {
		return "", err
	}
	defer func() { _, _ = s.stackCmd(context.WithoutCancel(ctx), nil, "start", "meili") }()
	licence, err := s.shopLicence(ctx, "shanhaiguan", 0)
	if err != nil {
		return "", err
	}
	tok, err := s.qrToken(ctx, licence)
	if err != nil {
		return "", err
	}
	// A shop that will be renamed while Meilisearch is down.
	changed := fmt.Sprintf("STK%08X", rand.Uint32())
	before := word("Wren")
	if err := s.importShops(ctx, []map[string]any{testShop(changed, "Stack "+before)}); err != nil {
		return "", err
	}
	if _, err := s.waitSearch(ctx, s.nginx, before, changed, true); err != nil {
		return "", err
	}
	if _, err := s.stackCmd(ctx, nil, "stop", "meili"); err != nil {
		return "", err
	}
	// Search answers degraded and fast; landing pages and complaints are unaffected.
	var slowest time.Duration
	for i := 0; i < 20; i++ {
		_, degraded, a, err := s.searchHits(ctx, s.nginx, "海鲜")
		if err != nil {
			return "", fmt.Errorf("search with Meilisearch down: %w", err)
		}
		if !degraded {
			return "", errors.New("search with Meilisearch down did not say degraded:true")
		}
		slowest = max(slowest, a.took)
	}
	land, err := s.do(ctx, randomNet()+"3", "GET", s.nginx+"/s/"+tok, nil, nil)
	if err != nil || land.status != 200 {
		return "", fmt.Errorf("QR landing with Meilisearch down: %d %v", land.status, err)
	}
	var later error // a pending part: reported once the rest has passed
	if _, _, err := s.fileComplaint(ctx, randomNet()+"4", s.nginx, "meili-"+s.run, complaintBody(licence, "meili-drill "+s.run)); errors.Is(err, errPending) {
		later = err
	} else if err != nil {
		return "", fmt.Errorf("complaint with Meilisearch down: %w", err)
	}
	r, _, err := s.ready(ctx, s.a)
	if err != nil {
		return "", err
	}
	// Changes made during the outage: three new shops and the rename.
	after := word("Lark")
	var news []map[string]any
	var newLic []string
	var newWords []string
	for i := 0; i < 3; i++ {
		l := fmt.Sprintf("STK%08X", rand.Uint32())
		w := word("Tern")
		news = append(news, testShop(l, "Stack "+w))
		newLic, newWords = append(newLic, l), append(newWords, w)
	}
	news = append(news, testShop(changed, "Stack "+after))
	if err := s.importShops(ctx, news); err != nil {
		return "", err
	}
	restart := time.Now()
	if _, err := s.stackCmd(ctx, nil, "start", "meili"); err != nil {
		return "", err
	}
	for i, l := range newLic {
		if _, err := s.waitSearch(ctx, s.nginx, newWords[i], l, true); err != nil {
			return "", fmt.Errorf("after restart: %w", err)
		}
	}
	if _, err := s.waitSearch(ctx, s.nginx, after, changed, true); err != nil {
		return "", fmt.Errorf("after restart: %w", err)
	}
	if _, err := s.waitSearch(ctx, s.nginx, before, changed, false); err != nil {
		return "", fmt.Errorf("after restart: %w", err)
	}
	detail := fmt.Sprintf("down: 20 searches degraded:true (slowest %s), landing 200, complaint filed, /readyz %s %v; up: 4 changes made meanwhile searchable %s after restart",
		slowest.Round(time.Millisecond), r.Status, r.Degraded, time.Since(restart).Round(time.Millisecond))
	if later != nil {
		return "", fmt.Errorf("%w; the rest passed: %s", later, strings.Replace(detail, "complaint filed", "complaint NOT checked", 1))
	}
	return detail, nil
}

func drillRedis(ctx context.Context, s *stack) (string, error) {
	r, _, err := s.ready(ctx, s.a)
	if err != nil {
		return "", err
	}
	if strings.Contains(r.Checks["ratelimit"], "no Redis configured") {
		return "", pending("serve does not use SHIAN_REDIS_URL yet (/readyz: %s)", r.Checks["ratelimit"])
	}
	defer func() { _, _ = s.stackCmd(context.WithoutCancel(ctx), nil, "start", "redis") }()
	if _, err := s.stackCmd(ctx, nil, "stop", "redis"); err != nil {
		return "", err
	}
	licence, err := s.shopLicence(ctx, "changli", 0)
	if err != nil {
		return "", err
	}
	ip := randomNet() + "21"
	bad := 0
	var slowest time.Duration
	for i := 0; i < 60; i++ {
		a, err := s.do(ctx, ip, "GET", s.nginx+"/api/v1/shops/"+licence, nil, nil)
		if err != nil || a.status != 200 {
			bad++
		}
		slowest = max(slowest, a.took)
	}
	var later error
	for i := 0; i < 3 && later == nil; i++ {
		if _, _, err := s.fileComplaint(ctx, ip, s.nginx, fmt.Sprintf("redis-%s-%d", s.run, i), complaintBody(licence, fmt.Sprintf("redis-drill %s %d", s.run, i))); errors.Is(err, errPending) {
			later = err
		} else if err != nil {
			return "", fmt.Errorf("complaint with Redis down: %w", err)
		}
	}
	if bad > 0 {
		return "", fmt.Errorf("%d of 60 reads failed with Redis down", bad)
	}
	down, _, err := s.ready(ctx, s.a)
	if err != nil {
		return "", err
	}
	if !down.degraded("ratelimit") {
		return "", fmt.Errorf("/readyz does not show the limiter fallback: %+v", down)
	}
	if _, err := s.stackCmd(ctx, nil, "start", "redis"); err != nil {
		return "", err
	}
	back := time.Now()
	for {
		ra, _, errA := s.ready(ctx, s.a)
		rb, _, errB := s.ready(ctx, s.b)
		if errA == nil && errB == nil && !ra.degraded("ratelimit") && !rb.degraded("ratelimit") {
			break
		}
		select {
		case <-ctx.Done():
			return "", errors.New("the limiter did not return to Redis after the restart")
		case <-time.After(250 * time.Millisecond):
		}
	}
	recovered := time.Since(back)
	detail, err := s.limitBurst(ctx, randomNet()+"8", 450)
	if err != nil {
		return detail, fmt.Errorf("after the restart: %w", err)
	}
	detail = fmt.Sprintf("down: 60 reads and 3 complaints all fine (slowest %s), /readyz degraded %v (%s); back to Redis in %s; then %s",
		slowest.Round(time.Millisecond), down.Degraded, down.Checks["ratelimit"], recovered.Round(time.Millisecond), detail)
	if later != nil {
		return "", fmt.Errorf("%w; the rest passed: %s", later, strings.Replace(detail, "and 3 complaints ", "", 1))
	}
	return detail, nil
}

func drillPostgres(ctx context.Context, s *stack) (string, error) {
	// A shop nobody asked for yet: its answer cannot come from the replicas' cache.
	licence, err := s.shopLicence(ctx, "qinglong", rand.IntN(20))
	if err != nil {
		return "", err
	}
	// Warm both replicas' pools, as real traffic does: the outage must then
	// also be answered well on the pooled connections the shutdown closes.
	for i := 0; i < 8; i++ {
		warm, err := s.shopLicence(ctx, "lulong", i)
		if err != nil {
			return "", err
		}
		for _, base := range []string{s.a, s.b} {
			if _, err := s.do(ctx, "127.0.0.1", "GET", base+"/api/v1/shops/"+warm, nil, nil); err != nil {
				return "", err
			}
		}
	}
	defer func() { _, _ = s.stackCmd(context.WithoutCancel(ctx), nil, "start", "postgres") }()
	s.pg.Reset()
	if _, err := s.stackCmd(ctx, nil, "stop", "postgres"); err != nil {
		return "", err
	}
	ip := randomNet() + "31"
	type probe struct {
		name, method, path string
		body               []byte
	}
	probes := []probe{
		{"shop", "GET", "/api/v1/shops/" + licence, nil},
		{"complaint", "POST", "/api/v1/complaints", complaintBody(licence, "pg-drill "+s.run)},
		{"readyz", "GET", "/readyz", nil},
	}
	var slowest time.Duration
	var msgs []string
	var later error
	// Two rounds through nginx and each replica: the first meets pooled
	// connections the shutdown just closed, the second the steady outage.
	var bad []string
	for round := 1; round <= 2; round++ {
		for _, base := range []string{s.nginx, s.a, s.b} {
			for _, p := range probes {
				a, err := s.do(ctx, ip, p.method, base+p.path, p.body, map[string]string{"Idempotency-Key": "pg-" + s.run})
				if err != nil {
					bad = append(bad, fmt.Sprintf("round %d %s %s%s: %v", round, p.method, base, p.path, err))
					continue
				}
				slowest = max(slowest, a.took)
				if p.name == "complaint" && a.status == 404 {
					later = pending("POST /api/v1/complaints is not mounted in serve")
					continue
				}
				if a.status != 503 {
					bad = append(bad, fmt.Sprintf("round %d %s %s%s: %d, want 503: %.160s", round, p.method, base, p.path, a.status, a.body))
					continue
				}
				if a.took > 3*time.Second {
					bad = append(bad, fmt.Sprintf("round %d %s %s%s took %s: not failing fast", round, p.method, base, p.path, a.took))
				}
				if p.name == "shop" && base == s.nginx && round == 2 {
					m := a.json()
					detail, _ := m["detail"].(string)
					if detail == "" || !strings.Contains(a.header.Get("Content-Type"), "problem+json") {
						bad = append(bad, fmt.Sprintf("503 without a problem+json message: %s %.160s", a.header.Get("Content-Type"), a.body))
					}
					msgs = append(msgs, fmt.Sprintf("%q", detail))
				}
			}
		}
	}
	if len(bad) > 0 {
		return "", fmt.Errorf("%d of %d requests during the outage were not a fast 503: %s", len(bad), 2*3*len(probes), strings.Join(bad, " | "))
	}
	live, err := s.do(ctx, ip, "GET", s.a+"/healthz", nil, nil)
	if err != nil || live.status != 200 {
		return "", fmt.Errorf("/healthz (liveness) must stay 200 during a database outage, got %d %v", live.status, err)
	}
	if _, err := s.stackCmd(ctx, nil, "start", "postgres"); err != nil {
		return "", err
	}
	back := time.Now()
	for {
		a, err := s.do(ctx, ip, "GET", s.nginx+"/api/v1/shops/"+licence, nil, nil)
		if err == nil && a.status == 200 {
			break
		}
		select {
		case <-ctx.Done():
			return "", errors.New("no recovery within the drill's time after PostgreSQL came back")
		case <-time.After(200 * time.Millisecond):
		}
	}
	recovered := time.Since(back)
	if later == nil {
		if _, _, err := s.fileComplaint(ctx, ip, s.nginx, "pg-after-"+s.run, complaintBody(licence, "pg-drill-after "+s.run)); err != nil {
			return "", fmt.Errorf("complaint after recovery: %w", err)
		}
	}
	detail := fmt.Sprintf("outage: shop, complaint and readyz answered 503 via nginx and both replicas (slowest %s; message %s), /healthz stayed 200; recovered %s after restart",
		slowest.Round(time.Millisecond), strings.Join(msgs, ""), recovered.Round(time.Millisecond))
	if later != nil {
		return "", fmt.Errorf("%w; the rest passed: %s", later, strings.Replace(detail, "shop, complaint and readyz", "shop and readyz", 1))
	}
	return detail, nil
}
