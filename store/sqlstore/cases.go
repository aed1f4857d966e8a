package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"shian"
	"shian/staff"
)

// openStatusSQL is staff.OpenStatuses as literals: the partial indexes of
// the queue have this predicate, and PostgreSQL can only use them when the
// query states it with constants.
var openStatusSQL = func() string {
	q := make([]string, len(staff.OpenStatuses))
	for i, s := range staff.OpenStatuses {
		q[i] = "'" + s + "'"
	}
	return "status IN (" + strings.Join(q, ", ") + ")"
}()

const caseColumns = complaintColumns + `, due_at, decided_at, outcome_at, accept_wdays, resolve_wdays, accept_on_time,
	resolve_on_time, rejection_ground, reopened`

// extraScanner scans a complaint row followed by more columns.
type extraScanner struct {
	row   scanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.row.Scan(append(dest, e.extra...)...) }

func scanCase(row scanner) (*staff.Case, error) {
	var due, decided, outcome sql.NullTime
	var aw, rw, aot, rot sql.NullInt64
	c := &staff.Case{}
	cm, err := scanComplaint(extraScanner{row, []any{&due, &decided, &outcome, &aw, &rw, &aot, &rot, &c.RejectionGround, &c.Reopened}})
	if err != nil {
		return nil, err
	}
	c.Complaint = cm
	c.DueAt, c.DecidedAt, c.OutcomeAt = due.Time, decided.Time, outcome.Time
	orNeg := func(n sql.NullInt64) int {
		if !n.Valid {
			return -1
		}
		return int(n.Int64)
	}
	c.AcceptWDays, c.ResolveWDays, c.AcceptOnTime, c.ResolveOnTime = orNeg(aw), orNeg(rw), orNeg(aot), orNeg(rot)
	return c, nil
}

func nullNeg(n int) any {
	if n < 0 {
		return nil
	}
	return n
}

// Case implements staff.Store. Errors: ENOTFOUND.
func (db *DB) Case(ctx context.Context, ticket string) (*staff.Case, error) {
	c, err := scanCase(db.DB.QueryRowContext(ctx, db.Q(`SELECT `+caseColumns+` FROM complaints WHERE ticket = ?`), ticket))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &shian.Error{Code: shian.ENOTFOUND, Message: "no complaint has ticket " + ticket, Key: "case_not_found", Args: []any{ticket}}
	} else if err != nil {
		return nil, unavailable(fmt.Errorf("case %s: %w", ticket, err))
	}
	return c, nil
}

