package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"shian"
	"shian/inspections"
)

var _ inspections.PlanStore = (*DB)(nil)

// CreatePlan implements inspections.PlanStore.
func (db *DB) CreatePlan(ctx context.Context, p *inspections.Plan) error {
	err := db.DB.QueryRowContext(ctx, db.Q(`INSERT INTO inspection_plans (district, month, seed, status, created_by, seeded_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`), p.District, p.Month, p.Seed, p.Status, p.CreatedBy, db.Now().UTC()).Scan(&p.ID)
	if isUniqueViolation(err) {
		return &shian.Error{Code: shian.ECONFLICT, Key: "plan_exists", Message: "the plan for " + p.District + " " + p.Month + " already has its seed"}
	}
	return unavailable(err)
}

// Plan implements inspections.PlanStore.
func (db *DB) Plan(ctx context.Context, district, month string) (*inspections.Plan, error) {
	p := &inspections.Plan{}
	var inputs string
	err := db.DB.QueryRowContext(ctx, db.Q(`SELECT id, district, month, seed, status, inputs, inputs_hash, created_by
		FROM inspection_plans WHERE district = ? AND month = ?`), district, month).
		Scan(&p.ID, &p.District, &p.Month, &p.Seed, &p.Status, &inputs, &p.InputsHash, &p.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &shian.Error{Code: shian.ENOTFOUND, Key: "plan_not_found", Message: "no plan for " + district + " " + month}
	} else if err != nil {
		return nil, unavailable(err)
	}
	if inputs != "" {
		p.Inputs = &inspections.PlanInputs{}
		if err := json.Unmarshal([]byte(inputs), p.Inputs); err != nil {
			return nil, fmt.Errorf("plan %d inputs: %w", p.ID, err)
		}
	}
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT shop_id, licence, inspector_a, inspector_b, risk, low_risk FROM plan_items
		WHERE plan_id = ? ORDER BY pos`), p.ID)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	for rows.Next() {
		var it inspections.PlanItem
		var low int
		if err := rows.Scan(&it.ShopID, &it.Licence, &it.Inspectors[0], &it.Inspectors[1], &it.Risk, &low); err != nil {
			return nil, err
		}
		it.LowRisk = low == 1
		p.Items = append(p.Items, it)
	}
	return p, rows.Err()
}

// SaveDraw implements inspections.PlanStore.
func (db *DB) SaveDraw(ctx context.Context, p *inspections.Plan) error {
	inputs, err := json.Marshal(p.Inputs)
	if err != nil {
		return err
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.Q(`UPDATE inspection_plans SET status = ?, inputs = ?, inputs_hash = ?, drawn_at = ?
			WHERE id = ? AND status = ?`), inspections.PlanDrawn, string(inputs), p.InputsHash, db.Now().UTC(), p.ID, inspections.PlanSeeded)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &shian.Error{Code: shian.ECONFLICT, Key: "plan_drawn", Message: "the plan was drawn or published meanwhile"}
		}
		rows := make([][]any, len(p.Items))
		for i, it := range p.Items {
			low := 0
			if it.LowRisk {
				low = 1
			}
			rows[i] = []any{p.ID, i + 1, it.ShopID, it.Licence, it.Inspectors[0], it.Inspectors[1], it.Risk, low}
		}
		return db.insertRows(ctx, tx, `INSERT INTO plan_items (plan_id, pos, shop_id, licence, inspector_a, inspector_b, risk, low_risk) VALUES `, rows)
	})
	return err
}

// PublishPlan implements inspections.PlanStore.
func (db *DB) PublishPlan(ctx context.Context, id int64) error {
	res, err := db.DB.ExecContext(ctx, db.Q(`UPDATE inspection_plans SET status = ?, published_at = ? WHERE id = ? AND status = ?`),
		inspections.PlanPublished, db.Now().UTC(), id, inspections.PlanDrawn)
	if err != nil {
		return unavailable(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &shian.Error{Code: shian.ECONFLICT, Key: "plan_not_drawn", Message: "only a drawn, unpublished plan can be published"}
	}
	return nil
}

// PlanCandidates implements inspections.PlanStore: the district's shops
// that are not closed, with complaints of the last 90 days, the last
// grade and the months since the last inspection; and its officers.
func (db *DB) PlanCandidates(ctx context.Context, district string, now time.Time) ([]inspections.PlanShop, []inspections.PlanInspector, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT s.id, s.licence, s.grid, s.category, s.name, s.dynamic_grade,
		(SELECT COUNT(*) FROM complaints c WHERE c.shop_id = s.id AND c.created_at >= ?),
		COALESCE((SELECT MAX(i.date) FROM inspections i WHERE i.shop_id = s.id AND i.superseded_by IS NULL), '')
		FROM shops s WHERE s.district = ? AND s.status <> 'closed' ORDER BY s.id`), now.Add(-90*24*time.Hour).UTC(), district)
	if err != nil {
		return nil, nil, unavailable(err)
	}
	defer rows.Close()
	var shops []inspections.PlanShop
	for rows.Next() {
		var s inspections.PlanShop
		var name, last string
		if err := rows.Scan(&s.ID, &s.Licence, &s.Grid, &s.Category, &name, &s.LastGrade, &s.Complaints90, &last); err != nil {
			return nil, nil, err
		}
		s.Seafood = strings.Contains(name, "海鲜") || strings.Contains(name, "海产") || strings.Contains(name, "渔")
		s.MonthsSince = -1
		if d, err := shian.ParseDate(last); err == nil {
			s.MonthsSince = float64(int(now.Sub(d).Hours()/24/30.44*10)) / 10
		}
		shops = append(shops, s)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	urows, err := db.DB.QueryContext(ctx, db.Q(`SELECT name, grid FROM users WHERE role = 'officer' AND district = ? AND NOT disabled ORDER BY name`), district)
	if err != nil {
		return nil, nil, unavailable(err)
	}
	defer urows.Close()
	var officers []inspections.PlanInspector
	for urows.Next() {
		var o inspections.PlanInspector
		if err := urows.Scan(&o.Name, &o.Grid); err != nil {
			return nil, nil, err
		}
		officers = append(officers, o)
	}
	return shops, officers, urows.Err()
}
