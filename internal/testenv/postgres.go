package testenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const pgHint = "run scripts/devstack.sh postgres, or set SHIAN_TEST_POSTGRES_URL"

// PostgresURL returns the URL of the test PostgreSQL server
// ($SHIAN_TEST_POSTGRES_URL, else DefaultPostgresURL) after checking that it
// answers. Its role must be allowed to create databases. Most tests want
// NewPostgresDatabase instead.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := env("SHIAN_TEST_POSTGRES_URL", DefaultPostgresURL)
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(ctx)
	}
	if err != nil {
		unavailable(tb, pgHint, "PostgreSQL at %s does not answer: %v", redactURL(u), err)
	}
	return u
}

// NewPostgresDatabase creates an empty database with a name unique to this
// test and returns its URL (the server's URL with the database name
// replaced). The database is dropped, closing any connection still open to
// it, when the test ends.
func NewPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	admin := PostgresURL(tb)
	name := UniqueName(tb)
	dbURL, err := withDatabase(admin, name)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}

	ctx, cancel := context.WithTimeout(tb.Context(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("testenv: connect to %s: %v", redactURL(admin), err)
	}
	defer conn.Close(ctx)
	create := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	// CREATE DATABASE copies template1 and fails with object_in_use while
	// another session is connected to it; that is brief, so retry.
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, create)
		var pgErr *pgconn.PgError
		if err == nil || !errors.As(err, &pgErr) || pgErr.Code != "55006" || attempt == 20 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		tb.Fatalf("testenv: create database %s: %v", name, err)
	}

	tb.Cleanup(func() {
		// tb.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("testenv: drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			tb.Errorf("testenv: drop database %s: %v", name, err)
		}
	})
	return dbURL
}

// withDatabase returns the PostgreSQL URL u with its database name replaced.
func withDatabase(u, name string) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("parse postgres URL: %w", err)
	}
	if parsed.Scheme != "postgres" && parsed.Scheme != "postgresql" {
		return "", fmt.Errorf("parse postgres URL: scheme %q is not postgres://", parsed.Scheme)
	}
	parsed.Path = "/" + name
	parsed.RawPath = ""
	return parsed.String(), nil
}

// redactURL hides a password in u for messages.
func redactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return parsed.Redacted()
}
