package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Backends a Decision can come from.
const (
	BackendRedis = "redis"
	BackendLocal = "local"
)

// Options configure a Limiter. The zero value is an in-process limiter with
// DefaultPolicies.
type Options struct {
	// RedisURL, when set, makes Redis the shared backend; the limiter owns
	// the client it opens and closes it in Close.
	RedisURL string
	// Client is an alternative to RedisURL: a client the caller owns. Give it
	// ContextTimeoutEnabled so that Timeout bites.
	Client *redis.Client
	// Prefix starts every key (after redis_rate's own "rate:"); default "shian:".
	Prefix string
	// Policies replaces DefaultPolicies.
	Policies []Policy
	// Timeout bounds each Redis call; default 50ms. A slower answer counts
	// as a failure and the in-process limiter decides.
	Timeout time.Duration
	// ProbeInterval is how often a degraded limiter PINGs Redis; default 1s.
	ProbeInterval time.Duration
	// FailuresToDegrade is how many Redis failures in a row mark the limiter
	// degraded (every failed call falls back on its own regardless); default
	// 3, so that one slow answer on a busy machine does not hand a whole
	// probe interval to per-replica limits.
	FailuresToDegrade int
	// LocalMaxKeys bounds the in-process limiter's memory; default 1<<20 keys.
	LocalMaxKeys int
	Logger       *slog.Logger
	// Now is the in-process limiter's clock (Redis uses its own TIME).
	Now func() time.Time
}

// Hit is one policy applied to one key.
type Hit struct {
	Policy Policy
	Key    string
}

// Result is the state of one Hit after a decision.
type Result struct {
	Policy  Policy
	Allowed bool
	// Remaining is how many more events the key may have right now.
	Remaining int
	// RetryAfter is how long until one more event is allowed (0 when allowed).
	RetryAfter time.Duration
	// ResetAfter is how long until the key is back to a full burst.
	ResetAfter time.Duration
}

// Decision answers one Allow/AllowAll/Peek.
type Decision struct {
	Allowed bool
	// Backend is BackendRedis (made by Redis, or for a roomy limit from
	// the replica's copy of the Redis state and charged to Redis after) or
	// BackendLocal (the in-process limiter alone).
	Backend string
	// Results holds one Result per Hit, in order.
	Results []Result
}

// RetryAfter is the longest wait among the denied hits (0 when allowed).
func (d Decision) RetryAfter() time.Duration {
	var max time.Duration
	for _, r := range d.Results {
		if !r.Allowed && r.RetryAfter > max {
			max = r.RetryAfter
		}
	}
	return max
}

// Denied names the first policy that refused, or "".
func (d Decision) Denied() string {
	for _, r := range d.Results {
		if !r.Allowed {
			return r.Policy.Name
		}
	}
	return ""
}

