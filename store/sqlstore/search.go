package sqlstore

import (
	"context"
	"math"
	"sort"
	"strings"

	"shian"
)

// maxGeoCandidates bounds how many shops a degraded radius search ranks in memory.
const maxGeoCandidates = 5000

// SearchShops answers a shop query from the store: the degraded path used
// when Meilisearch is down, slow or not configured. It matches the query
// text as a substring of the name, aliases, foreign names, stored keywords
// (pinyin) and address; filters like the search index; and ranks by grade.
func (db *DB) SearchShops(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, error) {
	where, args := db.searchWhere(q)
	res := &shian.ShopResults{Facets: map[string]map[string]int{}}
	for facet, col := range map[string]string{"district": "district", "grade": "dynamic_grade", "category": "category"} {
		rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+col+`, COUNT(*) FROM shops WHERE `+where+` GROUP BY `+col), args...)
		if err != nil {
			return nil, unavailable(err)
		}
		counts := map[string]int{}
		for rows.Next() {
			var k string
			var n int
			if err := rows.Scan(&k, &n); err != nil {
				rows.Close()
				return nil, err
			}
			counts[k] = n
			if facet == "district" {
				res.Total += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		res.Facets[facet] = counts
	}
	if q.HasGeo {
		return db.searchNear(ctx, q, where, args, res)
	}
	order := `grade_rank DESC, id`
	if q.Sort == "relevance" && q.Text != "" {
		// Prefer name matches over address matches, then grade.
		order = `CASE WHEN ` + db.like("name") + ` THEN 0 ELSE 1 END, grade_rank DESC, id`
		args = append(args, likePattern(q.Text))
	}
	args = append(args, q.Limit, q.Offset)
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+shopColumns+` FROM shops WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	for rows.Next() {
		s, err := scanShop(rows)
		if err != nil {
			return nil, err
		}
		res.Hits = append(res.Hits, shian.ShopHit{Shop: s, Grade: s.Grade})
	}
	return res, rows.Err()
}

func (db *DB) searchNear(ctx context.Context, q shian.ShopQuery, where string, args []any, res *shian.ShopResults) (*shian.ShopResults, error) {
	args = append(args, maxGeoCandidates)
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+shopColumns+` FROM shops WHERE `+where+` LIMIT ?`), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	var hits []shian.ShopHit
	for rows.Next() {
		s, err := scanShop(rows)
		if err != nil {
			return nil, err
		}
		d := shian.DistanceM(q.Lat, q.Lng, s.Lat, s.Lng)
		if d <= q.RadiusM {
			hits = append(hits, shian.ShopHit{Shop: s, Grade: s.Grade, DistanceM: &d})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if q.Sort == "grade" {
			ri, rj := shian.GradeRank(hits[i].Grade.Dynamic), shian.GradeRank(hits[j].Grade.Dynamic)
			if ri != rj {
				return ri > rj
			}
		}
		return *hits[i].DistanceM < *hits[j].DistanceM
	})
	// The facet counts above used the bounding box; the radius is exact.
	res.Total = len(hits)
	if q.Offset < len(hits) {
		res.Hits = hits[q.Offset:min(len(hits), q.Offset+q.Limit)]
	}
	return res, nil
}

func (db *DB) like(col string) string {
	return col + " " + db.Dialect.ILike + ` ? ESCAPE '\'`
}

func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// searchWhere builds the WHERE clause with bound values only: no user text
// is ever concatenated into SQL.
func (db *DB) searchWhere(q shian.ShopQuery) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	for _, word := range strings.Fields(q.Text) {
		p := likePattern(word)
		var ors []string
		for _, col := range []string{"name", "aliases", "name_en", "name_ru", "keywords", "address", "licence"} {
			ors = append(ors, db.like(col))
			args = append(args, p)
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	in := func(col string, vals []string) {
		if len(vals) == 0 {
			return
		}
		conds = append(conds, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
		for _, v := range vals {
			args = append(args, v)
		}
	}
	in("district", q.Districts)
	in("category", q.Categories)
	if len(q.Grades) > 0 {
		var dyn, ann []string
		for _, g := range q.Grades {
			if g == "A" || g == "B" || g == "C" {
				ann = append(ann, g)
			} else {
				dyn = append(dyn, g)
			}
		}
		var ors []string
		for col, vals := range map[string][]string{"dynamic_grade": dyn, "annual_grade": ann} {
			if len(vals) == 0 {
				continue
			}
			ors = append(ors, col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
			for _, v := range vals {
				args = append(args, v)
			}
		}
		conds = append(conds, "("+strings.Join(ors, " OR ")+")")
	}
	if q.OpenOnly {
		conds = append(conds, "status = 'open'")
	}
	if q.HasGeo {
		dLat := q.RadiusM / 111320
		dLng := q.RadiusM / (111320 * math.Cos(q.Lat*math.Pi/180))
		conds = append(conds, "lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?")
		args = append(args, q.Lat-dLat, q.Lat+dLat, q.Lng-dLng, q.Lng+dLng)
	}
	return strings.Join(conds, " AND "), args
}
