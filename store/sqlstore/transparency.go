package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"shian"
	"shian/inspections"
	"shian/staff"
)

var _ inspections.TransparencyStore = (*DB)(nil)

// ShopCaseFacts returns what the shop page may say of the complaints and
// reports about a shop filed since (duplicates left out): no personal data.
func (db *DB) ShopCaseFacts(ctx context.Context, shopID int64, since time.Time) ([]shian.CaseFact, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT c.id, c.kind, c.category, c.status, c.created_at, c.accept_wdays, c.resolve_wdays,
		EXISTS (SELECT 1 FROM case_inspections ci JOIN inspection_records r ON r.id = ci.record_id
			WHERE ci.complaint_id = c.id AND r.overall <> 'compliant' AND r.superseded_by IS NULL)
		OR EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.type = 'status' AND e.status = 'case_opened'),
		COALESCE((SELECT e.note FROM complaint_events e WHERE e.complaint_id = c.id AND e.type = 'verified' AND e.public = ?
			ORDER BY e.id DESC LIMIT 1), ''),
		COALESCE(sr.text, ''), COALESCE(sr.attached_by, ''), sr.created_at
		FROM complaints c LEFT JOIN shop_replies sr ON sr.complaint_id = c.id
		WHERE c.shop_id = ? AND c.created_at >= ? AND c.duplicate_of IS NULL ORDER BY c.created_at, c.id`), true, shopID, since.UTC())
	if err != nil {
		return nil, unavailable(fmt.Errorf("case facts: %w", err))
	}
	defer rows.Close()
	var out []shian.CaseFact
	for rows.Next() {
		var f shian.CaseFact
		var aw, rw sql.NullInt64
		var reply, by string
		var at sql.NullTime
		if err := rows.Scan(&f.ComplaintID, &f.Kind, &f.Category, &f.Status, &f.FiledOn, &aw, &rw, &f.Substantiated, &f.Finding,
			&reply, &by, &at); err != nil {
			return nil, err
		}
		f.DecisionWDays = -1
		switch {
		case f.Kind == shian.KindReport && rw.Valid:
			f.DecisionWDays = int(rw.Int64)
		case f.Kind == shian.KindComplaint && aw.Valid:
			f.DecisionWDays = int(aw.Int64)
		}
		if reply != "" {
			f.Reply = &shian.ShopReply{Text: reply, AttachedBy: by, At: at.Time}
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

const decisionColumns = `id, number, decided_on, published_on, COALESCE(shop_id, 0), licence, party_name, credit_code, violation,
	legal_basis, penalties, fine_yuan, authority, source, recorded_by`

// ShopDecisions returns the enforcement decisions about a shop decided since, newest first.
func (db *DB) ShopDecisions(ctx context.Context, shopID int64, since time.Time) ([]shian.EnforcementDecision, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+decisionColumns+` FROM enforcement_decisions
		WHERE shop_id = ? AND decided_on >= ? ORDER BY decided_on DESC, id DESC`), shopID, since.Format(shian.DateLayout))
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var out []shian.EnforcementDecision
	for rows.Next() {
		var d shian.EnforcementDecision
		var decided, published, penalties string
		if err := rows.Scan(&d.ID, &d.Number, &decided, &published, &d.ShopID, &d.Licence, &d.PartyName, &d.CreditCode, &d.Violation,
			&d.LegalBasis, &penalties, &d.FineYuan, &d.Authority, &d.Source, &d.RecordedBy); err != nil {
			return nil, err
		}
		d.DecidedOn, _ = shian.ParseDate(decided)
		d.PublishedOn, _ = shian.ParseDate(published)
		if err := json.Unmarshal([]byte(penalties), &d.Penalties); err != nil {
			return nil, fmt.Errorf("decision %s: %w", d.Number, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// SaveDecisions stores decisions, idempotent by decision number (a
// re-import updates them), linking each to the shop of its licence or,
// failing that, of its credit code, with the audit entries, in one
// transaction. It returns how many were created and updated.
func (db *DB) SaveDecisions(ctx context.Context, ds []*shian.EnforcementDecision, audit []staff.AuditEntry) (shian.ImportStats, error) {
	var st shian.ImportStats
	now := db.Now().UTC()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		st = shian.ImportStats{}
		for _, d := range ds {
			d.ShopID = 0
			var err error
			if d.Licence != "" {
				err = tx.QueryRowContext(ctx, db.Q(`SELECT id FROM shops WHERE licence = ?`), d.Licence).Scan(&d.ShopID)
			} else if d.CreditCode != "" {
				err = tx.QueryRowContext(ctx, db.Q(`SELECT id FROM shops WHERE credit_code = ? ORDER BY id LIMIT 1`), d.CreditCode).Scan(&d.ShopID)
			}
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			args := []any{d.DecidedOn.Format(shian.DateLayout), d.PublishedOn.Format(shian.DateLayout), nullInt(d.ShopID), d.Licence,
				d.PartyName, d.CreditCode, d.Violation, d.LegalBasis, jsonText(d.Penalties), d.FineYuan, d.Authority, d.Source, d.RecordedBy}
			res, err := tx.ExecContext(ctx, db.Q(`UPDATE enforcement_decisions SET decided_on = ?, published_on = ?, shop_id = ?, licence = ?,
				party_name = ?, credit_code = ?, violation = ?, legal_basis = ?, penalties = ?, fine_yuan = ?, authority = ?, source = ?,
				recorded_by = ? WHERE number = ?`), append(args, d.Number)...)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				st.Updated++
				continue
			}
			if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO enforcement_decisions (decided_on, published_on, shop_id, licence, party_name,
				credit_code, violation, legal_basis, penalties, fine_yuan, authority, source, recorded_by, number, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), append(args, d.Number, now)...); err != nil {
				return err
			}
			st.Created++
		}
		return db.appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return st, unavailable(fmt.Errorf("save decisions: %w", err))
	}
	return st, nil
}

// AttachReply stores the shop's written reply to a complaint (one per
// complaint; a second replaces nothing: ECONFLICT), with its audit entry.
func (db *DB) AttachReply(ctx context.Context, complaintID, shopID int64, r shian.ShopReply, audit []staff.AuditEntry) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, db.Q(`INSERT INTO shop_replies (complaint_id, shop_id, text, attached_by, created_at) VALUES (?, ?, ?, ?, ?)`),
			complaintID, shopID, r.Text, r.AttachedBy, r.At.UTC())
		if isUniqueViolation(err) {
			return &shian.Error{Code: shian.ECONFLICT, Key: "reply_exists", Message: "this complaint already has the shop's reply"}
		} else if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, audit)
	})
	if shian.ErrorCode(err) == shian.EINTERNAL {
		return unavailable(fmt.Errorf("attach reply: %w", err))
	}
	return err
}
