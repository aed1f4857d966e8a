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

var _ inspections.Store = (*DB)(nil)

const recordColumns = `r.id, r.draft_key, r.draft_hash, r.shop_id, s.licence, r.type, r.date, r.inspectors, r.items, r.overall, r.score,
	r.result, r.rectify_days, r.rectify_due, r.rectify_met, r.rectify_met_by, r.follow_up_of, r.case_id, r.plan_id, r.photos,
	r.notes, r.district, r.grid, r.recorded_by, r.supersedes, r.supersede_reason, r.superseded_by, r.created_at,
	COALESCE((SELECT ticket FROM complaints c WHERE c.id = r.case_id), '')`

const recordFrom = ` FROM inspection_records r JOIN shops s ON s.id = r.shop_id`

func scanRecord(row scanner) (*shian.InspectionRecord, error) {
	var r shian.InspectionRecord
	var date, due, inspectors, items, photos string
	var score sql.NullFloat64
	var met, metBy, followUp, caseID, planID, supersedes, supersededBy sql.NullInt64
	err := row.Scan(&r.ID, &r.DraftKey, &r.DraftHash, &r.ShopID, &r.Licence, &r.Type, &date, &inspectors, &items, &r.Overall, &score,
		&r.Result, &r.RectifyDays, &due, &met, &metBy, &followUp, &caseID, &planID, &photos,
		&r.Notes, &r.District, &r.Grid, &r.RecordedBy, &supersedes, &r.SupersedeReason, &supersededBy, &r.CreatedAt, &r.CaseTicket)
	if err != nil {
		return nil, err
	}
	r.Date, _ = shian.ParseDate(date)
	if due != "" {
		r.RectifyDue, _ = shian.ParseDate(due)
	}
	if score.Valid {
		v := score.Float64
		r.Score = &v
	}
	if met.Valid {
		v := met.Int64 == 1
		r.RectifyMet = &v
	}
	r.RectifyMetBy, r.FollowUpOf, r.CaseID, r.PlanID = metBy.Int64, followUp.Int64, caseID.Int64, planID.Int64
	r.Supersedes, r.SupersededBy = supersedes.Int64, supersededBy.Int64
	for _, f := range []struct {
		s string
		v any
	}{{inspectors, &r.Inspectors}, {items, &r.Items}, {photos, &r.Photos}} {
		if err := json.Unmarshal([]byte(f.s), f.v); err != nil {
			return nil, fmt.Errorf("inspection record %d: %w", r.ID, err)
		}
	}
	return &r, nil
}

func notFoundRecord(id int64) error {
	return &shian.Error{Code: shian.ENOTFOUND, Message: fmt.Sprintf("no inspection record %d", id), Key: "inspection_not_found", Args: []any{id}}
}

