package shian_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"shian"
	"shian/importer"
	"shian/triage"
)

// The product documents itself in docs/. These tests keep the pages and the
// code from drifting apart: every table of codes, columns, cut-offs and
// deadlines in docs/ is compared with the code it describes, and no file of
// the repository may point readers at a document that is not in it.

// TestNoCitationsOutsideRepo fails when a text file of the repository cites
// one of the design documents kept outside it; cite a docs/ page instead.
func TestNoCitationsOutsideRepo(t *testing.T) {
	// Spelled in parts so that this file does not cite them itself.
	var outside []string
	for _, name := range []string{"DATA", "STYLE", "DESIGN"} {
		outside = append(outside, name+".md")
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch name := d.Name(); {
			case path == ".":
			case strings.HasPrefix(name, "."), path == "bin", path == "data", path == "tmp", name == "node_modules":
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil // binary
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, doc := range outside {
				if strings.Contains(line, doc) {
					t.Errorf("%s:%d cites %s, which is not in the repository; point at a docs/ page instead", path, i+1, doc)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// mdTable returns the body rows of the table in docs/file whose header row
// has exactly the given cells. Cells are trimmed, backticks dropped and
// escaped pipes unescaped.
func mdTable(t *testing.T, file string, header ...string) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("docs", file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		if !slices.Equal(mdCells(line), header) {
			continue
		}
		var rows [][]string
		for _, l := range lines[i+2:] {
			if !strings.HasPrefix(strings.TrimSpace(l), "|") {
				break
			}
			row := mdCells(l)
			if len(row) != len(header) {
				t.Fatalf("docs/%s: row %q has %d cells, the header %d", file, l, len(row), len(header))
			}
			rows = append(rows, row)
		}
		return rows
	}
	t.Fatalf("docs/%s: no table with the header | %s |", file, strings.Join(header, " | "))
	return nil
}

func mdCells(line string) []string {
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "|") || !strings.HasSuffix(line, "|") {
		return nil
	}
	line = strings.ReplaceAll(line[1:len(line)-1], `\|`, "\x00")
	cells := strings.Split(line, "|")
	for i, c := range cells {
		c = strings.ReplaceAll(c, "\x00", "|")
		cells[i] = strings.TrimSpace(strings.ReplaceAll(c, "`", ""))
	}
	return cells
}

// column returns the i-th cell of every row.
func column(rows [][]string, i int) []string {
	out := make([]string, len(rows))
	for j, r := range rows {
		if i < len(r) {
			out[j] = r[i]
		}
	}
	return out
}

func TestDocsCodeLists(t *testing.T) {
	t.Run("districts", func(t *testing.T) {
		rows := mdTable(t, "data-contract.md", "code", "名称", "English", "kind")
		if got, want := column(rows, 0), shian.CodeList(shian.Districts); !slices.Equal(got, want) {
			t.Fatalf("districts table lists %v, codes.go has %v", got, want)
		}
		for i, d := range shian.Districts {
			kind := "district"
			switch {
			case d.Zone:
				kind = "functional zone"
			case strings.HasSuffix(d.Names.ZH, "县"):
				kind = "county"
			}
			if want := []string{d.Code, d.Names.ZH, d.Names.EN, kind}; !slices.Equal(rows[i], want) {
				t.Errorf("districts table row %v, want %v", rows[i], want)
			}
		}
	})
	t.Run("shop categories", func(t *testing.T) {
		rows := mdTable(t, "data-contract.md", "code", "名称", "English")
		if got, want := column(rows, 0), shian.CodeList(shian.ShopCategories); !slices.Equal(got, want) {
			t.Fatalf("shop categories table lists %v, codes.go has %v", got, want)
		}
		for i, c := range shian.ShopCategories {
			if want := []string{c.Code, c.Names.ZH, c.Names.EN}; !slices.Equal(rows[i], want) {
				t.Errorf("shop categories table row %v, want %v", rows[i], want)
			}
		}
	})
	t.Run("shop statuses", func(t *testing.T) {
		rows := mdTable(t, "data-contract.md", "status", "meaning")
		if got, want := column(rows, 0), []string{shian.StatusOpen, shian.StatusSuspended, shian.StatusClosed}; !slices.Equal(got, want) {
			t.Errorf("shop statuses table lists %v, want %v", got, want)
		}
	})
}

func TestDocsComplaints(t *testing.T) {
	routing, err := triage.DefaultRouting()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("kinds", func(t *testing.T) {
		rows := mdTable(t, "complaints.md", "kind", "中文", "what it is", "contact", "first deadline")
		want := map[string]int{shian.KindComplaint: triage.AcceptWorkingDays, shian.KindReport: triage.VerifyWorkingDays}
		if len(rows) != len(want) {
			t.Fatalf("kinds table has %d rows, want %d", len(rows), len(want))
		}
		for _, r := range rows {
			days, ok := want[r[0]]
			if !ok {
				t.Errorf("kinds table lists %q, not a kind", r[0])
			} else if !strings.HasPrefix(r[4], strconv.Itoa(days)+" working days") {
				t.Errorf("kinds table: %s's first deadline is %q, want %d working days", r[0], r[4], days)
			}
		}
	})
	t.Run("categories", func(t *testing.T) {
		rows := mdTable(t, "complaints.md", "code", "名称", "English", "default priority", "specialist team")
		if len(rows) != len(shian.ComplaintCategories) {
			t.Fatalf("categories table has %d rows, complaint.go has %d categories", len(rows), len(shian.ComplaintCategories))
		}
		for i, c := range shian.ComplaintCategories {
			team := routing.CategoryTeam(c.Code)
			if team == "" {
				team = "—"
			}
			if want := []string{c.Code, c.Names.ZH, c.Names.EN, c.Priority, team}; !slices.Equal(rows[i], want) {
				t.Errorf("categories table row %v, want %v (complaint.go, triage/data/routing.json)", rows[i], want)
			}
		}
	})
	t.Run("priorities", func(t *testing.T) {
		rows := mdTable(t, "complaints.md", "priority", "rank", "how a complaint gets it")
		want := []string{shian.PriorityUrgent, shian.PriorityHigh, shian.PriorityNormal, shian.PriorityLow}
		if got := column(rows, 0); !slices.Equal(got, want) {
			t.Fatalf("priorities table lists %v, want %v, most urgent first", got, want)
		}
		for _, r := range rows {
			if rank := strconv.Itoa(shian.PriorityRank(r[0])); r[1] != rank {
				t.Errorf("priorities table: %s has rank %s, PriorityRank says %s", r[0], r[1], rank)
			}
		}
		for _, c := range shian.ComplaintCategories {
			if !slices.Contains(want, c.Priority) {
				t.Errorf("category %s has priority %q, which the priorities table lacks", c.Code, c.Priority)
			}
		}
	})
	t.Run("offices", func(t *testing.T) {
		rows := mdTable(t, "complaints.md", "office", "district", "名称")
		offices := routing.Offices()
		if len(rows) != len(offices) {
			t.Fatalf("offices table has %d rows, triage/data/routing.json has %d offices", len(rows), len(offices))
		}
		for i, o := range offices {
			district := o.District
			if district == "" {
				district = "—"
			}
			if want := []string{o.Code, district, o.Names.ZH}; !slices.Equal(rows[i], want) {
				t.Errorf("offices table row %v, want %v", rows[i], want)
			}
		}
		if !strings.Contains(docText(t, "complaints.md"), "The city office (`unrouted_office` in the routing file)") || routing.UnroutedOffice() != "city" {
			t.Errorf("complaints.md names the city office as the unrouted one; routing.json says %q", routing.UnroutedOffice())
		}
	})
	t.Run("statuses", func(t *testing.T) {
		rows := mdTable(t, "complaints.md", "status", "中文", "English", "kind", "deadline running")
		if len(rows) != len(shian.ComplaintStatusNames) {
			t.Errorf("statuses table has %d rows, complaint_intake.go has %d statuses", len(rows), len(shian.ComplaintStatusNames))
		}
		seen := map[string]bool{}
		for _, r := range rows {
			n, ok := shian.ComplaintStatusNames[r[0]]
			switch {
			case !ok:
				t.Errorf("statuses table lists %q, not a status", r[0])
			case seen[r[0]]:
				t.Errorf("statuses table lists %q twice", r[0])
			case r[1] != n.ZH || r[2] != n.EN:
				t.Errorf("statuses table row %v, want names %q, %q", r, n.ZH, n.EN)
			}
			seen[r[0]] = true
		}
	})
	t.Run("deadlines", func(t *testing.T) {
		rows := mdTable(t, "complaints.md", "deadline", "working days", "counted from", "field")
		want := map[string]int{"accept_due": triage.AcceptWorkingDays, "verify_due": triage.VerifyWorkingDays, "mediation_due": triage.MediationWorkingDays}
		if len(rows) != len(want) {
			t.Fatalf("deadlines table has %d rows, want %d", len(rows), len(want))
		}
		for _, r := range rows {
			if days, ok := want[r[3]]; !ok || r[1] != strconv.Itoa(days) {
				t.Errorf("deadlines table row %v: triage has %d working days for %s", r, days, r[3])
			}
		}
	})
}

func docText(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("docs", file))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDocsLIVESColumns(t *testing.T) {
	for file, cols := range map[string][]string{
		importer.FileBusinesses: importer.BusinessColumns, importer.FileInspections: importer.InspectionColumns,
		importer.FileViolations: importer.ViolationColumns, importer.FileLegend: importer.LegendColumns,
		importer.FileFeedInfo: importer.FeedInfoColumns, importer.FileAnnual: importer.AnnualColumns,
	} {
		rows := mdTable(t, "data-contract.md", file+" column", "origin", "on import", "on export")
		if got := column(rows, 0); !slices.Equal(got, cols) {
			t.Errorf("data-contract.md lists the %s columns %v; the export writes %v", file, got, cols)
		}
		for _, r := range rows {
			if r[1] != "LIVES" && r[1] != "extension" {
				t.Errorf("%s column %s: origin %q, want LIVES or extension", file, r[0], r[1])
			}
		}
	}
}

// TestDocsJSONLExample imports the example line of data-contract.md and
// checks that it uses every field the tables list, and no other.
func TestDocsJSONLExample(t *testing.T) {
	text := docText(t, "data-contract.md")
	_, rest, ok := strings.Cut(text, "```json\n")
	line, _, ok2 := strings.Cut(rest, "\n```")
	if !ok || !ok2 {
		t.Fatal("data-contract.md has no ```json example block")
	}
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, shian.CST)
	res, err := importer.ParseJSONL(strings.NewReader(line), importer.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) > 0 || len(res.Shops) != 1 {
		t.Fatalf("the example line does not import: %v", importer.ErrorList(res.Errors))
	}
	var shop map[string]json.RawMessage
	var lists struct {
		Inspections []map[string]json.RawMessage `json:"inspections"`
		Annual      []map[string]json.RawMessage `json:"annual"`
	}
	if err := json.Unmarshal([]byte(line), &shop); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(line), &lists); err != nil {
		t.Fatal(err)
	}
	if len(lists.Inspections) != 1 || len(lists.Annual) != 1 {
		t.Fatal("the example line should have one inspection and one annual grade")
	}
	for _, c := range []struct {
		header string
		obj    map[string]json.RawMessage
	}{{"field", shop}, {"inspection field", lists.Inspections[0]}, {"annual field", lists.Annual[0]}} {
		fields := column(mdTable(t, "data-contract.md", c.header, "type", "required", "rules"), 0)
		var keys []string
		for k := range c.obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		slices.Sort(fields)
		if !slices.Equal(keys, fields) {
			t.Errorf("the %q table lists %v; the example line has %v", c.header, fields, keys)
		}
	}
}

// scoreRange parses "90–100".
func scoreRange(t *testing.T, s string) (lo, hi int) {
	t.Helper()
	a, b, ok := strings.Cut(s, "–")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || lo > hi {
		t.Fatalf("%q is not a score range such as 90–100", s)
	}
	return lo, hi
}

func TestDocsGradeCutoffs(t *testing.T) {
	check := func(t *testing.T, rows [][]string, what string, grade func(score int) string) {
		covered := map[int]bool{}
		for _, r := range rows {
			lo, hi := scoreRange(t, r[0])
			want := r[1]
			if want == "none" {
				want = ""
			}
			for s := lo; s <= hi; s++ {
				if covered[s] {
					t.Errorf("grades.md: score %d is in two rows of the %s table", s, what)
				}
				covered[s] = true
				if got := grade(s); got != want {
					t.Errorf("grades.md says score %d gives %s %q; grade.go gives %q", s, what, r[1], got)
				}
			}
		}
		if len(covered) != 101 {
			t.Errorf("grades.md: the %s table covers %d of the scores 0–100", what, len(covered))
		}
	}
	check(t, mdTable(t, "grades.md", "score", "result"), "result", func(score int) string { return shian.ResultForScore(float64(score)) })
	check(t, mdTable(t, "grades.md", "mean score of the year", "annual grade"), "annual grade", func(score int) string {
		f := float64(score)
		return shian.ComputeAnnual([]shian.Inspection{{Date: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Score: &f}}, 2025)
	})
}

// TestDocsCalendar compares calendar.md with the shipped calendar: the
// schedule table lists exactly the file's holidays and make-up days, and the
// examples are what the calendar computes.
func TestDocsCalendar(t *testing.T) {
	b, err := os.ReadFile("triage/data/calendar.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Years []struct {
			Year     int
			Holidays []struct{ Name, From, To string }
			Workdays []struct{ Name, Date string }
		}
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	day := func(s string) string {
		d, err := time.Parse(shian.DateLayout, s)
		if err != nil {
			t.Fatalf("calendar.json: %v", err)
		}
		return d.Format("2006-01-02 (Mon)")
	}
	var want [][]string
	for _, y := range f.Years {
		for _, w := range y.Workdays {
			if !slices.ContainsFunc(y.Holidays, func(h struct{ Name, From, To string }) bool { return h.Name == w.Name }) {
				t.Errorf("calendar.json %d: make-up day %s is named %q, like no holiday of the year; calendar.md's table cannot show it", y.Year, w.Date, w.Name)
			}
		}
		for _, h := range y.Holidays {
			off := h.From
			if h.To != h.From {
				off = h.From + " – " + h.To
			}
			var makeUp []string
			for _, w := range y.Workdays {
				if w.Name == h.Name {
					makeUp = append(makeUp, day(w.Date))
				}
			}
			m := "—"
			if len(makeUp) > 0 {
				m = strings.Join(makeUp, ", ")
			}
			want = append(want, []string{strconv.Itoa(y.Year), h.Name, off, m})
		}
	}
	got := mdTable(t, "calendar.md", "year", "holiday", "days off", "make-up working days")
	if !slices.EqualFunc(got, want, slices.Equal) {
		var w strings.Builder
		for _, r := range want {
			w.WriteString("| " + strings.Join(r, " | ") + " |\n")
		}
		t.Errorf("calendar.md's schedule table does not match triage/data/calendar.json; it should read:\n%s", w.String())
	}

	cal, err := triage.DefaultCalendar()
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"received (CST)", "7 working days", "15 working days", "45 working days"}
	rows := mdTable(t, "calendar.md", header...)
	if len(rows) == 0 {
		t.Fatal("calendar.md has no examples")
	}
	for _, r := range rows {
		received, err := time.ParseInLocation("2006-01-02 (Mon) 15:04", r[0], shian.CST)
		if err != nil || received.Format("2006-01-02 (Mon) 15:04") != r[0] {
			t.Errorf("calendar.md example %q: want a date, its weekday and a time, such as 2026-09-24 (Thu) 10:00", r[0])
			continue
		}
		for i, h := range header[1:] {
			n, _ := strconv.Atoi(strings.Fields(h)[0])
			due := cal.AddWorkingDays(received, n)
			if got := due.In(shian.CST).Format("2006-01-02 (Mon)"); r[i+1] != got {
				t.Errorf("calendar.md: received %s, %d working days is %s; the calendar computes %s", r[0], n, r[i+1], got)
			}
		}
	}
	var periods []int
	for _, h := range header[1:] {
		n, _ := strconv.Atoi(strings.Fields(h)[0])
		periods = append(periods, n)
	}
	if want := []int{triage.AcceptWorkingDays, triage.VerifyWorkingDays, triage.MediationWorkingDays}; !slices.Equal(periods, want) {
		t.Errorf("calendar.md's examples use %v working days; triage's legal periods are %v", periods, want)
	}
}
