package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shian"
)

// The bot's conversation state and delivery de-duplication (bot.Store).
// Expired rows are ignored when read and deleted now and then on write.

func (db *DB) nowMS() int64 { return db.Now().UnixMilli() }

// LoadBotState returns the state saved for key. Errors: ENOTFOUND when
// there is none or it has expired.
func (db *DB) LoadBotState(ctx context.Context, key string) ([]byte, error) {
	var data string
	err := db.DB.QueryRowContext(ctx, db.Q(`SELECT data FROM bot_state WHERE key = ? AND expires_ms > ?`), key, db.nowMS()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, shian.Errorf(shian.ENOTFOUND, "no conversation state")
	} else if err != nil {
		return nil, fmt.Errorf("load bot state: %w", unavailable(err))
	}
	return []byte(data), nil
}

// SaveBotState saves the state of key for ttl from now.
func (db *DB) SaveBotState(ctx context.Context, key string, data []byte, ttl time.Duration) error {
	now := db.nowMS()
	_, err := db.DB.ExecContext(ctx, db.Q(`INSERT INTO bot_state (key, data, expires_ms) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET data = excluded.data, expires_ms = excluded.expires_ms`), key, string(data), now+ttl.Milliseconds())
	if err != nil {
		return fmt.Errorf("save bot state: %w", unavailable(err))
	}
	if now%64 == 0 { // about one write in 64 sweeps expired rows
		db.PurgeBot(ctx)
	}
	return nil
}

// PurgeBot deletes expired conversation states and delivery records.
func (db *DB) PurgeBot(ctx context.Context) {
	now := db.nowMS()
	_, _ = db.DB.ExecContext(ctx, db.Q(`DELETE FROM bot_state WHERE expires_ms <= ?`), now)
	_, _ = db.DB.ExecContext(ctx, db.Q(`DELETE FROM bot_messages WHERE expires_ms <= ?`), now)
}

// ClaimBotMessage records a delivery; first is false when key was claimed
// before (and has not expired), with the reply saved for it, nil while the
// first delivery is still being answered.
func (db *DB) ClaimBotMessage(ctx context.Context, key string, ttl time.Duration) (first bool, reply []byte, err error) {
	now := db.nowMS()
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var r sql.NullString
		var exp int64
		err := tx.QueryRowContext(ctx, db.Q(`SELECT reply, expires_ms FROM bot_messages WHERE key = ?`+db.Dialect.ForUpdate), key).Scan(&r, &exp)
		switch {
		case err == nil && exp > now:
			if r.Valid {
				reply = []byte(r.String)
			}
			return nil
		case err == nil:
			_, err = tx.ExecContext(ctx, db.Q(`UPDATE bot_messages SET reply = NULL, expires_ms = ? WHERE key = ?`), now+ttl.Milliseconds(), key)
		case errors.Is(err, sql.ErrNoRows):
			var res sql.Result
			res, err = tx.ExecContext(ctx, db.Q(`INSERT INTO bot_messages (key, expires_ms) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`), key, now+ttl.Milliseconds())
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return nil // another replica claimed it a moment ago
				}
			}
		}
		if err != nil {
			return err
		}
		first = true
		return nil
	})
	if err != nil {
		return false, nil, fmt.Errorf("claim bot message: %w", unavailable(err))
	}
	return first, reply, nil
}

// SaveBotReply stores the answer to a claimed delivery.
func (db *DB) SaveBotReply(ctx context.Context, key string, reply []byte, ttl time.Duration) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`UPDATE bot_messages SET reply = ?, expires_ms = ? WHERE key = ?`),
		string(reply), db.nowMS()+ttl.Milliseconds(), key)
	if err != nil {
		return fmt.Errorf("save bot reply: %w", unavailable(err))
	}
	return nil
}
