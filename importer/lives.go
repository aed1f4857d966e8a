package importer

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shian"
)

// The files of a LIVES feed. annual.csv is our extension (supplied annual
// grades); the others are the format's own.
const (
	FileBusinesses  = "businesses.csv"
	FileInspections = "inspections.csv"
	FileViolations  = "violations.csv"
	FileLegend      = "legend.csv"
	FileFeedInfo    = "feed_info.csv"
	FileAnnual      = "annual.csv"
)

// Columns of each file, as ExportLIVES writes them. ParseLIVES requires
// only business_id and name (businesses), business_id and date
// (inspections, violations, annual) and the three legend columns; every
// other column is optional and unknown columns are ignored, as LIVES
// allows.
//
// Our extension columns, beyond LIVES:
//
//	businesses.csv   district     a district code (else city, else Options.Locate); docs/data-contract.md
//	                 category     a shop category code (default restaurant)
//	                 name_en, name_ru, credit_code, grid, phone as in the JSONL format
//	                 status       open (default), suspended, closed
//	                 licensed_on  YYYYMMDD (YYYY-MM-DD accepted)
//	                 haccp        true or false (1/0, yes/no accepted; default false)
//	                 aliases      other names, separated by "|"
//	inspections.csv  result       excellent, good, fair or fail; wins over the legend
//	                 inspector    who inspected
//	annual.csv       business_id, year, grade (A, B or C): supplied annual grades
var (
	BusinessColumns = []string{"business_id", "name", "address", "city", "state", "postal_code", "latitude", "longitude",
		"phone_number", "district", "category", "name_en", "name_ru", "status", "licensed_on", "credit_code", "grid", "haccp", "aliases"}
	InspectionColumns = []string{"business_id", "score", "date", "description", "type", "result", "inspector"}
	ViolationColumns  = []string{"business_id", "date", "code", "description"}
	LegendColumns     = []string{"minimum_score", "maximum_score", "description"}
	FeedInfoColumns   = []string{"feed_date", "feed_version", "municipality_name", "municipality_url", "contact_email"}
	AnnualColumns     = []string{"business_id", "year", "grade"}
)

const livesDate = "20060102"

// OpenLIVES opens a LIVES feed at path, a directory or a .zip file (whose
// files may sit at its root or in one top-level folder). Close the
// returned Closer when done.
func OpenLIVES(path string) (fs.FS, io.Closer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open LIVES feed: %w", err)
	}
	if st.IsDir() {
		return os.DirFS(path), io.NopCloser(nil), nil
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open LIVES feed %s: not a directory nor a zip file: %w", path, err)
	}
	return z, z, nil
}

// feedRoot finds the folder of fsys holding businesses.csv: the root, or
// the one top-level folder a zip of a folder has.
func feedRoot(fsys fs.FS) (fs.FS, error) {
	if _, err := fs.Stat(fsys, FileBusinesses); err == nil {
		return fsys, nil
	}
	matches, _ := fs.Glob(fsys, "*/"+FileBusinesses)
	if len(matches) == 1 {
		return fs.Sub(fsys, path.Dir(matches[0]))
	}
	return nil, shian.Errorf(shian.EINVALID, "not a LIVES feed: no %s at its root or in one top-level folder", FileBusinesses)
}

// ParseLIVES reads a LIVES feed (businesses.csv, inspections.csv and the
// optional violations.csv, legend.csv, annual.csv; feed_info.csv is not
// needed to import) into shops. business_id, upper-cased, is the licence.
// Scores map to results by legend.csv when present, else by docs/grades.md's
// cut-offs; an explicit result column wins. Every bad row is reported with
// its file, line and column, and a business with any bad row (its own or
// one of its inspections, violations or annual grades) is left out of
// Result.Shops. The returned error is for an unreadable feed (EINVALID when
// it is not a LIVES feed at all).
func ParseLIVES(fsys fs.FS, opts Options) (*Result, error) {
	root, err := feedRoot(fsys)
	if err != nil {
		return nil, err
	}
	p := &livesParser{fsys: root, opts: &opts, now: opts.now(), res: &Result{}, byID: map[string]*business{}}
	if err := p.readLegend(); err != nil {
		return nil, err
	}
	if err := p.readBusinesses(); err != nil {
		return nil, err
	}
	for _, step := range []func() error{p.readInspections, p.readViolations, p.readAnnual} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	p.finish()
	return p.res, nil
}

