// Package sqlstore is the SQL system of record shared by the SQLite and
// PostgreSQL adapters: one set of hand-written queries over database/sql,
// with a Dialect for the few places where the two databases differ. The
// store/sqlite and store/postgres packages open a DB with their own driver,
// settings and migrations.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"shian"
)

// Dialect captures what differs between the databases: as capabilities
// and statements, so that the shared code asks what a database can do
// rather than which one it is.
type Dialect struct {
	// Name is for messages and tests ("sqlite" or "postgres"); code
	// branches on the capabilities below, never on it.
	Name string
	// Numbered placeholders ($1, $2 …) instead of ?.
	Numbered bool
	// ILike is the case-insensitive LIKE operator.
	ILike string
	// LockMigrations, when set, runs first in the migration transaction so
	// that two processes migrating at once apply each file once.
	LockMigrations string
	// LockAudit, when set, runs before appending to the audit chain so that
	// two appenders do not both extend the same head ("" where a write
	// transaction is exclusive already, as on SQLite).
	LockAudit string
	// ForUpdate is appended to SELECTs that claim rows ("" on SQLite, where
	// write transactions are already exclusive).
	ForUpdate string
	// LockRow is appended to a SELECT of one row the transaction is about
	// to change, to wait for and hold its lock ("" where write
	// transactions are exclusive already).
	LockRow string
	// Writers is how many group-commit transactions (see Group) may run at
	// once: 1 on SQLite, which has one writer anyway; 0 means 1.
	Writers int
	// OneShot, when set, is put before the arguments of a statement whose
	// text is made for one use (a group's write), so that the driver does
	// not prepare and keep it (pgx: QueryExecModeExec).
	OneShot any
	// Text is how the store's text index is asked (search.go).
	Text TextSearch
	// LockKeys, when set, is a statement taking the locks named by its one
	// argument, an array of names, in the array's order, until the end of
	// the transaction (see Group).
	LockKeys string
	// ReserveIDs, when set, is a statement returning as many new complaint
	// ids as its one argument asks. A group's filings then take their ids
	// from one call of it and are written (complaints, timelines, keys) in
	// one statement at the group's end (data-modifying WITH): where every
	// statement is a round trip, a group costs a fixed handful of them.
	// Unset, each filing writes its own rows as it runs.
	ReserveIDs string
	// BatchLookups: the first unit of a group reads the earlier complaints
	// every unit will link against in one query (unnest of text arrays),
	// rather than each unit querying for itself; worth it where every
	// query is a round trip.
	BatchLookups bool
}

// DB is the store. Its methods implement shian.ShopService and
// shian.OutboxService; construct it with store/sqlite or store/postgres.
type DB struct {
	DB         *sql.DB
	Dialect    Dialect
	Migrations fs.FS
	// Now is the clock; grades and timestamps are computed with it.
	Now func() time.Time
	// Keywords returns extra search text for a shop (pinyin, initials); it
	// is stored for the degraded store-backed search. May be nil.
	Keywords func(*shian.Shop) string

	stmts     sync.Map // query text → *sql.Stmt
	preparing sync.Map // query text → true while cacheStmt runs

	group grouper
	bg    sync.WaitGroup // cacheStmt goroutines and the view writer
	views viewQueue      // rebuilt views to write back (views.go)
}

// New wraps an open database.
func New(db *sql.DB, d Dialect, migrations fs.FS) *DB {
	return &DB{DB: db, Dialect: d, Migrations: migrations, Now: time.Now}
}

// Close closes the database and its prepared statements, once the
// statements being prepared in the background are ready: none of its
// goroutines touches the database (or, on SQLite, its files) after it.
func (db *DB) Close() error {
	db.bg.Wait()
	db.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return db.DB.Close()
}

// Ping checks that the database answers. Errors: EUNAVAILABLE.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.DB.PingContext(ctx); err != nil {
		return &shian.Error{Code: shian.EUNAVAILABLE, Message: "the database is not reachable", Key: "db_unavailable"}
	}
	return nil
}