// InspectionRecord implements inspections.Store. Errors: ENOTFOUND.
func (db *DB) InspectionRecord(ctx context.Context, id int64) (*shian.InspectionRecord, error) {
	r, err := scanRecord(db.DB.QueryRowContext(ctx, db.Q(`SELECT `+recordColumns+recordFrom+` WHERE r.id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFoundRecord(id)
	} else if err != nil {
		return nil, unavailable(fmt.Errorf("inspection record %d: %w", id, err))
	}
	return r, nil
}

// ShopRecords returns a shop's inspection records, newest first, the
// superseded ones included (they are never deleted).
func (db *DB) ShopRecords(ctx context.Context, shopID int64) ([]*shian.InspectionRecord, error) {
	return db.records(ctx, ` WHERE r.shop_id = ? ORDER BY r.date DESC, r.id DESC`, shopID)
}

func (db *DB) records(ctx context.Context, where string, args ...any) ([]*shian.InspectionRecord, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+recordColumns+recordFrom+where), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var out []*shian.InspectionRecord
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// OpenOrders implements inspections.Store.
func (db *DB) OpenOrders(ctx context.Context, district, grid string, limit int) ([]*shian.InspectionRecord, error) {
	where, args := ` WHERE r.rectify_due <> '' AND r.rectify_met IS NULL AND r.superseded_by IS NULL`, []any{}
	if district != "" {
		where += ` AND r.district = ?`
		args = append(args, district)
	}
	if grid != "" {
		where += ` AND r.grid = ?`
		args = append(args, grid)
	}
	return db.records(ctx, where+` ORDER BY r.rectify_due, r.id LIMIT ?`, append(args, limit)...)
}

// errDraftRace is a concurrent submission of the same draft that lost
// the race for the draft key: the caller reads the winner's record.
var errDraftRace = errors.New("draft recorded concurrently")

// RecordInspection implements inspections.Store.
func (db *DB) RecordInspection(ctx context.Context, w inspections.Write) (*shian.InspectionRecord, bool, error) {
	r := w.Record
	var got *shian.InspectionRecord
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		got = nil
		prev, err := scanRecord(db.txQueryRow(ctx, tx, `SELECT `+recordColumns+recordFrom+` WHERE r.draft_key = ?`, r.DraftKey))
		if err == nil {
			got = prev
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return db.recordTx(ctx, tx, w)
	})
	if errors.Is(err, errDraftRace) {
		prev, err := scanRecord(db.DB.QueryRowContext(ctx, db.Q(`SELECT `+recordColumns+recordFrom+` WHERE r.draft_key = ?`), r.DraftKey))
		if err != nil {
			return nil, false, unavailable(fmt.Errorf("read concurrent draft: %w", err))
		}
		return prev, true, nil
	}
	if err != nil {
		if shian.ErrorCode(err) == shian.EINTERNAL {
			err = unavailable(fmt.Errorf("record inspection: %w", err))
		}
		return nil, false, err
	}
	if got != nil {
		return got, true, nil
	}
	return r, false, nil
}

func (db *DB) recordTx(ctx context.Context, tx *sql.Tx, w inspections.Write) error {
	r := w.Record
	now := db.Now().UTC()
	// Lock the shop first: two inspections of one shop recorded at once
	// must not each compute the grade without the other's row.
	lock := ""
	if db.Dialect.ForUpdate != "" {
		lock = " FOR UPDATE"
	}
	var shopStatus, licensedOn, licence string
	if err := db.txQueryRow(ctx, tx, `SELECT status, licensed_on, licence FROM shops WHERE id = ?`+lock, r.ShopID).
		Scan(&shopStatus, &licensedOn, &licence); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return notFoundShop(r.ShopID)
		}
		return err
	}
	if w.Verify != nil {
		err := db.updateCasesTx(ctx, tx, []string{r.CaseTicket}, staff.LockWait, func(cs []*staff.Case) (*staff.Change, error) {
			return w.Verify(cs[0])
		})
		if err != nil {
			return err
		}
	}
	var score any
	if r.Score != nil {
		score = *r.Score
	}
	err := db.txQueryRow(ctx, tx, `INSERT INTO inspection_records (draft_key, draft_hash, shop_id, type, date, inspectors, items,
		overall, score, result, rectify_days, rectify_due, follow_up_of, case_id, plan_id, photos, notes, district, grid, recorded_by,
		supersedes, supersede_reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.DraftKey, r.DraftHash, r.ShopID, r.Type, r.Date.Format(shian.DateLayout), jsonText(r.Inspectors), jsonText(r.Items),
		r.Overall, score, r.Result, r.RectifyDays, nullDate(r.RectifyDue), nullInt(r.FollowUpOf), nullInt(r.CaseID), nullInt(r.PlanID),
		jsonText(nonNilPhotos(r.Photos)), r.Notes, r.District, r.Grid, r.RecordedBy, nullInt(r.Supersedes), r.SupersedeReason, now).Scan(&r.ID)
	if isUniqueViolation(err) {
		return errDraftRace
	} else if err != nil {
		return fmt.Errorf("insert inspection record: %w", err)
	}
	r.CreatedAt = now
	if r.CaseID != 0 {
		if _, err := tx.ExecContext(ctx, db.Q(`INSERT INTO case_inspections (complaint_id, record_id, created_at) VALUES (?, ?, ?)`),
			r.CaseID, r.ID, now); err != nil {
			return fmt.Errorf("link case: %w", err)
		}
	}
	if r.Supersedes != 0 {
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE inspection_records SET superseded_by = ? WHERE id = ? AND superseded_by IS NULL`), r.ID, r.Supersedes)
		if err != nil {
			return fmt.Errorf("supersede: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &shian.Error{Code: shian.ECONFLICT, Field: "supersedes", Key: "inspection_already_superseded",
				Message: fmt.Sprintf("record %d was already corrected by another record", r.Supersedes)}
		}
		if _, err := tx.ExecContext(ctx, db.Q(`UPDATE inspections SET superseded_by = ? WHERE record_id = ?`), r.ID, r.Supersedes); err != nil {
			return fmt.Errorf("supersede history: %w", err)
		}
	}
	if w.FollowUpMet != nil {
		met := 0
		if *w.FollowUpMet {
			met = 1
		}
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE inspection_records SET rectify_met = ?, rectify_met_by = ?
			WHERE id = ? AND rectify_met IS NULL AND superseded_by IS NULL`), met, r.ID, r.FollowUpOf)
		if err != nil {
			return fmt.Errorf("close order: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &shian.Error{Code: shian.ECONFLICT, Field: "follow_up_of", Key: "inspection_order_closed",
				Message: fmt.Sprintf("the order of record %d was already followed up", r.FollowUpOf)}
		}
	}
	if r.Result != "" {
		in := r.PublicInspection()
		if _, err := db.txExec(ctx, tx, `INSERT INTO inspections (shop_id, date, result, score, items_failed, notes, inspector, record_id, item_codes)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ShopID, in.Date.Format(shian.DateLayout), in.Result, score, jsonText(nonNil(in.ItemsFailed)),
			"", in.Inspector, r.ID, jsonText(nonNil(in.ItemCodes))); err != nil {
			return fmt.Errorf("insert history: %w", err)
		}
	}
	if err := db.regradeTx(ctx, tx, r.ShopID, shopStatus, licensedOn, now); err != nil {
		return err
	}
	if _, err := db.txExec(ctx, tx, `INSERT INTO outbox (shop_id, licence, created_at) VALUES (?, ?, ?)`, r.ShopID, licence, now); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	audit := append([]staff.AuditEntry(nil), w.Audit...)
	if len(audit) > 0 {
		audit[0].Detail = fmt.Sprintf("record=%d %s", r.ID, audit[0].Detail)
	}
	return db.appendAudit(ctx, tx, audit)
}

// regradeTx recomputes a shop's grade from its history as the
// transaction sees it, and stores it with the shop.
func (db *DB) regradeTx(ctx context.Context, tx *sql.Tx, shopID int64, status, licensedOn string, now time.Time) error {
	s := &shian.Shop{ID: shopID, Status: status}
	if licensedOn != "" {
		s.LicensedOn, _ = shian.ParseDate(licensedOn)
	}
	rows, err := db.txQuery(ctx, tx, `SELECT shop_id, date, result, score, items_failed, notes, inspector, item_codes
		FROM inspections WHERE shop_id = ? AND superseded_by IS NULL`, shopID)
	if err != nil {
		return fmt.Errorf("regrade: %w", err)
	}
	for rows.Next() {
		var id int64
		in, err := scanInspection(rows, &id)
		if err != nil {
			rows.Close()
			return err
		}
		s.Inspections = append(s.Inspections, in)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = db.txQuery(ctx, tx, `SELECT year, grade FROM annual_grades WHERE shop_id = ?`, shopID)
	if err != nil {
		return fmt.Errorf("regrade: %w", err)
	}
	for rows.Next() {
		var a shian.AnnualGrade
		if err := rows.Scan(&a.Year, &a.Grade); err != nil {
			rows.Close()
			return err
		}
		s.Annual = append(s.Annual, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	g := shian.ComputeGrade(s, now)
	_, err = db.txExec(ctx, tx, `UPDATE shops SET dynamic_grade = ?, dynamic_date = ?, annual_grade = ?, annual_year = ?,
		annual_supplied = ?, grade_rank = ?, updated_at = ? WHERE id = ?`,
		g.Dynamic, g.DynamicDate, g.Annual, g.AnnualYear, g.AnnualSupplied, shian.GradeRank(g.Dynamic), now, shopID)
	if err != nil {
		return fmt.Errorf("regrade: %w", err)
	}
	return nil
}

func nonNilPhotos(p []shian.ComplaintPhoto) []shian.ComplaintPhoto {
	if p == nil {
		return []shian.ComplaintPhoto{}
	}
	return p
}
