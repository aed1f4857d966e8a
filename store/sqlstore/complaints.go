package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"shian"
)

var _ shian.ComplaintStore = (*DB)(nil)

// ErrTicketTaken is returned (code ECONFLICT, field ticket) when a new
// complaint's random ticket is already used; the caller draws another.
var ErrTicketTaken = &shian.Error{Code: shian.ECONFLICT, Field: "ticket", Message: "ticket number already used"}

// in returns "?, ?, ?" for n placeholders.
func in(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key value")
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// BeginIdempotency implements shian.ComplaintStore, group-committed (see
// Group). A key is held for lease
// (so that a replica that died mid-request does not block its client's
// retry for longer) and remembered for keep.
func (db *DB) BeginIdempotency(ctx context.Context, idem *shian.Idempotency, lease, keep time.Duration) (shian.IdempotencyState, error) {
	state := shian.IdemNew
	err := db.Group(ctx, "idempotency:"+idem.Key, false, nil, func(g *GroupTx) error {
		tx := g.Tx
		now := db.Now().UTC()
		res, err := db.txExec(ctx, tx, `INSERT INTO idempotency_keys (idem_key, request_hash, owner, state, locked_until, expires_at)
			VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (idem_key) DO NOTHING`,
			idem.Key, idem.RequestHash, idem.Owner, now.Add(lease), now.Add(keep))
		if err != nil {
			return fmt.Errorf("insert idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			state, idem.Held = shian.IdemNew, true
			return nil
		}
		var hash, owner, st, response string
		var lockedUntil, expires time.Time
		err = tx.QueryRowContext(ctx, db.Q(`SELECT request_hash, owner, state, response, locked_until, expires_at
			FROM idempotency_keys WHERE idem_key = ?`+db.Dialect.LockRow), idem.Key).Scan(&hash, &owner, &st, &response, &lockedUntil, &expires)
		if err != nil {
			return fmt.Errorf("read idempotency key: %w", err)
		}
		takeOver := func() error {
			_, err := tx.ExecContext(ctx, db.Q(`UPDATE idempotency_keys SET request_hash = ?, owner = ?, state = 'pending',
				response = '', locked_until = ?, expires_at = ? WHERE idem_key = ?`),
				idem.RequestHash, idem.Owner, now.Add(lease), now.Add(keep), idem.Key)
			state, idem.Held = shian.IdemNew, err == nil
			return err
		}
		switch {
		case !expires.After(now): // forgotten: a new use of the key
			return takeOver()
		case hash != idem.RequestHash:
			state = shian.IdemMismatch
		case st == "done":
			state, idem.Response = shian.IdemDone, []byte(response)
		case lockedUntil.After(now):
			state = shian.IdemBusy
		default: // the holder died: its transaction never committed
			return takeOver()
		}
		return nil
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("begin idempotency: %w", err))
	}
	return state, nil
}

// ReleaseIdempotency implements shian.ComplaintStore.
func (db *DB) ReleaseIdempotency(ctx context.Context, idem *shian.Idempotency) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`DELETE FROM idempotency_keys WHERE idem_key = ? AND owner = ? AND state = 'pending'`), idem.Key, idem.Owner)
	if err != nil {
		return unavailable(fmt.Errorf("release idempotency key: %w", err))
	}
	return nil
}

