// Command bench-search measures shop search at city scale: it seeds a
// SQLite store with N shops (50,000 by default), times a full reindex into
// Meilisearch, then sends one query mix both to our endpoint
// (GET /api/v1/shops/search) and directly to Meilisearch (the same search
// request the endpoint sends), interleaved in one run, and reports the
// median latency ratio and the throughput ratio.
//
//	go run ./scripts/bench-search [-shops 50000] [-duration 10s] [-concurrency 8]
//
// Meilisearch is $SHIAN_MEILI_URL / $SHIAN_MEILI_KEY, else the dev one that
// scripts/devstack.sh meili starts. The index it builds is deleted at exit.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"shian"
	"shian/api"
	"shian/ratelimit"
	"shian/search"
	"shian/seed"
	"shian/store/postgres"
	"shian/store/sqlite"
	"shian/store/sqlstore"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-search:", err)
		os.Exit(1)
	}
}

type query struct {
	params url.Values
	q      shian.ShopQuery
	body   []byte // the Meilisearch request
}

func run() error {
	nShops := flag.Int("shops", 50000, "shops to seed")
	duration := flag.Duration("duration", 10*time.Second, "length of each throughput phase")
	conc := flag.Int("concurrency", 8, "concurrent clients in the throughput phases")
	samples := flag.Int("samples", 600, "sequential requests per target for the latency medians")
	catchUp := flag.Bool("catchup", true, "change every shop and time the outbox catch-up against the reindex")
	pgURL := flag.String("postgres", "", "a PostgreSQL URL: also time the degraded (store) search on PostgreSQL")
	skipCompare := flag.Bool("skip-compare", false, "skip the search latency and throughput comparison")
	useMeili := flag.Bool("meili", true, "index into Meilisearch (false: only the degraded search on the stores)")
	flag.Parse()
	meiliURL := env("SHIAN_MEILI_URL", "http://127.0.0.1:7700")
	meiliKey := env("SHIAN_MEILI_KEY", "shian-dev-master-key-0123456789")
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	dir, err := os.MkdirTemp("", "bench-search-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "shian.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	db.Keywords = search.Keywords

	start := time.Now()
	shops := seed.Generate(seed.Options{Shops: *nShops})
	for i := 0; i < len(shops); i += 1000 {
		if _, err := db.UpsertShops(ctx, shops[i:min(i+1000, len(shops))]); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	fmt.Printf("seeded %d shops into SQLite in %s\n", len(shops), time.Since(start).Round(time.Millisecond))

	if !*useMeili {
		mix, err := queryMix("shops", shops)
		if err != nil {
			return err
		}
		if err := benchFallback(ctx, "sqlite", db, mix, *samples); err != nil {
			return err
		}
		if *pgURL != "" {
			return benchPostgres(ctx, *pgURL, shops, mix, *samples)
		}
		return nil
	}
	uid := fmt.Sprintf("bench_shops_%d", time.Now().UnixNano())
	ix := search.NewIndex(meiliURL, meiliKey, uid)
	ix.TaskTimeout = 10 * time.Minute
	defer func() {
		_ = ix.DeleteIndex(context.Background(), uid)
		ix.Close()
	}()
	if err := ix.Ensure(ctx); err != nil {
		return err
	}
	st, err := ix.Reindex(ctx, db, log)
	if err != nil {
		return err
	}
	fmt.Printf("full reindex of %d shops: %s (goal < 60 s), of which reading the store (two passes) %s; %d rejected\n",
		st.Shops, st.Took.Round(time.Millisecond), st.Read.Round(time.Millisecond), st.Rejected)

	reindexRate := float64(st.Shops) / st.Took.Seconds()
	fmt.Printf("reindex rate: %.0f documents/s\n", reindexRate)
	if *catchUp {
		if err := benchCatchUp(ctx, db, ix, shops, reindexRate, log); err != nil {
			return err
		}
	}

	svc := search.NewService(search.Config{Index: ix, Store: db, Budget: 2 * time.Second, Log: log})
	// The public-read limit would stop a benchmark client at 600 a minute:
	// the limiter still runs, with a policy it never denies.
	policies := ratelimit.DefaultPolicies()
	for i := range policies {
		if policies[i].Name == ratelimit.PublicRead {
			policies[i].Rate, policies[i].Burst = 1_000_000_000, 1_000_000
		}
	}
	limiter, err := ratelimit.New(ratelimit.Options{Policies: policies, Logger: log})
	if err != nil {
		return err
	}
	defer limiter.Close()
	srv := api.New(api.Config{Store: db, Search: svc, Logger: log, Limiter: limiter})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go func() { _ = srv.App.Listener(ln) }()
	defer srv.App.Shutdown()
	ours := "http://" + ln.Addr().String() + "/api/v1/shops/search?"
	direct := meiliURL + "/multi-search"

	mix, err := queryMix(uid, shops)
	if err != nil {
		return err
	}
	// The same transport as the index's (quick ACKs: see search.NewTransport)
	// for both targets.
	client := &http.Client{Transport: search.NewTransport(), Timeout: 10 * time.Second}
	send := map[string]func(q *query) error{
		"ours": func(q *query) error {
			return do(client, http.MethodGet, ours+q.params.Encode(), "", nil, true)
		},
		"direct": func(q *query) error {
			return do(client, http.MethodPost, direct, meiliKey, q.body, false)
		},
		// Diagnostic: the search service called in-process, without our
		// HTTP layer in front.
		"service": func(q *query) error {
			_, degraded, err := svc.Search(ctx, q.q)
			if err == nil && degraded {
				err = fmt.Errorf("degraded answer")
			}
			return err
		},
	}
	if err := benchSuggest(client, "http://"+ln.Addr().String(), meiliURL, meiliKey, uid, shops, *samples); err != nil {
		return err
	}
	if err := benchFallback(ctx, "sqlite", db, mix, *samples); err != nil {
		return err
	}
	if *pgURL != "" {
		if err := benchPostgres(ctx, *pgURL, shops, mix, *samples); err != nil {
			return err
		}
	}
	if *skipCompare {
		return nil
	}
	// Warm both paths.
	for i := range 100 {
		q := &mix[i%len(mix)]
		if err := send["ours"](q); err != nil {
			return fmt.Errorf("ours: %w", err)
		}
		if err := send["direct"](q); err != nil {
			return fmt.Errorf("direct: %w", err)
		}
	}

	// Latency: sequential, interleaved request by request.
	lat := map[string][]time.Duration{}
	for i := range *samples {
		q := &mix[i%len(mix)]
		order := []string{"ours", "direct", "service"}
		if i%2 == 1 {
			order = []string{"service", "direct", "ours"}
		}
		for _, name := range order {
			t0 := time.Now()
			if err := send[name](q); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			lat[name] = append(lat[name], time.Since(t0))
		}
	}
	medOurs, medDirect := median(lat["ours"]), median(lat["direct"])
	fmt.Printf("median latency (%d sequential requests each, %d distinct queries): ours %s, Meilisearch direct %s, ratio %.2f (goal ≤ 1.2)\n",
		*samples, len(mix), medOurs.Round(time.Microsecond), medDirect.Round(time.Microsecond), float64(medOurs)/float64(medDirect))
	fmt.Printf("p90 latency: ours %s, direct %s; search.Service in-process (no HTTP in front): median %s\n",
		pct(lat["ours"], 0.9).Round(time.Microsecond), pct(lat["direct"], 0.9).Round(time.Microsecond), median(lat["service"]).Round(time.Microsecond))

	// Throughput: closed loop with conc clients; phases alternate so that
	// both targets see the same machine load.
	count := map[string]int64{}
	elapsed := map[string]time.Duration{}
	phase := *duration / 2
	for _, name := range []string{"direct", "ours", "ours", "direct"} {
		n, took, err := closedLoop(send[name], mix, *conc, phase)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		count[name] += n
		elapsed[name] += took
	}
	rpsOurs := float64(count["ours"]) / elapsed["ours"].Seconds()
	rpsDirect := float64(count["direct"]) / elapsed["direct"].Seconds()
	fmt.Printf("throughput (%d clients, %s per target): ours %.0f req/s, Meilisearch direct %.0f req/s, ratio %.2f (goal ≥ 0.8)\n",
		*conc, 2*phase, rpsOurs, rpsDirect, rpsOurs/rpsDirect)
	return nil
}

// queryMix is what people type: Chinese words, pinyin, initials, English,
// filters, near-me, sorted by grade, second pages.
func queryMix(uid string, shops []*shian.Shop) ([]query, error) {
	raw := []string{
		"q=海鲜", "q=饺子", "q=烧烤&district=beidaihe", "q=火锅", "q=超市&open_only=true", "q=面馆&grade=excellent",
		"q=haixian", "q=jiaozi", "q=shaokao", "q=hxdpd", "q=seafood", "q=seafod", "q=dumplings", "q=hotpot",
		"q=ресторан", "q=кафе", "district=haigang&grade=excellent&sort=grade",
		"lat=39.8310&lng=119.4860&radius_m=1000", "lat=39.9350&lng=119.6000&radius_m=2000&q=海鲜",
		"lat=40.0100&lng=119.7500&radius_m=3000&sort=grade", "category=school_canteen&grade=A",
		"q=海鲜&page=2", "q=宾馆&district=shanhaiguan", "grade=fail&district=changli",
	}
	// Names of shops, whole and in part, as a visitor remembers them.
	for i := 0; i < len(shops) && len(raw) < 60; i += len(shops) / 36 {
		rs := []rune(shops[i].Name)
		raw = append(raw, "q="+url.QueryEscape(string(rs[:min(len(rs), 2+i%3)])))
		if sp, ok := search.Spell(shops[i].Name); ok {
			raw = append(raw, "q="+sp.Joined[0])
		}
	}
	var mix []query
	for _, r := range raw {
		v, err := url.ParseQuery(r)
		if err != nil {
			return nil, err
		}
		p, err := api.ParseSearchQuery(v)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", r, err)
		}
		req, err := search.MeiliRequest(uid, p.Query)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		mix = append(mix, query{params: v, q: p.Query, body: body})
	}
	return mix, nil
}

func do(client *http.Client, method, u, key string, body []byte, wantNotDegraded bool) error {
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, b)
	}
	if wantNotDegraded && bytes.Contains(b, []byte(`"degraded":true`)) {
		return fmt.Errorf("%s: degraded answer", u)
	}
	return nil
}

