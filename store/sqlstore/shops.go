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
)

var _ shian.ShopService = (*DB)(nil)
var _ shian.OutboxService = (*DB)(nil)

const shopColumns = `id, licence, credit_code, name, name_en, name_ru, aliases, category, address, district, grid,
	lat, lng, phone, status, licensed_on, haccp, sticker_version,
	dynamic_grade, dynamic_date, annual_grade, annual_year, annual_supplied, updated_at,
	address_en, address_ru, name_en_generated, name_ru_generated`

type scanner interface{ Scan(...any) error }

func scanShop(row scanner) (*shian.Shop, error) {
	var s shian.Shop
	var aliases, licensedOn string
	var lat, lng sql.NullFloat64
	g := &s.Grade
	err := row.Scan(&s.ID, &s.Licence, &s.CreditCode, &s.Name, &s.NameEN, &s.NameRU, &aliases, &s.Category,
		&s.Address, &s.District, &s.Grid, &lat, &lng, &s.Phone, &s.Status, &licensedOn, &s.HACCP, &s.StickerVersion,
		&g.Dynamic, &g.DynamicDate, &g.Annual, &g.AnnualYear, &g.AnnualSupplied, &s.UpdatedAt,
		&s.AddressEN, &s.AddressRU, &s.NameENGenerated, &s.NameRUGenerated)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(aliases), &s.Aliases); err != nil {
		return nil, fmt.Errorf("shop %s aliases: %w", s.Licence, err)
	}
	if lat.Valid && lng.Valid {
		s.Lat, s.Lng, s.HasGeo = lat.Float64, lng.Float64, true
	}
	if licensedOn != "" {
		s.LicensedOn, _ = shian.ParseDate(licensedOn)
	}
	g.Status = s.Status
	if s.Status != shian.StatusOpen {
		g.StatusNote = s.Status
	}
	return &s, nil
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func nullGeo(s *shian.Shop) (lat, lng any) {
	if !s.HasGeo {
		return nil, nil
	}
	return s.Lat, s.Lng
}

func nullDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(shian.DateLayout)
}

// upsertChunk is how many shops one round of statements writes: each kind
// of row goes in one multi-row statement per chunk, keeping the number of
// bound parameters under SQLite's limit (32,766).
const upsertChunk = 500

// maxParams bounds the parameters of one multi-row INSERT.
const maxParams = 30000

// UpsertShops implements shian.ShopService. Shops must already be valid;
// the whole batch is one transaction, so a failure writes nothing. When a
// licence appears twice in shops, the later one wins.
func (db *DB) UpsertShops(ctx context.Context, shops []*shian.Shop) (shian.ImportStats, error) {
	var st shian.ImportStats
	now := db.Now().UTC()
	shops = lastByLicence(shops)
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		st = shian.ImportStats{}
		update, err := tx.PrepareContext(ctx, db.Q(`UPDATE shops SET credit_code = ?, name = ?, name_en = ?, name_ru = ?,
			aliases = ?, category = ?, address = ?, district = ?, grid = ?, lat = ?, lng = ?, phone = ?, status = ?,
			licensed_on = ?, haccp = ?, keywords = ?, dynamic_grade = ?, dynamic_date = ?, annual_grade = ?,
			annual_year = ?, annual_supplied = ?, grade_rank = ?, address_en = ?, address_ru = ?,
			name_en_generated = ?, name_ru_generated = ?, updated_at = ? WHERE id = ?`))
		if err != nil {
			return err
		}
		defer update.Close()
		for start := 0; start < len(shops); start += upsertChunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			chunk := shops[start:min(len(shops), start+upsertChunk)]
			created, updated, err := db.upsertChunk(ctx, tx, update, chunk, now)
			if err != nil {
				return err
			}
			st.Created += created
			st.Updated += updated
		}
		return nil
	})
	return st, err
}

func lastByLicence(shops []*shian.Shop) []*shian.Shop {
	last := make(map[string]int, len(shops))
	for i, s := range shops {
		last[s.Licence] = i
	}
	if len(last) == len(shops) {
		return shops
	}
	out := make([]*shian.Shop, 0, len(last))
	for i, s := range shops {
		if last[s.Licence] == i {
			out = append(out, s)
		}
	}
	return out
}

