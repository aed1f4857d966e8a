package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shian/internal/strictjson"

	"shian"
)

// shopLine is one line of the JSON Lines format (docs/data-contract.md).
type shopLine struct {
	Licence     string           `json:"licence"`
	CreditCode  string           `json:"credit_code"`
	Name        string           `json:"name"`
	NameEN      string           `json:"name_en"`
	NameRU      string           `json:"name_ru"`
	Aliases     []string         `json:"aliases"`
	Category    string           `json:"category"`
	Address     string           `json:"address"`
	District    string           `json:"district"`
	Grid        string           `json:"grid"`
	Lat         *float64         `json:"lat"`
	Lng         *float64         `json:"lng"`
	Phone       string           `json:"phone"`
	Status      string           `json:"status"`
	LicensedOn  string           `json:"licensed_on"`
	HACCP       bool             `json:"haccp"`
	Inspections []inspectionLine `json:"inspections"`
	Annual      []annualLine     `json:"annual"`
}

// rawShopLine decodes a line that failed to decode as a shopLine, keeping
// inspections and annual grades raw so that they are decoded one by one
// and an error names its index ("inspections[2].score"): encoding/json
// names neither the index nor, for unknown fields, the enclosing list.
type rawShopLine struct {
	shopLine
	Inspections []json.RawMessage `json:"inspections"`
	Annual      []json.RawMessage `json:"annual"`
}

type inspectionLine struct {
	Date        string   `json:"date"`
	Result      string   `json:"result"`
	Score       *float64 `json:"score"`
	ItemsFailed []string `json:"items_failed"`
	Notes       string   `json:"notes"`
	Inspector   string   `json:"inspector"`
}

type annualLine struct {
	Year  int    `json:"year"`
	Grade string `json:"grade"`
}

// ParseJSONL reads shops in the JSON Lines format of docs/data-contract.md, one object per
// line (blank lines are ignored), and checks each against the import
// contract: UTF-8, no unknown fields, field types, required fields, code
// lists, coordinates, dates not in the future, and licences unique within
// the input. Every bad line is reported in Result.Errors and parsing goes
// on, so one run lists them all; a line longer than opts.MaxLine is skipped
// without being held in memory. The returned error is only for failures to
// read r.
func ParseJSONL(r io.Reader, opts Options) (*Result, error) {
	maxLine := opts.MaxLine
	if maxLine <= 0 {
		maxLine = DefaultMaxLine
	}
	now := opts.now()
	start := time.Now()
	br := bufio.NewReaderSize(r, 64<<10)
	res := &Result{}
	seen := map[string]int{} // licence → first line
	var buf []byte
	for lineNo := 1; ; lineNo++ {
		line, n, eof, err := readLine(br, buf[:0], maxLine)
		buf = line
		if err != nil {
			return res, fmt.Errorf("read line %d: %w", lineNo, err)
		}
		if eof && n == 0 {
			break
		}
		if lineNo%progressEvery == 0 {
			opts.progress(Progress{Stage: "parse", Done: lineNo, Elapsed: time.Since(start)})
		}
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		if n > maxLine {
			res.Lines++
			res.Errors = append(res.Errors, LineError{Line: lineNo, Message: fmt.Sprintf(
				"line is %d bytes, longer than the limit of %d bytes; skipped", n, maxLine)})
		} else if len(bytes.TrimSpace(line)) > 0 {
			res.Lines++
			s, lerr := parseShopLine(line, lineNo, now, seen, &opts)
			if lerr != nil {
				lerr.Line = lineNo
				res.Errors = append(res.Errors, *lerr)
			} else {
				res.Shops = append(res.Shops, s)
			}
		}
		if eof {
			break
		}
	}
	opts.progress(Progress{Stage: "parse", Done: res.Lines, Elapsed: time.Since(start)})
	return res, nil
}

// readLine reads one line (without its newline) into buf, keeping at most
// max+1 bytes; n is the full length of the line, which exceeds max when the
// line was cut. eof is true when the input ended (after this line, if any).
func readLine(br *bufio.Reader, buf []byte, max int) (line []byte, n int, eof bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		n += len(chunk)
		if len(buf) <= max {
			buf = append(buf, chunk[:min(len(chunk), max+1-len(buf))]...)
		}
		switch {
		case err == nil:
			n--
			buf = bytes.TrimSuffix(buf, []byte("\n"))
			buf = bytes.TrimSuffix(buf, []byte("\r"))
			return buf, n, false, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			buf = bytes.TrimSuffix(buf, []byte("\r"))
			return buf, n, true, nil
		default:
			return buf, n, false, err
		}
	}
}

var utf8BOM = []byte("\xef\xbb\xbf")

