// Package postgres opens the production store: PostgreSQL 15+ through pgx.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"shian/store/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is PostgreSQL's. Claims lock rows with SKIP LOCKED so that two
// replicas never hand the same complaint to two officers.
var Dialect = sqlstore.Dialect{
	Name:           "postgres",
	Numbered:       true,
	ILike:          "ILIKE",
	LockMigrations: "SELECT pg_advisory_xact_lock(7419021)",
	LockAudit:      "SELECT pg_advisory_xact_lock(7419022)",
	ForUpdate:      " FOR UPDATE SKIP LOCKED",
	LockRow:        " FOR UPDATE",
	Writers:        2,
	Text:           sqlstore.PostgresText,
	OneShot:        pgx.QueryExecModeExec,
	// unnest yields the names in order, and the aggregate takes them so.
	LockKeys:     "SELECT COUNT(pg_advisory_xact_lock(hashtext(k))) FROM unnest(?::text[]) AS k",
	ReserveIDs:   "SELECT nextval(pg_get_serial_sequence('complaints', 'id')) FROM generate_series(1, ?)",
	BatchLookups: true,
}

// Open connects to the database at a postgres:// URL.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres %s@%s:%d/%s: %w", cfg.User, cfg.Host, cfg.Port, cfg.Database, err)
	}
	sub, _ := fs.Sub(migrations, "migrations")
	return sqlstore.New(db, Dialect, sub), nil
}