// shopRow returns the column values of a shop after licence, in the order
// of the INSERT and UPDATE statements.
func (db *DB) shopRow(s *shian.Shop, now time.Time) []any {
	g := shian.ComputeGrade(s, now)
	s.Grade = g
	lat, lng := nullGeo(s)
	kw := db.searchText(s)
	return []any{s.CreditCode, s.Name, s.NameEN, s.NameRU, jsonText(nonNil(s.Aliases)),
		s.Category, s.Address, s.District, s.Grid, lat, lng, s.Phone, s.Status, nullDate(s.LicensedOn), s.HACCP, kw,
		g.Dynamic, g.DynamicDate, g.Annual, g.AnnualYear, g.AnnualSupplied, shian.GradeRank(g.Dynamic),
		s.AddressEN, s.AddressRU, s.NameENGenerated, s.NameRUGenerated}
}

func (db *DB) upsertChunk(ctx context.Context, tx *sql.Tx, update *sql.Stmt, chunk []*shian.Shop, now time.Time) (created, updated int, err error) {
	// Which licences exist already?
	args := make([]any, len(chunk))
	for i, s := range chunk {
		args[i] = s.Licence
	}
	ids := make(map[string]int64, len(chunk))
	rows, err := tx.QueryContext(ctx, db.Q(`SELECT id, licence FROM shops WHERE licence IN (`+placeholders(len(chunk))+`)`), args...)
	if err != nil {
		return 0, 0, fmt.Errorf("find shops: %w", err)
	}
	for rows.Next() {
		var id int64
		var l string
		if err := rows.Scan(&id, &l); err != nil {
			rows.Close()
			return 0, 0, err
		}
		ids[l] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}

	var fresh []*shian.Shop
	var replaced []any
	for _, s := range chunk {
		id, ok := ids[s.Licence]
		if !ok {
			fresh = append(fresh, s)
			continue
		}
		s.ID = id
		row := append(db.shopRow(s, now), now, id)
		if _, err := update.ExecContext(ctx, row...); err != nil {
			return 0, 0, fmt.Errorf("update shop %s: %w", s.Licence, err)
		}
		replaced = append(replaced, id)
	}
	if len(replaced) > 0 {
		// An import replaces the history it brought, never the inspections
		// officers recorded (record_id set), which only a new record supersedes.
		for _, table := range []string{"inspections WHERE record_id IS NULL AND", "annual_grades WHERE"} {
			q := `DELETE FROM ` + table + ` shop_id IN (` + placeholders(len(replaced)) + `)`
			if _, err := tx.ExecContext(ctx, db.Q(q), replaced...); err != nil {
				return 0, 0, fmt.Errorf("replace history: %w", err)
			}
		}
	}
	if len(fresh) > 0 {
		const cols = 29
		args := make([]any, 0, len(fresh)*cols)
		for _, s := range fresh {
			args = append(args, s.Licence)
			args = append(args, db.shopRow(s, now)...)
			args = append(args, now, now)
		}
		rows, err := tx.QueryContext(ctx, db.Q(`INSERT INTO shops (licence, credit_code, name, name_en, name_ru, aliases,
			category, address, district, grid, lat, lng, phone, status, licensed_on, haccp, keywords,
			dynamic_grade, dynamic_date, annual_grade, annual_year, annual_supplied, grade_rank,
			address_en, address_ru, name_en_generated, name_ru_generated, created_at, updated_at)
			VALUES `+values(len(fresh), cols)+` RETURNING id, licence`), args...)
		if err != nil {
			return 0, 0, fmt.Errorf("insert shops: %w", err)
		}
		byLicence := make(map[string]*shian.Shop, len(fresh))
		for _, s := range fresh {
			byLicence[s.Licence] = s
		}
		for rows.Next() {
			var id int64
			var l string
			if err := rows.Scan(&id, &l); err != nil {
				rows.Close()
				return 0, 0, err
			}
			byLicence[l].ID = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, 0, fmt.Errorf("insert shops: %w", err)
		}
	}

	var ins, annual, outbox [][]any
	for _, s := range chunk {
		for _, in := range s.Inspections {
			var score any
			if in.Score != nil {
				score = *in.Score
			}
			ins = append(ins, []any{s.ID, in.Date.Format(shian.DateLayout), in.Result, score, jsonText(nonNil(in.ItemsFailed)), in.Notes, in.Inspector, jsonText(nonNil(in.ItemCodes))})
		}
		for _, a := range s.Annual {
			annual = append(annual, []any{s.ID, a.Year, a.Grade})
		}
		outbox = append(outbox, []any{s.ID, s.Licence, now})
	}
	for _, w := range []struct {
		head string
		rows [][]any
	}{
		{`INSERT INTO inspections (shop_id, date, result, score, items_failed, notes, inspector, item_codes) VALUES `, ins},
		{`INSERT INTO annual_grades (shop_id, year, grade) VALUES `, annual},
		{`INSERT INTO outbox (shop_id, licence, created_at) VALUES `, outbox},
	} {
		if err := db.insertRows(ctx, tx, w.head, w.rows); err != nil {
			return 0, 0, err
		}
	}
	return len(fresh), len(replaced), nil
}

