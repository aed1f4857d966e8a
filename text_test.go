package shian

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 40, "short"},
		{"abcdef", 3, "abc…"},
		{"秦皇岛食品安全", 3, "秦皇岛…"},
		{"秦皇岛", 3, "秦皇岛"},
		{"", 3, ""},
		{"Циньхуандао", 5, "Циньх…"},
	} {
		if got := Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc…"},
		{"秦皇岛", 4, "秦…"}, // 3 bytes a character: the second would be cut in half
		{"秦皇岛", 9, "秦皇岛"},
	} {
		if got := ClipBytes(tc.in, tc.n); got != tc.want {
			t.Errorf("ClipBytes(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func FuzzClip(f *testing.F) {
	for _, s := range []string{"秦皇岛食品安全", "abc", "Циньхуандао", "\xff\xfe"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 0 || n > 1000 {
			return
		}
		c, b := Clip(s, n), ClipBytes(s, n)
		if utf8.ValidString(s) && (!utf8.ValidString(c) || !utf8.ValidString(b)) {
			t.Fatalf("%q cut into invalid UTF-8: %q %q", s, c, b)
		}
		if utf8.RuneCountInString(strings.TrimSuffix(c, "…")) > n || len(strings.TrimSuffix(b, "…")) > n {
			t.Fatalf("%q over %d: %q %q", s, n, c, b)
		}
	})
}
