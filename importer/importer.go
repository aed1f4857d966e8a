// Package importer reads shop registries from outside — the JSON Lines
// format of docs/data-contract.md and the open LIVES inspection format — checks every line
// against the import contract, and writes the good shops to the store in one
// transaction. It also exports the registry as LIVES open data.
//
// Parsing and writing are separate steps so that the CLI can print every bad
// line before anything is written: ParseJSONL / ParseLIVES return a Result
// holding the valid shops and one LineError per bad line, and Import refuses
// to write a Result with errors unless Options.SkipInvalid is set.
package importer

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shian"
	"shian/names"
)

// DefaultMaxLine is the longest JSON line accepted when Options.MaxLine is 0.
const DefaultMaxLine = 1 << 20

// Options configure parsing and importing. The zero value is usable: the
// clock is time.Now, grids stay empty unless given, lines are capped at
// DefaultMaxLine and a file with a bad line writes nothing.
type Options struct {
	// Now bounds dates: an inspection or licence dated after today (in
	// China Standard Time) is an error.
	Now func() time.Time
	// GridFor, when set, fills a shop's supervision grid when the input
	// gives coordinates but no grid. district is already validated.
	GridFor func(district string, lat, lng float64) string
	// Locate, when set, finds the district of a LIVES business that has
	// neither a district column nor a city naming a district.
	Locate func(lat, lng float64) (district string, ok bool)
	// MaxLine caps one JSON line in bytes (default DefaultMaxLine). A longer
	// line is reported and skipped without being held in memory.
	MaxLine int
	// SkipInvalid makes Import write the valid shops of a Result that also
	// has errors, instead of refusing to write anything.
	SkipInvalid bool
	// Progress, when set, is called as work advances: every 10,000 lines
	// while parsing and before and after the write.
	Progress func(Progress)
	// Names, when set, writes what a Chinese-only registry lacks for
	// visitors: English and Russian names where none is supplied, the
	// address in English and Russian, and the catalog codes of failed
	// inspection items (names.Namer.Fill).
	Names *names.Namer
}

// Progress reports how far an import has come.
type Progress struct {
	Stage string // "parse" or "write"
	Done  int    // lines parsed, or shops written
	// Total is the number of shops to write in the write stage, and 0
	// (unknown) while parsing.
	Total int
	// Elapsed is the time since the stage began.
	Elapsed time.Duration
}

const progressEvery = 10000

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) progress(p Progress) {
	if o.Progress != nil {
		o.Progress(p)
	}
}

// Result is what a parser read: the valid shops, in input order, and one
// error per bad line.
type Result struct {
	Shops  []*shian.Shop
	Errors []LineError
	// Lines is the number of lines (JSONL) or data rows (LIVES
	// businesses.csv) read.
	Lines int
}

// LineError is one bad input line. File is empty for JSON Lines and names
// the CSV file of a LIVES feed; Field names the JSON field (with index, as
// in "inspections[2].score") or the CSV column, and is empty when the line
// as a whole is bad (malformed JSON, too long, invalid UTF-8).
type LineError struct {
	File    string
	Line    int
	Field   string
	Message string
}

func (e LineError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(' ')
	}
	b.WriteString("line ")
	b.WriteString(strconv.Itoa(e.Line))
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// ErrorList is every bad line of an input, one per line of its Error text.
type ErrorList []LineError

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Upserter is the part of the store an import writes to
// (shian.ShopService.UpsertShops: one transaction, idempotent by licence).
type Upserter interface {
	UpsertShops(ctx context.Context, shops []*shian.Shop) (shian.ImportStats, error)
}

// Import writes the shops of res to the store in one UpsertShops call, so
// that a failure writes nothing. When res has errors it writes nothing and
// returns an error that is both an EINVALID *shian.Error and an ErrorList
// of every bad line (errors.As finds either), unless opts.SkipInvalid is
// set, in which case it writes the valid shops. Errors: EINVALID, and the
// store's (EINVALID, EINTERNAL, EUNAVAILABLE).
func Import(ctx context.Context, store Upserter, res *Result, opts Options) (shian.ImportStats, error) {
	if len(res.Errors) > 0 && !opts.SkipInvalid {
		e := &shian.Error{Code: shian.EINVALID, Message: fmt.Sprintf(
			"%d bad %s, nothing written (fix them, or skip them to write the %d good %s)",
			len(res.Errors), plural(len(res.Errors), "line", "lines"), len(res.Shops), plural(len(res.Shops), "shop", "shops"))}
		return shian.ImportStats{}, fmt.Errorf("import: %w:\n%w", e, ErrorList(res.Errors))
	}
	if len(res.Shops) == 0 {
		return shian.ImportStats{}, nil
	}
	start := time.Now()
	opts.progress(Progress{Stage: "write", Done: 0, Total: len(res.Shops)})
	st, err := store.UpsertShops(ctx, res.Shops)
	if err != nil {
		return shian.ImportStats{}, fmt.Errorf("import: %w", err)
	}
	opts.progress(Progress{Stage: "write", Done: len(res.Shops), Total: len(res.Shops), Elapsed: time.Since(start)})
	return st, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// finishShop applies what both formats share once a shop is built: domain
// validation, the grid, visitor names and item codes, and newest-first
// inspections. It returns the
// validation error, if any, for the caller to place on a line.
func finishShop(s *shian.Shop, now time.Time, opts *Options) *shian.Error {
	if s.Status == "" {
		s.Status = shian.StatusOpen
	}
	if err := s.Validate(now); err != nil {
		if e, ok := err.(*shian.Error); ok {
			return e
		}
		return shian.FieldError("", "%v", err)
	}
	if s.Grid == "" && s.HasGeo && opts.GridFor != nil {
		s.Grid = opts.GridFor(s.District, s.Lat, s.Lng)
	}
	if opts.Names != nil {
		opts.Names.Fill(s)
	}
	shian.SortInspections(s.Inspections)
	return nil
}
