package ratelimit_test

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"shian/internal/testenv"
	"shian/ratelimit"
)

// newRedisLimiter returns a limiter on the shared test Redis whose keys are
// unique to the test and deleted after it.
func newRedisLimiter(t *testing.T, opts ratelimit.Options) *ratelimit.Limiter {
	t.Helper()
	client := testenv.NewRedisClient(t)
	prefix := opts.Prefix
	if prefix == "" {
		prefix = testenv.KeyPrefix(t)
	}
	t.Cleanup(func() {
		// redis_rate puts "rate:" before our prefix, out of KeyPrefix's reach.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		keys, err := client.Keys(ctx, "rate:"+prefix+"*").Result()
		if err == nil && len(keys) > 0 {
			err = client.Del(ctx, keys...).Err()
		}
		if err != nil {
			t.Errorf("delete rate keys: %v", err)
		}
	})
	opts.Prefix = prefix
	if opts.Timeout == 0 {
		// Correctness tests must not fall back because the race detector
		// and a busy machine make a call slower than the production 50 ms.
		opts.Timeout = 2 * time.Second
	}
	if opts.Client == nil && opts.RedisURL == "" {
		opts.RedisURL = testenv.RedisURL(t)
	}
	l, err := ratelimit.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func newLocalLimiter(t *testing.T, opts ratelimit.Options) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// backends runs fn against the Redis limiter and the in-process one.
func backends(t *testing.T, opts ratelimit.Options, fn func(t *testing.T, l *ratelimit.Limiter, backend string)) {
	t.Run("redis", func(t *testing.T) { fn(t, newRedisLimiter(t, opts), ratelimit.BackendRedis) })
	t.Run("local", func(t *testing.T) { fn(t, newLocalLimiter(t, opts), ratelimit.BackendLocal) })
}

// TestEveryPolicy spends each default policy's burst, sees the next event
// refused with a Retry-After of about one interval, and a second key
// untouched.
func TestEveryPolicy(t *testing.T) {
	backends(t, ratelimit.Options{}, func(t *testing.T, l *ratelimit.Limiter, backend string) {
		ctx := t.Context()
		for _, p := range ratelimit.DefaultPolicies() {
			t.Run(p.Name, func(t *testing.T) {
				p := l.Policy(p.Name)
				// Spend the burst until refused. Fast policies (public_read
				// returns a token every 100 ms) refill a little meanwhile.
				start := time.Now()
				allowed := 0
				var d ratelimit.Decision
				for d = l.Allow(ctx, p, "k1"); d.Allowed && allowed <= 2*p.Burst; d = l.Allow(ctx, p, "k1") {
					if d.Backend != backend {
						t.Fatalf("decided by %s", d.Backend)
					}
					if allowed == 0 && d.Results[0].Remaining != p.Burst-1 {
						t.Fatalf("first event: remaining %d of burst %d", d.Results[0].Remaining, p.Burst)
					}
					allowed++
				}
				refill := int(time.Since(start)/p.Interval()) + 1
				if allowed < p.Burst || allowed > p.Burst+refill {
					t.Fatalf("allowed %d before refusal, want burst %d (+%d refilled)", allowed, p.Burst, refill)
				}
				if d.Denied() != p.Name || d.Results[0].Remaining != 0 {
					t.Fatalf("refusal: %+v", d)
				}
				if ra := d.RetryAfter(); ra <= 0 || ra > p.Interval()+time.Second {
					t.Fatalf("retry after %v, interval %v", ra, p.Interval())
				}
				if d := l.Allow(ctx, p, "k2"); !d.Allowed {
					t.Fatalf("another key refused: %+v", d)
				}
			})
		}
	})
}

// TestTourBus: 50 phones behind one NAT, three requests each, at once.
func TestTourBus(t *testing.T) {
	backends(t, ratelimit.Options{}, func(t *testing.T, l *ratelimit.Limiter, backend string) {
		p := l.Policy(ratelimit.PublicRead)
		var wg sync.WaitGroup
		var refused atomic.Int32
		for range 50 {
			wg.Go(func() {
				for range 3 {
					if d := l.Allow(t.Context(), p, "203.0.113.9"); !d.Allowed {
						refused.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if n := refused.Load(); n != 0 {
			t.Fatalf("%d of 150 tour-bus requests refused", n)
		}
	})
}

// TestConcurrentExact: concurrent events never exceed the burst.
func TestConcurrentExact(t *testing.T) {
	p := ratelimit.Policy{Name: "p", Rate: 1, Burst: 40, Period: time.Hour}
	backends(t, ratelimit.Options{Policies: []ratelimit.Policy{p}}, func(t *testing.T, l *ratelimit.Limiter, backend string) {
		var wg sync.WaitGroup
		var allowed atomic.Int32
		for range 8 {
			wg.Go(func() {
				for range 25 {
					if l.Allow(t.Context(), p, "k").Allowed {
						allowed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if n := allowed.Load(); n != 40 {
			t.Fatalf("allowed %d of 200, want exactly the burst 40", n)
		}
	})
}

// TestAllowAllChargesAllOrNothing: the hourly and daily limits of one route
// are checked together; a refusal by one leaves the other uncharged.
func TestAllowAllChargesAllOrNothing(t *testing.T) {
	hour := ratelimit.Policy{Name: "hour", Rate: 3, Burst: 3, Period: time.Hour}
	dayP := ratelimit.Policy{Name: "day", Rate: 5, Burst: 5, Period: 24 * time.Hour}
	backends(t, ratelimit.Options{Policies: []ratelimit.Policy{hour, dayP}}, func(t *testing.T, l *ratelimit.Limiter, backend string) {
		ctx := t.Context()
		both := []ratelimit.Hit{{Policy: hour, Key: "ip"}, {Policy: dayP, Key: "phone"}}
		for i := range 3 {
			d := l.AllowAll(ctx, both...)
			if !d.Allowed || d.Backend != backend || len(d.Results) != 2 {
				t.Fatalf("event %d: %+v", i+1, d)
			}
			if d.Results[0].Remaining != 2-i || d.Results[1].Remaining != 4-i {
				t.Fatalf("event %d remaining: %+v", i+1, d.Results)
			}
		}
		d := l.AllowAll(ctx, both...)
		if d.Allowed || d.Denied() != "hour" || !d.Results[1].Allowed {
			t.Fatalf("4th event: %+v", d)
		}
		// The refused 4th did not use the daily budget: 2 remain there.
		p := l.Peek(ctx, ratelimit.Hit{Policy: dayP, Key: "phone"})
		if !p.Allowed || p.Results[0].Remaining != 2 {
			t.Fatalf("daily budget after a refusal: %+v", p.Results)
		}
	})
}

// TestPeekDoesNotCharge: Peek answers "would one more pass" and changes
// nothing; it refuses once the budget is spent.
func TestPeekDoesNotCharge(t *testing.T) {
	p := ratelimit.Policy{Name: "wrongproof", Rate: 2, Burst: 2, Period: time.Hour}
	backends(t, ratelimit.Options{Policies: []ratelimit.Policy{p}}, func(t *testing.T, l *ratelimit.Limiter, backend string) {
		ctx := t.Context()
		h := ratelimit.Hit{Policy: p, Key: "T1"}
		for range 5 {
			if d := l.Peek(ctx, h); !d.Allowed || d.Results[0].Remaining != 2 {
				t.Fatalf("peek on a fresh key: %+v", d)
			}
		}
		l.AllowAll(ctx, h)
		l.Allow(ctx, p, "T1")
		d := l.Peek(ctx, h)
		if d.Allowed || d.RetryAfter() <= 0 || d.RetryAfter() > 30*time.Minute+time.Second {
			t.Fatalf("peek after the budget is spent: %+v, retry %v", d, d.RetryAfter())
		}
	})
}

// TestRedisRateAndScriptShareState: a key charged by redis_rate (single
// hit) is seen by the multi-key script and the other way round.
func TestRedisRateAndScriptShareState(t *testing.T) {
	p := ratelimit.Policy{Name: "p", Rate: 10, Burst: 4, Period: time.Minute}
	l := newRedisLimiter(t, ratelimit.Options{Policies: []ratelimit.Policy{p}})
	ctx := t.Context()
	l.Allow(ctx, p, "k")                                              // redis_rate
	l.AllowAll(ctx, ratelimit.Hit{p, "k"}, ratelimit.Hit{p, "other"}) // script
	if d := l.Peek(ctx, ratelimit.Hit{p, "k"}); d.Results[0].Remaining != 2 {
		t.Fatalf("after one redis_rate and one script charge: %+v", d.Results)
	}
	if d := l.Allow(ctx, p, "k"); d.Results[0].Remaining != 1 {
		t.Fatalf("redis_rate after script: %+v", d.Results)
	}
}

// TestLocalMemoryBounded: the in-process limiter forgets keys beyond its
// bound instead of growing, and keeps deciding.
func TestLocalMemoryBounded(t *testing.T) {
	p := ratelimit.Policy{Name: "p", Rate: 1, Burst: 1, Period: time.Hour}
	l := newLocalLimiter(t, ratelimit.Options{Policies: []ratelimit.Policy{p}, LocalMaxKeys: 64 * 16})
	for i := range 20000 {
		if d := l.Allow(t.Context(), p, strconv.Itoa(i)); !d.Allowed {
			t.Fatalf("fresh key %d refused", i)
		}
	}
	// The most recent key is still remembered.
	if d := l.Allow(t.Context(), p, "19999"); d.Allowed {
		t.Fatal("recent key forgotten")
	}
}

// TestOneRoundTrip counts the commands the limiter sends: one per decision,
// whatever the number of policies.
func TestOneRoundTrip(t *testing.T) {
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	opts.ContextTimeoutEnabled = true
	client := redis.NewClient(opts)
	defer client.Close()
	counter := &commandCounter{}
	client.AddHook(counter)
	l := newRedisLimiter(t, ratelimit.Options{Client: client})
	ctx := t.Context()
	ip := ratelimit.Hit{Policy: l.Policy(ratelimit.ComplaintIPHour), Key: "ip"}
	ipDay := ratelimit.Hit{Policy: l.Policy(ratelimit.ComplaintIPDay), Key: "ip"}
	ph := ratelimit.Hit{Policy: l.Policy(ratelimit.ComplaintPhoneHour), Key: "ph"}
	phDay := ratelimit.Hit{Policy: l.Policy(ratelimit.ComplaintPhoneDay), Key: "ph"}
	read := l.Policy(ratelimit.PublicRead)
	// Warm up: the first run of a script may be EVALSHA, NOSCRIPT, then EVAL.
	l.Allow(ctx, read, "warm")
	l.AllowAll(ctx, ip, ph)
	for _, tc := range []struct {
		name string
		fn   func() ratelimit.Decision
	}{
		{"Allow", func() ratelimit.Decision { return l.Allow(ctx, read, "x") }},
		{"AllowAll4", func() ratelimit.Decision { return l.AllowAll(ctx, ip, ipDay, ph, phDay) }},
		{"Peek2", func() ratelimit.Decision { return l.Peek(ctx, ip, ph) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := counter.n.Load()
			const n = 20
			for range n {
				if d := tc.fn(); d.Backend != ratelimit.BackendRedis {
					t.Fatalf("decided by %s", d.Backend)
				}
			}
			// Public reads are roomy: decided from the shadow, charged to
			// Redis in batches after the answer.
			if err := l.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			per := float64(counter.n.Load()-before) / n
			t.Logf("%s: %.2f Redis round trips per decision (%v)", tc.name, per, counter.names())
			if per > 1 || per == 0 || (tc.name != "Allow" && per != 1) {
				t.Fatalf("%.2f round trips per decision, want 1 (at most 1, more than 0, for a roomy policy)", per)
			}
		})
	}
}

type commandCounter struct {
	n  atomic.Int64
	mu sync.Mutex
	by map[string]int
}

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		c.mu.Lock()
		if c.by == nil {
			c.by = map[string]int{}
		}
		c.by[cmd.Name()]++
		c.mu.Unlock()
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1) // a pipeline is one round trip
		return next(ctx, cmds)
	}
}

func (c *commandCounter) names() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps(c.by)
}

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// privateRedis is a redis-server of this test alone, which it may stop,
// freeze and restart.
type privateRedis struct {
	t    *testing.T
	bin  string
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

func startPrivateRedis(t *testing.T) *privateRedis {
	t.Helper()
	r := &privateRedis{t: t, bin: testenv.Tool(t, "redis-server")}
	for attempt := 0; ; attempt++ {
		r.port = testenv.FreePort(t)
		if err := r.start(); err == nil {
			break
		} else if attempt == 4 {
			t.Fatalf("start redis-server: %v", err)
		}
	}
	t.Cleanup(r.Stop)
	return r
}

func (r *privateRedis) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *privateRedis) start() error {
	cmd := exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", r.t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	client := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port)})
	defer client.Close()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		select {
		case <-exited:
			return fmt.Errorf("redis-server exited (port %d taken?)", r.port)
		default:
		}
		if client.Ping(context.Background()).Err() == nil {
			r.cmd, r.done = cmd, exited
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	return fmt.Errorf("redis-server on port %d did not answer", r.port)
}

// Start restarts a stopped server on the same port.
func (r *privateRedis) Start() {
	r.t.Helper()
	if err := r.start(); err != nil {
		r.t.Fatal(err)
	}
}

// Stop kills the server, as a crash would, and waits for it.
func (r *privateRedis) Stop() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Kill()
	<-r.done
	r.cmd = nil
}

func (r *privateRedis) signal(sig syscall.Signal) error { return r.cmd.Process.Signal(sig) }

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(within); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestFallbackAndRecovery stops and freezes a private Redis under a running
// limiter: every decision is still made (by the in-process limiter, with the
// same policies), the limiter says it is degraded and counts fallbacks, and
// it returns to Redis by itself.
func TestFallbackAndRecovery(t *testing.T) {
	srv := startPrivateRedis(t)
	p := ratelimit.Policy{Name: "p", Rate: 1, Burst: 3, Period: time.Hour}
	l, err := ratelimit.New(ratelimit.Options{RedisURL: srv.URL(), Policies: []ratelimit.Policy{p}, ProbeInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := t.Context()
	if d := l.Allow(ctx, p, "a"); d.Backend != ratelimit.BackendRedis || l.Degraded() {
		t.Fatalf("healthy: %+v degraded=%v", d, l.Degraded())
	}

	t.Run("stopped", func(t *testing.T) {
		srv.Stop()
		// Same policy in the fallback: burst 3, then refused. The third
		// failure in a row marks the limiter degraded.
		for i := range 3 {
			start := time.Now()
			d := l.Allow(ctx, p, "b")
			if took := time.Since(start); took > 300*time.Millisecond {
				t.Fatalf("decision with Redis down took %v", took)
			}
			if !d.Allowed || d.Backend != ratelimit.BackendLocal || l.Fallbacks() != uint64(i+1) || l.Degraded() != (i == 2) {
				t.Fatalf("Redis down, call %d: %+v degraded=%v fallbacks=%d", i+1, d, l.Degraded(), l.Fallbacks())
			}
		}
		if d := l.Allow(ctx, p, "b"); d.Allowed || d.Backend != ratelimit.BackendLocal {
			t.Fatalf("fallback did not enforce the policy: %+v", d)
		}
		time.Sleep(300 * time.Millisecond) // probes fail meanwhile
		if !l.Degraded() {
			t.Fatal("recovered while Redis is down")
		}
		srv.Start()
		waitFor(t, 3*time.Second, "recovery after restart", func() bool { return !l.Degraded() })
		if d := l.Allow(ctx, p, "c"); d.Backend != ratelimit.BackendRedis {
			t.Fatalf("after recovery: %+v", d)
		}
	})

	t.Run("frozen", func(t *testing.T) {
		// SIGSTOP: the port accepts, nothing answers. The per-call timeout
		// (50 ms) must bound the wait.
		if err := srv.signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		before := l.Fallbacks()
		var d ratelimit.Decision
		for range 3 {
			start := time.Now()
			d = l.Allow(ctx, p, "d")
			if took := time.Since(start); took > 250*time.Millisecond {
				t.Fatalf("decision with Redis frozen took %v", took)
			}
		}
		if d.Backend != ratelimit.BackendLocal || !l.Degraded() || l.Fallbacks() != before+3 {
			t.Fatalf("Redis frozen: %+v degraded=%v", d, l.Degraded())
		}
		// While degraded no request waits on Redis.
		start := time.Now()
		for range 100 {
			l.Allow(ctx, p, "e")
		}
		if took := time.Since(start); took > 100*time.Millisecond {
			t.Fatalf("100 degraded decisions took %v", took)
		}
		if err := srv.signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 3*time.Second, "recovery after SIGCONT", func() bool { return !l.Degraded() })
		if d := l.Allow(ctx, p, "f"); d.Backend != ratelimit.BackendRedis {
			t.Fatalf("after thaw: %+v", d)
		}
	})
}

// TestUnreachableRedisAtStart: a limiter whose Redis never answered still
// decides, from the start, and says it is degraded.
func TestUnreachableRedisAtStart(t *testing.T) {
	port := testenv.FreePort(t) // nothing listens there
	p := ratelimit.Policy{Name: "p", Rate: 1, Burst: 1, Period: time.Hour}
	l := newLocalLimiter(t, ratelimit.Options{RedisURL: fmt.Sprintf("redis://127.0.0.1:%d", port), Policies: []ratelimit.Policy{p}})
	if !l.Shared() {
		t.Fatal("limiter with a Redis URL not shared")
	}
	for i, key := range []string{"x", "y", "z"} {
		if d := l.Allow(t.Context(), p, key); !d.Allowed || d.Backend != ratelimit.BackendLocal || l.Degraded() != (i == 2) {
			t.Fatalf("call %d: %+v degraded=%v", i+1, d, l.Degraded())
		}
	}
	if err := l.Ping(t.Context()); err == nil {
		t.Fatal("Ping of an unreachable Redis succeeded")
	}
}

func TestNewRejectsBadPolicies(t *testing.T) {
	for _, tc := range []struct {
		name string
		ps   []ratelimit.Policy
	}{
		{"zero rate", []ratelimit.Policy{{Name: "a", Burst: 1, Period: time.Second}}},
		{"no name", []ratelimit.Policy{{Rate: 1, Burst: 1, Period: time.Second}}},
		{"duplicate", []ratelimit.Policy{{Name: "a", Rate: 1, Burst: 1, Period: time.Second}, {Name: "a", Rate: 2, Burst: 1, Period: time.Second}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ratelimit.New(ratelimit.Options{Policies: tc.ps}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := ratelimit.New(ratelimit.Options{RedisURL: "mysql://x"}); err == nil {
		t.Fatal("accepted a non-Redis URL")
	}
}

func TestClientIP(t *testing.T) {
	_, proxies, _ := net.ParseCIDR("10.0.0.0/8")
	_, proxy6, _ := net.ParseCIDR("fd00::/8")
	trusted := []*net.IPNet{proxies, proxy6}
	for _, tc := range []struct {
		name, peer, realIP, want string
	}{
		{"untrusted peer, no header", "198.51.100.7", "", "198.51.100.7"},
		{"untrusted peer claims X-Real-IP", "198.51.100.7", "1.2.3.4", "198.51.100.7"},
		{"trusted proxy", "10.1.2.3", "203.0.113.5", "203.0.113.5"},
		{"trusted proxy, spaces", "10.1.2.3", " 203.0.113.5 ", "203.0.113.5"},
		{"trusted proxy, IPv6 client", "10.1.2.3", "2001:db8::1", "2001:db8::1"},
		{"trusted IPv6 proxy", "fd00::5", "203.0.113.5", "203.0.113.5"},
		{"trusted proxy, garbage header", "10.1.2.3", "203.0.113.5, 1.1.1.1", "10.1.2.3"},
		{"trusted proxy, no header", "10.1.2.3", "", "10.1.2.3"},
		{"mapped IPv4 peer", "::ffff:198.51.100.7", "", "198.51.100.7"},
		{"mapped trusted proxy", "::ffff:10.0.0.1", "::ffff:203.0.113.5", "203.0.113.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ratelimit.ClientIP(net.ParseIP(tc.peer), tc.realIP, trusted)
			if got.String() != tc.want {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}
	if got := ratelimit.ClientIP(net.ParseIP("10.1.2.3"), "203.0.113.5", nil); got.String() != "10.1.2.3" {
		t.Fatalf("no trusted proxies: got %v", got)
	}
}

func TestIPKey(t *testing.T) {
	for _, tc := range []struct{ ip, want string }{
		{"203.0.113.5", "203.0.113.5"},
		{"::ffff:203.0.113.5", "203.0.113.5"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"", "unknown"},
	} {
		t.Run(tc.ip, func(t *testing.T) {
			if got := ratelimit.IPKey(net.ParseIP(tc.ip)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestIPv6SharesA64: two addresses of one /64 share a budget; the next /64
// has its own.
func TestIPv6SharesA64(t *testing.T) {
	p := ratelimit.Policy{Name: "p", Rate: 1, Burst: 2, Period: time.Hour}
	backends(t, ratelimit.Options{Policies: []ratelimit.Policy{p}}, func(t *testing.T, l *ratelimit.Limiter, backend string) {
		key := func(s string) string { return ratelimit.IPKey(net.ParseIP(s)) }
		l.Allow(t.Context(), p, key("2001:db8:0:1::1"))
		l.Allow(t.Context(), p, key("2001:db8:0:1::2"))
		if d := l.Allow(t.Context(), p, key("2001:db8:0:1:abcd::3")); d.Allowed {
			t.Fatal("third address of one /64 allowed past a burst of 2")
		}
		if d := l.Allow(t.Context(), p, key("2001:db8:0:2::1")); !d.Allowed {
			t.Fatal("the next /64 refused")
		}
	})
}

func FuzzClientIP(f *testing.F) {
	_, proxies, _ := net.ParseCIDR("10.0.0.0/8")
	trusted := []*net.IPNet{proxies}
	f.Add([]byte{10, 0, 0, 1}, "203.0.113.5")
	f.Add([]byte{198, 51, 100, 7}, "1.2.3.4")
	f.Add([]byte(net.ParseIP("2001:db8::1").To16()), "::1")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, peer []byte, realIP string) {
		got := ratelimit.ClientIP(net.IP(peer), realIP, trusted)
		p := net.IP(peer)
		if p.To4() == nil && len(p) != net.IPv6len {
			if got != nil {
				t.Fatalf("invalid peer %v gave %v", peer, got)
			}
			return
		}
		if !proxies.Contains(p) && !got.Equal(p) {
			t.Fatalf("untrusted peer %v: header %q gave %v", p, realIP, got)
		}
		if got == nil {
			t.Fatal("valid peer gave nil")
		}
		if k := ratelimit.IPKey(got); k == "" || k == "unknown" {
			t.Fatalf("key of %v: %q", got, k)
		}
	})
}

// TestBatchedDecisionsAreSequential: decisions asked for at the same moment
// travel together (fewer Redis calls than decisions), and each still sees
// the ones before it: of 150 concurrent events against a burst of 100,
// exactly 100 pass, and their Remaining counts are 99, 98, … 0, each once,
// as if they had been sent one by one.
func TestBatchedDecisionsAreSequential(t *testing.T) {
	opts, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	opts.ContextTimeoutEnabled = true
	client := redis.NewClient(opts)
	defer client.Close()
	counter := &commandCounter{}
	client.AddHook(counter)
	p := ratelimit.Policy{Name: "p", Rate: 1, Burst: 100, Period: time.Hour}
	q := ratelimit.Policy{Name: "q", Rate: 1, Burst: 1000, Period: time.Hour}
	l := newRedisLimiter(t, ratelimit.Options{Client: client, Policies: []ratelimit.Policy{p, q}})
	l.Peek(t.Context(), ratelimit.Hit{Policy: q, Key: "warm"}) // load the script

	before := counter.n.Load()
	var (
		mu        sync.Mutex
		remaining = map[int]int{}
		peeks     atomic.Int32
		wg        sync.WaitGroup
		start     = make(chan struct{})
	)
	for i := range 150 {
		wg.Go(func() {
			<-start
			var d ratelimit.Decision
			switch i % 3 {
			case 0: // one limit
				d = l.Allow(t.Context(), p, "k")
			case 1: // two limits, all or nothing
				d = l.AllowAll(t.Context(), ratelimit.Hit{Policy: p, Key: "k"}, ratelimit.Hit{Policy: q, Key: "k"})
			case 2: // the same, then a peek that must not charge
				d = l.AllowAll(t.Context(), ratelimit.Hit{Policy: p, Key: "k"}, ratelimit.Hit{Policy: q, Key: "k"})
				if pk := l.Peek(t.Context(), ratelimit.Hit{Policy: q, Key: "k"}); pk.Allowed {
					peeks.Add(1)
				}
			}
			if d.Backend != ratelimit.BackendRedis {
				t.Errorf("decided by %s", d.Backend)
			}
			if d.Allowed {
				mu.Lock()
				remaining[d.Results[0].Remaining]++
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	calls := counter.n.Load() - before
	if len(remaining) != 100 {
		t.Fatalf("%d distinct Remaining values among the allowed, want 100: %v", len(remaining), remaining)
	}
	for r := range 100 {
		if remaining[r] != 1 {
			t.Fatalf("Remaining %d seen %d times, want once: %v", r, remaining[r], remaining)
		}
	}
	if peeks.Load() != 50 {
		t.Fatalf("%d of 50 peeks allowed", peeks.Load())
	}
	// q was charged only by the two-limit decisions that p allowed.
	d := l.Peek(t.Context(), ratelimit.Hit{Policy: q, Key: "k"}, ratelimit.Hit{Policy: p, Key: "k"})
	charged := 1000 - d.Results[0].Remaining
	if d.Results[1].Allowed || charged < 33 || charged > 100 {
		t.Fatalf("after the burst: %+v (q charged %d times)", d.Results, charged)
	}
	t.Logf("200 decisions in %d Redis calls", calls)
	if calls >= 200 {
		t.Fatalf("%d Redis calls for 200 concurrent decisions: none were batched", calls)
	}
}

// TestRoomyLimitsAcrossReplicas: two limiters on one Redis (two replicas)
// decide a roomy policy from their shadows while far from the limit; the
// shared limit still holds within a few percent, because near it every
// decision waits for Redis, which has counted every charge.
func TestRoomyLimitsAcrossReplicas(t *testing.T) {
	p := ratelimit.Policy{Name: "roomy", Rate: 1, Burst: 1000, Period: time.Hour}
	prefix := testenv.KeyPrefix(t)
	a := newRedisLimiter(t, ratelimit.Options{Policies: []ratelimit.Policy{p}, Prefix: prefix})
	// The second replica shares the first one's keys.
	b, err := ratelimit.New(ratelimit.Options{RedisURL: testenv.RedisURL(t), Prefix: prefix,
		Policies: []ratelimit.Policy{p}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for w := range 8 {
		l := a
		if w%2 == 1 {
			l = b
		}
		wg.Go(func() {
			for range 400 {
				d := l.Allow(t.Context(), p, "bus")
				if d.Backend != ratelimit.BackendRedis {
					t.Errorf("decided by %s", d.Backend)
					return
				}
				if d.Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	n := allowed.Load()
	t.Logf("%d of 3,200 allowed by two replicas against a burst of 1,000", n)
	if n < 1000 || n > 1030 {
		t.Fatalf("%d allowed, want the burst of 1,000 within 3%%", n)
	}
	// Redis counted every one: a third replica sees the key spent.
	if err := a.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := b.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	c, err := ratelimit.New(ratelimit.Options{RedisURL: testenv.RedisURL(t), Prefix: prefix,
		Policies: []ratelimit.Policy{p}, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if d := c.Peek(t.Context(), ratelimit.Hit{Policy: p, Key: "bus"}); d.Allowed {
		t.Fatalf("a fresh replica sees room left after the burst was spent: %+v", d.Results)
	}
}

// TestRoomyChargesWhileRedisHangs: with Redis frozen, decisions on a roomy
// key keep being made at once from the shadow; the charges that cannot be
// sent pile up to a bound and the rest are dropped, without blocking; when
// Redis answers again the queue drains.
func TestRoomyChargesWhileRedisHangs(t *testing.T) {
	srv := startPrivateRedis(t)
	p := ratelimit.Policy{Name: "roomy", Rate: 1 << 30, Burst: 1 << 30, Period: time.Minute}
	l, err := ratelimit.New(ratelimit.Options{RedisURL: srv.URL(), Policies: []ratelimit.Policy{p},
		Timeout: 500 * time.Millisecond, ProbeInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if d := l.Allow(t.Context(), p, "k"); d.Backend != ratelimit.BackendRedis || !d.Allowed {
		t.Fatalf("first decision: %+v", d) // Redis answers it; the shadow learns the key
	}
	if err := srv.signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	shadow := 0
	for i := range 40000 {
		d := l.Allow(t.Context(), p, "k")
		if !d.Allowed {
			t.Fatalf("decision %d refused: %+v", i, d)
		}
		if d.Backend == ratelimit.BackendRedis {
			shadow++
		}
	}
	took := time.Since(start)
	t.Logf("40,000 decisions in %v with Redis frozen, %d from the shadow (the rest in-process after it degraded)", took, shadow)
	if took > 10*time.Second {
		t.Fatalf("40,000 decisions took %v with Redis frozen", took)
	}
	if shadow <= 1<<14 {
		t.Fatalf("only %d decisions from the shadow: the queue's bound was not reached", shadow)
	}
	if err := srv.signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := l.Flush(ctx); err != nil {
		t.Fatalf("queue did not drain after Redis came back: %v", err)
	}
}
