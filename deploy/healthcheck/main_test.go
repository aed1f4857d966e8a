package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestProbe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ready":
			w.WriteHeader(http.StatusOK)
		case "/slow":
			time.Sleep(300 * time.Millisecond)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		url     string
		timeout time.Duration
		ok      bool
	}{
		{"ready", srv.URL + "/ready", time.Second, true},
		{"unavailable", srv.URL + "/down", time.Second, false},
		{"too slow", srv.URL + "/slow", 50 * time.Millisecond, false},
		{"nobody listens", "http://127.0.0.1:1/readyz", time.Second, false},
		{"bad url", "http://[::1", time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := probe(tt.url, tt.timeout)
			if (err == nil) != tt.ok {
				t.Fatalf("probe(%s) = %v, want ok=%v", tt.url, err, tt.ok)
			}
		})
	}
}
