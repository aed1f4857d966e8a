package staff

import (
	"context"
	"testing"
	"time"

	"shian/internal/testenv"
	"shian/ratelimit"
)

// TestLoginGuard (issue 19, item 10): five failures for a name from one
// address lock that (name, address) only; the right password from another
// address is slowed a little, never refused; the slowdown is bounded.
func TestLoginGuard(t *testing.T) {
	for _, backend := range []string{"in-process", "redis"} {
		t.Run(backend, func(t *testing.T) {
			opts := ratelimit.Options{}
			if backend == "redis" {
				opts = ratelimit.Options{RedisURL: testenv.RedisURL(t), Prefix: testenv.KeyPrefix(t), Timeout: 2 * time.Second}
			}
			l, err := ratelimit.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			ctx := context.Background()
			g := NewLoginGuard(l, 250*time.Millisecond)
			if d, delay := g.Check(ctx, "officer", "203.0.113.7"); !d.Allowed || delay != 0 {
				t.Fatalf("first attempt: allowed %v, delay %v", d.Allowed, delay)
			}
			for range 5 {
				g.Failed(ctx, "officer", "203.0.113.7")
			}
			if d, _ := g.Check(ctx, "officer", "203.0.113.7"); d.Allowed || d.Denied() != ratelimit.LoginAccount {
				t.Fatalf("the guessing address is not locked: %+v", d)
			}
			d, delay := g.Check(ctx, "officer", "198.51.100.20")
			if !d.Allowed {
				t.Fatalf("the officer from another address is locked out: %+v", d)
			}
			if delay != 5*250*time.Millisecond {
				t.Fatalf("delay after 5 failures elsewhere = %v, want 1.25s", delay)
			}
			if d, _ := g.Check(ctx, "viewer", "203.0.113.7"); !d.Allowed {
				t.Fatalf("another name from the guessing address: %+v", d)
			}
			for range 20 {
				g.Failed(ctx, "officer", "192.0.2.1")
			}
			want := min(time.Duration(l.Policy(ratelimit.LoginName).Burst)*250*time.Millisecond, MaxLoginDelay)
			if _, delay := g.Check(ctx, "officer", "198.51.100.20"); delay != want {
				t.Fatalf("delay after many failures = %v, want the bound %v", delay, want)
			}
		})
	}
}
