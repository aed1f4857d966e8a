package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"shian"
	"shian/views"
)

// The read model of public shop views (docs/read-model.md). A view row is
// the shop with its history as JSON and the date its grade was computed
// for. Writers never render it: the triggers of migration 0016 mark it
// stale (body NULL, seq raised) in the writer's transaction, and the next
// read rebuilds it. So a read is one lookup by licence or by id, and three
// (shop, inspections, annual grades) plus one write once per change.

// ShopByLicence implements shian.ShopService.
func (db *DB) ShopByLicence(ctx context.Context, licence string) (*shian.Shop, error) {
	return db.shopView(ctx, `licence`, licence)
}

// ShopByID implements shian.ShopService.
func (db *DB) ShopByID(ctx context.Context, id int64) (*shian.Shop, error) {
	return db.shopView(ctx, `id`, id)
}

func (db *DB) shopView(ctx context.Context, col string, arg any) (*shian.Shop, error) {
	viewCol := col
	if col == "id" {
		viewCol = "shop_id"
	}
	var (
		seq  int64
		day  string
		body sql.NullString
	)
	now := db.Now()
	today := now.Format(shian.DateLayout)
	err := db.DB.QueryRowContext(ctx, db.Q(`SELECT seq, computed_for, body FROM shop_views WHERE `+viewCol+` = ?`), arg).Scan(&seq, &day, &body)
	switch {
	case err == nil && body.Valid:
		s := new(shian.Shop)
		if err := json.Unmarshal([]byte(body.String), s); err == nil {
			if day != today {
				// Grades change with the date alone (90 days without an
				// inspection, New Year): recompute from the history held.
				s.Grade = shian.ComputeGrade(s, now)
			}
			return s, nil
		}
		// An unreadable view (a field renamed since) is rebuilt below.
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return nil, unavailable(fmt.Errorf("shop view %v: %w", arg, err))
	}
	s, err := db.shopWhere(ctx, col+` = ?`, arg)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("shop view %v: %w", arg, err)
	}
	db.queueView(viewWrite{s.ID, s.Licence, seq, today, string(b)})
	return s, nil
}

// viewWrite is a rebuilt view waiting to be written back.
type viewWrite struct {
	shopID      int64
	licence     string
	seq         int64
	computedFor string
	body        string
}

// maxQueuedViews bounds the rebuilt views waiting to be written; beyond
// it a rebuilt view is dropped (the next read rebuilds it again).
const maxQueuedViews = 4096

// viewQueue holds rebuilt views until one background writer writes them
// in one transaction. A reader never waits for that write: after an import
// of the city every first read rebuilds, and on SQLite (one writer) a write
// per read would queue every reader behind the others' commits.
type viewQueue struct {
	mu      sync.Mutex
	pending map[int64]viewWrite
	running bool
}

func (db *DB) queueView(w viewWrite) {
	q := &db.views
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.pending == nil {
		q.pending = map[int64]viewWrite{}
	}
	if len(q.pending) >= maxQueuedViews {
		return
	}
	q.pending[w.shopID] = w
	if !q.running {
		q.running = true
		db.bg.Add(1)
		go db.writeViews()
	}
}

// writeViews writes queued views until none is left. A view is kept only
// if no change marked its row after it was read (seq): a writer that
// committed meanwhile wins, and the next read rebuilds. A failed write
// costs later readers a rebuild, not anyone an answer, so it is dropped.
func (db *DB) writeViews() {
	defer db.bg.Done()
	for {
		q := &db.views
		q.mu.Lock()
		batch := q.pending
		q.pending = nil
		if len(batch) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		// Background work of no request: its own bounded context.
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		_ = db.Tx(ctx, func(tx *sql.Tx) error {
			stmt, err := tx.PrepareContext(ctx, db.Q(`INSERT INTO shop_views (shop_id, licence, seq, computed_for, body) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (shop_id) DO UPDATE SET computed_for = excluded.computed_for, body = excluded.body
				WHERE shop_views.seq <= excluded.seq`))
			if err != nil {
				return err
			}
			defer stmt.Close()
			for _, w := range batch {
				if _, err := stmt.ExecContext(ctx, w.shopID, w.licence, w.seq, w.computedFor, w.body); err != nil {
					return err
				}
			}
			return nil
		})
		cancel()
	}
}

// LatestShopChange implements views.Feed.
func (db *DB) LatestShopChange(ctx context.Context) (int64, error) {
	var n int64
	if err := db.DB.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM shop_changes`).Scan(&n); err != nil {
		return 0, unavailable(fmt.Errorf("latest shop change: %w", err))
	}
	return n, nil
}

// ShopChangesSince implements views.Feed.
func (db *DB) ShopChangesSince(ctx context.Context, after int64, limit int) ([]views.Change, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT seq, shop_id, licence FROM shop_changes WHERE seq > ? ORDER BY seq LIMIT ?`), after, limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("shop changes: %w", err))
	}
	defer rows.Close()
	var out []views.Change
	for rows.Next() {
		var c views.Change
		if err := rows.Scan(&c.Seq, &c.ShopID, &c.Licence); err != nil {
			return nil, fmt.Errorf("shop changes: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable(fmt.Errorf("shop changes: %w", err))
	}
	return out, nil
}

// PruneShopChanges deletes changes older than the given seq span, which
// every poller has long passed (a poller further behind purges its cache).
func (db *DB) PruneShopChanges(ctx context.Context, keep int64) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`DELETE FROM shop_changes WHERE seq < (SELECT COALESCE(MAX(seq), 0) FROM shop_changes) - ?`), keep)
	if err != nil {
		return unavailable(fmt.Errorf("prune shop changes: %w", err))
	}
	return nil
}
