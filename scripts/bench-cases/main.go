// Command bench-cases measures the supervision queue and dashboard at city
// scale (issue 7, item 9): it creates a fresh PostgreSQL database, loads N
// complaints with COPY (pgx CopyFrom), and times the default queue page
// (city office and a district officer), the overdue filter and the
// dashboard through the real staff.Service and store, reporting p50/p99.
//
//	go run ./scripts/bench-cases -n 1000000 -samples 200
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"shian"
	"shian/staff"
	"shian/store/postgres"
	"shian/triage"
)

func main() {
	admin := flag.String("url", envOr("SHIAN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "admin URL of the PostgreSQL server")
	n := flag.Int("n", 1_000_000, "complaints to load")
	samples := flag.Int("samples", 200, "timed runs per query")
	keep := flag.Bool("keep", false, "keep the database afterwards")
	flag.Parse()
	ctx := context.Background()
	if err := run(ctx, *admin, *n, *samples, *keep); err != nil {
		log.Fatal(err)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, adminURL string, n, samples int, keep bool) error {
	name := fmt.Sprintf("shian_bench_cases_%d", time.Now().Unix())
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return err
	}
	if !keep {
		defer conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
	u, _ := url.Parse(adminURL)
	u.Path = "/" + name
	db, err := postgres.Open(ctx, u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	now := time.Now()
	db.Now = func() time.Time { return now }
	tr, err := triage.New(triage.Config{})
	if err != nil {
		return err
	}

	// Load with COPY. The per-row rollup triggers are off during the load;
	// the counts and daily rollups are rebuilt in one statement each afterwards.
	lc, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return err
	}
	defer lc.Close(ctx)
	for _, tg := range []string{"complaint_counts_insdel", "complaint_daily_insdel"} {
		if _, err := lc.Exec(ctx, "ALTER TABLE complaints DISABLE TRIGGER "+tg); err != nil {
			return err
		}
	}
	start := time.Now()
	cols := []string{"ticket", "kind", "status", "category", "submitted_category", "priority", "priority_rank", "district", "grid",
		"office", "routed_by", "shop_key", "shop_name", "description", "lang", "channel", "phone_masked", "receipt_hash",
		"accept_due", "verify_due", "mediation_due", "due_at", "claimed_by", "flagged", "rating", "decided_at", "outcome_at",
		"accept_wdays", "resolve_wdays", "accept_on_time", "resolve_on_time", "created_at", "updated_at"}
	src := &gen{n: n, now: now, cal: tr.Calendar(), rng: rand.New(rand.NewPCG(1, 2))}
	copied, err := lc.CopyFrom(ctx, pgx.Identifier{"complaints"}, cols, src)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	load := time.Since(start)
	for _, q := range []string{
		"ALTER TABLE complaints ENABLE TRIGGER complaint_counts_insdel",
		"ALTER TABLE complaints ENABLE TRIGGER complaint_daily_insdel",
		"SELECT complaint_daily_fill()",
		"DELETE FROM complaint_counts",
		"INSERT INTO complaint_counts SELECT district, grid, status, COUNT(*) FROM complaints GROUP BY 1, 2, 3",
		// Outbreak clusters: the illness complaints of the last two weeks in threes.
		`UPDATE complaints c SET cluster_id = k.root, flagged = true FROM (
			SELECT id, MIN(id) OVER (PARTITION BY (rn - 1) / 3) AS root FROM (
				SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM complaints
				WHERE category = 'foodborne_illness' AND created_at > now() - interval '14 days') x) k WHERE c.id = k.id`,
		"VACUUM ANALYZE complaints",
		"VACUUM ANALYZE complaint_counts",
		"VACUUM ANALYZE complaint_daily",
		"VACUUM ANALYZE complaint_daily_days",
	} {
		if _, err := lc.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q[:30], err)
		}
	}
	total := time.Since(start)
	var size string
	lc.QueryRow(ctx, "SELECT pg_size_pretty(pg_total_relation_size('complaints'))").Scan(&size)
	fmt.Printf("loaded %d complaints with COPY in %v (%.0f rows/s); with counts, clusters and VACUUM ANALYZE %v; table+indexes %s\n",
		copied, load.Round(time.Millisecond), float64(copied)/load.Seconds(), total.Round(time.Millisecond), size)

	svc, err := staff.New(staff.Config{Store: db, Triager: tr, Now: func() time.Time { return now }})
	if err != nil {
		return err
	}
	adminP := &staff.Principal{Name: "city", Role: staff.RoleAdmin}
	officer := &staff.Principal{Name: "wang", Role: staff.RoleOfficer, District: "haigang"}
	gridOfficer := &staff.Principal{Name: "li", Role: staff.RoleOfficer, District: "haigang", Grid: "haigang-02"}
	def := staff.Filter{Page: 1, PerPage: staff.DefaultPerPage}
	cases := []struct {
		name string
		fn   func() (int, error)
	}{
		{"queue, city office, default page", func() (int, error) { p, err := svc.Queue(ctx, adminP, def); return pageLen(p), err }},
		{"queue, district officer, default page", func() (int, error) { p, err := svc.Queue(ctx, officer, def); return pageLen(p), err }},
		{"queue, grid officer, default page", func() (int, error) { p, err := svc.Queue(ctx, gridOfficer, def); return pageLen(p), err }},
		{"queue, city office, page 20", func() (int, error) {
			f := def
			f.Page = 20
			p, err := svc.Queue(ctx, adminP, f)
			return pageLen(p), err
		}},
		{"queue, district officer, overdue", func() (int, error) {
			f := def
			f.Overdue = true
			p, err := svc.Queue(ctx, officer, f)
			return pageLen(p), err
		}},
		{"dashboard (90 days)", func() (int, error) {
			d, err := svc.Dashboard(ctx, adminP, time.Time{}, time.Time{})
			return len(d.Districts), err
		}},
	}
	fmt.Printf("%-40s %8s %8s %8s %8s\n", "query", "p50 ms", "p99 ms", "max ms", "rows")
	for _, c := range cases {
		var ds []time.Duration
		rows := 0
		for i := 0; i < samples+5; i++ {
			t0 := time.Now()
			r, err := c.fn()
			d := time.Since(t0)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if i >= 5 { // warm-up
				ds = append(ds, d)
			}
			rows = r
		}
		slices.Sort(ds)
		q := func(p float64) float64 { return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000 }
		fmt.Printf("%-40s %8.2f %8.2f %8.2f %8d\n", c.name, q(0.5), q(0.99), q(1), rows)
	}
	return nil
}

func pageLen(p *staff.Page) int {
	if p == nil {
		return 0
	}
	return len(p.Items)
}

// gen makes plausible complaints spread evenly over three years: recent
// ones still open (some overdue), older ones decided and closed.
type gen struct {
	n, i int
	now  time.Time
	cal  *triage.Calendar
	rng  *rand.Rand
	row  []any
}

var (
	districts = []string{"haigang", "haigang", "haigang", "beidaihe", "beidaihe", "shanhaiguan", "funing", "qinglong", "changli", "lulong", "bdhxinqu", "etdz", ""}
	gridsOf   = map[string][]string{"haigang": {"haigang-01", "haigang-02", "haigang-03", "haigang-04"}, "beidaihe": {"beidaihe-01", "beidaihe-02", "beidaihe-03"}}
)

func (g *gen) Next() bool {
	if g.i >= g.n {
		return false
	}
	g.i++
	r := g.rng
	age := time.Duration(r.Float64() * float64(3*365*24*time.Hour)) // three years of filings, evenly
	created := g.now.Add(-age)
	cat := shian.ComplaintCategories[r.IntN(len(shian.ComplaintCategories))]
	kind := shian.KindComplaint
	if r.IntN(4) == 0 {
		kind = shian.KindReport
	}
	d := districts[r.IntN(len(districts))]
	grid := ""
	if gs := gridsOf[d]; gs != nil && r.IntN(3) > 0 {
		grid = gs[r.IntN(len(gs))]
	}
	office := d
	if d == "" {
		office = "city"
	}
	var acceptDue, verifyDue, mediationDue, dueAt, decided, outcome any
	var aw, rw, aot, rot, rating any
	claimed := ""
	status := shian.ComplaintReceived
	first := created
	if kind == shian.KindReport {
		vd := g.cal.AddWorkingDays(created, triage.VerifyWorkingDays)
		verifyDue, dueAt = vd, vd
	} else {
		ad := g.cal.AddWorkingDays(created, triage.AcceptWorkingDays)
		acceptDue, dueAt = ad, ad
	}
	days := int(age.Hours() / 24)
	if days > 3 || r.IntN(2) == 0 { // decided
		dec := created.Add(time.Duration(1+r.IntN(9*24)) * time.Hour)
		if dec.After(g.now) {
			dec = g.now
		}
		decided = dec
		aw = g.cal.WorkingDaysBetween(first, dec)
		aot = 0
		if dd, ok := dueAt.(time.Time); ok && !dec.After(dd) {
			aot = 1
		}
		if kind == shian.KindReport {
			status = shian.ComplaintVerifying
		} else {
			status = shian.ComplaintMediating
			md := g.cal.AddWorkingDays(dec, triage.MediationWorkingDays)
			mediationDue, dueAt = md, md
		}
		claimed = "officer" + fmt.Sprint(r.IntN(40))
		if days > 40 || r.IntN(3) == 0 { // an outcome
			out := dec.Add(time.Duration(r.IntN(60*24)) * time.Hour)
			if out.After(g.now) {
				out = g.now
			}
			outcome = out
			rw = g.cal.WorkingDaysBetween(first, out)
			rot = 0
			if dd := dueAt.(time.Time); !out.After(dd) {
				rot = 1
			}
			dueAt = nil
			status = []string{shian.ComplaintResolved, shian.ComplaintMediationFailed}[r.IntN(2)]
			if kind == shian.KindReport {
				status = []string{shian.ComplaintCaseOpened, shian.ComplaintNotOpened}[r.IntN(2)]
			}
			if days > 45 {
				status = shian.ComplaintClosed
			}
			if r.IntN(3) == 0 {
				rating = 1 + r.IntN(5)
			}
		}
	}
	ticket := []byte("QHD-0000-0000")
	x := g.i
	for _, p := range []int{12, 11, 10, 9, 7, 6, 5, 4} {
		ticket[p] = shian.TicketAlphabet[x%len(shian.TicketAlphabet)]
		x /= len(shian.TicketAlphabet)
	}
	g.row = []any{string(ticket), kind, status, cat.Code, cat.Code, cat.Priority, shian.PriorityRank(cat.Priority), d, grid,
		office, "shop", "", "某某饭店", "后厨卫生差，餐具未消毒，有蟑螂。", "zh", "web", "138****1234", "x",
		acceptDue, verifyDue, mediationDue, dueAt, claimed, false, rating, decided, outcome, aw, rw, aot, rot, created, created}
	return true
}

func (g *gen) Values() ([]any, error) { return g.row, nil }
func (g *gen) Err() error             { return nil }