func (db *DB) briefs(ctx context.Context, where string, args ...any) ([]staff.Brief, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT ticket, status, category, district, grid, created_at FROM complaints WHERE `+where), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("related cases: %w", err))
	}
	defer rows.Close()
	var out []staff.Brief
	for rows.Next() {
		var b staff.Brief
		if err := rows.Scan(&b.Ticket, &b.Status, &b.Category, &b.District, &b.Grid, &b.CreatedAt); err != nil {
			return nil, fmt.Errorf("related cases: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Related implements staff.Store.
func (db *DB) Related(ctx context.Context, c *staff.Case) (*staff.Related, error) {
	r := &staff.Related{}
	var err error
	if c.ClusterID != 0 {
		if r.Cluster, err = db.briefs(ctx, `cluster_id = ? AND id <> ? ORDER BY created_at, id LIMIT 100`, c.ClusterID, c.ID); err != nil {
			return nil, err
		}
	}
	if c.DuplicateOf != 0 {
		b, err := db.briefs(ctx, `id = ?`, c.DuplicateOf)
		if err != nil {
			return nil, err
		}
		if len(b) == 1 {
			r.DuplicateOf = &b[0]
		}
	}
	if r.Duplicates, err = db.briefs(ctx, `duplicate_of = ? ORDER BY created_at, id LIMIT 100`, c.ID); err != nil {
		return nil, err
	}
	if c.ShopKey != "" {
		if r.SameShop, err = db.briefs(ctx, `shop_key = ? AND id <> ? ORDER BY created_at DESC, id DESC LIMIT 20`, c.ShopKey, c.ID); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// UpdateCases implements staff.Store.
func (db *DB) UpdateCases(ctx context.Context, tickets []string, mode staff.LockMode, fn func(cs []*staff.Case) (*staff.Change, error)) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error { return db.updateCasesTx(ctx, tx, tickets, mode, fn) })
	if err != nil && shian.ErrorCode(err) == shian.EINTERNAL {
		return unavailable(fmt.Errorf("update cases: %w", err))
	}
	return err
}

// updateCasesTx is UpdateCases inside tx, for writes that change cases
// together with other rows (an inspection verifying a case).
func (db *DB) updateCasesTx(ctx context.Context, tx *sql.Tx, tickets []string, mode staff.LockMode, fn func(cs []*staff.Case) (*staff.Change, error)) error {
	tickets = slices.Clone(tickets)
	slices.Sort(tickets) // one lock order for every transaction: no deadlocks
	tickets = slices.Compact(tickets)
	{
		lock := ""
		if db.Dialect.ForUpdate != "" {
			lock = " FOR UPDATE"
			if mode == staff.LockSkip {
				lock = db.Dialect.ForUpdate // FOR UPDATE SKIP LOCKED
			}
		}
		cs := make([]*staff.Case, 0, len(tickets))
		for _, t := range tickets {
			c, err := scanCase(tx.QueryRowContext(ctx, db.Q(`SELECT `+caseColumns+` FROM complaints WHERE ticket = ?`+lock), t))
			if errors.Is(err, sql.ErrNoRows) {
				var one int
				if lock != "" && tx.QueryRowContext(ctx, db.Q(`SELECT 1 FROM complaints WHERE ticket = ?`), t).Scan(&one) == nil {
					return &shian.Error{Code: shian.ECONFLICT, Key: "case_busy", Message: "someone else is changing this case right now"}
				}
				return &shian.Error{Code: shian.ENOTFOUND, Message: "no complaint has ticket " + t, Key: "case_not_found", Args: []any{t}}
			} else if err != nil {
				return fmt.Errorf("lock case %s: %w", t, err)
			}
			cs = append(cs, c)
		}
		ch, err := fn(cs)
		if err != nil {
			return err
		}
		now := db.Now().UTC()
		for _, c := range cs {
			if err := db.writeCase(ctx, tx, c, now); err != nil {
				return err
			}
		}
		byID := make(map[int64]*staff.Case, len(cs))
		for _, c := range cs {
			byID[c.ID] = c
		}
		for _, e := range ch.Events {
			id, err := db.insertEventID(ctx, tx, e.ComplaintID, now, e.Event)
			if err != nil {
				return err
			}
			if c := byID[e.ComplaintID]; c != nil && shian.NotifiesComplainant(e.Event) {
				if err := db.enqueueNotice(ctx, tx, c.Complaint, id, e.Event, now); err != nil {
					return err
				}
			}
		}
		if len(ch.Audit) > 0 {
			return db.appendAudit(ctx, tx, ch.Audit)
		}
		return nil
	}
}

func (db *DB) writeCase(ctx context.Context, tx *sql.Tx, c *staff.Case, now time.Time) error {
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = now
	}
	_, err := tx.ExecContext(ctx, db.Q(`UPDATE complaints SET status = ?, priority = ?, priority_rank = ?, district = ?, grid = ?,
		office = ?, routed_by = ?, accept_due = ?, verify_due = ?, mediation_due = ?, due_at = ?, claimed_by = ?, claimed_at = ?,
		duplicate_of = ?, decided_at = ?, outcome_at = ?, accept_wdays = ?, resolve_wdays = ?, accept_on_time = ?,
		resolve_on_time = ?, rejection_ground = ?, reopened = ?, updated_at = ?, category = ?, shop_id = ?, licence = ?,
		shop_key = ?, shop_name = ?, shop_resolution = ?, probable_district = ? WHERE id = ?`),
		c.Status, c.Priority, shian.PriorityRank(c.Priority), c.District, c.Grid, c.Office, c.RoutedBy, nullTime(c.AcceptDue),
		nullTime(c.VerifyDue), nullTime(c.MediationDue), nullTime(c.DueAt), c.ClaimedBy, nullTime(c.ClaimedAt),
		nullInt(c.DuplicateOf), nullTime(c.DecidedAt), nullTime(c.OutcomeAt), nullNeg(c.AcceptWDays), nullNeg(c.ResolveWDays),
		nullNeg(c.AcceptOnTime), nullNeg(c.ResolveOnTime), c.RejectionGround, c.Reopened, c.UpdatedAt.UTC(), c.Category,
		nullInt(c.ShopID), c.Licence, c.ShopKey, c.ShopName, jsonText(c.Resolution), c.ProbableDistrict, c.ID)
	if err != nil {
		return fmt.Errorf("write case %s: %w", c.Ticket, err)
	}
	return nil
}

// likeEscape escapes LIKE wildcards for ESCAPE '\'.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// queueWhere builds the WHERE clause of q; withStatus false leaves the
// status out (for the per-status counts). scopeOnly reports whether only
// status, district and grid are filtered: complaint_counts then answers.
func (db *DB) queueWhere(q staff.Query, withStatus bool) (where string, args []any, scopeOnly bool) {
	var conds []string
	scopeOnly = true
	add := func(scope bool, cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
		scopeOnly = scopeOnly && scope
	}
	if withStatus {
		if slices.Equal(q.Statuses, staff.OpenStatuses) {
			add(true, openStatusSQL)
		} else if len(q.Statuses) > 0 {
			a := make([]any, len(q.Statuses))
			for i, s := range q.Statuses {
				a[i] = s
			}
			add(true, `status IN (`+in(len(a))+`)`, a...)
		}
	}
	switch {
	case q.District == "":
	case q.District == "-":
		add(true, `district = ''`)
	case q.Probable && q.Grid == "":
		// The district's own cases and those routed nowhere that probably
		// are its (Complaint.Probable). The counts then come from the
		// complaints themselves, not complaint_counts.
		add(false, `(district = ? OR (district = '' AND probable_district = ?))`, q.District, q.District)
	default:
		add(true, `district = ?`, q.District)
	}
	if q.Grid != "" {
		add(true, `grid = ?`, q.Grid)
	}
	if q.Priority != "" {
		add(false, `priority_rank = ?`, shian.PriorityRank(q.Priority))
	}
	if q.Category != "" {
		add(false, `category = ?`, q.Category)
	}
	if q.Kind != "" {
		add(false, `kind = ?`, q.Kind)
	}
	if !q.DueBefore.IsZero() {
		add(false, `due_at <= ?`, q.DueBefore.UTC())
	}
	if q.Cluster != 0 {
		add(false, `cluster_id = ?`, q.Cluster)
	}
	if q.ClaimedBy != "" {
		add(false, `claimed_by = ?`, q.ClaimedBy)
	}
	if q.Text != "" {
		like := "%" + likeEscape(q.Text) + "%"
		t := strings.ToUpper(q.Text)
		add(false, `(ticket = ? OR licence = ? OR shop_name `+db.Dialect.ILike+` ? ESCAPE '\' OR description `+db.Dialect.ILike+` ? ESCAPE '\')`,
			t, t, like, like)
	}
	if len(conds) == 0 {
		return "", nil, scopeOnly
	}
	return ` WHERE ` + strings.Join(conds, ` AND `), args, scopeOnly
}

