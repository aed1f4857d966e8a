package shian

import (
	"errors"
	"strings"
	"testing"
	"time"
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

// TestFreeText (issue 19, item 8): invisible characters do not count and
// bidirectional overrides and isolates are refused, naming the field.
func TestFreeText(t *testing.T) {
	zw := strings.Repeat("\u200b", 10)
	tests := []struct {
		name      string
		in        string
		multiline bool
		want      int
		bidi      bool
	}{
		{"plain", "桌上有蟑螂", false, 5, false},
		{"words", "a hair  in\tsoup", true, 14, false},
		{"ten zero-width spaces", zw, true, 0, false},
		{"zero-width between", "a" + zw + "b", true, 2, false},
		{"format chars", "\ufeff\u00ad\u2060\u200c\u200d\u180e", true, 0, false},
		{"fillers and selectors", "\u3164\u115f\ufe0f\U000E0100\u034f", true, 0, false},
		{"emoji with selector", "☕\ufe0f", false, 1, false},
		{"blanks", "   \t  ", true, 0, false},
		{"trailing spaces", "ab   ", true, 2, false},
		{"RLO", "shop\u202eevil", false, 0, true},
		{"LRE", "\u202ashop", true, 0, true},
		{"PDF", "shop\u202c", true, 0, true},
		{"isolate", "shop\u2066x\u2069", true, 0, true},
		{"FSI", "\u2068x", true, 0, true},
		{"RLM in a name", "shop\u200f", false, 0, true},
		{"RLM in a long text", "shop\u200f", true, 4, false},
		{"ALM in a name", "\u061cshop", false, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := FreeText("shop_name", tc.in, tc.multiline)
			if tc.bidi {
				var e *Error
				if err == nil || ErrorCode(err) != EINVALID || !errors.As(err, &e) || e.Field != "shop_name" || e.Key != "text_bidi" {
					t.Fatalf("FreeText(%q) = %d, %v; want a text_bidi error on shop_name", tc.in, n, err)
				}
				return
			}
			if err != nil || n != tc.want {
				t.Fatalf("FreeText(%q) = %d, %v; want %d", tc.in, n, err, tc.want)
			}
		})
	}
}

// TestValidateInvisibleAndBidi: the intake applies FreeText to every text
// field: a description of zero-width spaces is too short, a name of them
// is missing, and an override anywhere is refused naming the field.
func TestValidateInvisibleAndBidi(t *testing.T) {
	now := time.Date(2026, 7, 15, 2, 0, 0, 0, time.UTC)
	base := func() ComplaintInput {
		return ComplaintInput{Kind: KindComplaint, Category: "hygiene", ShopName: "老二位海鲜", Description: "桌上有蟑螂，餐具也不干净。",
			ContactName: "王先生", ContactPhone: "13812345678"}
	}
	tests := []struct {
		name  string
		edit  func(*ComplaintInput)
		field string
		key   string
	}{
		{"zero-width description", func(in *ComplaintInput) { in.Description = strings.Repeat("\u200b", 10) }, "description", "complaint_description_length"},
		{"padded description", func(in *ComplaintInput) { in.Description = "脏" + strings.Repeat("\u200b\u2060", 20) + "乱" }, "description", "complaint_description_length"},
		{"zero-width name", func(in *ComplaintInput) { in.ContactName = "\u200b\u200b\u200b" }, "contact_name", "complaint_contact_required"},
		{"zero-width shop", func(in *ComplaintInput) { in.ShopName = "\u200b\u200b" }, "shop_name", "complaint_shop_required"},
		{"RLO in shop name", func(in *ComplaintInput) { in.ShopName = "\u202e鲜海位二老" }, "shop_name", "text_bidi"},
		{"RLO in address", func(in *ComplaintInput) { in.ShopAddress = "海滨路\u202e1号" }, "shop_address", "text_bidi"},
		{"isolate in description", func(in *ComplaintInput) { in.Description += "\u2067" }, "description", "text_bidi"},
		{"RLO in contact name", func(in *ComplaintInput) { in.ContactName = "王\u202e先生" }, "contact_name", "text_bidi"},
		{"RLM in order number", func(in *ComplaintInput) { in.OrderNo = "A1\u200f" }, "order_no", "text_bidi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.edit(&in)
			err := in.Validate(now)
			var e *Error
			if !errors.As(err, &e) || e.Field != tc.field || e.Key != tc.key {
				t.Fatalf("Validate: %v (%+v); want %s on %s", err, e, tc.key, tc.field)
			}
		})
	}
	in := base()
	in.Description = "桌上有\u200b蟑螂，餐具也不干净。"
	if err := in.Validate(now); err != nil {
		t.Fatalf("a stray zero-width space among enough text: %v", err)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"", "abc", 3}, {"kitten", "sitting", 3}, {"老二为", "老二位", 1}, {"海鲜", "海鲜大排档", 3}} {
		if got := EditDistance([]rune(tc.a), []rune(tc.b)); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	if got := EditDistance([]string{"lao", "er", "wei"}, []string{"lao", "er", "wei", "hai"}); got != 1 {
		t.Errorf("syllables: %d, want 1", got)
	}
}
