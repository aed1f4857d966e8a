package testenv

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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

// NewPostgresDatabase gives the test an empty database of its own and
// returns its URL. It is a schema unique to this test inside the server's
// database, selected through the URL's search_path (pgx passes unknown URL
// parameters as run-time parameters): CREATE SCHEMA is instant, where
// CREATE DATABASE copies a template and takes seconds on a busy machine.
// The schema is dropped with everything in it when the test ends.
func NewPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	admin := PostgresURL(tb)
	name := UniqueName(tb)
	dbURL, err := withSearchPath(admin, name)
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
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		tb.Fatalf("testenv: create schema %s: %v", name, err)
	}
	tb.Cleanup(func() {
		// tb.Context() is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Errorf("testenv: drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("testenv: drop schema %s: %v", name, err)
		}
	})
	return dbURL
}

// withSearchPath returns the PostgreSQL URL u with search_path set to schema.
func withSearchPath(u, schema string) (string, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("parse postgres URL: %w", err)
	}
	if parsed.Scheme != "postgres" && parsed.Scheme != "postgresql" {
		return "", fmt.Errorf("parse postgres URL: scheme %q is not postgres://", parsed.Scheme)
	}
	q := parsed.Query()
	q.Set("search_path", schema)
	parsed.RawQuery = q.Encode()
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
