// Command benchscale measures how Shian's costs grow with the city: the
// public endpoints from 2,000 to 100,000 shops and the complaint intake and
// supervisor queries from 10,000 to 1,000,000 complaints, each figure beside
// an anchor measured in the same run with the same load generator (a bare
// Fiber hello-world, Meilisearch queried directly, Redis PING, raw
// PostgreSQL and SQLite inserts). It drives the real `shian` binary on
// loopback against a PostgreSQL schema of its own, and prints Markdown for
// BENCHMARKS.md (scripts/bench-all.sh).
//
//	go run ./scripts/benchscale -shian bin/shian -hello bin/hello \
//	    -pg URL -redis URL -meili URL -meili-key KEY [-shops 2000,20000,100000] [-complaints 10000,100000]
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite"

	"shian/api"
	"shian/search"
)

type options struct {
	shian, hello      string
	pg, redis         string
	meili, meiliKey   string
	shops, complaints []int
	dur               time.Duration
	workers           int
	work              string
}

func main() {
	var o options
	var shops, complaints string
	flag.StringVar(&o.shian, "shian", "bin/shian", "the shian binary")
	flag.StringVar(&o.hello, "hello", "", "the hello-world anchor binary (scripts/hello)")
	flag.StringVar(&o.pg, "pg", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL server (a schema of its own is used and dropped)")
	flag.StringVar(&o.redis, "redis", "", "Redis URL (anchor: PING; empty skips)")
	flag.StringVar(&o.meili, "meili", "", "a private Meilisearch URL for the replicas under test (empty: store-backed search)")
	flag.StringVar(&o.meiliKey, "meili-key", "", "its master key")
	flag.StringVar(&shops, "shops", "2000,20000,100000", "shop counts")
	flag.StringVar(&complaints, "complaints", "10000,100000", "complaint counts")
	flag.DurationVar(&o.dur, "duration", 5*time.Second, "load duration of each measurement")
	flag.IntVar(&o.workers, "workers", 8, "concurrent clients")
	flag.Parse()
	var err error
	if o.shops, err = ints(shops); err == nil {
		o.complaints, err = ints(complaints)
	}
	if err != nil {
		fatal(err)
	}
	o.work, err = os.MkdirTemp("", "benchscale-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(o.work)
	if err := run(context.Background(), o); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchscale:", err)
	os.Exit(1)
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchscale: "+format+"\n", args...)
}

// ---- load generator ----------------------------------------------------------------------------------

// result is one measurement: throughput and latency of n calls.
type result struct {
	n, failed, refused int
	rps                float64
	p50, p99           time.Duration
	firstErr           string
}

func (r result) cell() string {
	if r.n == 0 && r.failed > 0 {
		return fmt.Sprintf("all %d failed: %.120s", r.failed, r.firstErr)
	}
	if r.n == 0 {
		return "—"
	}
	s := fmt.Sprintf("%.0f/s, p50 %s, p99 %s", r.rps, ms(r.p50), ms(r.p99))
	if r.failed > 0 || r.refused > 0 {
		s += fmt.Sprintf(" (%d failed, %d refused)", r.failed, r.refused)
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// errRefused is a 429: counted apart, it means the load hit a rate limit.
var errRefused = errors.New("refused")

// load runs fn from workers goroutines for dur.
func load(ctx context.Context, workers int, dur time.Duration, fn func(ctx context.Context, w, i int) error) result {
	ctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	lat := make([][]time.Duration, workers)
	var failed, refused atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				t := time.Now()
				err := fn(ctx, w, i)
				if ctx.Err() != nil {
					return
				}
				switch {
				case errors.Is(err, errRefused):
					refused.Add(1)
				case err != nil:
					failed.Add(1)
					firstErr.CompareAndSwap(nil, firstLine(err.Error()))
				default:
					lat[w] = append(lat[w], time.Since(t))
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	r := result{n: len(all), failed: int(failed.Load()), refused: int(refused.Load())}
	r.firstErr, _ = firstErr.Load().(string)
	if len(all) > 0 {
		r.rps = float64(len(all)) / el.Seconds()
		r.p50, r.p99 = all[len(all)/2], all[len(all)*99/100]
	}
	return r
}

// clients gives each worker keep-alive connections from its own loopback
// source address, moved to a fresh one every `every` requests: the service
// under test rate-limits per client address, and a benchmark must measure
// the work, not the limiter's refusals.
type clients struct {
	every int
	mu    sync.Mutex
	cur   map[int]*http.Client
	used  map[int]int
	next  atomic.Uint32
	base  uint32
	fixed *http.Client // one client for every worker (no rotation)
}

func newClients(every int) *clients {
	return &clients{every: every, cur: map[int]*http.Client{}, used: map[int]int{},
		base: uint32(127)<<24 | uint32(20+rand.IntN(200))<<16}
}

func (c *clients) get(w int) *http.Client {
	if c.fixed != nil {
		return c.fixed
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.cur[w]; ok && c.used[w] < c.every {
		c.used[w]++
		return cl
	}
	if old, ok := c.cur[w]; ok {
		old.CloseIdleConnections()
	}
	n := c.base + 1 + c.next.Add(1)%65000
	ip := net.IPv4(byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	d := &net.Dialer{Timeout: 2 * time.Second, LocalAddr: &net.TCPAddr{IP: ip}}
	cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2}}
	c.cur[w], c.used[w] = cl, 1
	return cl
}

func (c *clients) do(ctx context.Context, w int, method, u string, body []byte, hdr map[string]string) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(string(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.get(w).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		return nil, err
	case resp.StatusCode == 429:
		return b, errRefused
	case resp.StatusCode >= 300:
		return b, fmt.Errorf("%s %s: %d %.200s", method, u, resp.StatusCode, b)
	}
	return b, nil
}

// ---- processes -----------------------------------------------------------------------------------------

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

type proc struct {
	cmd *exec.Cmd
	log string
}

func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

func startProc(ctx context.Context, env []string, logPath, health string, name string, args ...string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	f.Close()
	p := &proc{cmd: cmd, log: logPath}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(health)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 500 {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			tail, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("%s did not answer %s: %s", name, health, lastLines(string(tail), 10))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// env is the environment of shian processes on database dbURL.
func (o options) env(dbURL, addr string) []string {
	e := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"SHIAN_DATA_DIR=" + filepath.Join(o.work, "data"), "SHIAN_DATABASE_URL=" + dbURL,
		"SHIAN_SECRET=benchscale-secret-0123456789abcdef0123456789abcdef", "SHIAN_LOG_LEVEL=error",
		"SHIAN_PUBLIC_URL=http://" + addr, "SHIAN_ADDR=" + addr, "SHIAN_ADMIN_TOKEN=benchscale-admin-token"}
	if o.meili != "" {
		e = append(e, "SHIAN_MEILI_URL="+o.meili, "SHIAN_MEILI_KEY="+o.meiliKey)
	}
	return e
}

func (o options) shianRun(ctx context.Context, dbURL string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, o.shian, args...)
	cmd.Env = o.env(dbURL, "127.0.0.1:1")
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("shian %s: %w: %s", strings.Join(args, " "), err, lastLines(errb.String(), 5))
	}
	return out.String(), nil
}

// ---- anchors ---------------------------------------------------------------------------------------

type anchors struct {
	hello, meili, redisPing   result
	pgSingle, pgCopy          float64 // rows/s
	sqliteSingle, sqliteBatch float64
}

func measureAnchors(ctx context.Context, o options) (anchors, error) {
	var a anchors
	if o.hello != "" {
		addr, err := freeAddr()
		if err != nil {
			return a, err
		}
		p, err := startProc(ctx, os.Environ(), filepath.Join(o.work, "hello.log"), "http://"+addr+"/", o.hello, "-addr", addr)
		if err != nil {
			return a, err
		}
		cl := newClients(1 << 30)
		a.hello = load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error {
			_, err := cl.do(ctx, w, "GET", "http://"+addr+"/", nil, nil)
			return err
		})
		p.stop()
		logf("anchor hello-world: %s", a.hello.cell())
	}
	if o.redis != "" {
		ro, err := redis.ParseURL(o.redis)
		if err != nil {
			return a, err
		}
		rdb := redis.NewClient(ro)
		a.redisPing = load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error { return rdb.Ping(ctx).Err() })
		rdb.Close()
		logf("anchor redis PING: %s", a.redisPing.cell())
	}
	// Raw inserts: one row per transaction (what a complaint's commit costs at least) and bulk.
	pool, err := pgxpool.New(ctx, o.pg)
	if err != nil {
		return a, err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `DROP TABLE IF EXISTS benchscale_anchor; CREATE UNLOGGED TABLE IF NOT EXISTS benchscale_anchor_u (x int);
		CREATE TABLE benchscale_anchor (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return a, fmt.Errorf("anchor table: %w", err)
	}
	defer pool.Exec(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS benchscale_anchor; DROP TABLE IF EXISTS benchscale_anchor_u`)
	r := load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error {
		_, err := pool.Exec(ctx, `INSERT INTO benchscale_anchor (body) VALUES ($1)`, "后厨卫生差，地面积水，有苍蝇。")
		return err
	})
	a.pgSingle = r.rps
	start := time.Now()
	rows := make([][]any, 100000)
	for i := range rows {
		rows[i] = []any{"后厨卫生差，地面积水，有苍蝇。"}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"benchscale_anchor"}, []string{"body"}, pgx.CopyFromRows(rows)); err != nil {
		return a, fmt.Errorf("anchor copy: %w", err)
	}
	a.pgCopy = float64(len(rows)) / time.Since(start).Seconds()
	logf("anchor PostgreSQL inserts: %.0f rows/s one per transaction (%d clients), %.0f rows/s COPY", a.pgSingle, o.workers, a.pgCopy)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(o.work, "anchor.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)")
	if err != nil {
		return a, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		return a, err
	}
	r = load(ctx, 1, o.dur, func(ctx context.Context, w, i int) error {
		_, err := db.ExecContext(ctx, `INSERT INTO t (body) VALUES (?)`, "后厨卫生差，地面积水，有苍蝇。")
		return err
	})
	a.sqliteSingle = r.rps
	start = time.Now()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return a, err
	}
	for i := 0; i < 100000; i++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO t (body) VALUES (?)`, "后厨卫生差，地面积水，有苍蝇。"); err != nil {
			tx.Rollback()
			return a, err
		}
	}
	if err := tx.Commit(); err != nil {
		return a, err
	}
	a.sqliteBatch = 100000 / time.Since(start).Seconds()
	logf("anchor SQLite inserts: %.0f rows/s one per transaction, %.0f rows/s in one transaction", a.sqliteSingle, a.sqliteBatch)
	return a, nil
}

// ---- the service at a size ----------------------------------------------------------------------------

// schemaURL is o.pg with a search_path of a fresh schema (pgx passes it on).
func schemaURL(ctx context.Context, pool *pgxpool.Pool, base, name string) (string, error) {
	if _, err := pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+name+" CASCADE; CREATE SCHEMA "+name); err != nil {
		return "", fmt.Errorf("schema %s: %w", name, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

type shopRow struct {
	shops                        int
	seed                         time.Duration
	sync                         time.Duration // outbox → Meilisearch, until every shop is indexed
	shop, landing, search, meili result
	degraded                     bool
}

type complaintRow struct {
	complaints          int
	fill                time.Duration
	intake, queue, dash result
	pending             string
}

var queries = []string{"海鲜", "烧烤", "haixian", "饺子", "beidaihe", "hotpot", "咖啡", "seafod", "面馆", "烤鸭"}

// meiliBodies are the requests our endpoint sends Meilisearch for queries
// (search.MeiliRequest: same filters, facets and attributes), so that the
// direct anchor does the same work.
func meiliBodies() ([][]byte, error) {
	var out [][]byte
	for _, q := range queries {
		p, err := api.ParseSearchQuery(url.Values{"q": {q}})
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", q, err)
		}
		req, err := search.MeiliRequest("shops", p.Query)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func (o options) meiliReset(ctx context.Context) {
	if o.meili == "" {
		return
	}
	for _, idx := range []string{"shops"} {
		req, _ := http.NewRequestWithContext(ctx, "DELETE", o.meili+"/indexes/"+idx, nil)
		req.Header.Set("Authorization", "Bearer "+o.meiliKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	time.Sleep(500 * time.Millisecond)
}

func (o options) meiliDocs(ctx context.Context) int {
	req, _ := http.NewRequestWithContext(ctx, "GET", o.meili+"/indexes/shops/stats", nil)
	req.Header.Set("Authorization", "Bearer "+o.meiliKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var st struct {
		NumberOfDocuments int  `json:"numberOfDocuments"`
		IsIndexing        bool `json:"isIndexing"`
	}
	if json.NewDecoder(resp.Body).Decode(&st) != nil || st.IsIndexing {
		return -1
	}
	return st.NumberOfDocuments
}

func measureShops(ctx context.Context, o options, pool *pgxpool.Pool, n int) (shopRow, error) {
	row := shopRow{shops: n}
	dbURL, err := schemaURL(ctx, pool, o.pg, "benchscale_shops")
	if err != nil {
		return row, err
	}
	defer pool.Exec(context.WithoutCancel(ctx), "DROP SCHEMA IF EXISTS benchscale_shops CASCADE")
	if _, err := o.shianRun(ctx, dbURL, "migrate"); err != nil {
		return row, err
	}
	start := time.Now()
	if _, err := o.shianRun(ctx, dbURL, "seed", "--shops", strconv.Itoa(n)); err != nil {
		return row, err
	}
	row.seed = time.Since(start)
	var licences []string
	rs, err := pool.Query(ctx, "SELECT licence FROM benchscale_shops.shops")
	if err != nil {
		return row, err
	}
	for rs.Next() {
		var l string
		if err := rs.Scan(&l); err != nil {
			return row, err
		}
		licences = append(licences, l)
	}
	rs.Close()
	var tokens []string
	for i := 0; i < 8; i++ {
		out, err := o.shianRun(ctx, dbURL, "qr", licences[rand.IntN(len(licences))], "-o", filepath.Join(o.work, "q.png"))
		if err != nil {
			return row, err
		}
		if i := strings.LastIndex(strings.ToLower(out), "/s/"); i >= 0 {
			tokens = append(tokens, strings.Fields(out[i+3:])[0])
		}
	}
	o.meiliReset(ctx)
	addr, err := freeAddr()
	if err != nil {
		return row, err
	}
	syncStart := time.Now()
	p, err := startProc(ctx, o.env(dbURL, addr), filepath.Join(o.work, "serve-shops.log"), "http://"+addr+"/healthz", o.shian, "serve")
	if err != nil {
		return row, err
	}
	defer p.stop()
	if o.meili != "" {
		deadline := time.Now().Add(10 * time.Minute)
		for o.meiliDocs(ctx) < n && time.Now().Before(deadline) {
			time.Sleep(500 * time.Millisecond)
		}
		if o.meiliDocs(ctx) >= n {
			row.sync = time.Since(syncStart)
		}
	}
	base := "http://" + addr
	cl := newClients(200)
	row.shop = load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error {
		_, err := cl.do(ctx, w, "GET", base+"/api/v1/shops/"+licences[rand.IntN(len(licences))], nil, nil)
		return err
	})
	row.landing = load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error {
		_, err := cl.do(ctx, w, "GET", base+"/s/"+tokens[rand.IntN(len(tokens))], nil, nil)
		return err
	})
	var degraded atomic.Bool
	row.search = load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error {
		b, err := cl.do(ctx, w, "GET", base+"/api/v1/shops/search?q="+url.QueryEscape(queries[i%len(queries)]), nil, nil)
		if err == nil && strings.Contains(string(b), `"degraded":true`) {
			degraded.Store(true)
		}
		return err
	})
	row.degraded = degraded.Load()
	if o.meili != "" && row.sync > 0 {
		// search.NewTransport: the transport our service uses, with quick
		// ACKs — without them every direct query stalls 40 ms in the kernel.
		mc := &clients{fixed: &http.Client{Timeout: 10 * time.Second, Transport: search.NewTransport()}}
		bodies, err := meiliBodies()
		if err != nil {
			return row, err
		}
		row.meili = load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error {
			_, err := mc.do(ctx, w, "POST", o.meili+"/multi-search", bodies[i%len(bodies)],
				map[string]string{"Authorization": "Bearer " + o.meiliKey})
			return err
		})
	}
	logf("%d shops: seed %s, sync %s, shop %s, landing %s, search %s (degraded %v), meili %s", n, row.seed.Round(time.Millisecond),
		row.sync.Round(time.Millisecond), row.shop.cell(), row.landing.cell(), row.search.cell(), row.degraded, row.meili.cell())
	return row, nil
}

// fillComplaints brings the complaints table to n rows by cloning filed
// complaints in SQL, spread over districts, statuses and three years.
func fillComplaints(ctx context.Context, pool *pgxpool.Pool, schema string, n int) error {
	var have int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+schema+".complaints").Scan(&have); err != nil {
		return err
	}
	if have >= n {
		return nil
	}
	rows, err := pool.Query(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'complaints' AND column_name <> 'id' ORDER BY ordinal_position`, schema)
	if err != nil {
		return err
	}
	var cols, sel []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return err
		}
		cols = append(cols, c)
		switch c {
		case "ticket":
			sel = append(sel, "'B' || lpad(g::text, 9, '0') || '-' || t.ticket")
		case "district":
			sel = append(sel, "(ARRAY['haigang','shanhaiguan','beidaihe','funing','qinglong','changli','lulong','bdhxinqu','etdz'])[1 + g % 9]")
		case "office":
			sel = append(sel, "(ARRAY['haigang','shanhaiguan','beidaihe','funing','qinglong','changli','lulong','bdhxinqu','etdz'])[1 + g % 9]")
		case "status":
			sel = append(sel, "(CASE WHEN g % 10 < 8 THEN 'closed' WHEN g % 10 = 8 THEN 'accepted' ELSE 'received' END)")
		case "created_at", "received_at", "updated_at":
			sel = append(sel, "t."+c+" - (g % 1000) * interval '1 day' - (g % 86400) * interval '1 second'")
		case "cluster_id":
			sel = append(sel, "NULL")
		default:
			sel = append(sel, "t."+c)
		}
	}
	rows.Close()
	q := fmt.Sprintf(`INSERT INTO %s.complaints (%s) SELECT %s FROM generate_series($1::bigint, $2::bigint) g,
		LATERAL (SELECT * FROM %s.complaints WHERE ticket NOT LIKE 'B%%' ORDER BY id LIMIT 1) t`,
		schema, strings.Join(cols, ", "), strings.Join(sel, ", "), schema)
	for lo := have; lo < n; lo += 100000 {
		hi := min(n, lo+100000)
		// Triggers on complaints name their tables unqualified: run them in the schema.
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL search_path TO "+schema); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, q, lo+1, hi)
			return err
		})
		if err != nil {
			return fmt.Errorf("fill complaints: %w", err)
		}
	}
	_, err = pool.Exec(ctx, "ANALYZE "+schema+".complaints")
	return err
}

