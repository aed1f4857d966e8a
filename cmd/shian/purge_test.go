package main

import (
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"365d", 365 * 24 * time.Hour, true},
		{"1d", 24 * time.Hour, true},
		{"8760h", 8760 * time.Hour, true},
		{"0d", 0, false},
		{"-5d", 0, false},
		{"365", 0, false},
		{"d", 0, false},
		{"99999d", 0, false},
		{"-1h", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseAge(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseAge(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}