// Q rewrites a query written with ? placeholders for the dialect.
func (db *DB) Q(query string) string {
	if !db.Dialect.Numbered {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// Tx runs fn in a transaction, committing when it returns nil.
func (db *DB) Tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return unavailable(err)
	}
	if err := tx.Commit(); err != nil {
		return unavailable(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// unavailable marks connection-level failures (the database is down or
// unreachable) so the API answers 503; other errors pass unchanged.
func unavailable(err error) error {
	var netErr net.Error
	var coded interface{ SQLState() string }
	switch {
	case err == nil:
		return nil
	case errors.As(err, &netErr), errors.Is(err, driver.ErrBadConn), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		// PostgreSQL: connection exceptions (08…) and operator intervention
		// (57P…: shutdown, crash recovery, cannot connect now).
		errors.As(err, &coded) && (strings.HasPrefix(coded.SQLState(), "08") || strings.HasPrefix(coded.SQLState(), "57P")):
		return fmt.Errorf("%w (%v)", &shian.Error{Code: shian.EUNAVAILABLE, Message: "the database is not reachable", Key: "db_unavailable"}, err)
	}
	return err
}

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

func (db *DB) migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(db.Migrations, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", name)
		}
		body, err := fs.ReadFile(db.Migrations, name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

func (db *DB) applied(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}

// Pending lists the migrations not yet applied. serve refuses to start
// while any are pending.
func (db *DB) Pending(ctx context.Context) ([]Migration, error) {
	all, err := db.migrations()
	if err != nil {
		return nil, err
	}
	done, err := db.applied(ctx, db.DB)
	if isMissingTable(err) {
		return all, nil
	} else if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	var out []Migration
	for _, m := range all {
		if !done[m.Version] {
			out = append(out, m)
		}
	}
	return out, nil
}

// Migrate applies every pending migration, each in its own transaction
// together with its schema_migrations row, and returns the names applied.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	all, err := db.migrations()
	if err != nil {
		return nil, err
	}
	if err := db.Tx(ctx, func(tx *sql.Tx) error {
		if db.Dialect.LockMigrations != "" {
			if _, err := tx.ExecContext(ctx, db.Dialect.LockMigrations); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, migrationsTable)
		return err
	}); err != nil {
		return nil, unavailable(err)
	}
	var names []string
	for _, m := range all {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if db.Dialect.LockMigrations != "" {
				if _, err := tx.ExecContext(ctx, db.Dialect.LockMigrations); err != nil {
					return err
				}
			}
			done, err := db.applied(ctx, tx)
			if err != nil || done[m.Version] {
				return err
			}
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			_, err = tx.ExecContext(ctx, db.Q(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
				m.Version, m.Name, db.Now().UTC().Format(time.RFC3339))
			if err == nil {
				names = append(names, m.Name)
			}
			return err
		})
		if err != nil {
			return names, err
		}
	}
	for _, n := range names {
		if strings.HasPrefix(n, "0008_") {
			// The text index needs every row's text in its new form.
			if _, err := db.RefreshSearchText(ctx); err != nil {
				return names, fmt.Errorf("migration %s: refresh search text: %w", n, err)
			}
		}
	}
	return names, nil
}

// isMissingTable reports an error about schema_migrations not existing yet.
func isMissingTable(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist"))
}

// stmt returns the prepared statement for query (written with ?), bound to
// tx. Statements are prepared once per connection and kept: SQLite compiles
// an INSERT together with its triggers, which costs more than running it.
//
// Inside a transaction a statement not yet in the cache is prepared on the
// transaction's own connection for this once, and the cached one is made in
// the background: preparing on the pool would wait for a second connection
// while this transaction holds one, and with every connection held by such
// a transaction the pool would deadlock.
func (db *DB) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	q := db.Q(query)
	if v, ok := db.stmts.Load(q); ok {
		if tx == nil {
			return v.(*sql.Stmt), nil
		}
		return tx.StmtContext(ctx, v.(*sql.Stmt)), nil
	}
	if tx != nil {
		if _, busy := db.preparing.LoadOrStore(q, true); !busy {
			db.bg.Add(1)
			go func() {
				defer db.bg.Done()
				db.cacheStmt(q)
			}()
		}
		return tx.PrepareContext(ctx, q)
	}
	s, err := db.DB.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// cacheStmt prepares q on the pool and keeps it.
func (db *DB) cacheStmt(q string) {
	defer db.preparing.Delete(q)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := db.DB.PrepareContext(ctx, q)
	if err != nil {
		return // the next use prepares it again
	}
	if _, loaded := db.stmts.LoadOrStore(q, s); loaded {
		s.Close()
	}
}

// txExec runs a cached statement in tx.
func (db *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	s, err := db.stmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, args...)
}

// txQueryRow runs a cached single-row statement in tx (or on the pool when tx is nil).
func (db *DB) txQueryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	s, err := db.stmt(ctx, tx, query)
	if err != nil {
		// A Row carrying the error: database/sql offers no constructor, so
		// fall back to the uncached path, which reports the same error.
		if tx != nil {
			return tx.QueryRowContext(ctx, db.Q(query), args...)
		}
		return db.DB.QueryRowContext(ctx, db.Q(query), args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// txQuery runs a cached statement returning rows in tx (or on the pool).
func (db *DB) txQuery(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	s, err := db.stmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}
