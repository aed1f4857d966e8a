package main

import (
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestUserAndAuditCommands runs the commands through Run: add a user, issue and
// revoke a token, verify the audit chain, then edit a row behind the
// service's back and see `shian audit verify` fail.
func TestUserAndAuditCommands(t *testing.T) {
	dir := t.TempDir()
	if out, err := runShian(t, dir, "migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	out, err := runShian(t, dir, "user", "add", "--name", "Wang.JG", "--role", "officer", "--district", "haigang", "--grid", "haigang-01")
	if err != nil || !regexp.MustCompile(`(?m)^[a-zA-Z0-9]{20}$`).MatchString(out) {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if out, err := runShian(t, dir, "user", "add", "--name", "li", "--role", "officer"); err == nil || !strings.Contains(out, "district") {
		t.Fatalf("officer without a district: %v\n%s", err, out)
	}
	out, err = runShian(t, dir, "user", "token", "--name", "wang.jg", "--label", "ci")
	if err != nil || !regexp.MustCompile(`(?m)^shian_[A-Za-z0-9_-]{43}$`).MatchString(out) {
		t.Fatalf("user token: %v\n%s", err, out)
	}
	if out, err := runShian(t, dir, "user", "revoke-token", "--name", "wang.jg"); err != nil || !strings.Contains(out, "1 token(s) revoked") {
		t.Fatalf("revoke-token: %v\n%s", err, out)
	}
	out, err = runShian(t, dir, "audit", "verify")
	if err != nil || !strings.Contains(out, "audit log intact: 3 entries") {
		t.Fatalf("audit verify: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "shian.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET actor = 'someone' WHERE seq = 2`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, err = runShian(t, dir, "audit", "verify")
	if err == nil || !strings.Contains(out, "broken at entry 2") {
		t.Fatalf("audit verify after an edit: %v\n%s", err, out)
	}
}
