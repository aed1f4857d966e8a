package sqlstore

import (
	"context"
	"database/sql"
	"math"
	"sort"
	"strconv"
	"strings"

	"shian"
)

// maxGeoCandidates bounds how many shops a degraded radius search ranks in memory.
const maxGeoCandidates = 5000

// maxTextCandidates bounds how many shops a degraded text search ranks: a
// one-character query (海) can match tens of thousands; the index answers
// them in id order and the best-ranked of the first maxTextCandidates are
// shown. Totals and facets count every match.
const maxTextCandidates = 5000

// TextSearch is how a database asks its text index (see the 0008
// migrations): Match is a condition on shops with one placeholder, the
// query Query renders.
type TextSearch struct {
	Match string
	Query func([]shian.TextGroup) string
}

// SQLiteText asks the FTS5 table shops_fts.
var SQLiteText = TextSearch{
	Match: `id IN (SELECT rowid FROM shops_fts WHERE shops_fts MATCH ?)`,
	Query: func(groups []shian.TextGroup) string {
		return renderText(groups, " AND ", " OR ", func(t shian.TextTerm) string {
			// A quoted string is a phrase; "..."* makes its last token a prefix.
			q := `"` + strings.ReplaceAll(strings.Join(t.Tokens, " "), `"`, `""`) + `"`
			if t.Prefix {
				q += "*"
			}
			return q
		})
	},
}

// PostgresText asks the GIN index on shops.search_tsv.
var PostgresText = TextSearch{
	Match: `search_tsv @@ to_tsquery('simple', ?)`,
	Query: func(groups []shian.TextGroup) string {
		return renderText(groups, " & ", " | ", func(t shian.TextTerm) string {
			parts := make([]string, len(t.Tokens))
			for i, tok := range t.Tokens {
				parts[i] = `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(tok) + `'`
			}
			if t.Prefix {
				parts[len(parts)-1] += ":*"
			}
			return "(" + strings.Join(parts, " <-> ") + ")"
		})
	},
}

func renderText(groups []shian.TextGroup, and, or string, term func(shian.TextTerm) string) string {
	var gs []string
	for _, g := range groups {
		var ts []string
		for _, t := range g {
			if len(t.Tokens) > 0 {
				ts = append(ts, term(t))
			}
		}
		if len(ts) > 0 {
			gs = append(gs, "("+strings.Join(ts, or)+")")
		}
	}
	return strings.Join(gs, and)
}

// searchText is what a shop's row holds for the text index: its names,
// licence, credit code and the search package's keywords (pinyin, short
// names), as tokens. Not the address: nearly every address holds 海 (海港区),
// 区, 路 and 号, whose position lists a phrase query would walk for every
// row; addresses are Meilisearch's to search.
func (db *DB) searchText(s *shian.Shop) string {
	parts := append([]string{s.Name, s.NameEN, s.NameRU, s.Licence, s.CreditCode}, s.Aliases...)
	if db.Keywords != nil {
		parts = append(parts, db.Keywords(s))
	}
	return strings.Join(shian.TextTokens(strings.Join(parts, " ")), " ")
}

// defaultMatch is the text match of a query the search service did not
// prepare: each word's tokens as a phrase, the last one a prefix.
func defaultMatch(text string) []shian.TextGroup {
	var out []shian.TextGroup
	for _, w := range strings.Fields(text) {
		if toks := shian.TextTokens(w); len(toks) > 0 {
			out = append(out, shian.TextGroup{{Tokens: toks, Prefix: true}})
		}
	}
	return out
}