func measureComplaints(ctx context.Context, o options, pool *pgxpool.Pool, sizes []int) ([]complaintRow, error) {
	const schema = "benchscale_cx"
	dbURL, err := schemaURL(ctx, pool, o.pg, schema)
	if err != nil {
		return nil, err
	}
	defer pool.Exec(context.WithoutCancel(ctx), "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
	if _, err := o.shianRun(ctx, dbURL, "migrate"); err != nil {
		return nil, err
	}
	if _, err := o.shianRun(ctx, dbURL, "seed", "--shops", "2000"); err != nil {
		return nil, err
	}
	var licence string
	if err := pool.QueryRow(ctx, "SELECT licence FROM "+schema+".shops WHERE district = 'haigang' LIMIT 1").Scan(&licence); err != nil {
		return nil, err
	}
	officer, admin, staffErr := "", "", "no staff accounts (shian user add failed)"
	if _, err := o.shianRun(ctx, dbURL, "user", "add", "--name", "bench-officer", "--role", "officer", "--district", "haigang"); err == nil {
		out, _ := o.shianRun(ctx, dbURL, "user", "token", "--name", "bench-officer", "--label", "bench")
		officer = strings.TrimSpace(out)
		if _, err := o.shianRun(ctx, dbURL, "user", "add", "--name", "bench-admin", "--role", "admin"); err == nil {
			out, _ = o.shianRun(ctx, dbURL, "user", "token", "--name", "bench-admin", "--label", "bench")
			admin = strings.TrimSpace(out)
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	o.meiliReset(ctx)
	p, err := startProc(ctx, o.env(dbURL, addr), filepath.Join(o.work, "serve-cx.log"), "http://"+addr+"/healthz", o.shian, "serve")
	if err != nil {
		return nil, err
	}
	defer p.stop()
	base := "http://" + addr
	body, _ := json.Marshal(map[string]any{"kind": "report", "category": "hygiene", "licence": licence, "lang": "zh",
		"description": "后厨卫生差，地面积水，有苍蝇。benchscale"})
	cl := newClients(15) // complaint_ip_hour allows 20 per client address
	if _, err := cl.do(ctx, 0, "POST", base+"/api/v1/complaints", body, map[string]string{"Idempotency-Key": "seed-complaint"}); err != nil {
		return []complaintRow{{pending: "complaint intake not reachable through serve: " + firstLine(err.Error())}}, nil
	}
	var out []complaintRow
	for _, n := range sizes {
		row := complaintRow{complaints: n}
		start := time.Now()
		if err := fillComplaints(ctx, pool, schema, n); err != nil {
			return out, err
		}
		row.fill = time.Since(start)
		row.intake = load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error {
			_, err := cl.do(ctx, w, "POST", base+"/api/v1/complaints", body, map[string]string{"Idempotency-Key": fmt.Sprintf("b%d-%d-%d-%d", n, w, i, rand.Int64())})
			return err
		})
		sc := newClients(1 << 30)
		if officer != "" && row.pending == "" {
			if _, err := sc.do(ctx, 0, "GET", base+"/admin/api/v1/complaints", nil, map[string]string{"Authorization": "Bearer " + officer}); err != nil {
				officer, admin = "", ""
				staffErr = "staff API not reachable through serve: " + firstLine(err.Error())
			}
		}
		if officer != "" {
			row.queue = load(ctx, o.workers, o.dur, func(ctx context.Context, w, i int) error {
				_, err := sc.do(ctx, w, "GET", base+"/admin/api/v1/complaints", nil, map[string]string{"Authorization": "Bearer " + officer})
				return err
			})
		}
		if admin != "" {
			row.dash = load(ctx, min(o.workers, 2), o.dur, func(ctx context.Context, w, i int) error {
				_, err := sc.do(ctx, w, "GET", base+"/admin/api/v1/dashboard", nil, map[string]string{"Authorization": "Bearer " + admin})
				return err
			})
		}
		if officer == "" {
			row.pending = staffErr
		}
		logf("%d complaints: fill %s, intake %s, queue %s, dashboard %s", n, row.fill.Round(time.Millisecond), row.intake.cell(), row.queue.cell(), row.dash.cell())
		out = append(out, row)
	}
	return out, nil
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func ratio(r, anchor result) string {
	if r.n == 0 || anchor.n == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f× throughput, %.1f× p50", r.rps/anchor.rps, float64(r.p50)/float64(max(anchor.p50, time.Microsecond)))
}

func run(ctx context.Context, o options) error {
	pool, err := pgxpool.New(ctx, o.pg)
	if err != nil {
		return err
	}
	defer pool.Close()
	a, err := measureAnchors(ctx, o)
	if err != nil {
		return fmt.Errorf("anchors: %w", err)
	}
	var shops []shopRow
	for _, n := range o.shops {
		r, err := measureShops(ctx, o, pool, n)
		if err != nil {
			return fmt.Errorf("%d shops: %w", n, err)
		}
		shops = append(shops, r)
	}
	cx, err := measureComplaints(ctx, o, pool, o.complaints)
	if err != nil {
		return fmt.Errorf("complaints: %w", err)
	}

	w := os.Stdout
	fmt.Fprintf(w, "### Anchors (same run, same load generator: %d clients × %s)\n\n", o.workers, o.dur)
	fmt.Fprintln(w, "| anchor | figure |\n|---|---|")
	fmt.Fprintf(w, "| bare Fiber hello-world (scripts/hello) | %s |\n", a.hello.cell())
	fmt.Fprintf(w, "| Redis PING | %s |\n", a.redisPing.cell())
	fmt.Fprintf(w, "| PostgreSQL INSERT, one row per transaction, %d clients | %.0f rows/s |\n", o.workers, a.pgSingle)
	fmt.Fprintf(w, "| PostgreSQL COPY, 100,000 rows | %.0f rows/s |\n", a.pgCopy)
	fmt.Fprintf(w, "| SQLite (WAL) INSERT, one row per transaction | %.0f rows/s |\n", a.sqliteSingle)
	fmt.Fprintf(w, "| SQLite (WAL) INSERT, 100,000 rows in one transaction | %.0f rows/s |\n\n", a.sqliteBatch)

	fmt.Fprintln(w, "### Shops: 2,000 → 100,000 (PostgreSQL store, one replica, in-process limiter)")
	fmt.Fprintln(w, "\n| shops | seed | outbox → Meilisearch | GET /api/v1/shops/{licence} | vs hello-world | QR landing /s/{token} | GET /api/v1/shops/search | Meilisearch direct (anchor) | ours vs direct |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range shops {
		syncCell := "—"
		if r.sync > 0 {
			syncCell = r.sync.Round(100 * time.Millisecond).String()
		}
		search := r.search.cell()
		if r.degraded {
			search += " **degraded (store fallback)**"
		}
		fmt.Fprintf(w, "| %d | %s (%.0f shops/s) | %s | %s | %s | %s | %s | %s | %s |\n", r.shops, r.seed.Round(100*time.Millisecond),
			float64(r.shops)/r.seed.Seconds(), syncCell, r.shop.cell(), ratio(r.shop, a.hello), r.landing.cell(), search, r.meili.cell(), ratio(r.search, r.meili))
	}
	fmt.Fprintln(w, "\n### Complaints: 10,000 → 1,000,000 (PostgreSQL store, one replica)")
	fmt.Fprintln(w, "\n| complaints in the table | filled in | POST /api/v1/complaints (committed) | vs raw PostgreSQL insert | officer queue | dashboard |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for _, r := range cx {
		if r.complaints == 0 {
			fmt.Fprintf(w, "| — | PENDING: %s | | | | |\n", r.pending)
			continue
		}
		vs := "—"
		if a.pgSingle > 0 && r.intake.n > 0 {
			vs = fmt.Sprintf("%.2f× of %.0f rows/s", r.intake.rps/a.pgSingle, a.pgSingle)
		}
		q, d := r.queue.cell(), r.dash.cell()
		if r.pending != "" {
			q, d = "PENDING: "+clip(r.pending, 120), "PENDING"
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s |\n", r.complaints, r.fill.Round(100*time.Millisecond), r.intake.cell(), vs, q, d)
	}
	fmt.Fprintln(w)
	return nil
}
