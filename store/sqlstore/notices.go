package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shian"
)

// enqueueNotice queues the notice of a public event in the transaction
// that writes the event: the change and its notice commit together, and
// the unique event_id keeps a retried change from queueing twice.
func (db *DB) enqueueNotice(ctx context.Context, tx *sql.Tx, c *shian.Complaint, eventID int64, e shian.ComplaintEvent, now time.Time) error {
	_, err := db.txExec(ctx, tx, `INSERT INTO notices (complaint_id, event_id, lang, channel, status, kind, state, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, eventID, c.Lang, c.Channel, e.Status, e.Type, shian.NoticePending, now, now)
	if err != nil {
		return fmt.Errorf("enqueue notice: %w", err)
	}
	return nil
}

const noticeColumns = `n.id, n.complaint_id, c.ticket, n.event_id, n.lang, n.channel, n.status, n.kind, n.state, n.attempts,
	n.next_at, n.via, n.last_error, n.created_at`

func scanNotice(row scanner) (*shian.Notice, error) {
	var n shian.Notice
	err := row.Scan(&n.ID, &n.ComplaintID, &n.Ticket, &n.EventID, &n.Lang, &n.Channel, &n.Status, &n.Kind, &n.State, &n.Attempts,
		&n.NextAt, &n.Via, &n.LastError, &n.CreatedAt)
	return &n, err
}

// ClaimNotices leases up to limit due notices to a worker until
// now+lease, and marks as uncertain the notices whose lease ran out
// (their worker died while sending: they are not sent again). It returns
// the leased notices.
func (db *DB) ClaimNotices(ctx context.Context, limit int, lease time.Duration) ([]*shian.Notice, error) {
	now := db.Now().UTC()
	var out []*shian.Notice
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		out = nil
		if _, err := tx.ExecContext(ctx, db.Q(`UPDATE notices SET state = ?, last_error = 'the worker stopped while sending', done_at = ?
			WHERE state = ? AND leased_until < ?`), shian.NoticeUncertain, now, shian.NoticeSending, now); err != nil {
			return err
		}
		lock := ""
		if db.Dialect.ForUpdate != "" {
			lock = " FOR UPDATE OF n SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, db.Q(`SELECT `+noticeColumns+` FROM notices n JOIN complaints c ON c.id = n.complaint_id
			WHERE n.state = ? AND n.next_at <= ? ORDER BY n.next_at, n.id LIMIT ?`+lock), shian.NoticePending, now, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			n, err := scanNotice(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, n := range out {
			n.State, n.Attempts = shian.NoticeSending, n.Attempts+1
			if _, err := tx.ExecContext(ctx, db.Q(`UPDATE notices SET state = ?, attempts = ?, leased_until = ? WHERE id = ?`),
				n.State, n.Attempts, now.Add(lease), n.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, unavailable(fmt.Errorf("claim notices: %w", err))
	}
	return out, nil
}

// FinishNotice records a leased notice's outcome: state sent,
// undeliverable or failed (final), or pending again at retryAt.
func (db *DB) FinishNotice(ctx context.Context, id int64, state, via, lastError string, retryAt time.Time) error {
	now := db.Now().UTC()
	var done any = now
	next := now
	if state == shian.NoticePending {
		done, next = nil, retryAt.UTC()
	}
	res, err := db.DB.ExecContext(ctx, db.Q(`UPDATE notices SET state = ?, via = ?, last_error = ?, next_at = ?, done_at = ?, leased_until = NULL
		WHERE id = ? AND state = ?`), state, via, lastError, next, done, id, shian.NoticeSending)
	if err != nil {
		return unavailable(fmt.Errorf("finish notice: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return shian.Errorf(shian.ECONFLICT, "notice %d is not leased any more", id)
	}
	return nil
}

// Notices lists a complaint's notices, oldest first (console, tests).
func (db *DB) Notices(ctx context.Context, complaintID int64) ([]*shian.Notice, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+noticeColumns+` FROM notices n JOIN complaints c ON c.id = n.complaint_id
		WHERE n.complaint_id = ? ORDER BY n.id`), complaintID)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var out []*shian.Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// SetNoticeRecipient keeps the sealed WeChat OpenID of a complaint filed
// through the Official Account, and the time of the user's last message
// (the start of WeChat's 48-hour window).
func (db *DB) SetNoticeRecipient(ctx context.Context, complaintID int64, openIDSealed string, lastInbound time.Time) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`INSERT INTO notice_recipients (complaint_id, openid_sealed, last_inbound_at) VALUES (?, ?, ?)
		ON CONFLICT (complaint_id) DO UPDATE SET openid_sealed = excluded.openid_sealed, last_inbound_at = excluded.last_inbound_at`),
		complaintID, openIDSealed, nullTime(lastInbound))
	return unavailable(err)
}

// NoticeRecipient returns the complaint (for its sealed contact) and the
// sealed OpenID ("" when none) of a notice.
func (db *DB) NoticeRecipient(ctx context.Context, complaintID int64) (*shian.Complaint, string, error) {
	c, err := scanComplaint(db.DB.QueryRowContext(ctx, db.Q(`SELECT `+complaintColumns+` FROM complaints WHERE id = ?`), complaintID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", shian.Errorf(shian.ENOTFOUND, "no complaint %d", complaintID)
	} else if err != nil {
		return nil, "", unavailable(err)
	}
	var openID string
	err = db.DB.QueryRowContext(ctx, db.Q(`SELECT openid_sealed FROM notice_recipients WHERE complaint_id = ?`), complaintID).Scan(&openID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, "", unavailable(err)
	}
	return c, openID, nil
}
