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
// one more be allowed?"), count and number of keys, followed by burst, rate
// and period (seconds) per key. KEYS are every group's keys, in order.
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
  local cost, count, nkeys = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  a = a + 3
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
      if (now - v) / interval[i] + burst[i] < need then ok = false break end
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

// step is one limit's part in one decision at time now (seconds since
// 2017), given the key's TAT: the limit's Result and the TAT the key would
// have if the decision is charged. It is batchGCRA's arithmetic, operation
// for operation, and the in-process limiter's.
func step(now, tat float64, p Policy, cost int) (Result, float64) {
	interval := p.Period.Seconds() / float64(p.Rate)
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
}

func newLocal(now func() time.Time, maxKeys int) *local {
	lo := &local{now: now, seed: maphash.MakeSeed(), max: max(maxKeys/64, 16)}
	for i := range lo.shards {
		lo.shards[i].tat = map[string]float64{}
	}
	return lo
}

func (lo *local) shardOf(key string) int {
	return int(maphash.String(lo.seed, key) % uint64(len(lo.shards)))
}

func (lo *local) decide(l *Limiter, hits []Hit, cost int) Decision {
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

	t := lo.now()
	now := float64(t.Unix()-epoch2017) + float64(t.Nanosecond())/1e9
	d := Decision{Allowed: true, Backend: BackendLocal, Results: make([]Result, len(hits))}
	tats := make([]float64, len(hits))
	for i, h := range hits {
		tat, ok := lo.shards[idx[i]].tat[keys[i]]
		if !ok {
			tat = now
		}
		d.Results[i], tats[i] = step(now, tat, h.Policy, cost)
		d.Allowed = d.Allowed && d.Results[i].Allowed
	}
	if d.Allowed && cost > 0 {
		for i := range hits {
			lo.shards[idx[i]].put(keys[i], tats[i], now, lo.max)
		}
	}
	return d
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