// Queue implements staff.Store: a page sorted by priority, then the
// nearest deadline (none last), then filing order.
func (db *DB) Queue(ctx context.Context, q staff.Query) (*staff.Page, error) {
	where, args, scopeOnly := db.queueWhere(q, true)
	page := &staff.Page{Counts: map[string]int{}}
	limit := q.Limit
	if limit <= 0 {
		limit = staff.DefaultPerPage
	}
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+caseColumns+` FROM complaints`+where+
		` ORDER BY priority_rank DESC, due_at ASC NULLS LAST, id LIMIT ? OFFSET ?`), append(args, limit, q.Offset)...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("queue: %w", err))
	}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("queue: %w", err)
		}
		page.Items = append(page.Items, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("queue: %w", err))
	}

	// Counts per status under the other filters.
	var cq string
	var cargs []any
	if scopeOnly {
		var conds []string
		switch q.District {
		case "":
		case "-":
			conds = append(conds, `district = ''`)
		default:
			conds, cargs = append(conds, `district = ?`), append(cargs, q.District)
		}
		if q.Grid != "" {
			conds, cargs = append(conds, `grid = ?`), append(cargs, q.Grid)
		}
		cq = `SELECT status, SUM(n) FROM complaint_counts`
		if len(conds) > 0 {
			cq += ` WHERE ` + strings.Join(conds, ` AND `)
		}
		cq += ` GROUP BY status`
	} else {
		w, a, _ := db.queueWhere(q, false)
		cq, cargs = `SELECT status, COUNT(*) FROM complaints`+w+` GROUP BY status`, a
	}
	crow, err := db.DB.QueryContext(ctx, db.Q(cq), cargs...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("queue counts: %w", err))
	}
	defer crow.Close()
	for crow.Next() {
		var st string
		var n int64
		if err := crow.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("queue counts: %w", err)
		}
		if n > 0 {
			page.Counts[st] = int(n)
		}
	}
	if err := crow.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("queue counts: %w", err))
	}
	if scopeOnly {
		statuses := q.Statuses
		if len(statuses) == 0 {
			statuses = staff.AllStatuses
		}
		for _, st := range statuses {
			page.Total += page.Counts[st]
		}
		return page, nil
	}
	if err := db.DB.QueryRowContext(ctx, db.Q(`SELECT COUNT(*) FROM complaints`+where), args...).Scan(&page.Total); err != nil {
		return nil, unavailable(fmt.Errorf("queue total: %w", err))
	}
	return page, nil
}

