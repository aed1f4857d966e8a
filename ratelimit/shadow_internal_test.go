package ratelimit

import (
	"fmt"
	"testing"
	"time"

	"shian/internal/testenv"
)

// TestShadowForgetsAnsweredCharges: every charge the shadow counts as
// unconfirmed (a roomy decision's, or one that waited for Redis, alone or in
// a batch) stops counting once Redis answers, so the count neither blocks a
// key's roomy path for good nor grows with the number of clients.
func TestShadowForgetsAnsweredCharges(t *testing.T) {
	p := Policy{Name: "roomy", Rate: 1000, Burst: 1000, Period: time.Minute}
	l, err := New(Options{RedisURL: testenv.RedisURL(t), Prefix: testenv.KeyPrefix(t), Policies: []Policy{p}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 200 {
		// A new key's first decision waits for Redis (redis_rate, alone);
		// the next ones are roomy.
		for range 3 {
			if d := l.Allow(t.Context(), p, fmt.Sprint("client-", i)); !d.Allowed {
				t.Fatalf("client %d refused: %+v", i, d)
			}
		}
	}
	if err := l.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	left := 0
	for i := range l.local.shards {
		s := &l.local.shards[i]
		s.mu.Lock()
		left += len(s.unconfirmed)
		s.mu.Unlock()
	}
	if left != 0 {
		t.Fatalf("%d keys still have unconfirmed charges after every charge was answered", left)
	}
}