type business struct {
	shop    *shian.Shop
	line    int
	bad     bool
	inLines []int // inspections.csv line of each inspection
	anLines []int // annual.csv line of each annual grade
}

type legendRow struct {
	min, max int
	result   string
}

type livesParser struct {
	fsys   fs.FS
	opts   *Options
	now    time.Time
	res    *Result
	legend []legendRow
	order  []*business
	byID   map[string]*business
	// broken is set when a file cannot be read at all (no header, a
	// missing column): then no shop is imported, as each would lack data.
	broken bool
}

func (p *livesParser) fail(file string, line int, field, format string, args ...any) {
	p.res.Errors = append(p.res.Errors, LineError{File: file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// csvFile reads one CSV file of the feed, row by row, by column name.
type csvFile struct {
	name string
	r    *csv.Reader
	f    fs.File
	col  map[string]int
	rec  []string
	line int
	// invalid is set when the current row was reported as unreadable; its
	// values may still name the business it belongs to.
	invalid bool
}

// openCSV opens name; ok is false when an optional file is absent. A
// missing required column is reported on line 1 and the file is not read.
func (p *livesParser) openCSV(name string, required bool, columns ...string) (*csvFile, bool, error) {
	f, err := p.fsys.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		if required {
			return nil, false, shian.Errorf(shian.EINVALID, "not a LIVES feed: %s is missing", name)
		}
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("open %s: %w", name, err)
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	c := &csvFile{name: name, r: r, f: f, col: map[string]int{}}
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		p.fail(name, 1, "", "the file is empty; it needs a header row")
		p.broken = true
		f.Close()
		return nil, false, nil
	} else if err != nil {
		p.fail(name, 1, "", "%s", csvMessage(err))
		p.broken = true
		f.Close()
		return nil, false, nil
	}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.ToLower(strings.TrimSpace(h))
		if _, dup := c.col[h]; !dup {
			c.col[h] = i
		}
	}
	for _, want := range columns {
		if _, ok := c.col[want]; !ok {
			p.fail(name, 1, want, "missing column (the header must name it)")
			p.broken = true
			f.Close()
			return nil, false, nil
		}
	}
	return c, true, nil
}

// next reads the next row; it returns false at the end. Unparsable rows are
// reported and skipped.
func (c *csvFile) next(p *livesParser) bool {
	for {
		rec, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.fail(c.name, pe.StartLine, "", "%s", csvMessage(err))
				continue
			}
			p.fail(c.name, 0, "", "read: %v", err)
			return false
		}
		c.line, _ = c.r.FieldPos(0)
		c.rec = rec
		c.invalid = false
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		for i, v := range rec {
			if !utf8.ValidString(v) {
				p.fail(c.name, c.line, c.colName(i), "invalid UTF-8 (save the file as UTF-8)")
				c.invalid = true
				break
			}
		}
		return true
	}
}

func (c *csvFile) colName(i int) string {
	for name, j := range c.col {
		if j == i {
			return name
		}
	}
	return "column " + strconv.Itoa(i+1)
}

func (c *csvFile) close() { c.f.Close() }

// get returns the trimmed value of column name in the current row, "" when
// the file has no such column or the row is short.
func (c *csvFile) get(name string) string {
	i, ok := c.col[name]
	if !ok || i >= len(c.rec) {
		return ""
	}
	return strings.TrimSpace(c.rec[i])
}

func (c *csvFile) has(name string) bool { _, ok := c.col[name]; return ok }

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("malformed CSV at column %d: %v", pe.Column, pe.Err)
	}
	return err.Error()
}

// resultWords maps legend descriptions (and result cells) to results.
var resultWords = map[string]string{
	"excellent": shian.ResultExcellent, "优秀": shian.ResultExcellent, "大笑脸": shian.ResultExcellent, "a": shian.ResultExcellent,
	"good": shian.ResultGood, "良好": shian.ResultGood, "笑脸": shian.ResultGood, "微笑脸": shian.ResultGood, "b": shian.ResultGood,
	"fair": shian.ResultFair, "一般": shian.ResultFair, "平脸": shian.ResultFair, "c": shian.ResultFair, "satisfactory": shian.ResultFair,
	"fail": shian.ResultFail, "failed": shian.ResultFail, "poor": shian.ResultFail, "不合格": shian.ResultFail, "unsatisfactory": shian.ResultFail,
}

