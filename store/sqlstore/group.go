package sqlstore

import (
	"context"
	"database/sql"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	"shian/internal/batch"
)

// Group commit. A complaint is one small write transaction, and under a
// crowd (a tour group falls ill, a partner app retries) a transaction per
// request makes the database spend its time on commits and, on SQLite,
// makes writers queue on busy_timeout, which sleeps. Group runs the write
// work of many requests in one transaction instead, and answers every
// caller only after the shared COMMIT: nothing is acknowledged before it is
// durable, and a failed commit fails every unit of the group.
//
// Units run one after the other in key order. Units that share a key always
// go to the same lane (one writer each), so that within a process they never
// wait for one another's locks; the lock a key names (PostgreSQL: an
// advisory lock, held to the end of the transaction) is taken for the whole
// group before any unit runs, in key order, so that groups of different
// processes cannot deadlock either.
//
// A unit that fails would leave the group's transaction half-written (and
// PostgreSQL refuses to go on after an error), so the group is rolled back
// and each of its units runs again alone, in a transaction of its own: the
// failing one gets its own error, the others succeed. Units must therefore be
// able to run twice, starting afresh each time.

// groupMax bounds the units of one transaction.
const groupMax = 64

// groupTimeout bounds one group's transaction.
const groupTimeout = 15 * time.Second

type groupUnit struct {
	ctx  context.Context
	key  string
	lock bool
	hint any
	fn   func(*GroupTx) error
	done chan struct{}
	err  error
}

// grouper holds the lanes: one writer's queue each (a batch.Queue, whose
// one drainer runs a lane's groups one after the other).
type grouper struct {
	once  sync.Once
	seed  maphash.Seed
	lanes []batch.Queue[*groupUnit]
}

// GroupTx is the transaction a group's units share, with what they may
// share beyond it: each unit's hint (what it will read, so that the first
// unit may read it for all in one query) and a scratch space.
type GroupTx struct {
	Tx     *sql.Tx
	units  []*groupUnit
	vals   map[string]any
	finish []func() error
}

// Solo reports whether the unit runs alone in its transaction.
func (g *GroupTx) Solo() bool { return len(g.units) == 1 }

// Size is the number of units in the transaction.
func (g *GroupTx) Size() int { return len(g.units) }

// OnFinish registers fn to run after the last unit, before the commit; its
// error fails the group like a unit's.
func (g *GroupTx) OnFinish(fn func() error) { g.finish = append(g.finish, fn) }

func (g *GroupTx) finished() error {
	for _, fn := range g.finish {
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

// Hints are the hints of the group's units, in the order they run.
func (g *GroupTx) Hints() []any {
	out := make([]any, 0, len(g.units))
	for _, u := range g.units {
		if u.hint != nil {
			out = append(out, u.hint)
		}
	}
	return out
}

// Value returns what a unit of the group stored under name.
func (g *GroupTx) Value(name string) any { return g.vals[name] }

// SetValue stores v under name for the group's later units.
func (g *GroupTx) SetValue(name string, v any) {
	if g.vals == nil {
		g.vals = map[string]any{}
	}
	g.vals[name] = v
}

// Group runs fn in a transaction shared with other callers' units and
// returns once that transaction has committed (nil), or with the error of
// fn or of the commit. fn must not commit or roll back, and may run twice
// (see above). key places the unit in its lane and orders the group; with
// lock, it also names the lock fn needs (Dialect.LockKeys). Errors are those
// of Tx. hint, when not nil, is shown to the group's units (GroupTx.Hints).
func (db *DB) Group(ctx context.Context, key string, lock bool, hint any, fn func(*GroupTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	g := &db.group
	g.once.Do(func() {
		g.seed = maphash.MakeSeed()
		g.lanes = make([]batch.Queue[*groupUnit], max(db.Dialect.Writers, 1))
		for i := range g.lanes {
			g.lanes[i].Max, g.lanes[i].Run = groupMax, db.runGroup
		}
	})
	l := &g.lanes[maphash.String(g.seed, key)%uint64(len(g.lanes))]
	u := &groupUnit{ctx: ctx, key: key, lock: lock, hint: hint, fn: fn, done: make(chan struct{})}
	l.Add(u)
	// The unit is not abandoned when ctx ends: it runs (and its outcome is
	// the caller's to report) or, if ctx ended first, is skipped at once.
	<-u.done
	return u.err
}

// runGroup runs the units a lane gathered while its previous group ran:
// together in one transaction, or, when that fails, each alone.
func (db *DB) runGroup(units []*groupUnit) {
	live := units[:0:0]
	for _, u := range units {
		if err := u.ctx.Err(); err != nil {
			u.err = err
			close(u.done)
			continue
		}
		live = append(live, u)
	}
	if len(live) > 1 {
		slices.SortStableFunc(live, func(a, b *groupUnit) int { return strings.Compare(a.key, b.key) })
		ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
		err := db.Tx(ctx, func(tx *sql.Tx) error { return db.runUnits(ctx, tx, live) })
		cancel()
		if err == nil {
			for _, u := range live {
				close(u.done)
			}
			return
		}
	}
	for _, u := range live {
		u.err = db.Tx(u.ctx, func(tx *sql.Tx) error { return db.runUnits(u.ctx, tx, []*groupUnit{u}) })
		close(u.done)
	}
}

// runUnits takes the units' locks, then runs them, then their OnFinish work,
// in tx.
func (db *DB) runUnits(ctx context.Context, tx *sql.Tx, units []*groupUnit) error {
	if err := db.lockKeys(ctx, tx, units); err != nil {
		return err
	}
	g := &GroupTx{Tx: tx, units: units}
	for _, u := range units {
		if err := u.fn(g); err != nil {
			return err
		}
	}
	return g.finished()
}

// lockKeys takes the locks the units' keys name, in order, each once, in
// one statement.
func (db *DB) lockKeys(ctx context.Context, tx *sql.Tx, units []*groupUnit) error {
	if db.Dialect.LockKeys == "" {
		return nil
	}
	var keys []string
	for _, u := range units {
		if u.lock && (len(keys) == 0 || keys[len(keys)-1] != u.key) {
			keys = append(keys, u.key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	_, err := db.txExec(ctx, tx, db.Dialect.LockKeys, keys)
	return err
}
