package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shian"
)

// AddScans adds sticker scan counts for one day (YYYY-MM-DD) in one
// transaction. Counts of shops that no longer exist are dropped.
func (db *DB) AddScans(ctx context.Context, day string, counts map[int64]int) error {
	if len(counts) == 0 {
		return nil
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, db.Q(`INSERT INTO shop_scans (shop_id, day, scans)
			SELECT id, ?, ? FROM shops WHERE id = ?
			ON CONFLICT (shop_id, day) DO UPDATE SET scans = shop_scans.scans + excluded.scans`))
		if err != nil {
			return unavailable(err)
		}
		defer stmt.Close()
		for id, n := range counts {
			if _, err := stmt.ExecContext(ctx, day, n, id); err != nil {
				return fmt.Errorf("add scans: %w", err)
			}
		}
		return nil
	})
}

// ShopScans returns a shop's daily scan counts from day from (inclusive), oldest first.
func (db *DB) ShopScans(ctx context.Context, shopID int64, from string) ([]shian.DailyScans, error) {
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT day, scans FROM shop_scans WHERE shop_id = ? AND day >= ? ORDER BY day`), shopID, from)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	out := []shian.DailyScans{}
	for rows.Next() {
		var d shian.DailyScans
		if err := rows.Scan(&d.Day, &d.Scans); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ReissueSticker increments a shop's sticker version, so that its older
// stickers show as outdated, and returns the new version. Errors: ENOTFOUND.
func (db *DB) ReissueSticker(ctx context.Context, licence string) (int, error) {
	var v int
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, db.Q(`UPDATE shops SET sticker_version = sticker_version + 1, updated_at = ?
			WHERE licence = ? RETURNING sticker_version`), db.Now().UTC(), licence).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return notFoundShop(licence)
		}
		return err
	})
	return v, err
}