// InsertComplaint implements shian.ComplaintStore. It is group-committed
// (see Group) with the other filings of the moment, and returns once the
// complaint is committed. Filings about one shop are serialised (Group:
// one lane per shop key within a process, and Dialect.LockKeys between
// processes), so that two illness complaints arriving together
// still see each other.
func (db *DB) InsertComplaint(ctx context.Context, c *shian.Complaint, link shian.LinkFunc, idem *shian.Idempotency) error {
	// The unit may run twice (Group): each run starts from the complaint
	// as given. What to read, what the links change and what the timeline
	// says are the domain's rules (complaint_filing.go); this runs them.
	cluster, flagged, priority, status := c.ClusterID, c.Flagged, c.Priority, c.Status
	lookup, linked := c.LinkLookup()
	linked = linked && link != nil
	var hint any
	if linked {
		hint = lookup
	}
	err := db.Group(ctx, "complaint-shop:"+c.ShopKey, c.ShopKey != "", hint, func(g *GroupTx) error {
		tx := g.Tx
		c.ClusterID, c.Flagged, c.Priority, c.Status = cluster, flagged, priority, status
		now := db.Now().UTC()
		c.StampFiled(now)
		if linked {
			recent, err := db.groupRecent(ctx, g, lookup, now.Add(-shian.LinkLookback))
			if err != nil {
				return err
			}
			links := link(recent)
			c.DuplicateOf = links.DuplicateOf
			if len(links.Cluster) > 0 {
				// The members may be waiting in the group's write.
				if err := db.flushWrites(ctx, g); err != nil {
					return err
				}
				if err := db.joinCluster(ctx, tx, c, links.Cluster, now); err != nil {
					return err
				}
			}
		}
		events := c.FilingEvents()
		if db.Dialect.ReserveIDs != "" {
			// In a group, the rows wait for one statement for the whole
			// group; alone, or with photos (which need the row first),
			// they are written at once.
			if err := db.deferWrite(ctx, g, c, events, idem, now); err != nil {
				return err
			}
			if g.Solo() || len(c.Photos) > 0 {
				if err := db.flushWrites(ctx, g); err != nil {
					return err
				}
			}
		} else {
			if idem != nil {
				q, args := idemSQL(idem, now)
				res, err := db.txExec(ctx, tx, q, args...)
				if err != nil {
					return fmt.Errorf("idempotency key: %w", err)
				}
				n, _ := res.RowsAffected()
				if err := idemResult(idem, n); err != nil {
					return err
				}
			}
			if err := db.insertComplaintRow(ctx, tx, c); err != nil {
				return err
			}
			for _, e := range events {
				if err := db.insertEvent(ctx, tx, c.ID, now, e); err != nil {
					return err
				}
			}
		}
		if linked {
			filedInGroup(g, c)
		}
		for _, p := range c.Photos {
			if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO complaint_photos (complaint_id, path, type, width, height, size)
				VALUES (?, ?, ?, ?, ?, ?)`), c.ID, p.Path, p.Type, p.Width, p.Height, p.Size); err != nil {
				return fmt.Errorf("insert photo: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		if isUniqueViolation(err) && strings.Contains(err.Error(), "ticket") {
			return ErrTicketTaken
		}
		return unavailable(fmt.Errorf("insert complaint: %w", err))
	}
	return nil
}

// complaintInsert is the column list of a new complaint, in the order of
// complaintValues.
const complaintInsert = `complaints (ticket, kind, status, category, submitted_category,
		priority, priority_rank, district, grid, office, routed_by, shop_id, licence, shop_key, shop_name, shop_address,
		description, occurred_at, lat, lng, order_no, lang, channel, partner, contact_sealed, phone_hash, phone_masked,
		last4_hash, receipt_hash, accept_due, verify_due, mediation_due, due_at, cluster_id, duplicate_of, flagged,
		created_at, updated_at, shop_resolution, reading, probable_district)`

func complaintValues(c *shian.Complaint) []any {
	var lat, lng any
	if c.HasGeo {
		lat, lng = c.Lat, c.Lng
	}
	return []any{c.Ticket, c.Kind, c.Status, c.Category, c.SubmittedCategory, c.Priority, shian.PriorityRank(c.Priority),
		c.District, c.Grid, c.Office, c.RoutedBy, nullInt(c.ShopID), c.Licence, c.ShopKey, c.ShopName, c.ShopAddress,
		c.Description, nullTime(c.OccurredAt), lat, lng, c.OrderNo, c.Lang, c.Channel, c.Partner, c.ContactSealed,
		c.PhoneHash, c.PhoneMasked, c.Last4Hash, c.ReceiptHash, nullTime(c.AcceptDue), nullTime(c.VerifyDue),
		nullTime(c.MediationDue), nullTime(c.FirstDue()), nullInt(c.ClusterID), nullInt(c.DuplicateOf), c.Flagged,
		c.CreatedAt, c.UpdatedAt, jsonText(c.Resolution), jsonText(c.Reading), c.ProbableDistrict}
}

func (db *DB) insertComplaintRow(ctx context.Context, tx *sql.Tx, c *shian.Complaint) error {
	vals := complaintValues(c)
	err := db.txQueryRow(ctx, tx, `INSERT INTO `+complaintInsert+` VALUES (`+in(len(vals))+`) RETURNING id`, vals...).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert complaint %s: %w", c.Ticket, err)
	}
	return nil
}

// idemSQL is the statement that settles a filing's idempotency key: it
// completes a held key, or claims one not held (see claimSQL).
func idemSQL(idem *shian.Idempotency, now time.Time) (string, []any) {
	if idem.Held {
		return `UPDATE idempotency_keys SET state = 'done', response = ?, locked_until = ?
			WHERE idem_key = ? AND owner = ? AND state = 'pending'`, []any{string(idem.Response), now, idem.Key, idem.Owner}
	}
	return claimSQL([]pgWrite{{idem: idem, now: now}})
}

// claimSQL claims the keys of ws, not held, already completed; a key that
// is forgotten (past its keep) or abandoned (pending past its lease) is
// taken over, one in use is left alone. It changes one row per key claimed.
func claimSQL(ws []pgWrite) (string, []any) {
	var q strings.Builder
	var args []any
	q.WriteString(`INSERT INTO idempotency_keys AS k (idem_key, request_hash, owner, state, response, locked_until, expires_at) VALUES `)
	for i, w := range ws {
		if i > 0 {
			q.WriteString(", ")
		}
		keep := w.idem.Keep
		if keep <= 0 {
			keep = 24 * time.Hour
		}
		q.WriteString(`(?, ?, ?, 'done', ?, ?, ?)`)
		args = append(args, w.idem.Key, w.idem.RequestHash, w.idem.Owner, string(w.idem.Response), w.now, w.now.Add(keep))
	}
	// locked_until of a claim is its filing's time: now.
	q.WriteString(` ON CONFLICT (idem_key) DO UPDATE SET request_hash = excluded.request_hash, owner = excluded.owner,
			state = 'done', response = excluded.response, locked_until = excluded.locked_until, expires_at = excluded.expires_at
			WHERE k.expires_at <= excluded.locked_until OR (k.state = 'pending' AND k.locked_until <= excluded.locked_until)`)
	return q.String(), args
}

// idemResult checks the rows idemSQL changed.
func idemResult(idem *shian.Idempotency, n int64) error {
	switch {
	case n == 1:
		return nil
	case idem.Held:
		return shian.Errorf(shian.ECONFLICT, "idempotency key %q is no longer held by this request", idem.Key)
	default:
		return shian.ErrIdempotencyTaken
	}
}

// pgWrite is a new complaint waiting for its group's write (Dialect.ReserveIDs).
type pgWrite struct {
	c      *shian.Complaint
	events []shian.ComplaintEvent
	idem   *shian.Idempotency
	now    time.Time
}

// deferWrite gives c its id now (from ids drawn for the whole group in one
// query) and leaves its row, timeline and key to flushWrites, which runs
// when the group's units are done (or earlier, when a unit needs the rows
// in the table).
func (db *DB) deferWrite(ctx context.Context, g *GroupTx, c *shian.Complaint, events []shian.ComplaintEvent, idem *shian.Idempotency, now time.Time) error {
	ws, _ := g.Value("writes").([]pgWrite)
	if idem != nil {
		for _, w := range ws {
			if w.idem != nil && w.idem.Key == idem.Key { // one row per key and statement
				if err := db.flushWrites(ctx, g); err != nil {
					return err
				}
				ws = nil
				break
			}
		}
	}
	ids, _ := g.Value("ids").([]int64)
	if len(ids) == 0 {
		rows, err := g.Tx.QueryContext(ctx, db.Q(db.Dialect.ReserveIDs), g.Size())
		if err != nil {
			return fmt.Errorf("complaint ids: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("complaint ids: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return fmt.Errorf("complaint ids: %v", err)
		}
	}
	c.ID, ids = ids[0], ids[1:]
	g.SetValue("ids", ids)
	if g.Value("flush") == nil {
		g.SetValue("flush", true)
		g.OnFinish(func() error { return db.flushWrites(ctx, g) })
	}
	g.SetValue("writes", append(ws, pgWrite{c: c, events: events, idem: idem, now: now}))
	return nil
}

// flushWrites writes the group's waiting complaints, their timelines and
// their keys in one statement. A key in use, or one no longer held, fails
// the statement's check and with it the group, whose units then run alone
// and meet their own answer.
func (db *DB) flushWrites(ctx context.Context, g *GroupTx) error {
	ws, _ := g.Value("writes").([]pgWrite)
	if len(ws) == 0 {
		return nil
	}
	g.SetValue("writes", []pgWrite(nil))
	var q strings.Builder
	var args []any
	ph := func(n int) string { return "(" + in(n) + ")" }
	var claims, holds []pgWrite
	for _, w := range ws {
		switch {
		case w.idem == nil:
		case w.idem.Held:
			holds = append(holds, w)
		default:
			claims = append(claims, w)
		}
	}
	q.WriteString("WITH k AS (")
	if len(claims) == 0 {
		q.WriteString("SELECT 1 WHERE false")
	} else {
		cq, cargs := claimSQL(claims)
		q.WriteString(cq + " RETURNING 1")
		args = append(args, cargs...)
	}
	q.WriteString("), h AS (")
	if len(holds) == 0 {
		q.WriteString("SELECT 1 WHERE false")
	} else {
		q.WriteString(`UPDATE idempotency_keys AS t SET state = 'done', response = v.response, locked_until = v.at::timestamptz FROM (VALUES `)
		for i, w := range holds {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(ph(4))
			args = append(args, w.idem.Key, w.idem.Owner, string(w.idem.Response), w.now)
		}
		q.WriteString(`) AS v(idem_key, owner, response, at)
			WHERE t.idem_key = v.idem_key AND t.owner = v.owner AND t.state = 'pending' RETURNING 1`)
	}
	q.WriteString("), c AS (INSERT INTO complaints (id, " + strings.TrimPrefix(complaintInsert, "complaints (") + " VALUES ")
	for i, w := range ws {
		if i > 0 {
			q.WriteString(", ")
		}
		vals := complaintValues(w.c)
		q.WriteString(ph(1 + len(vals)))
		args = append(append(args, w.c.ID), vals...)
	}
	q.WriteString(" RETURNING 1), e AS (INSERT INTO complaint_events (complaint_id, at, type, status, public, actor, note) VALUES ")
	n := 0
	for _, w := range ws {
		for _, e := range w.events {
			if n > 0 {
				q.WriteString(", ")
			}
			n++
			q.WriteString(`(?, ?, ?, ?, ?, '', ?)`)
			args = append(args, w.c.ID, w.now, e.Type, e.Status, e.Public, e.Note)
		}
	}
	q.WriteString(") SELECT (SELECT COUNT(*) FROM k), (SELECT COUNT(*) FROM h), (SELECT COUNT(*) FROM c)")
	var nk, nh, nc int
	if db.Dialect.OneShot != nil {
		args = append([]any{db.Dialect.OneShot}, args...)
	}
	if err := g.Tx.QueryRowContext(ctx, db.Q(q.String()), args...).Scan(&nk, &nh, &nc); err != nil {
		return fmt.Errorf("insert complaints: %w", err)
	}
	switch {
	case nk != len(claims):
		return shian.ErrIdempotencyTaken
	case nh != len(holds):
		return shian.Errorf(shian.ECONFLICT, "an idempotency key is no longer held by its request")
	case nc != len(ws):
		return fmt.Errorf("insert complaints: %d of %d rows written", nc, len(ws))
	}
	return nil
}

// insertEventID is insertEvent returning the event's id (notices are keyed by it).
func (db *DB) insertEventID(ctx context.Context, tx *sql.Tx, id int64, at time.Time, e shian.ComplaintEvent) (int64, error) {
	var eid int64
	err := db.txQueryRow(ctx, tx, `INSERT INTO complaint_events (complaint_id, at, type, status, public, actor, note)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, at, e.Type, e.Status, e.Public, e.Actor, e.Note).Scan(&eid)
	if err != nil {
		return 0, fmt.Errorf("insert complaint event: %w", err)
	}
	return eid, nil
}

func (db *DB) insertEvent(ctx context.Context, tx *sql.Tx, id int64, at time.Time, e shian.ComplaintEvent) error {
	_, err := db.txExec(ctx, tx, `INSERT INTO complaint_events (complaint_id, at, type, status, public, actor, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, at, e.Type, e.Status, e.Public, e.Actor, e.Note)
	if err != nil {
		return fmt.Errorf("insert complaint event: %w", err)
	}
	return nil
}

// groupRecent answers a lookup inside a group. With Dialect.BatchLookups
// (each query is a round trip), the first unit of a group looks up every unit's
// lookup in one query, after the group's locks are taken: what it misses is
// only what the group's own earlier units file, which filedInGroup adds.
// Elsewhere (or alone) each unit queries for itself.
func (db *DB) groupRecent(ctx context.Context, g *GroupTx, l shian.RecentLookup, since time.Time) ([]shian.RecentComplaint, error) {
	hints := g.Hints()
	if !db.Dialect.BatchLookups || len(hints) < 2 {
		return db.recentComplaints(ctx, g.Tx, l, since)
	}
	pre, _ := g.Value("recent").(map[shian.RecentLookup][]shian.RecentComplaint)
	if pre == nil {
		var err error
		if pre, err = db.recentBatch(ctx, g.Tx, hints, since); err != nil {
			return nil, err
		}
		g.SetValue("recent", pre)
	}
	out := slices.Clone(pre[l])
	if filed, ok := g.Value("filed").([]groupFiled); ok {
		for _, f := range filed {
			if l.Matches(f.RecentComplaint, f.shopKey) && !f.CreatedAt.Before(since) {
				out = append(out, f.RecentComplaint)
			}
		}
	}
	return out, nil
}

type groupFiled struct {
	shian.RecentComplaint
	shopKey string
}

// filedInGroup records a complaint a unit filed, for groupRecent.
func filedInGroup(g *GroupTx, c *shian.Complaint) {
	filed, _ := g.Value("filed").([]groupFiled)
	filed = append(filed, groupFiled{shopKey: c.ShopKey, RecentComplaint: shian.RecentComplaint{ID: c.ID, Category: c.Category,
		PhoneHash: c.PhoneHash, CreatedAt: c.CreatedAt, DuplicateOf: c.DuplicateOf}})
	g.SetValue("filed", filed)
}

const recentColumns = `id, category, phone_hash, created_at, duplicate_of`

// recentComplaints answers one lookup.
func (db *DB) recentComplaints(ctx context.Context, tx *sql.Tx, l shian.RecentLookup, since time.Time) ([]shian.RecentComplaint, error) {
	q := `SELECT ` + recentColumns + ` FROM complaints WHERE shop_key = ? AND category = ? AND created_at >= ?`
	args := []any{l.ShopKey, l.Category, since}
	if l.PhoneHash != "" {
		q += ` AND phone_hash = ?`
		args = append(args, l.PhoneHash)
	}
	rows, err := db.txQuery(ctx, tx, q+` ORDER BY created_at, id LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("recent complaints: %w", err)
	}
	defer rows.Close()
	var out []shian.RecentComplaint
	for rows.Next() {
		r, err := scanRecent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanRecent(rows *sql.Rows, dest ...any) (shian.RecentComplaint, error) {
	var r shian.RecentComplaint
	var dup sql.NullInt64
	if err := rows.Scan(append(dest, &r.ID, &r.Category, &r.PhoneHash, &r.CreatedAt, &dup)...); err != nil {
		return r, fmt.Errorf("recent complaints: %w", err)
	}
	r.DuplicateOf = dup.Int64
	return r, nil
}

// recentBatch answers several lookups in one query (Dialect.BatchLookups).
func (db *DB) recentBatch(ctx context.Context, tx *sql.Tx, hints []any, since time.Time) (map[shian.RecentLookup][]shian.RecentComplaint, error) {
	var shops, cats, phones []string
	seen := map[shian.RecentLookup]bool{}
	for _, h := range hints {
		l, ok := h.(shian.RecentLookup)
		if !ok || seen[l] {
			continue
		}
		seen[l] = true
		shops, cats, phones = append(shops, l.ShopKey), append(cats, l.Category), append(phones, l.PhoneHash)
	}
	// One branch per kind of lookup, gated on the phone, so that each
	// uses the index to the end.
	rows, err := db.txQuery(ctx, tx, `SELECT r.shop_key, r.category, r.phone_hash, x.id, x.category, x.phone_hash, x.created_at, x.duplicate_of
		FROM unnest(?::text[], ?::text[], ?::text[]) AS r(shop_key, category, phone_hash)
		CROSS JOIN LATERAL (
			(SELECT `+recentColumns+` FROM complaints c
				WHERE r.phone_hash <> '' AND c.shop_key = r.shop_key AND c.category = r.category AND c.phone_hash = r.phone_hash
				AND c.created_at >= ? ORDER BY c.created_at, c.id LIMIT 1000)
			UNION ALL
			(SELECT `+recentColumns+` FROM complaints c
				WHERE r.phone_hash = '' AND c.shop_key = r.shop_key AND c.category = r.category
				AND c.created_at >= ? ORDER BY c.created_at, c.id LIMIT 1000)) x
		ORDER BY 1, 2, 3, x.created_at, x.id`, shops, cats, phones, since, since)
	if err != nil {
		return nil, fmt.Errorf("recent complaints: %w", err)
	}
	defer rows.Close()
	out := map[shian.RecentLookup][]shian.RecentComplaint{}
	for rows.Next() {
		var l shian.RecentLookup
		r, err := scanRecent(rows, &l.ShopKey, &l.Category, &l.PhoneHash)
		if err != nil {
			return nil, err
		}
		out[l] = append(out[l], r)
	}
	return out, rows.Err()
}

// joinCluster makes c and the listed complaints one outbreak cluster,
// merging any clusters they already belong to, as shian.JoinCluster
// decides.
func (db *DB) joinCluster(ctx context.Context, tx *sql.Tx, c *shian.Complaint, members []int64, now time.Time) error {
	args := make([]any, len(members))
	for i, m := range members {
		args[i] = m
	}
	rows, err := tx.QueryContext(ctx, db.Q(`SELECT DISTINCT cluster_id FROM complaints WHERE id IN (`+in(len(members))+`) AND cluster_id IS NOT NULL`), args...)
	if err != nil {
		return fmt.Errorf("read clusters: %w", err)
	}
	var clusters []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		clusters = append(clusters, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	j := shian.JoinCluster(c, members, clusters)
	q := `UPDATE complaints SET cluster_id = ?, flagged = ?, priority = ?, priority_rank = ?, updated_at = ?
		WHERE id IN (` + in(len(members)) + `)`
	upd := append([]any{j.Root, j.Flagged, j.Priority, shian.PriorityRank(j.Priority), now}, args...)
	if len(clusters) > 0 {
		q += ` OR cluster_id IN (` + in(len(clusters)) + `)`
		for _, id := range clusters {
			upd = append(upd, id)
		}
	}
	if _, err := tx.ExecContext(ctx, db.Q(q), upd...); err != nil {
		return fmt.Errorf("join cluster: %w", err)
	}
	for _, m := range members {
		var status string
		if err := tx.QueryRowContext(ctx, db.Q(`SELECT status FROM complaints WHERE id = ?`), m).Scan(&status); err != nil {
			return fmt.Errorf("cluster member %d: %w", m, err)
		}
		if err := db.insertEvent(ctx, tx, m, now, j.MemberEvent(status)); err != nil {
			return err
		}
	}
	j.Apply(c)
	return nil
}

const complaintColumns = `id, ticket, kind, status, category, submitted_category, priority, district, grid, office,
	routed_by, shop_id, licence, shop_key, shop_name, shop_address, description, occurred_at, lat, lng, order_no, lang,
	channel, partner, contact_sealed, phone_hash, phone_masked, last4_hash, receipt_hash, proof_failures,
	proof_window_start, accept_due, verify_due, mediation_due, claimed_by, claimed_at, cluster_id, duplicate_of,
	flagged, rating, rating_note, rated_at, created_at, updated_at, shop_resolution, reading, probable_district`

func scanComplaint(row scanner) (*shian.Complaint, error) {
	var c shian.Complaint
	var shopID, cluster, dup, rating sql.NullInt64
	var lat, lng sql.NullFloat64
	var occurred, proofWindow, accept, verify, mediation, claimed, rated sql.NullTime
	var resolution, reading string
	err := row.Scan(&c.ID, &c.Ticket, &c.Kind, &c.Status, &c.Category, &c.SubmittedCategory, &c.Priority, &c.District,
		&c.Grid, &c.Office, &c.RoutedBy, &shopID, &c.Licence, &c.ShopKey, &c.ShopName, &c.ShopAddress, &c.Description,
		&occurred, &lat, &lng, &c.OrderNo, &c.Lang, &c.Channel, &c.Partner, &c.ContactSealed, &c.PhoneHash,
		&c.PhoneMasked, &c.Last4Hash, &c.ReceiptHash, &c.ProofFailures, &proofWindow, &accept, &verify, &mediation,
		&c.ClaimedBy, &claimed, &cluster, &dup, &c.Flagged, &rating, &c.RatingNote, &rated, &c.CreatedAt, &c.UpdatedAt,
		&resolution, &reading, &c.ProbableDistrict)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(resolution), &c.Resolution); err != nil {
		return nil, fmt.Errorf("complaint %s: shop_resolution: %w", c.Ticket, err)
	}
	if err := json.Unmarshal([]byte(reading), &c.Reading); err != nil {
		return nil, fmt.Errorf("complaint %s: reading: %w", c.Ticket, err)
	}
	c.ShopID, c.ClusterID, c.DuplicateOf, c.Rating = shopID.Int64, cluster.Int64, dup.Int64, int(rating.Int64)
	if lat.Valid && lng.Valid {
		c.Lat, c.Lng, c.HasGeo = lat.Float64, lng.Float64, true
	}
	c.OccurredAt, c.ProofWindow, c.AcceptDue, c.VerifyDue = occurred.Time, proofWindow.Time, accept.Time, verify.Time
	c.MediationDue, c.ClaimedAt, c.RatedAt = mediation.Time, claimed.Time, rated.Time
	return &c, nil
}

// ComplaintByTicket implements shian.ComplaintStore. Errors: ENOTFOUND.
func (db *DB) ComplaintByTicket(ctx context.Context, ticket string) (*shian.Complaint, error) {
	c, err := scanComplaint(db.DB.QueryRowContext(ctx, db.Q(`SELECT `+complaintColumns+` FROM complaints WHERE ticket = ?`), ticket))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &shian.Error{Code: shian.ENOTFOUND, Message: "no complaint has ticket " + ticket, Key: "complaint_not_found"}
	} else if err != nil {
		return nil, unavailable(fmt.Errorf("complaint %s: %w", ticket, err))
	}
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT path, type, width, height, size FROM complaint_photos WHERE complaint_id = ? ORDER BY id`), c.ID)
	if err != nil {
		return nil, unavailable(fmt.Errorf("complaint photos: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var p shian.ComplaintPhoto
		if err := rows.Scan(&p.Path, &p.Type, &p.Width, &p.Height, &p.Size); err != nil {
			return nil, err
		}
		c.Photos = append(c.Photos, p)
	}
	return c, rows.Err()
}

// ComplaintEvents implements shian.ComplaintStore: the timeline, oldest first.
func (db *DB) ComplaintEvents(ctx context.Context, id int64, publicOnly bool) ([]shian.ComplaintEvent, error) {
	q := `SELECT id, at, type, status, public, actor, note FROM complaint_events WHERE complaint_id = ?`
	args := []any{id}
	if publicOnly {
		q += ` AND public = ?`
		args = append(args, true)
	}
	rows, err := db.DB.QueryContext(ctx, db.Q(q+` ORDER BY at, id`), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("complaint events: %w", err))
	}
	defer rows.Close()
	var out []shian.ComplaintEvent
	for rows.Next() {
		var e shian.ComplaintEvent
		if err := rows.Scan(&e.ID, &e.At, &e.Type, &e.Status, &e.Public, &e.Actor, &e.Note); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RecordProofFailure implements shian.ComplaintStore.
func (db *DB) RecordProofFailure(ctx context.Context, id int64, window time.Duration) (int, error) {
	var n int
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.Now().UTC()
		_, err := tx.ExecContext(ctx, db.Q(`UPDATE complaints SET
			proof_failures = CASE WHEN proof_window_start IS NULL OR proof_window_start < ? THEN 1 ELSE proof_failures + 1 END,
			proof_window_start = CASE WHEN proof_window_start IS NULL OR proof_window_start < ? THEN ? ELSE proof_window_start END
			WHERE id = ?`), now.Add(-window), now.Add(-window), now, id)
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, db.Q(`SELECT proof_failures FROM complaints WHERE id = ?`), id).Scan(&n)
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("record proof failure: %w", err))
	}
	return n, nil
}

// RateComplaint implements shian.ComplaintStore. Errors: ECONFLICT when
// the complaint was rated already.
func (db *DB) RateComplaint(ctx context.Context, id int64, stars int, note string) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.Now().UTC()
		var status string
		if err := tx.QueryRowContext(ctx, db.Q(`SELECT status FROM complaints WHERE id = ?`), id).Scan(&status); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE complaints SET rating = ?, rating_note = ?, rated_at = ?, updated_at = ?
			WHERE id = ? AND rating IS NULL`), stars, note, now, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return &shian.Error{Code: shian.ECONFLICT, Message: "this complaint has already been rated", Key: "complaint_rated"}
		}
		return db.insertEvent(ctx, tx, id, now, shian.RatedEvent(status, stars))
	})
	if err != nil && shian.ErrorCode(err) == shian.EINTERNAL {
		return unavailable(fmt.Errorf("rate complaint: %w", err))
	}
	return err
}

