package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"shian/store/sqlite"
	"shian/store/sqlstore"
	"shian/store/storetest"
)

func open(t *testing.T) *sqlstore.DB { return openB(t) }

func openB(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shian.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return storetest.Now }
	storetest.MustMigrate(t, db)
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestPragmas(t *testing.T) {
	db := open(t)
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1"} {
		var got string
		if err := db.DB.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

func TestPendingBeforeMigrate(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending, err := db.Pending(context.Background())
	if err != nil || len(pending) == 0 {
		t.Fatalf("a new database has pending migrations: got %v, %v", pending, err)
	}
}

// TestViews runs the read-model suite with two handles (two replicas) on
// one SQLite file.
func TestViews(t *testing.T) {
	storetest.RunViews(t, func(t *testing.T) (*sqlstore.DB, *sqlstore.DB) {
		path := filepath.Join(t.TempDir(), "shian.db")
		var dbs [2]*sqlstore.DB
		for i := range dbs {
			db, err := sqlite.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			db.Now = func() time.Time { return storetest.Now }
			storetest.MustMigrate(t, db)
			dbs[i] = db
		}
		return dbs[0], dbs[1]
	})
}
