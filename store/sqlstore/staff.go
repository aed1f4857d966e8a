package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shian"
	"shian/staff"
)

var _ staff.Store = (*DB)(nil)

const userColumns = `u.id, u.name, u.role, u.district, u.grid, u.password_hash, u.disabled, u.created_at`

func scanUser(dest []any, u *staff.User) []any {
	return append(dest, &u.ID, &u.Name, &u.Role, &u.District, &u.Grid, &u.PasswordHash, &u.Disabled, &u.CreatedAt)
}

// CreateUser implements staff.Store. Errors: ECONFLICT.
func (db *DB) CreateUser(ctx context.Context, u *staff.User) error {
	err := db.DB.QueryRowContext(ctx, db.Q(`INSERT INTO users (name, role, district, grid, password_hash, disabled, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), u.Name, u.Role, u.District, u.Grid, u.PasswordHash, u.Disabled, u.CreatedAt.UTC()).Scan(&u.ID)
	if isUniqueViolation(err) {
		return shian.Errorf(shian.ECONFLICT, "a user named %q exists", u.Name)
	} else if err != nil {
		return unavailable(fmt.Errorf("create user: %w", err))
	}
	return nil
}

// SetPassword implements staff.Store: the new hash, every session ended
// and every API token revoked, in one transaction: a reset after a leak
// leaves no credential of the old owner working, and a failed reset
// changes nothing.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, at time.Time) (int, error) {
	var revoked int64
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.Q(`UPDATE users SET password_hash = ? WHERE id = ?`), hash, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.Q(`DELETE FROM sessions WHERE user_id = ?`), userID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`), at.UTC(), userID)
		if err != nil {
			return err
		}
		revoked, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, unavailable(fmt.Errorf("set password: %w", err))
	}
	return int(revoked), nil
}

// UserByName implements staff.Store. Errors: ENOTFOUND.
func (db *DB) UserByName(ctx context.Context, name string) (*staff.User, error) {
	var u staff.User
	err := db.DB.QueryRowContext(ctx, db.Q(`SELECT `+userColumns+` FROM users u WHERE u.name = ?`), name).Scan(scanUser(nil, &u)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, shian.Errorf(shian.ENOTFOUND, "no user named %q", name)
	} else if err != nil {
		return nil, unavailable(fmt.Errorf("user %s: %w", name, err))
	}
	return &u, nil
}

// CreateSession implements staff.Store.
func (db *DB) CreateSession(ctx context.Context, s *staff.Session) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at, last_seen)
		VALUES (?, ?, ?, ?, ?, ?)`), s.Hash, s.UserID, s.CSRF, s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.LastSeen.UTC())
	if err != nil {
		return unavailable(fmt.Errorf("create session: %w", err))
	}
	// Ended sessions are swept now and then by their owners' next sign-in.
	_, err = db.DB.ExecContext(ctx, db.Q(`DELETE FROM sessions WHERE user_id = ? AND expires_at < ?`), s.UserID, s.CreatedAt.UTC())
	return unavailable(err)
}

// SessionUser implements staff.Store. Errors: ENOTFOUND.
func (db *DB) SessionUser(ctx context.Context, hash string) (*staff.Session, *staff.User, error) {
	var s staff.Session
	var u staff.User
	dest := scanUser([]any{&s.Hash, &s.UserID, &s.CSRF, &s.CreatedAt, &s.ExpiresAt, &s.LastSeen}, &u)
	err := db.DB.QueryRowContext(ctx, db.Q(`SELECT s.hash, s.user_id, s.csrf, s.created_at, s.expires_at, s.last_seen, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ?`), hash).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, shian.Errorf(shian.ENOTFOUND, "no such session")
	} else if err != nil {
		return nil, nil, unavailable(fmt.Errorf("session: %w", err))
	}
	return &s, &u, nil
}

// TouchSession implements staff.Store.
func (db *DB) TouchSession(ctx context.Context, hash string, at time.Time) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`UPDATE sessions SET last_seen = ? WHERE hash = ?`), at.UTC(), hash)
	if err != nil {
		return unavailable(fmt.Errorf("touch session: %w", err))
	}
	return nil
}

// DeleteSession implements staff.Store.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`DELETE FROM sessions WHERE hash = ?`), hash)
	if err != nil {
		return unavailable(fmt.Errorf("delete session: %w", err))
	}
	return nil
}

// CreateToken implements staff.Store.
func (db *DB) CreateToken(ctx context.Context, t *staff.Token) error {
	err := db.DB.QueryRowContext(ctx, db.Q(`INSERT INTO api_tokens (user_id, hash, label, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
		t.UserID, t.Hash, t.Label, t.CreatedAt.UTC()).Scan(&t.ID)
	if err != nil {
		return unavailable(fmt.Errorf("create token: %w", err))
	}
	return nil
}