// SearchShops answers a shop query from the store: the degraded path used
// when Meilisearch is down, slow or not configured. The text goes through
// the text index (q.Match, else the words of q.Text); filters are those of
// the search index. Ranking: an exact name, then names containing the
// text as typed, then open shops by grade.
func (db *DB) SearchShops(ctx context.Context, q shian.ShopQuery) (*shian.ShopResults, error) {
	where, args := db.searchWhere(q)
	res := &shian.ShopResults{Facets: map[string]map[string]int{"district": {}, "grade": {}, "category": {}}}
	if where == "" {
		return res, nil // text with nothing to match
	}
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT district, dynamic_grade, category, COUNT(*) FROM shops WHERE `+where+
		` GROUP BY district, dynamic_grade, category`), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	for rows.Next() {
		var d, g, c string
		var n int
		if err := rows.Scan(&d, &g, &c, &n); err != nil {
			rows.Close()
			return nil, err
		}
		res.Facets["district"][d] += n
		res.Facets["grade"][g] += n
		res.Facets["category"][c] += n
		res.Total += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if res.Total == 0 {
		return res, nil
	}
	if q.HasGeo {
		return db.searchNear(ctx, q, where, args, res)
	}
	text := strings.TrimSpace(q.Text)
	order := `CASE WHEN status = 'open' THEN 1 ELSE 0 END DESC, grade_rank DESC, id`
	if q.Sort != "grade" && text != "" {
		order = `CASE WHEN name = ? THEN 0 WHEN name ` + db.Dialect.ILike + ` ? ESCAPE '\' THEN 1 ELSE 2 END, ` + order
		args = append(args, text, likePattern(text))
	}
	// Rank on the narrow columns of the shops_search index (a text query
	// among its first maxTextCandidates matches only), then read the page's
	// rows: a shop's row is wide (its search text), and reading thousands
	// of them cost more than the rest of the query.
	from := `shops WHERE ` + where
	if len(q.Match) > 0 || text != "" {
		from = `(SELECT id, name, status, grade_rank FROM shops WHERE ` + where + ` LIMIT ` + strconv.Itoa(maxTextCandidates) + `) AS shops`
	}
	args = append(args, q.Limit, q.Offset)
	rows, err = db.DB.QueryContext(ctx, db.Q(`SELECT id FROM `+from+` ORDER BY `+order+` LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	shops, err := db.shopsIn(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, s := range shops {
		res.Hits = append(res.Hits, shian.ShopHit{Shop: s, Grade: s.Grade})
	}
	return res, nil
}

// shopsIn reads the rows of shops ids (without history), in the order of ids.
func (db *DB) shopsIn(ctx context.Context, ids []int64) ([]*shian.Shop, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+shopColumns+` FROM shops WHERE id IN (`+placeholders(len(ids))+`)`), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	byID := make(map[int64]*shian.Shop, len(ids))
	for rows.Next() {
		s, err := scanShop(rows)
		if err != nil {
			return nil, err
		}
		byID[s.ID] = s
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*shian.Shop, 0, len(ids))
	for _, id := range ids {
		if s, ok := byID[id]; ok {
			out = append(out, s)
		}
	}
	return out, nil
}

func (db *DB) searchNear(ctx context.Context, q shian.ShopQuery, where string, args []any, res *shian.ShopResults) (*shian.ShopResults, error) {
	// Narrow columns first (see SearchShops); the page's rows after.
	args = append(args, maxGeoCandidates)
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT id, lat, lng, status, grade_rank FROM shops WHERE `+where+` LIMIT ?`), args...)
	if err != nil {
		return nil, unavailable(err)
	}
	defer rows.Close()
	type near struct {
		id   int64
		d    float64
		rank int
	}
	var hits []near
	for rows.Next() {
		var h near
		var lat, lng float64
		var status string
		if err := rows.Scan(&h.id, &lat, &lng, &status, &h.rank); err != nil {
			return nil, err
		}
		if status != shian.StatusOpen {
			h.rank = -1
		}
		h.d = shian.DistanceM(q.Lat, q.Lng, lat, lng)
		if h.d <= q.RadiusM {
			hits = append(hits, h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Near me: distance, then grade; or grade, then distance.
	sort.SliceStable(hits, func(i, j int) bool {
		if q.Sort == "grade" && hits[i].rank != hits[j].rank {
			return hits[i].rank > hits[j].rank
		}
		if hits[i].d != hits[j].d {
			return hits[i].d < hits[j].d
		}
		return hits[i].rank > hits[j].rank
	})
	// The facet counts above used the bounding box; the radius is exact.
	res.Total = len(hits)
	if q.Offset >= len(hits) {
		return res, nil
	}
	page := hits[q.Offset:min(len(hits), q.Offset+q.Limit)]
	ids := make([]int64, len(page))
	for i, h := range page {
		ids[i] = h.id
	}
	shops, err := db.shopsIn(ctx, ids)
	if err != nil {
		return nil, err
	}
	dist := make(map[int64]float64, len(page))
	for _, h := range page {
		dist[h.id] = h.d
	}
	for _, s := range shops {
		d := dist[s.ID]
		res.Hits = append(res.Hits, shian.ShopHit{Shop: s, Grade: s.Grade, DistanceM: &d})
	}
	return res, nil
}

func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// searchWhere builds the WHERE clause with bound values only: no user text
// is ever concatenated into SQL. It is "" when the query has text but
// nothing in it the index can match (punctuation only).
func (db *DB) searchWhere(q shian.ShopQuery) (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	match := q.Match
	if len(match) == 0 {
		match = defaultMatch(q.Text)
	}
	if len(match) > 0 {
		conds = append(conds, db.Dialect.Text.Match)
		args = append(args, db.Dialect.Text.Query(match))
	} else if strings.TrimSpace(q.Text) != "" {
		return "", nil
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
	in("status", q.Statuses)
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
		for _, f := range []struct {
			col  string
			vals []string
		}{{"dynamic_grade", dyn}, {"annual_grade", ann}} {
			if len(f.vals) == 0 {
				continue
			}
			ors = append(ors, f.col+" IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(f.vals)), ", ")+")")
			for _, v := range f.vals {
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

// ShopsByIdentifier returns up to limit shops whose licence or credit code
// starts with prefix (as stored: upper case), the exact licence or credit
// code first. Both columns are indexed, and a prefix is a range of them.
func (db *DB) ShopsByIdentifier(ctx context.Context, prefix string, limit int) ([]*shian.Shop, error) {
	hi, ok := nextPrefix(prefix)
	cond := `licence >= ? AND licence < ?`
	args := []any{prefix, hi}
	if !ok { // all Z: no upper bound
		cond = `licence >= ?`
		args = args[:1]
	}
	cond2 := strings.ReplaceAll(cond, "licence", "credit_code")
	args = append(args, args...)
	args = append(args, prefix, prefix, limit)
	rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+shopColumns+` FROM shops WHERE (`+cond+`) OR (`+cond2+`)
		ORDER BY CASE WHEN licence = ? OR credit_code = ? THEN 0 ELSE 1 END, licence LIMIT ?`), args...)
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
	return out, rows.Err()
}

// nextPrefix returns the smallest string of [0-9A-Z] after every string
// that starts with p, in an order every collation agrees on for those
// characters (digits before letters): "JY129" → "JY12A", "JZ" → "K".
// ok is false when there is none (p is all Z).
func nextPrefix(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		switch c := b[i]; {
		case c == '9':
			b[i] = 'A'
			return string(b[:i+1]), true
		case c >= '0' && c < '9', c >= 'A' && c < 'Z':
			b[i] = c + 1
			return string(b[:i+1]), true
		}
		// 'Z' (or anything else): carry into the character before.
	}
	return "", false
}

// ShopsByIDs returns the shops with these ids, with their history, in no
// particular order; ids not found are left out. The search syncer reads a
// batch of changed shops with it in a few queries instead of three per shop.
func (db *DB) ShopsByIDs(ctx context.Context, ids []int64) ([]*shian.Shop, error) {
	var out []*shian.Shop
	for start := 0; start < len(ids); start += upsertChunk {
		chunk := ids[start:min(len(ids), start+upsertChunk)]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := db.DB.QueryContext(ctx, db.Q(`SELECT `+shopColumns+` FROM shops WHERE id IN (`+placeholders(len(chunk))+`)`), args...)
		if err != nil {
			return nil, unavailable(err)
		}
		var got []*shian.Shop
		for rows.Next() {
			s, err := scanShop(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			got = append(got, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if err := db.loadHistory(ctx, got); err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	now := db.Now()
	for _, s := range out {
		s.Grade = shian.ComputeGrade(s, now)
	}
	return out, nil
}

// RefreshSearchText rewrites the search text (keywords) of every shop whose
// stored text differs from what searchText gives now: after the migration
// that introduced the text index, or a change of Keywords. It returns how
// many rows it rewrote.
func (db *DB) RefreshSearchText(ctx context.Context) (int, error) {
	n := 0
	var after int64
	for {
		shops, err := db.ListShops(ctx, shian.ShopFilter{AfterID: after, Limit: 1000})
		if err != nil || len(shops) == 0 {
			return n, err
		}
		after = shops[len(shops)-1].ID
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			for _, s := range shops {
				r, err := tx.ExecContext(ctx, db.Q(`UPDATE shops SET keywords = ? WHERE id = ? AND keywords <> ?`), db.searchText(s), s.ID, db.searchText(s))
				if err != nil {
					return err
				}
				k, _ := r.RowsAffected()
				n += int(k)
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
}