func closedLoop(send func(*query) error, mix []query, conc int, d time.Duration) (int64, time.Duration, error) {
	var n atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(deadline); i += conc {
				if err := send(&mix[i%len(mix)]); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return 0, 0, err
	}
	return n.Load(), time.Since(start), nil
}

func median(d []time.Duration) time.Duration { return pct(d, 0.5) }

func pct(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

func env(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}

// benchCatchUp changes every shop (a new inspection) and times the outbox
// syncer applying the changes, against the reindex rate measured in the
// same run.
func benchCatchUp(ctx context.Context, db *sqlstore.DB, ix *search.Index, shops []*shian.Shop, reindexRate float64, log *slog.Logger) error {
	day := time.Now().UTC().AddDate(0, 0, -1).Truncate(24 * time.Hour)
	for i, s := range shops {
		score := float64(60 + (i*7)%40)
		s.Inspections = append([]shian.Inspection{{Date: day, Score: &score}}, s.Inspections...)
	}
	// The reindex covered the seed's outbox entries: clear them, so that
	// the catch-up applies exactly one change per shop.
	for {
		pending, err := db.PendingOutbox(ctx, 5000)
		if err != nil || len(pending) == 0 {
			if err != nil {
				return err
			}
			break
		}
		ids := make([]int64, len(pending))
		for i, e := range pending {
			ids[i] = e.ID
		}
		if err := db.CompleteOutbox(ctx, ids); err != nil {
			return err
		}
	}
	t0 := time.Now()
	for i := 0; i < len(shops); i += 1000 {
		if _, err := db.UpsertShops(ctx, shops[i:min(i+1000, len(shops))]); err != nil {
			return fmt.Errorf("change shops: %w", err)
		}
	}
	fmt.Printf("changed %d shops in the store in %s\n", len(shops), time.Since(t0).Round(time.Millisecond))
	sy := &search.Syncer{Outbox: db, Shops: db, Index: ix, Log: log}
	t0 = time.Now()
	n := 0
	for {
		k, err := sy.SyncOnce(ctx)
		if err != nil {
			return fmt.Errorf("catch-up: %w", err)
		}
		if k == 0 {
			break
		}
		n += k
	}
	took := time.Since(t0)
	rate := float64(n) / took.Seconds()
	fmt.Printf("outbox catch-up: %d documents in %s = %.0f documents/s (goal ≥ 3000); full reindex in the same run %.0f documents/s; ratio %.2f\n",
		n, took.Round(time.Millisecond), rate, reindexRate, rate/reindexRate)
	return nil
}

// benchSuggest times GET /api/v1/shops/suggest against the same search
// sent to Meilisearch directly, sequentially, interleaved.
func benchSuggest(client *http.Client, ours, meiliURL, key, uid string, shops []*shian.Shop, samples int) error {
	var prefixes []string
	for i := 0; i < len(shops) && len(prefixes) < 200; i += max(1, len(shops)/200) {
		rs := []rune(shops[i].Name)
		prefixes = append(prefixes, string(rs[:min(len(rs), 1+i%3)]))
		if sp, ok := search.Spell(shops[i].Name); ok {
			prefixes = append(prefixes, sp.Joined[0][:min(len(sp.Joined[0]), 2+i%5)])
		}
	}
	var lat = map[string][]time.Duration{}
	for i := range samples {
		p := prefixes[i%len(prefixes)]
		body, _ := json.Marshal(search.SuggestRequest(p, search.MaxSuggestions))
		t0 := time.Now()
		if err := do(client, http.MethodGet, ours+"/api/v1/shops/suggest?q="+url.QueryEscape(p), "", nil, true); err != nil {
			return fmt.Errorf("suggest: %w", err)
		}
		lat["ours"] = append(lat["ours"], time.Since(t0))
		t0 = time.Now()
		if err := do(client, http.MethodPost, meiliURL+"/indexes/"+uid+"/search", key, body, false); err != nil {
			return fmt.Errorf("suggest direct: %w", err)
		}
		lat["direct"] = append(lat["direct"], time.Since(t0))
	}
	fmt.Printf("suggest (%d sequential requests, %d prefixes): ours median %s p99 %s (goal p99 < 20 ms); Meilisearch direct median %s p99 %s\n",
		samples, len(prefixes), median(lat["ours"]).Round(time.Microsecond), pct(lat["ours"], 0.99).Round(time.Microsecond),
		median(lat["direct"]).Round(time.Microsecond), pct(lat["direct"], 0.99).Round(time.Microsecond))
	return nil
}

// benchFallback times the degraded search (the store's text index, no
// Meilisearch) over the query mix, sequentially, in process.
func benchFallback(ctx context.Context, name string, db *sqlstore.DB, mix []query, samples int) error {
	svc := search.NewService(search.Config{Store: db})
	for i := range min(50, len(mix)) { // warm the page cache
		if _, _, err := svc.Search(ctx, mix[i%len(mix)].q); err != nil {
			return err
		}
	}
	var lat []time.Duration
	for i := range samples {
		t0 := time.Now()
		if _, degraded, err := svc.Search(ctx, mix[i%len(mix)].q); err != nil || !degraded {
			return fmt.Errorf("fallback %s: %v (degraded %v)", name, err, degraded)
		}
		lat = append(lat, time.Since(t0))
	}
	fmt.Printf("degraded search on %s (%d sequential queries, %d distinct): median %s p90 %s p99 %s (goal p99 < 50 ms)\n",
		name, samples, len(mix), median(lat).Round(time.Microsecond), pct(lat, 0.9).Round(time.Microsecond), pct(lat, 0.99).Round(time.Microsecond))
	return nil
}

// benchPostgres seeds shops into the (empty) PostgreSQL database at url and
// times the degraded search there.
func benchPostgres(ctx context.Context, url string, shops []*shian.Shop, mix []query, samples int) error {
	pg, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pg.Close()
	pg.Keywords = search.Keywords
	if _, err := pg.Migrate(ctx); err != nil {
		return err
	}
	t0 := time.Now()
	for i := 0; i < len(shops); i += 1000 {
		if _, err := pg.UpsertShops(ctx, shops[i:min(i+1000, len(shops))]); err != nil {
			return fmt.Errorf("seed postgres: %w", err)
		}
	}
	if _, err := pg.DB.ExecContext(ctx, "ANALYZE shops"); err != nil {
		return err
	}
	fmt.Printf("seeded %d shops into PostgreSQL in %s\n", len(shops), time.Since(t0).Round(time.Millisecond))
	return benchFallback(ctx, "postgres", pg, mix, samples)
}