// TokenUser implements staff.Store. Errors: ENOTFOUND.
func (db *DB) TokenUser(ctx context.Context, hash string) (*staff.Token, *staff.User, error) {
	var t staff.Token
	var u staff.User
	dest := scanUser([]any{&t.ID, &t.UserID, &t.Hash, &t.Label, &t.CreatedAt}, &u)
	err := db.DB.QueryRowContext(ctx, db.Q(`SELECT t.id, t.user_id, t.hash, t.label, t.created_at, `+userColumns+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND t.revoked_at IS NULL`), hash).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, shian.Errorf(shian.ENOTFOUND, "no such token")
	} else if err != nil {
		return nil, nil, unavailable(fmt.Errorf("token: %w", err))
	}
	return &t, &u, nil
}

// RevokeTokens implements staff.Store.
func (db *DB) RevokeTokens(ctx context.Context, userID int64, tokenHash string, at time.Time) (int, error) {
	q := `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`
	args := []any{at.UTC(), userID}
	if tokenHash != "" {
		q += ` AND hash = ?`
		args = append(args, tokenHash)
	}
	res, err := db.DB.ExecContext(ctx, db.Q(q), args...)
	if err != nil {
		return 0, unavailable(fmt.Errorf("revoke tokens: %w", err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// AppendAudit implements staff.Store.
func (db *DB) AppendAudit(ctx context.Context, entries ...staff.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error { return db.appendAudit(ctx, tx, entries) })
	if err != nil {
		return unavailable(fmt.Errorf("append audit: %w", err))
	}
	return nil
}

// appendAudit seals and inserts entries after the chain's last one. On
// PostgreSQL an advisory lock orders appenders; SQLite's write transaction
// is exclusive already.
func (db *DB) appendAudit(ctx context.Context, tx *sql.Tx, entries []staff.AuditEntry) error {
	if db.Dialect.LockAudit != "" {
		if _, err := tx.ExecContext(ctx, db.Dialect.LockAudit); err != nil {
			return fmt.Errorf("lock audit log: %w", err)
		}
	}
	var prev *staff.AuditEntry
	var last staff.AuditEntry
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last.Seq, &last.Hash)
	switch {
	case err == nil:
		prev = &last
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("audit head: %w", err)
	}
	for i := range entries {
		e := entries[i]
		staff.Seal(&e, prev)
		if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO audit_log (seq, at, actor, action, target, detail, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), e.Seq, e.At, e.Actor, e.Action, e.Target, e.Detail, e.PrevHash, e.Hash); err != nil {
			return fmt.Errorf("insert audit entry: %w", err)
		}
		prev = &e
	}
	return nil
}

// AuditEntries implements staff.Store.
func (db *DB) AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]staff.AuditEntry, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit_log
		WHERE seq > ? ORDER BY seq LIMIT ?`), afterSeq, limit)
	if err != nil {
		return nil, unavailable(fmt.Errorf("audit entries: %w", err))
	}
	defer rows.Close()
	var out []staff.AuditEntry
	for rows.Next() {
		var e staff.AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return nil, fmt.Errorf("audit entries: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