// insertRows runs head with as many rows per statement as the parameter
// limit allows.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, head string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	cols := len(rows[0])
	per := maxParams / cols
	for len(rows) > 0 {
		n := min(len(rows), per)
		args := make([]any, 0, n*cols)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, db.Q(head+values(n, cols)), args...); err != nil {
			return fmt.Errorf("%s…: %w", strings.TrimSpace(head[:30]), err)
		}
		rows = rows[n:]
	}
	return nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func notFoundShop(key any) error {
	return &shian.Error{Code: shian.ENOTFOUND, Message: fmt.Sprintf("no shop %v", key), Key: "shop_not_found", Args: []any{key}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// values returns "(?, ?), (?, ?)" for rows rows of cols columns.
func values(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// shopWhere reads a shop and its history from the tables; reads go
// through the view rows (shopView in views.go), which it rebuilds.
func (db *DB) shopWhere(ctx context.Context, where string, arg any) (*shian.Shop, error) {
	s, err := scanShop(db.txQueryRow(ctx, nil, `SELECT `+shopColumns+` FROM shops WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFoundShop(arg)
	} else if err != nil {
		return nil, unavailable(fmt.Errorf("shop %v: %w", arg, err))
	}
	if err := db.loadHistory(ctx, []*shian.Shop{s}); err != nil {
		return nil, err
	}
	s.Grade = shian.ComputeGrade(s, db.Now())
	return s, nil
}

// loadHistory fills inspections (newest first) and annual grades of shops.
func (db *DB) loadHistory(ctx context.Context, shops []*shian.Shop) error {
	if len(shops) == 0 {
		return nil
	}
	byID := make(map[int64]*shian.Shop, len(shops))
	ids := make([]any, len(shops))
	for i, s := range shops {
		byID[s.ID] = s
		ids[i] = s.ID
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	// One shop (every page view) goes through the statement cache; lists vary
	// in length and are prepared each time.
	query := func(q string) (*sql.Rows, error) {
		if len(ids) == 1 {
			return db.txQuery(ctx, nil, q, ids...)
		}
		return db.DB.QueryContext(ctx, db.Q(q), ids...)
	}
	rows, err := query(`SELECT shop_id, date, result, score, items_failed, notes, inspector, item_codes
		FROM inspections WHERE shop_id IN ` + in + ` AND superseded_by IS NULL ORDER BY shop_id, date DESC, id DESC`)
	if err != nil {
		return unavailable(fmt.Errorf("inspections: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		in, err := scanInspection(rows, &id)
		if err != nil {
			return err
		}
		byID[id].Inspections = append(byID[id].Inspections, in)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	rows, err = query(`SELECT shop_id, year, grade FROM annual_grades WHERE shop_id IN ` + in + ` ORDER BY shop_id, year`)
	if err != nil {
		return unavailable(fmt.Errorf("annual grades: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a shian.AnnualGrade
		if err := rows.Scan(&id, &a.Year, &a.Grade); err != nil {
			return err
		}
		byID[id].Annual = append(byID[id].Annual, a)
	}
	return rows.Err()
}

func scanInspection(row scanner, shopID *int64) (shian.Inspection, error) {
	var in shian.Inspection
	var date, items, codes string
	var score sql.NullFloat64
	if err := row.Scan(shopID, &date, &in.Result, &score, &items, &in.Notes, &in.Inspector, &codes); err != nil {
		return in, err
	}
	in.Date, _ = shian.ParseDate(date)
	if score.Valid {
		v := score.Float64
		in.Score = &v
	}
	if err := json.Unmarshal([]byte(items), &in.ItemsFailed); err != nil {
		return in, fmt.Errorf("inspection items: %w", err)
	}
	if codes != "[]" {
		if err := json.Unmarshal([]byte(codes), &in.ItemCodes); err != nil {
			return in, fmt.Errorf("inspection item codes: %w", err)
		}
	}
	return in, nil
}

// ShopInspections implements shian.ShopService.
func (db *DB) ShopInspections(ctx context.Context, licence string, offset, limit int) ([]shian.Inspection, int, error) {
	var id int64
	var total int
	err := db.DB.QueryRowContext(ctx, db.Q(`SELECT s.id, (SELECT COUNT(*) FROM inspections i WHERE i.shop_id = s.id AND i.superseded_by IS NULL)
		FROM shops s WHERE s.licence = ?`), licence).Scan(&id, &total)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, notFoundShop(licence)
	} else if err != nil {
		return nil, 0, unavailable(err)
	}
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT shop_id, date, result, score, items_failed, notes, inspector, item_codes
		FROM inspections WHERE shop_id = ? AND superseded_by IS NULL ORDER BY date DESC, id DESC LIMIT ? OFFSET ?`), id, limit, offset)
	if err != nil {
		return nil, 0, unavailable(err)
	}
	defer rows.Close()
	out := []shian.Inspection{}
	for rows.Next() {
		in, err := scanInspection(rows, &id)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, in)
	}
	return out, total, rows.Err()
}

// ListShops implements shian.ShopService: shops in id order with history.
func (db *DB) ListShops(ctx context.Context, f shian.ShopFilter) ([]*shian.Shop, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	where, args := `id > ?`, []any{f.AfterID}
	if f.District != "" {
		where += ` AND district = ?`
		args = append(args, f.District)
	}
	args = append(args, f.Limit)
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+shopColumns+` FROM shops WHERE `+where+` ORDER BY id LIMIT ?`), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var out []*shian.Shop
	for rows.Next() {
		s, err := scanShop(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := db.loadHistory(ctx, out); err != nil {
		return nil, err
	}
	now := db.Now()
	for _, s := range out {
		s.Grade = shian.ComputeGrade(s, now)
	}
	return out, nil
}

// CountShops returns the number of shops.
func (db *DB) CountShops(ctx context.Context) (int, error) {
	var n int
	err := db.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM shops`).Scan(&n)
	return n, unavailable(err)
}

// PendingOutbox implements shian.OutboxService.
func (db *DB) PendingOutbox(ctx context.Context, limit int) ([]shian.OutboxEntry, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT id, shop_id, licence, created_at, attempts, last_error
		FROM outbox ORDER BY id LIMIT ?`), limit)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var out []shian.OutboxEntry
	for rows.Next() {
		var e shian.OutboxEntry
		if err := rows.Scan(&e.ID, &e.ShopID, &e.Licence, &e.CreatedAt, &e.Attempts, &e.LastError); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// CompleteOutbox implements shian.OutboxService.
func (db *DB) CompleteOutbox(ctx context.Context, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		in := "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
		if _, err := db.DB.ExecContext(ctx, db.Q(`DELETE FROM outbox WHERE id IN `+in), args...); err != nil {
			return unavailable(err)
		}
		ids = ids[n:]
	}
	return nil
}

// FailOutbox implements shian.OutboxService.
func (db *DB) FailOutbox(ctx context.Context, id int64, msg string) error {
	_, err := db.DB.ExecContext(ctx, db.Q(`UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?`), msg, id)
	return unavailable(err)
}

// OutboxLag implements shian.OutboxService.
func (db *DB) OutboxLag(ctx context.Context) (int, time.Time, error) {
	var n int
	if err := db.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil {
		return 0, time.Time{}, unavailable(err)
	}
	var oldest time.Time
	err := db.DB.QueryRowContext(ctx, `SELECT created_at FROM outbox ORDER BY id LIMIT 1`).Scan(&oldest)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, unavailable(err)
	}
	return n, oldest, nil
}
