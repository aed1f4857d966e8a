package names

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"unicode/utf8"
)

//go:embed data/*.tsv
var embedded embed.FS

// Data returns the embedded data files (glossary.tsv, polyphones.tsv,
// items.tsv, address.tsv), the defaults Open reads when given nil.
func Data() fs.FS {
	sub, _ := fs.Sub(embedded, "data")
	return sub
}

// LineError is a bad line of a data file. The service refuses to start on
// one, so it names the file and line for the operator who edited it.
type LineError struct {
	File string
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Msg) }

// readTSV calls row for every data line of a tab-separated file: blank lines
// and lines starting with # are skipped, and a line must have between
// minCols and maxCols fields. Every error comes back as a *LineError; all
// bad lines are reported, joined.
func readTSV(fsys fs.FS, file string, minCols, maxCols int, row func(line int, fields []string) error) error {
	f, err := fsys.Open(file)
	if err != nil {
		return fmt.Errorf("names: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var errs []error
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		bad := func(format string, args ...any) {
			errs = append(errs, &LineError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
		}
		if !utf8.ValidString(text) {
			bad("not valid UTF-8")
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) < minCols || len(fields) > maxCols {
			bad("%d tab-separated fields, want %d–%d", len(fields), minCols, maxCols)
			continue
		}
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if err := row(line, fields); err != nil {
			bad("%v", err)
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, &LineError{File: file, Line: line + 1, Msg: err.Error()})
	}
	return errors.Join(errs...)
}