// Limiter decides whether events may happen. Its methods never fail: when
// Redis cannot answer within Timeout, the in-process limiter decides, the
// limiter marks itself degraded and probes Redis until it answers again.
// It is safe for concurrent use.
type Limiter struct {
	policies map[string]Policy
	prefix   string
	timeout  time.Duration
	probeInt time.Duration
	log      *slog.Logger

	rdb     *redis.Client
	ownsRDB bool
	rr      *redis_rate.Limiter
	local   *local
	batch   batcher

	degraded  atomic.Bool
	fallbacks atomic.Uint64
	failures  atomic.Int32 // Redis failures in a row
	maxFail   int32
	probing   atomic.Bool

	ctx    context.Context // cancelled by Close; parent of the probe
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds a Limiter. It does not contact Redis: the first decision does,
// and falls back when Redis is not there.
func New(opts Options) (*Limiter, error) {
	l := &Limiter{
		policies: map[string]Policy{},
		prefix:   opts.Prefix,
		timeout:  opts.Timeout,
		probeInt: opts.ProbeInterval,
		log:      opts.Logger,
		rdb:      opts.Client,
		maxFail:  int32(opts.FailuresToDegrade),
	}
	if l.maxFail <= 0 {
		l.maxFail = 3
	}
	if l.prefix == "" {
		l.prefix = "shian:"
	}
	if l.timeout <= 0 {
		l.timeout = 50 * time.Millisecond
	}
	if l.probeInt <= 0 {
		l.probeInt = time.Second
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	ps := opts.Policies
	if ps == nil {
		ps = DefaultPolicies()
	}
	for _, p := range ps {
		if err := p.validate(); err != nil {
			return nil, err
		}
		if _, dup := l.policies[p.Name]; dup {
			return nil, fmt.Errorf("ratelimit: policy %q defined twice", p.Name)
		}
		l.policies[p.Name] = p
	}
	if opts.RedisURL != "" && l.rdb == nil {
		ro, err := redis.ParseURL(opts.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("ratelimit: redis URL: %w", err)
		}
		ro.ContextTimeoutEnabled = true // let the per-call deadline reach the socket
		ro.MaxRetries = 1               // one quick retry for a pooled conn Redis closed
		ro.DialTimeout = 250 * time.Millisecond
		l.rdb, l.ownsRDB = redis.NewClient(ro), true
	}
	if l.rdb != nil {
		l.rr = redis_rate.NewLimiter(l.rdb)
		l.batch.l = l
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	max := opts.LocalMaxKeys
	if max <= 0 {
		max = 1 << 20
	}
	l.local = newLocal(now, max)
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l, nil
}

// Flush waits until the charges of decisions made from the shadow (see
// roomy) have reached Redis, or ctx is done.
func (l *Limiter) Flush(ctx context.Context) error {
	if l.rdb == nil {
		return nil
	}
	return l.batch.flush(ctx)
}

// Close sends the charges still queued (for at most a second), stops the
// probe and closes a Redis client the limiter opened.
func (l *Limiter) Close() error {
	if !l.degraded.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		l.Flush(ctx)
		cancel()
	}
	l.cancel()
	l.wg.Wait()
	if l.ownsRDB {
		return l.rdb.Close()
	}
	return nil
}

// Policy returns the named policy. It panics when there is none: policies
// are looked up once, when routes are built, so a typo stops the start.
func (l *Limiter) Policy(name string) Policy {
	p, ok := l.policies[name]
	if !ok {
		panic("ratelimit: no policy " + strconv.Quote(name))
	}
	return p
}

// Lookup returns the named policy, if there is one.
func (l *Limiter) Lookup(name string) (Policy, bool) {
	p, ok := l.policies[name]
	return p, ok
}

// Shared reports whether decisions are made in Redis (shared by replicas)
// when it is healthy.
func (l *Limiter) Shared() bool { return l.rdb != nil }

// Degraded reports whether Redis is configured but failing (FailuresToDegrade
// calls in a row), so that the in-process limiter is deciding until a probe
// PING succeeds.
func (l *Limiter) Degraded() bool { return l.degraded.Load() }

// Fallbacks counts the decisions the in-process limiter made because Redis
// failed or was marked degraded.
func (l *Limiter) Fallbacks() uint64 { return l.fallbacks.Load() }

// Allow charges one event to key under p. With Redis it is at most one
// EVALSHA: redis_rate's GCRA script, or batchGCRA carrying it together with
// the decisions asked for at the same moment.
func (l *Limiter) Allow(ctx context.Context, p Policy, key string) Decision {
	return l.decide(ctx, []Hit{{p, key}}, 1)
}

// AllowAll charges one event to every hit, all or nothing: when any hit is
// refused none is charged (a request refused by the daily limit does not use
// up the hourly one). With Redis it is at most one EVALSHA whatever the number
// of hits.
func (l *Limiter) AllowAll(ctx context.Context, hits ...Hit) Decision {
	return l.decide(ctx, hits, 1)
}

// Peek reports whether one more event would be allowed for every hit,
// without charging. Use it before checking a proof or password, then
// AllowAll only when the attempt was wrong: honest users are never counted.
func (l *Limiter) Peek(ctx context.Context, hits ...Hit) Decision {
	return l.decide(ctx, hits, 0)
}

func (l *Limiter) key(h Hit) string { return l.prefix + h.Policy.Name + ":" + h.Key }

func (l *Limiter) decide(ctx context.Context, hits []Hit, cost int) Decision {
	if len(hits) == 0 {
		return Decision{Allowed: true, Backend: BackendLocal}
	}
	if l.rdb == nil {
		d, _ := l.local.decide(l, hits, cost, nil, nil)
		return d
	}
	if !l.degraded.Load() {
		if d, ok := l.roomy(hits, cost); ok {
			return d
		}
		// No timer here: each Redis call is bounded by Timeout, and a
		// decision waits for at most the call in flight and its own.
		d, err := l.batch.decide(ctx, hits, cost)
		if err == nil {
			return d
		}
	}
	l.fallbacks.Add(1)
	d, _ := l.local.decide(l, hits, cost, nil, nil)
	return d
}

// Roomy limits. Policies with a large burst (public reads: a tour bus behind
// one address) are checked against the in-process copy of each key's state,
// which every Redis answer brings up to date (the shadow). While every limit
// of a decision keeps at least a tenth of its burst after it, the decision
// is made from the shadow at once and charged to Redis in the next batch,
// without waiting. What the shadow can miss is other replicas' charges that
// Redis has not answered yet; each replica keeps at most a fortieth of a
// burst of them per key, so that up to four replicas together stay within
// the tenth held back. Near the limit, or with too many charges unanswered,
// every decision waits for Redis, which has counted every charge before it:
// the shared limit stays exact where it refuses.
const (
	roomyBurst       = 100
	roomyHeadroom    = 10 // keep Burst/roomyHeadroom
	roomyUnconfirmed = 40 // at most Burst/roomyUnconfirmed unanswered charges per key
)

// roomyAny reports whether a decision touches a roomy policy, whose keys'
// charges in flight the shadow counts.
func (l *Limiter) roomyAny(hits []Hit) bool {
	for _, h := range hits {
		if h.Policy.Burst >= roomyBurst {
			return true
		}
	}
	return false
}

// roomy makes the decision from the shadow when every limit has room. A
// peek (cost 0) is never roomy, nor is a key the shadow has not heard of
// (a new client, or one idle long enough to be forgotten): Redis answers
// those, and its answer teaches the shadow the key's state.
func (l *Limiter) roomy(hits []Hit, cost int) (Decision, bool) {
	if cost == 0 {
		return Decision{}, false
	}
	for _, h := range hits {
		if h.Policy.Burst < roomyBurst {
			return Decision{}, false
		}
	}
	// The charge is queued before the keys are let go: a decision that
	// finds the shadow near the limit just after, and so asks Redis, is
	// queued behind it, and Redis counts both in that order.
	d, ok := l.local.decide(l, hits, cost, func(r Result, unconfirmed int) bool {
		// Charges in flight may all be refused by Redis or all counted:
		// reckon with the worse case.
		return r.Allowed && r.Remaining-unconfirmed >= r.Policy.Burst/roomyHeadroom &&
			unconfirmed < max(r.Policy.Burst/roomyUnconfirmed, 1)
	}, func() bool { return l.batch.charge(hits, cost) })
	if !ok {
		return Decision{}, false
	}
	d.Backend = BackendRedis
	return d, true
}

// account keeps the count of failed Redis calls in a row, which marks the
// limiter degraded at FailuresToDegrade.
func (l *Limiter) account(err error) {
	switch {
	case err == nil:
		if l.failures.Load() != 0 {
			l.failures.Store(0)
		}
	case l.ctx.Err() == nil && l.failures.Add(1) >= l.maxFail:
		l.markDegraded(err)
	}
}

// redisAllow makes one single-limit decision with redis_rate.
func (l *Limiter) redisAllow(ctx context.Context, h Hit) (Decision, error) {
	res, err := l.rr.Allow(ctx, l.key(h), redis_rate.Limit{Rate: h.Policy.Rate, Burst: h.Policy.Burst, Period: h.Policy.Period})
	if err != nil {
		return Decision{}, fmt.Errorf("ratelimit: redis allow: %w", err)
	}
	r := Result{Policy: h.Policy, Allowed: res.Allowed > 0, Remaining: res.Remaining, ResetAfter: max(res.ResetAfter, 0)}
	l.local.merge(l.key(h), l.local.at(time.Now().Add(r.ResetAfter)))
	if r.Allowed {
		// redis_rate truncates remaining in Lua, where 299×0.1/0.1 can
		// give 298.999…; the reset time is exact, so count from it.
		r.Remaining = remaining(h.Policy, r.ResetAfter)
	} else {
		r.RetryAfter = max(res.RetryAfter, 0)
	}
	return Decision{Allowed: r.Allowed, Backend: BackendRedis, Results: []Result{r}}, nil
}

// markDegraded switches to the in-process limiter and starts the probe.
func (l *Limiter) markDegraded(err error) {
	if l.degraded.CompareAndSwap(false, true) {
		l.log.Warn("rate limiter: Redis failing, in-process fallback", "err", err)
	}
	if l.probing.CompareAndSwap(false, true) {
		l.wg.Add(1)
		go l.probe()
	}
}

// probe PINGs Redis every ProbeInterval until it answers, then hands
// decisions back to Redis.
func (l *Limiter) probe() {
	defer l.wg.Done()
	defer l.probing.Store(false)
	t := time.NewTicker(l.probeInt)
	defer t.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(l.ctx, 4*l.timeout)
		err := l.rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			l.failures.Store(0)
			l.degraded.Store(false)
			l.log.Info("rate limiter: Redis back, shared limits restored", "fallbacks", l.fallbacks.Load())
			return
		}
	}
}

