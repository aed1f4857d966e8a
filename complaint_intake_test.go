package shian

import (
	"strings"
	"testing"
	"time"
)

func TestNewTicket(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		tk, err := NewTicket()
		if err != nil {
			t.Fatal(err)
		}
		p, ok := ParseTicket(tk)
		if !ok || p != tk || len(tk) != 13 || seen[tk] {
			t.Fatalf("ticket %q: parse %q %v, seen %v", tk, p, ok, seen[tk])
		}
		seen[tk] = true
	}
	counts := map[rune]int{}
	for tk := range seen {
		for _, r := range tk[4:] {
			counts[r]++
		}
	}
	if len(counts) < 30 { // 16,000 draws over 31 symbols: all of them appear
		t.Errorf("only %d distinct symbols used", len(counts))
	}
	for _, bad := range "01ILO" {
		if counts[bad] > 0 {
			t.Errorf("ambiguous symbol %q used", bad)
		}
	}
}

func TestParseTicket(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"QHD-7K3M-9XQ2", "QHD-7K3M-9XQ2", true},
		{"qhd 7k3m 9xq2", "QHD-7K3M-9XQ2", true},
		{"7K3M9XQ2", "QHD-7K3M-9XQ2", true},
		{"QHD-7K3M-9XQ", "", false},
		{"QHD-7K3M-9XQO", "", false}, // O is not in the alphabet
		{"QHD-7K3M-9XQ2-2", "", false},
		{"", "", false},
		{"QHD-7K3M-9XQ2'; DROP TABLE complaints", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseTicket(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseTicket(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestNormalizeAndMaskPhone(t *testing.T) {
	tests := []struct {
		in, want, masked string
		ok               bool
	}{
		{"13812341234", "13812341234", "138****1234", true},
		{"138 1234 1234", "13812341234", "138****1234", true},
		{"+86 138-1234-1234", "13812341234", "138****1234", true},
		{"008613812341234", "13812341234", "138****1234", true},
		{"１３８１２３４１２３４", "13812341234", "138****1234", true},
		{"0335-1234567", "03351234567", "033****4567", true},
		{"(010) 8888 6666", "01088886666", "010****6666", true},
		{"+7 916 123-45-67", "+79161234567", "+79*****4567", true},
		{"12812341234", "", "", false}, // no such mobile prefix
		{"1381234123", "", "", false},
		{"138123412345", "", "", false},
		{"+86 12345", "", "", false},
		{"phone: 13812341234", "", "", false},
		{"", "", "", false},
		{"13812341234<script>", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := NormalizePhone(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
			if ok && MaskPhone(got) != tt.masked {
				t.Errorf("MaskPhone(%q) = %q, want %q", got, MaskPhone(got), tt.masked)
			}
		})
	}
}

func validInput() ComplaintInput {
	return ComplaintInput{Kind: KindComplaint, Category: "hygiene", Licence: "jy1130302000001",
		Description: "后厨有老鼠，餐具不消毒。", OccurredAt: time.Date(2026, 7, 14, 19, 0, 0, 0, CST),
		ContactName: "张三", ContactPhone: "+86 13812341234"}
}

func TestComplaintInputValidate(t *testing.T) {
	now := time.Date(2026, 7, 15, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		change func(*ComplaintInput)
		field  string // "" for valid
		key    string
	}{
		{"valid complaint", func(*ComplaintInput) {}, "", ""},
		{"anonymous report", func(in *ComplaintInput) { in.Kind, in.ContactName, in.ContactPhone = KindReport, "", "" }, "", ""},
		{"report by shop name only", func(in *ComplaintInput) { in.Kind, in.Licence, in.ShopName = KindReport, "", "路边摊" }, "", ""},
		{"html is text", func(in *ComplaintInput) { in.Description = "<script>alert(1)</script> 太脏了" }, "", ""},
		{"missing kind", func(in *ComplaintInput) { in.Kind = "" }, "kind", "complaint_required"},
		{"unknown kind", func(in *ComplaintInput) { in.Kind = "praise" }, "kind", "complaint_bad_choice"},
		{"unknown category", func(in *ComplaintInput) { in.Category = "noise" }, "category", "complaint_bad_choice"},
		{"bad licence", func(in *ComplaintInput) { in.Licence = "JY-1" }, "licence", "bad_licence"},
		{"no shop at all", func(in *ComplaintInput) { in.Licence = "" }, "shop_name", "complaint_shop_required"},
		{"only a point (Open311)", func(in *ComplaintInput) { in.Licence, in.Lat, in.Lng, in.HasGeo = "", 39.8241, 119.4804, true }, "", ""},
		{"only an address (Open311)", func(in *ComplaintInput) { in.Licence, in.ShopAddress = "", "北戴河区保二路125号" }, "", ""},
		{"description too short", func(in *ComplaintInput) { in.Description = "太脏了" }, "description", "complaint_description_length"},
		{"description too long", func(in *ComplaintInput) { in.Description = strings.Repeat("脏", 2001) }, "description", "complaint_description_length"},
		{"description of spaces", func(in *ComplaintInput) { in.Description = strings.Repeat(" ", 20) }, "description", "complaint_description_length"},
		{"invalid utf-8", func(in *ComplaintInput) { in.ShopName = "\xff\xfe" }, "shop_name", "complaint_bad_utf8"},
		{"control characters", func(in *ComplaintInput) { in.ContactName = "张\x00三" }, "contact_name", "complaint_bad_control"},
		{"newlines in description", func(in *ComplaintInput) { in.Description = "第一行很长很长\n第二行也很长" }, "", ""},
		{"future", func(in *ComplaintInput) { in.OccurredAt = now.Add(time.Hour) }, "occurred_at", "complaint_occurred_future"},
		{"too old", func(in *ComplaintInput) { in.OccurredAt = now.AddDate(-4, 0, 0) }, "occurred_at", "complaint_occurred_old"},
		{"outside the city", func(in *ComplaintInput) { in.Lat, in.Lng, in.HasGeo = 39.9, 116.4, true }, "lat", "complaint_outside_city"},
		{"invalid phone", func(in *ComplaintInput) { in.ContactPhone = "12345" }, "contact_phone", "complaint_bad_phone"},
		{"complaint without phone", func(in *ComplaintInput) { in.ContactPhone = "" }, "contact_phone", "complaint_contact_required"},
		{"complaint without name", func(in *ComplaintInput) { in.ContactName = " " }, "contact_name", "complaint_contact_required"},
		{"bad lang", func(in *ComplaintInput) { in.Lang = "fr" }, "lang", "complaint_bad_choice"},
		{"bad channel", func(in *ComplaintInput) { in.Channel = "fax" }, "channel", "complaint_bad_choice"},
		{"long order number", func(in *ComplaintInput) { in.OrderNo = strings.Repeat("9", 65) }, "order_no", "complaint_too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.change(&in)
			err := in.Validate(now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("valid input refused: %v", err)
				}
				if in.Lang != "zh" || in.Channel != ChannelWeb {
					t.Errorf("defaults: lang %q channel %q", in.Lang, in.Channel)
				}
				if in.ContactPhone != "" && in.ContactPhone != "13812341234" {
					t.Errorf("phone not normalised: %q", in.ContactPhone)
				}
				if in.Licence != "" && in.Licence != "JY1130302000001" {
					t.Errorf("licence not upper-cased: %q", in.Licence)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Code != EINVALID || e.Field != tt.field || e.Key != tt.key {
				t.Fatalf("err = %#v; want EINVALID on %s with key %s", err, tt.field, tt.key)
			}
		})
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"13812341234", "+86 138-1234-1234", "0335-1234567", "+79161234567", "００８６", "+", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := NormalizePhone(s)
		if !ok {
			return
		}
		again, ok2 := NormalizePhone(p)
		if !ok2 || again != p {
			t.Fatalf("not idempotent: %q → %q → %q %v", s, p, again, ok2)
		}
		m := MaskPhone(p)
		if len(m) != len(p) || m[:3] != p[:3] || m[len(m)-4:] != p[len(p)-4:] || strings.Trim(m[3:len(m)-4], "*") != "" {
			t.Fatalf("mask %q of %q reveals the middle", m, p)
		}
	})
}

func FuzzParseTicket(f *testing.F) {
	for _, s := range []string{"QHD-7K3M-9XQ2", "qhd7k3m9xq2", "", "QHD--", "ÄÖÜ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tk, ok := ParseTicket(s)
		if !ok {
			return
		}
		if again, ok := ParseTicket(tk); !ok || again != tk || len(tk) != 13 {
			t.Fatalf("%q → %q → %q", s, tk, again)
		}
	})
}
