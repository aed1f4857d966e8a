package complaints

import (
	"strings"
	"testing"
)

func TestSealer(t *testing.T) {
	s, err := NewSealer([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewSealer([]byte(strings.Repeat("t", 32)))
	sealed, err := s.Seal([]byte("13812341234"), "contact:QHD-AAAA-2222")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.Seal([]byte("13812341234"), "contact:QHD-AAAA-2222")
	tests := []struct {
		name string
		ok   bool
		open func() ([]byte, error)
	}{
		{"same key and place", true, func() ([]byte, error) { return s.Open(sealed, "contact:QHD-AAAA-2222") }},
		{"copied to another ticket", false, func() ([]byte, error) { return s.Open(sealed, "contact:QHD-BBBB-2222") }},
		{"another secret", false, func() ([]byte, error) { return other.Open(sealed, "contact:QHD-AAAA-2222") }},
		{"tampered", false, func() ([]byte, error) { return s.Open(sealed[:len(sealed)-2]+"AA", "contact:QHD-AAAA-2222") }},
		{"unknown version", false, func() ([]byte, error) { return s.Open("v9:"+sealed[3:], "contact:QHD-AAAA-2222") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.open()
			if ok := err == nil && string(got) == "13812341234"; ok != tt.ok {
				t.Fatalf("open = %q, %v; want ok=%v", got, err, tt.ok)
			}
		})
	}
	if strings.Contains(sealed, "1381234") || sealed == again {
		t.Errorf("sealing is not randomised or leaks the phone: %s", sealed)
	}
	if s.Hash("phone", "13812341234") != s.Hash("phone", "13812341234") ||
		s.Hash("phone", "13812341234") == s.Hash("last4", "13812341234") ||
		s.Hash("phone", "13812341234") == other.Hash("phone", "13812341234") {
		t.Error("keyed hash must be deterministic per key and purpose, and differ across them")
	}
	if _, err := NewSealer([]byte("short")); err == nil {
		t.Error("a short secret was accepted")
	}
}