// Ping checks Redis now (for readiness probes); nil without Redis.
func (l *Limiter) Ping(ctx context.Context) error {
	if l.rdb == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 4*l.timeout)
	defer cancel()
	if err := l.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ratelimit: ping: %w", err)
	}
	return nil
}

// errReply is a reply of the multi-key script we cannot read.
var errReply = errors.New("ratelimit: unexpected script reply")

// redisBatch makes a batch's decisions with one batchGCRA EVALSHA. Equal
// decisions (same limits, keys and cost) travel as one group; each answer is
// then replayed from the state the script reports, in the order the script
// made them.
func (l *Limiter) redisBatch(ctx context.Context, batch []*pending) ([]Decision, error) {
	type group struct {
		first *pending
		keys  []string
		of    []int // indexes into batch, in order
	}
	var groups []*group
	byID := make(map[string]*group, len(batch))
	var id []byte
	for i, p := range batch {
		id = strconv.AppendInt(id[:0], int64(p.cost), 10)
		if p.force {
			id = append(id, 'f')
		}
		for _, h := range p.hits {
			id = append(id, 0)
			id = append(id, l.key(h)...)
		}
		g := byID[string(id)]
		if g == nil {
			g = &group{first: p, keys: make([]string, len(p.hits))}
			for j, h := range p.hits {
				g.keys[j] = redisRatePrefix + l.key(h)
			}
			byID[string(id)] = g
			groups = append(groups, g)
		}
		g.of = append(g.of, i)
	}
	var keys []string
	args := make([]any, 0, 1+6*len(groups))
	args = append(args, len(groups))
	for _, g := range groups {
		force := 0
		if g.first.force {
			force = 1
		}
		args = append(args, g.first.cost, len(g.of), len(g.keys), force)
		keys = append(keys, g.keys...)
		for _, h := range g.first.hits {
			args = append(args, h.Policy.Burst, h.Policy.Rate, h.Policy.Period.Seconds())
		}
	}
	v, err := batchGCRA.Run(ctx, l.rdb, keys, args...).Slice()
	if err != nil {
		return nil, fmt.Errorf("ratelimit: redis batch: %w", err)
	}
	if len(v) != 1+len(groups)+len(keys) {
		return nil, errReply
	}
	now, err := parseFloat(v[0])
	if err != nil {
		return nil, err
	}
	v = v[1:]
	ds := make([]Decision, len(batch))
	for _, g := range groups {
		state := make(map[string]float64, len(g.keys))
		for j, k := range g.keys {
			if _, seen := state[k]; seen {
				continue // a key named twice in one decision
			}
			if state[k], err = parseFloat(v[j]); err != nil {
				return nil, err
			}
		}
		allowed, ok := v[len(g.keys)].(int64)
		if !ok || allowed < 0 || allowed > int64(len(g.of)) {
			return nil, errReply
		}
		v = v[len(g.keys)+1:]
		hits, cost := g.first.hits, g.first.cost
		next := make([]float64, len(hits))
		for n, i := range g.of {
			d := Decision{Allowed: int64(n) < allowed, Backend: BackendRedis, Results: make([]Result, len(hits))}
			for j, h := range hits {
				d.Results[j], next[j] = step(now, state[g.keys[j]], h.Policy, cost)
				if g.first.force { // charged whatever the state
					next[j] = max(state[g.keys[j]], now) + interval(h.Policy)*float64(cost)
				}
			}
			if d.Allowed && cost > 0 {
				for j, k := range g.keys {
					state[k] = next[j]
				}
			}
			ds[i] = d
		}
		for j, h := range hits {
			l.local.merge(l.key(h), state[g.keys[j]])
		}
	}
	return ds, nil
}

// parseFloat reads a "%.17g" number of a script reply.
func parseFloat(v any) (float64, error) {
	s, ok := v.(string)
	if !ok {
		return 0, errReply
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errReply
	}
	return f, nil
}

// remaining is how many events a key whose bucket refills in reset may
// still have at once.
func remaining(p Policy, reset time.Duration) int {
	return max(int(math.Floor(float64(p.Burst)-reset.Seconds()/p.Interval().Seconds()+1e-6)), 0)
}