// parseShopLine decodes and checks one non-blank line (without BOM). seen maps licences
// to the line where they first appeared.
func parseShopLine(line []byte, lineNo int, now time.Time, seen map[string]int, opts *Options) (*shian.Shop, *LineError) {
	if !utf8.Valid(line) {
		return nil, &LineError{Message: fmt.Sprintf("invalid UTF-8 at byte %d", invalidUTF8At(line)+1)}
	}
	trimmed := bytes.TrimSpace(line)
	if trimmed[0] != '{' {
		return nil, &LineError{Message: "each line must be one JSON object {…}"}
	}
	var in shopLine
	if err := strictjson.Decode(trimmed, &in); err != nil {
		return nil, locateJSONError(trimmed, err)
	}
	s := &shian.Shop{
		Licence: in.Licence, CreditCode: in.CreditCode, Name: in.Name, NameEN: in.NameEN, NameRU: in.NameRU,
		Aliases: in.Aliases, Category: in.Category, Address: in.Address, District: in.District, Grid: in.Grid,
		Phone: in.Phone, Status: in.Status, HACCP: in.HACCP,
	}
	for _, f := range []struct{ name, v string }{
		{"licence", in.Licence}, {"name", in.Name}, {"category", in.Category}, {"address", in.Address}, {"district", in.District},
	} {
		if strings.TrimSpace(f.v) == "" {
			return nil, &LineError{Field: f.name, Message: "is required"}
		}
	}
	if shian.ValidLicence(s.Licence) {
		if first, dup := seen[s.Licence]; dup {
			return nil, &LineError{Field: "licence", Message: fmt.Sprintf("duplicate licence %s, first on line %d", s.Licence, first)}
		}
		seen[s.Licence] = lineNo
	}
	switch {
	case in.Lat != nil && in.Lng == nil:
		return nil, &LineError{Field: "lng", Message: "lat is given without lng; give both or neither"}
	case in.Lat == nil && in.Lng != nil:
		return nil, &LineError{Field: "lat", Message: "lng is given without lat; give both or neither"}
	case in.Lat != nil:
		s.Lat, s.Lng, s.HasGeo = *in.Lat, *in.Lng, true
	}
	if in.LicensedOn != "" {
		d, err := shian.ParseDate(in.LicensedOn)
		if err != nil {
			return nil, &LineError{Field: "licensed_on", Message: fmt.Sprintf("must be a date YYYY-MM-DD, got %q", shian.Clip(in.LicensedOn, 40))}
		}
		s.LicensedOn = d
	}
	for i, il := range in.Inspections {
		var d time.Time
		if il.Date != "" {
			var err error
			if d, err = shian.ParseDate(il.Date); err != nil {
				return nil, &LineError{Field: "inspections[" + strconv.Itoa(i) + "].date", Message: fmt.Sprintf("must be a date YYYY-MM-DD, got %q", shian.Clip(il.Date, 40))}
			}
		}
		s.Inspections = append(s.Inspections, shian.Inspection{
			Date: d, Result: il.Result, Score: il.Score, ItemsFailed: il.ItemsFailed, Notes: il.Notes, Inspector: il.Inspector,
		})
	}
	for _, al := range in.Annual {
		s.Annual = append(s.Annual, shian.AnnualGrade{Year: al.Year, Grade: al.Grade})
	}
	if e := finishShop(s, now, opts); e != nil {
		return nil, &LineError{Field: e.Field, Message: e.Message}
	}
	return s, nil
}

// locateJSONError turns the error of decoding line as a shopLine into a
// LineError naming the field, decoding again element by element.
func locateJSONError(line []byte, err error) *LineError {
	var raw rawShopLine
	if rerr := strictjson.Decode(line, &raw); rerr != nil {
		e := jsonError(rerr, "")
		// encoding/json names fields of an embedded struct after it.
		e.Field = strings.TrimPrefix(e.Field, "shopLine.")
		return e
	}
	for i, r := range raw.Inspections {
		var il inspectionLine
		if err := strictjson.Decode(r, &il); err != nil {
			return jsonError(err, "inspections["+strconv.Itoa(i)+"]")
		}
	}
	for i, r := range raw.Annual {
		var al annualLine
		if err := strictjson.Decode(r, &al); err != nil {
			return jsonError(err, "annual["+strconv.Itoa(i)+"]")
		}
	}
	return jsonError(err, "")
}

// jsonError turns a decoding error into a LineError naming the field under
// prefix ("" for the top-level object, "inspections[2]" for an element).
func jsonError(err error, prefix string) *LineError {
	join := func(name string) string {
		switch {
		case prefix == "":
			return name
		case name == "":
			return prefix
		}
		return prefix + "." + name
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, strictjson.ErrTrailing):
		return &LineError{Field: prefix, Message: "unexpected data after the JSON object; put one object on each line"}
	case errors.As(err, &syn):
		return &LineError{Field: prefix, Message: fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &LineError{Field: prefix, Message: "malformed JSON: the object is not closed"}
	case errors.As(err, &typ):
		got := typ.Value
		if got == "" {
			got = "something else"
		}
		return &LineError{Field: join(typ.Field), Message: fmt.Sprintf("must be %s, got %s", jsonKind(typ.Type), got)}
	}
	if name, ok := strictjson.UnknownField(err); ok {
		return &LineError{Field: join(name), Message: "unknown field (check its spelling against docs/data-contract.md)"}
	}
	return &LineError{Field: prefix, Message: "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")}
}

// jsonKind names the JSON type expected for a Go type.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Slice:
		if t == reflect.TypeFor[json.RawMessage]() {
			return "a JSON value"
		}
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}