// anyTime reads a timestamp an aggregate returned: a time.Time from
// PostgreSQL, text from SQLite (which knows no type for MIN/MAX).
func anyTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t
	case string:
		// The last layout is time.Time.String(), which the SQLite driver
		// writes for a time.Time and hands back as text from MIN/MAX.
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00",
			"2006-01-02 15:04:05", "2006-01-02 15:04:05.999999999 -0700 MST"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p
			}
		}
	case []byte:
		return anyTime(string(t))
	}
	return time.Time{}
}

// Dashboard implements staff.Store.
func (db *DB) Dashboard(ctx context.Context, q staff.DashQuery) (*staff.DashRows, error) {
	out := &staff.DashRows{}
	rows := map[string]*staff.DistrictRow{}
	row := func(d string) *staff.DistrictRow {
		r, ok := rows[d]
		if !ok {
			r = &staff.DistrictRow{District: d, AcceptHist: map[int]int{}, ResolveHist: map[int]int{}}
			rows[d] = r
		}
		return r
	}
	// The queries run at once on their own connections (the figures are
	// independent); scan callbacks take turns on the shared rows.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	query := func(name, q string, args []any, scan func(rs *sql.Rows) error) error {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := func() error {
				rs, err := db.DB.QueryContext(ctx, db.Q(q), args...)
				if err != nil {
					return unavailable(fmt.Errorf("dashboard %s: %w", name, err))
				}
				defer rs.Close()
				for rs.Next() {
					mu.Lock()
					err := scan(rs)
					mu.Unlock()
					if err != nil {
						return fmt.Errorf("dashboard %s: %w", name, err)
					}
				}
				return unavailable(rs.Err())
			}()
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
		return nil
	}
	from, to := q.From.UTC(), q.To.UTC()
	err := query("open", `SELECT district, SUM(n) FROM complaint_counts WHERE `+openStatusSQL+` GROUP BY district`, nil, func(rs *sql.Rows) error {
		var d string
		var n int64
		err := rs.Scan(&d, &n)
		row(d).Open = int(n)
		return err
	})
	if err == nil {
		err = query("overdue", `SELECT district, COUNT(*) FROM complaints WHERE `+openStatusSQL+` AND due_at < ? GROUP BY district`,
			[]any{q.Now.UTC()}, func(rs *sql.Rows) error {
				var d string
				var n int
				err := rs.Scan(&d, &n)
				row(d).Overdue = n
				return err
			})
	}
	// The period's figures come from the daily rollups the triggers of
	// migration 0004 keep, by filing day in CST.
	day := func(t time.Time) string { return t.In(shian.CST).Format(shian.DateLayout) }
	fromDay, toDay := day(from), day(to)
	if err == nil {
		err = query("filed", `SELECT district, SUM(n), SUM(decided), SUM(decided_ontime), SUM(outcomes), SUM(outcomes_ontime),
			SUM(rated), SUM(rating_sum) FROM complaint_daily WHERE day >= ? AND day <= ? GROUP BY district`,
			[]any{fromDay, toDay}, func(rs *sql.Rows) error {
				var d string
				var filed, decided, decOK, outcomes, outOK, rated, ratingSum int64
				err := rs.Scan(&d, &filed, &decided, &decOK, &outcomes, &outOK, &rated, &ratingSum)
				r := row(d)
				r.Filed, r.Decided, r.DecidedOnTime, r.Outcomes = int(filed), int(decided), int(decOK), int(outcomes)
				r.OutcomesOnTime, r.Rated, r.RatingSum = int(outOK), int(rated), int(ratingSum)
				return err
			})
	}
	if err == nil {
		err = query("days", `SELECT district, which, wdays, SUM(n) FROM complaint_daily_days WHERE day >= ? AND day <= ?
			GROUP BY district, which, wdays`, []any{fromDay, toDay}, func(rs *sql.Rows) error {
			var d, which string
			var days int
			var n int64
			err := rs.Scan(&d, &which, &days, &n)
			if which == "a" {
				row(d).AcceptHist[days] += int(n)
			} else {
				row(d).ResolveHist[days] += int(n)
			}
			return err
		})
	}
	if err == nil && len(q.Weeks) > 0 {
		var b strings.Builder
		var args []any
		b.WriteString(`SELECT CASE`)
		for i := len(q.Weeks) - 1; i > 0; i-- {
			b.WriteString(` WHEN day >= ? THEN ` + strconv.Itoa(i))
			args = append(args, day(q.Weeks[i]))
		}
		b.WriteString(` ELSE 0 END, category, SUM(n) FROM complaint_daily WHERE day >= ? AND day <= ? GROUP BY 1, 2`)
		args = append(args, day(q.Weeks[0]), toDay)
		err = query("trend", b.String(), args, func(rs *sql.Rows) error {
			var t staff.TrendRow
			var n int64
			err := rs.Scan(&t.Week, &t.Category, &n)
			t.N = int(n)
			if n > 0 {
				out.Trend = append(out.Trend, t)
			}
			return err
		})
	}
	if err == nil {
		err = query("clusters", `SELECT k.cluster_id, r.ticket, r.shop_name, r.district, k.members, k.open, k.first, k.last FROM (
				SELECT cluster_id, COUNT(*) AS members, SUM(CASE WHEN `+openStatusSQL+` THEN 1 ELSE 0 END) AS open,
					MIN(created_at) AS first, MAX(created_at) AS last
				FROM complaints WHERE cluster_id IS NOT NULL GROUP BY cluster_id) k
			JOIN complaints r ON r.id = k.cluster_id WHERE k.open > 0 ORDER BY k.last DESC LIMIT 50`, nil, func(rs *sql.Rows) error {
			var c staff.ClusterRow
			var first, last any
			err := rs.Scan(&c.ClusterID, &c.Ticket, &c.ShopName, &c.District, &c.Members, &c.Open, &first, &last)
			c.First, c.Last = anyTime(first), anyTime(last)
			out.Clusters = append(out.Clusters, c)
			return err
		})
	}
	wg.Wait()
	if err == nil {
		err = errors.Join(errs...)
	}
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out.Districts = append(out.Districts, *r)
	}
	slices.SortFunc(out.Districts, func(a, b staff.DistrictRow) int { return strings.Compare(a.District, b.District) })
	return out, nil
}
