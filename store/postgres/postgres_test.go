package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"shian/internal/testenv"
	"shian/store/postgres"
	"shian/store/sqlstore"
	"shian/store/storetest"
)

func open(t *testing.T) *sqlstore.DB { return openB(t) }

func openB(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), testenv.NewPostgresDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return storetest.Now }
	storetest.MustMigrate(t, db)
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

// Two processes running migrate at once must apply each file once.
func TestConcurrentMigrate(t *testing.T) {
	url := testenv.NewPostgresDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	applied := make([][]string, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := postgres.Open(context.Background(), url)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied[i], errs[i] = db.Migrate(context.Background())
		}()
	}
	wg.Wait()
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrate %d: %v", i, err)
		}
		total += len(applied[i])
	}
	db, _ := postgres.Open(context.Background(), url)
	defer db.Close()
	pending, _ := db.Pending(context.Background())
	all, _ := db.Migrate(context.Background())
	if len(pending) != 0 || len(all) != 0 || total == 0 {
		t.Fatalf("applied %d in total, pending %d afterwards", total, len(pending))
	}
	var n int
	db.DB.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n)
	if n != total {
		t.Fatalf("schema_migrations has %d rows, %d applications reported", n, total)
	}
}

// TestViews runs the read-model suite with two pools (two replicas) on
// one PostgreSQL database.
func TestViews(t *testing.T) {
	storetest.RunViews(t, func(t *testing.T) (*sqlstore.DB, *sqlstore.DB) {
		url := testenv.NewPostgresDatabase(t)
		var dbs [2]*sqlstore.DB
		for i := range dbs {
			db, err := postgres.Open(context.Background(), url)
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