func resultWord(s string) (string, bool) {
	r, ok := resultWords[strings.ToLower(strings.TrimSpace(s))]
	return r, ok
}

func (p *livesParser) readLegend() error {
	c, ok, err := p.openCSV(FileLegend, false, LegendColumns...)
	if !ok {
		return err
	}
	defer c.close()
	for c.next(p) {
		lo, err1 := strconv.Atoi(c.get("minimum_score"))
		hi, err2 := strconv.Atoi(c.get("maximum_score"))
		switch {
		case err1 != nil || lo < 0 || lo > 100:
			p.fail(c.name, c.line, "minimum_score", "must be a whole number 0–100, got %q", shian.Clip(c.get("minimum_score"), 40))
			continue
		case err2 != nil || hi < lo || hi > 100:
			p.fail(c.name, c.line, "maximum_score", "must be a whole number from minimum_score to 100, got %q", shian.Clip(c.get("maximum_score"), 40))
			continue
		}
		r, ok := resultWord(c.get("description"))
		if !ok {
			p.fail(c.name, c.line, "description", "cannot map %q to a result; use Excellent/优秀, Good/良好, Fair/一般 or Fail/不合格", shian.Clip(c.get("description"), 40))
			continue
		}
		p.legend = append(p.legend, legendRow{lo, hi, r})
	}
	return nil
}

// resultFor maps a score to a result by the legend, else by the cut-offs.
// A legend's ranges are whole numbers (90–100, 75–89): a row covers its
// maximum up to the next whole number, so 89.9 falls in 75–89, as the
// cut-offs it restates would have it.
func (p *livesParser) resultFor(score float64) string {
	for _, l := range p.legend {
		if score >= float64(l.min) && (score < float64(l.max)+1 || score == float64(l.max)) {
			return l.result
		}
	}
	return shian.ResultForScore(score)
}

func parseLivesDate(s string) (time.Time, error) {
	if len(s) == len(livesDate) {
		return time.Parse(livesDate, s)
	}
	return shian.ParseDate(s)
}

// district resolves a business's district: the district column, else a
// city naming a district (code, Chinese or English name), else Locate.
func (p *livesParser) district(c *csvFile, lat, lng float64, hasGeo bool) (string, string) {
	if d := c.get("district"); d != "" {
		if code, ok := districtCode(d); ok {
			return code, ""
		}
		return "", fmt.Sprintf("unknown district %q; allowed: %s", shian.Clip(d, 40), strings.Join(shian.CodeList(shian.Districts), ", "))
	}
	if code, ok := districtCode(c.get("city")); ok {
		return code, ""
	}
	if hasGeo && p.opts.Locate != nil {
		if code, ok := p.opts.Locate(lat, lng); ok {
			return code, ""
		}
		return "", fmt.Sprintf("no district column, and the point (%.5f, %.5f) lies in no district", lat, lng)
	}
	if hasGeo {
		return "", fmt.Sprintf("no district: give a district column or a city naming a district (city is %q; no district map to locate the coordinates)", shian.Clip(c.get("city"), 40))
	}
	return "", fmt.Sprintf("no district: give a district column, a city naming a district, or coordinates (city is %q)", shian.Clip(c.get("city"), 40))
}

func districtCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	for _, d := range shian.Districts {
		if strings.EqualFold(s, d.Code) || s == d.Names.ZH || strings.EqualFold(s, d.Names.EN) {
			return d.Code, true
		}
	}
	return "", false
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "", "false", "0", "no", "n", "否":
		return false, true
	case "true", "1", "yes", "y", "是":
		return true, true
	}
	return false, false
}

func (p *livesParser) readBusinesses() error {
	c, ok, err := p.openCSV(FileBusinesses, true, "business_id", "name")
	if !ok {
		return err
	}
	defer c.close()
	for c.next(p) {
		p.res.Lines++
		id := strings.ToUpper(c.get("business_id"))
		if id == "" {
			p.fail(c.name, c.line, "business_id", "is required")
			continue
		}
		if first, dup := p.byID[id]; dup {
			p.fail(c.name, c.line, "business_id", "duplicate business_id %s, first on line %d", shian.Clip(id, 40), first.line)
			continue
		}
		b := &business{line: c.line, shop: &shian.Shop{Licence: id}}
		p.byID[id] = b
		p.order = append(p.order, b)
		if c.invalid {
			b.bad = true
			continue
		}
		if field, msg := p.buildShop(c, b, id); field != "" {
			p.fail(c.name, c.line, field, "%s", msg)
			b.bad = true
		}
	}
	return nil
}