// ListComplaints implements shian.ComplaintStore, newest first.
func (db *DB) ListComplaints(ctx context.Context, f shian.ComplaintFilter) ([]*shian.Complaint, error) {
	var where []string
	var args []any
	add := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		where = append(where, col+` IN (`+in(len(vals))+`)`)
		for _, v := range vals {
			args = append(args, v)
		}
	}
	if f.Partner != "" {
		where, args = append(where, `partner = ?`), append(args, f.Partner)
	}
	add("ticket", f.Tickets)
	add("category", f.Categories)
	add("status", f.Statuses)
	if !f.From.IsZero() {
		where, args = append(where, `created_at >= ?`), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, `created_at <= ?`), append(args, f.To.UTC())
	}
	q := `SELECT ` + complaintColumns + ` FROM complaints`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.DB.QueryContext(ctx, db.Q(q), args...)
	if err != nil {
		return nil, unavailable(fmt.Errorf("list complaints: %w", err))
	}
	defer rows.Close()
	var out []*shian.Complaint
	for rows.Next() {
		c, err := scanComplaint(rows)
		if err != nil {
			return nil, fmt.Errorf("list complaints: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PurgeContacts implements shian.ComplaintStore: contact data of complaints
// closed (and untouched) since before cutoff is erased, and forgotten
// idempotency keys are deleted.
func (db *DB) PurgeContacts(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		now := db.Now().UTC()
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE complaints SET contact_sealed = '', phone_hash = '', phone_masked = '',
			last4_hash = '', contact_purged_at = ? WHERE status = ? AND updated_at < ? AND contact_purged_at IS NULL`),
			now, shian.ComplaintClosed, cutoff.UTC())
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, db.Q(`DELETE FROM idempotency_keys WHERE expires_at < ?`), now)
		return err
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("purge contacts: %w", err))
	}
	return int(n), nil
}

// AddAPIKey implements shian.ComplaintStore. Errors: ECONFLICT.
func (db *DB) AddAPIKey(ctx context.Context, name, keyHash string) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`INSERT INTO api_keys (name, key_hash, created_at) VALUES (?, ?, ?)`), name, keyHash, db.Now().UTC())
	if isUniqueViolation(err) {
		return shian.Errorf(shian.ECONFLICT, "a partner named %q already has a key", name)
	} else if err != nil {
		return unavailable(fmt.Errorf("add api key: %w", err))
	}
	return nil
}

// APIKeyPartner implements shian.ComplaintStore. Errors: EUNAUTHORIZED.
func (db *DB) APIKeyPartner(ctx context.Context, keyHash string) (string, error) {
	var name string
	err := db.DB.QueryRowContext(ctx, db.Q(`SELECT name FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`), keyHash).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", &shian.Error{Code: shian.EUNAUTHORIZED, Message: "unknown or revoked api_key", Key: "bad_api_key"}
	} else if err != nil {
		return "", unavailable(fmt.Errorf("api key: %w", err))
	}
	return name, nil
}
