package edge

import (
	"testing"
	"time"

	"shian/ratelimit"
)

func TestRateLimitFields(t *testing.T) {
	p1 := ratelimit.Policy{Name: "a", Rate: 100, Burst: 50, Period: time.Minute}
	p2 := ratelimit.Policy{Name: "b_c", Rate: 10, Burst: 10, Period: 24 * time.Hour}
	d := ratelimit.Decision{Results: []ratelimit.Result{
		{Policy: p1, Allowed: true, Remaining: 42, ResetAfter: 4200 * time.Millisecond},
		{Policy: p2, Remaining: -1, ResetAfter: 0},
	}}
	pol, state := rateLimitFields(d)
	if pol != `"a";q=100;w=60, "b_c";q=10;w=86400` || state != `"a";r=42;t=5, "b_c";r=0;t=0` {
		t.Fatalf("%s | %s", pol, state)
	}
}