// buildShop fills b.shop from the current businesses.csv row and returns
// the first problem's column and message.
func (p *livesParser) buildShop(c *csvFile, b *business, id string) (field, msg string) {
	s := &shian.Shop{
		Licence: id, Name: c.get("name"), NameEN: c.get("name_en"), NameRU: c.get("name_ru"), Address: c.get("address"),
		Phone: c.get("phone_number"), CreditCode: c.get("credit_code"), Grid: c.get("grid"),
		Category: c.get("category"), Status: strings.ToLower(c.get("status")),
	}
	b.shop = s
	if s.Category == "" {
		s.Category = "restaurant"
	}
	if a := c.get("aliases"); a != "" {
		for _, v := range strings.Split(a, "|") {
			if v = strings.TrimSpace(v); v != "" {
				s.Aliases = append(s.Aliases, v)
			}
		}
	}
	latS, lngS := c.get("latitude"), c.get("longitude")
	switch {
	case latS != "" && lngS == "":
		return "longitude", "latitude is given without longitude; give both or neither"
	case latS == "" && lngS != "":
		return "latitude", "longitude is given without latitude; give both or neither"
	case latS != "":
		lat, err := strconv.ParseFloat(latS, 64)
		if err != nil || math.IsNaN(lat) {
			return "latitude", fmt.Sprintf("must be a number, got %q", shian.Clip(latS, 40))
		}
		lng, err := strconv.ParseFloat(lngS, 64)
		if err != nil || math.IsNaN(lng) {
			return "longitude", fmt.Sprintf("must be a number, got %q", shian.Clip(lngS, 40))
		}
		s.Lat, s.Lng, s.HasGeo = lat, lng, true
	}
	if s.HasGeo && !shian.InCity(s.Lat, s.Lng) {
		return "latitude", fmt.Sprintf("point (%.5f, %.5f) is outside Qinhuangdao (%.1f–%.1f N, %.1f–%.1f E)",
			s.Lat, s.Lng, shian.MinLat, shian.MaxLat, shian.MinLng, shian.MaxLng)
	}
	d, msg := p.district(c, s.Lat, s.Lng, s.HasGeo)
	if msg != "" {
		return "district", msg
	}
	s.District = d
	if v := c.get("licensed_on"); v != "" {
		d, err := parseLivesDate(v)
		if err != nil {
			return "licensed_on", fmt.Sprintf("must be a date YYYYMMDD, got %q", shian.Clip(v, 40))
		}
		s.LicensedOn = d
	}
	h, ok := parseBool(c.get("haccp"))
	if !ok {
		return "haccp", fmt.Sprintf("must be true or false, got %q", shian.Clip(c.get("haccp"), 40))
	}
	s.HACCP = h
	return "", ""
}

// lookup finds the business of the current row, reporting an unknown id.
func (p *livesParser) lookup(c *csvFile) *business {
	id := strings.ToUpper(c.get("business_id"))
	b := p.byID[id]
	if c.invalid {
		if b != nil {
			b.bad = true
		}
		return nil
	}
	if b == nil {
		if id == "" {
			p.fail(c.name, c.line, "business_id", "is required")
		} else {
			p.fail(c.name, c.line, "business_id", "no business %s in %s", shian.Clip(id, 40), FileBusinesses)
		}
	}
	return b
}

func (p *livesParser) readInspections() error {
	c, ok, err := p.openCSV(FileInspections, true, "business_id", "date")
	if !ok {
		return err
	}
	defer c.close()
	for c.next(p) {
		b := p.lookup(c)
		if b == nil {
			continue
		}
		in, field, msg := p.inspection(c)
		if field != "" {
			p.fail(c.name, c.line, field, "%s", msg)
			b.bad = true
			continue
		}
		b.shop.Inspections = append(b.shop.Inspections, in)
		b.inLines = append(b.inLines, c.line)
	}
	return nil
}

