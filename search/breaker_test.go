package search

import (
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	b := breaker{threshold: 3, cooldown: 5 * time.Second, now: func() time.Time { return now }}
	steps := []struct {
		name    string
		advance time.Duration
		result  string // "ok", "fail" or "" (no call made)
		allow   bool
		open    bool
	}{
		{"closed allows", 0, "fail", true, false},
		{"second failure", 0, "fail", true, false},
		{"third failure opens", 0, "fail", true, true},
		{"open skips", time.Second, "", false, true},
		{"still open", 3 * time.Second, "", false, true},
		{"cool-down over: one probe", 2 * time.Second, "fail", true, true},
		{"failed probe reopens", time.Second, "", false, true},
		{"second probe", 5 * time.Second, "ok", true, false},
		{"closed again", 0, "ok", true, false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			now = now.Add(st.advance)
			if got := b.allow(); got != st.allow {
				t.Fatalf("allow = %v, want %v", got, st.allow)
			}
			switch st.result {
			case "ok":
				b.success()
			case "fail":
				b.failure()
			}
			if got := b.isOpen(); got != st.open {
				t.Errorf("isOpen = %v, want %v", got, st.open)
			}
		})
	}
	t.Run("one probe at a time", func(t *testing.T) {
		b := breaker{threshold: 1, cooldown: time.Second, now: func() time.Time { return now }}
		b.allow()
		b.failure()
		now = now.Add(2 * time.Second)
		if !b.allow() {
			t.Fatal("no probe after the cool-down")
		}
		if b.allow() {
			t.Fatal("a second call let through while the probe runs")
		}
		b.release()
		if !b.allow() {
			t.Fatal("no probe after a released one")
		}
	})
}
