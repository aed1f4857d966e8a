package ratelimit

import (
	"hash/maphash"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisRatePrefix is the prefix redis_rate puts before its keys; the
// multi-key script uses it too so that both see one state per key.
const redisRatePrefix = "rate:"

// epoch2017 is the origin of the theoretical arrival times (TAT) stored in
// Redis, in Unix seconds: redis_rate's convention, shared by batchGCRA and
// the in-process limiter so that all three compute alike.
const epoch2017 = 1483228800

// batchGCRA makes a batch of decisions in one call. The decisions come in
// groups: a group is one decision (one or more limits, charged all or
// nothing) asked for count times in a row, as when many requests from one
// tour bus arrive together. Groups are made in order, and a group's
// decisions one after the other, so every decision sees the ones before it:
// the result is exactly that of sending them one by one.
//
// ARGV[1] is the number of groups; then, per group: cost (0 peeks: "would
// one more be allowed?"), count, number of keys and force ("1": charge
// whatever the state, for decisions already made from the shadow, see
// Limiter.roomy), followed by burst, rate and period (seconds) per key. KEYS
// are every group's keys, in order.
//
// The state of a key is its theoretical arrival time (TAT) as seconds since
// 2017-01-01, exactly as redis_rate stores it, so both see one state per key.
// The reply is the script's now, then per group the TAT of each key when the
// group began and how many of its decisions were allowed (always the first
// ones: a refused decision leaves the state as it was). Numbers that are not
// counts travel as "%.17g" strings, which round-trip a double exactly, so
// that replay (in Go) recomputes each decision's figures from the very
// values the script used.
var batchGCRA = redis.NewScript(`
local t = redis.call("TIME")
local now = (t[1] - 1483228800) + t[2] / 1000000
local tat, dirty = {}, {}
local out = {string.format("%.17g", now)}
local a, k = 2, 0
for _ = 1, tonumber(ARGV[1]) do
  local cost, count, nkeys, force = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == "1"
  a = a + 4
  local need = cost
  if need < 1 then need = 1 end
  local burst, interval = {}, {}
  for i = 1, nkeys do
    local key = KEYS[k + i]
    burst[i] = tonumber(ARGV[a])
    interval[i] = tonumber(ARGV[a + 2]) / tonumber(ARGV[a + 1])
    a = a + 3
    if tat[key] == nil then tat[key] = tonumber(redis.call("GET", key)) or now end
    out[#out + 1] = string.format("%.17g", tat[key])
  end
  local allowed = 0
  for _ = 1, count do
    local ok = true
    for i = 1, nkeys do
      local v = tat[KEYS[k + i]]
      if v < now then v = now end
      if not force and (now - v) / interval[i] + burst[i] < need then ok = false break end
    end
    if not ok then break end
    allowed = allowed + 1
    if cost > 0 then
      for i = 1, nkeys do
        local key = KEYS[k + i]
        local v = tat[key]
        if v < now then v = now end
        tat[key] = v + interval[i] * cost
        dirty[key] = true
      end
    end
  end
  out[#out + 1] = allowed
  k = k + nkeys
end
for key in pairs(dirty) do
  local ttl = math.ceil(tat[key] - now)
  if ttl > 0 then redis.call("SET", key, tat[key], "EX", ttl) end
end
return out
`)

// interval is a policy's emission interval in seconds, computed as
// batchGCRA computes it (period / rate), not rounded to a Duration.
func interval(p Policy) float64 { return p.Period.Seconds() / float64(p.Rate) }

// step is one limit's part in one decision at time now (seconds since
// 2017), given the key's TAT: the limit's Result and the TAT the key would
// have if the decision is charged. It is batchGCRA's arithmetic, operation
// for operation, and the in-process limiter's.
func step(now, tat float64, p Policy, cost int) (Result, float64) {
	interval := interval(p)
	if tat < now {
		tat = now
	}
	need := float64(max(cost, 1))
	avail := (now-tat)/interval + float64(p.Burst)
	r := Result{Policy: p}
	if avail < need {
		r.RetryAfter, r.ResetAfter = seconds((need-avail)*interval), seconds(tat-now)
		return r, tat
	}
	next := tat + interval*float64(cost)
	r.Allowed, r.Remaining, r.ResetAfter = true, int(math.Floor(avail-float64(cost)+1e-6)), seconds(next-now)
	return r, next
}

// local is the in-process GCRA: the same arithmetic as batchGCRA over a
// sharded map of TATs, bounded in size.
type local struct {
	now    func() time.Time
	seed   maphash.Seed
	shards [64]shard
	max    int // keys per shard
}

type shard struct {
	mu      sync.Mutex
	tat     map[string]float64
	inserts int
	// unconfirmed counts, per key, the charges sent to Redis and not yet
	// answered: of decisions made from the shadow, and of decisions
	// waiting for Redis (see Limiter.roomy).
	unconfirmed map[string]int
}

func newLocal(now func() time.Time, maxKeys int) *local {
	lo := &local{now: now, seed: maphash.MakeSeed(), max: max(maxKeys/64, 16)}
	for i := range lo.shards {
		lo.shards[i].tat = map[string]float64{}
		lo.shards[i].unconfirmed = map[string]int{}
	}
	return lo
}

func (lo *local) shardOf(key string) int {
	return int(maphash.String(lo.seed, key) % uint64(len(lo.shards)))
}

// decide makes a decision over the TATs it holds. When accept is given, the
// decision is charged (and ok) only if every key is known and every result
// passes it (given the key's unconfirmed charges); a refusal changes
// nothing. charged, when given, runs when the decision is charged, before
// the keys' locks are let go; a charge it reports sent counts as
// unconfirmed until confirm.
func (lo *local) decide(l *Limiter, hits []Hit, cost int, accept func(r Result, unconfirmed int) bool, charged func() bool) (d Decision, ok bool) {
	keys := make([]string, len(hits))
	idx := make([]int, len(hits))
	for i, h := range hits {
		keys[i] = l.key(h)
		idx[i] = lo.shardOf(keys[i])
	}
	order := slices.Clone(idx)
	slices.Sort(order)
	order = slices.Compact(order)
	for _, i := range order {
		lo.shards[i].mu.Lock()
	}
	defer func() {
		for _, i := range order {
			lo.shards[i].mu.Unlock()
		}
	}()

	now := lo.at(lo.now())
	d = Decision{Allowed: true, Backend: BackendLocal, Results: make([]Result, len(hits))}
	tats := make([]float64, len(hits))
	ok = true
	for i, h := range hits {
		tat, found := lo.shards[idx[i]].tat[keys[i]]
		if !found {
			tat = now
		}
		d.Results[i], tats[i] = step(now, tat, h.Policy, cost)
		d.Allowed = d.Allowed && d.Results[i].Allowed
		ok = ok && (accept == nil || found && accept(d.Results[i], lo.shards[idx[i]].unconfirmed[keys[i]]))
	}
	if !ok {
		return Decision{}, false
	}
	if d.Allowed && cost > 0 {
		for i := range hits {
			lo.shards[idx[i]].put(keys[i], tats[i], now, lo.max)
		}
		if charged != nil && charged() {
			for i := range hits {
				lo.shards[idx[i]].unconfirmed[keys[i]]++
			}
		}
	}
	return d, true
}

// track counts a charge of key sent to Redis, until confirm.
func (lo *local) track(key string) {
	s := &lo.shards[lo.shardOf(key)]
	s.mu.Lock()
	s.unconfirmed[key]++
	s.mu.Unlock()
}

// confirm records that Redis answered (or failed) a charge of key.
func (lo *local) confirm(key string) {
	s := &lo.shards[lo.shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.unconfirmed[key]; n > 1 {
		s.unconfirmed[key] = n - 1
	} else {
		delete(s.unconfirmed, key)
	}
}

// at is t as the TATs count time: seconds since 2017-01-01.
func (lo *local) at(t time.Time) float64 {
	return float64(t.Unix()-epoch2017) + float64(t.Nanosecond())/1e9
}

// merge brings a key's TAT up to one Redis reported (a TAT only moves
// forward: the later of the two has counted more events).
func (lo *local) merge(key string, tat float64) {
	s := &lo.shards[lo.shardOf(key)]
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur, ok := s.tat[key]; !ok || tat > cur {
		s.put(key, tat, lo.at(lo.now()), lo.max)
	}
}

// put stores a TAT, first sweeping expired keys every so often and, when
// the shard is still full, forgetting an arbitrary key (it gets a fresh
// budget: failing open beats growing without bound).
func (s *shard) put(key string, tat, now float64, max int) {
	if _, ok := s.tat[key]; !ok {
		s.inserts++
		if s.inserts%4096 == 0 || len(s.tat) >= max {
			for k, v := range s.tat {
				if v <= now {
					delete(s.tat, k)
				}
			}
		}
		for k := range s.tat {
			if len(s.tat) < max {
				break
			}
			delete(s.tat, k)
		}
	}
	s.tat[key] = tat
}

func seconds(f float64) time.Duration {
	if f <= 0 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}