func (p *livesParser) inspection(c *csvFile) (in shian.Inspection, field, msg string) {
	d, err := parseLivesDate(c.get("date"))
	if err != nil {
		return in, "date", fmt.Sprintf("must be a date YYYYMMDD, got %q", shian.Clip(c.get("date"), 40))
	}
	in.Date = d
	in.Notes = c.get("description")
	in.Inspector = c.get("inspector")
	if v := c.get("score"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0 && f <= 100) {
			return in, "score", fmt.Sprintf("must be a number 0–100 (decimals allowed), got %q", shian.Clip(v, 40))
		}
		in.Score = &f
	}
	if v := c.get("result"); v != "" {
		r, ok := resultWord(v)
		if !ok {
			return in, "result", fmt.Sprintf("must be excellent, good, fair or fail, got %q", shian.Clip(v, 40))
		}
		in.Result = r
	} else if in.Score != nil {
		in.Result = p.resultFor(*in.Score)
	} else {
		return in, "score", "is required (or a result column)"
	}
	return in, "", ""
}

func (p *livesParser) readViolations() error {
	c, ok, err := p.openCSV(FileViolations, false, "business_id", "date")
	if !ok {
		return err
	}
	defer c.close()
	for c.next(p) {
		b := p.lookup(c)
		if b == nil {
			continue
		}
		d, err := parseLivesDate(c.get("date"))
		if err != nil {
			p.fail(c.name, c.line, "date", "must be a date YYYYMMDD, got %q", shian.Clip(c.get("date"), 40))
			b.bad = true
			continue
		}
		item := c.get("description")
		if item == "" {
			item = c.get("code")
		}
		if item == "" {
			p.fail(c.name, c.line, "description", "is required (or a code)")
			b.bad = true
			continue
		}
		var target *shian.Inspection
		for i := range b.shop.Inspections {
			if b.shop.Inspections[i].Date.Equal(d) {
				target = &b.shop.Inspections[i]
				break
			}
		}
		if target == nil {
			if !b.bad && !p.broken {
				p.fail(c.name, c.line, "date", "no inspection of %s on %s in %s", shian.Clip(b.shop.Licence, 40), d.Format(shian.DateLayout), FileInspections)
			}
			b.bad = true
			continue
		}
		target.ItemsFailed = append(target.ItemsFailed, item)
	}
	return nil
}

func (p *livesParser) readAnnual() error {
	c, ok, err := p.openCSV(FileAnnual, false, AnnualColumns...)
	if !ok {
		return err
	}
	defer c.close()
	for c.next(p) {
		b := p.lookup(c)
		if b == nil {
			continue
		}
		y, err := strconv.Atoi(c.get("year"))
		if err != nil {
			p.fail(c.name, c.line, "year", "must be a year, got %q", shian.Clip(c.get("year"), 40))
			b.bad = true
			continue
		}
		b.shop.Annual = append(b.shop.Annual, shian.AnnualGrade{Year: y, Grade: strings.ToUpper(c.get("grade"))})
		b.anLines = append(b.anLines, c.line)
	}
	return nil
}

// finish validates each business and keeps the good ones, placing a
// validation error on the row it came from.
func (p *livesParser) finish() {
	if p.broken {
		return
	}
	for _, b := range p.order {
		if b.bad {
			continue
		}
		e := finishShop(b.shop, p.now, p.opts)
		if e == nil {
			p.res.Shops = append(p.res.Shops, b.shop)
			continue
		}
		file, line, field := FileBusinesses, b.line, e.Field
		var list string
		var i int
		if n, _ := fmt.Sscanf(e.Field, "inspections[%d].", &i); n == 1 && i < len(b.inLines) {
			file, line, list = FileInspections, b.inLines[i], "inspections"
		} else if n, _ := fmt.Sscanf(e.Field, "annual[%d].", &i); n == 1 && i < len(b.anLines) {
			file, line, list = FileAnnual, b.anLines[i], "annual"
		}
		if list != "" {
			_, field, _ = strings.Cut(e.Field, ".")
		} else {
			field = businessColumn(field)
		}
		p.fail(file, line, field, "%s", e.Message)
	}
}

// businessColumn maps a shop field to its businesses.csv column.
func businessColumn(field string) string {
	switch field {
	case "licence":
		return "business_id"
	case "lat":
		return "latitude"
	case "lng":
		return "longitude"
	case "phone":
		return "phone_number"
	}
	return field
}
