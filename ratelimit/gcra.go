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
// Redis, in Unix seconds: redis_rate's convention, shared by multiGCRA and
// the in-process limiter so that all three compute alike.
const epoch2017 = 1483228800

// multiGCRA checks several GCRA limits in one call and charges all of them
// only when every one allows. KEYS are the keys; ARGV[1] the cost (0 peeks:
// "would one more be allowed?"); then burst, rate and period (seconds) per
// key. The state of a key is its TAT as seconds since 2017-01-01, exactly as
// redis_rate stores it. The reply is {all, then per key: allowed, remaining,
// retry_after, reset_after}, durations as strings of seconds (-1: none).
var multiGCRA = redis.NewScript(`
if redis.replicate_commands then redis.replicate_commands() end
local cost = tonumber(ARGV[1])
local need = cost
if need < 1 then need = 1 end
local t = redis.call("TIME")
local now = (t[1] - 1483228800) + t[2] / 1000000
local out = {1}
local tats = {}
local all = true
for i = 1, #KEYS do
  local burst = tonumber(ARGV[3 * i - 1])
  local rate = tonumber(ARGV[3 * i])
  local period = tonumber(ARGV[3 * i + 1])
  local interval = period / rate
  local tat = tonumber(redis.call("GET", KEYS[i]) or now) or now
  if tat < now then tat = now end
  local avail = (now - tat) / interval + burst
  if avail >= need then
    tats[i] = tat + interval * cost
    out[#out + 1] = 1
    out[#out + 1] = math.floor(avail - cost + 1e-6)
    out[#out + 1] = "-1"
    out[#out + 1] = tostring(tats[i] - now)
  else
    all = false
    out[#out + 1] = 0
    out[#out + 1] = 0
    out[#out + 1] = tostring((need - avail) * interval)
    out[#out + 1] = tostring(tat - now)
  end
end
if not all then
  out[1] = 0
elseif cost > 0 then
  for i = 1, #KEYS do
    local ttl = math.ceil(tats[i] - now)
    if ttl > 0 then redis.call("SET", KEYS[i], tats[i], "EX", ttl) end
  end
end
return out
`)

// local is the in-process GCRA: the same arithmetic as multiGCRA over a
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
	need := float64(max(cost, 1))
	d := Decision{Allowed: true, Backend: BackendLocal, Results: make([]Result, len(hits))}
	tats := make([]float64, len(hits))
	for i, h := range hits {
		interval := h.Policy.Period.Seconds() / float64(h.Policy.Rate)
		tat, ok := lo.shards[idx[i]].tat[keys[i]]
		if !ok || tat < now {
			tat = now
		}
		avail := (now-tat)/interval + float64(h.Policy.Burst)
		r := Result{Policy: h.Policy}
		if avail >= need {
			tats[i] = tat + interval*float64(cost)
			r.Allowed, r.Remaining, r.ResetAfter = true, int(math.Floor(avail-float64(cost)+1e-6)), seconds(tats[i]-now)
		} else {
			d.Allowed = false
			r.RetryAfter, r.ResetAfter = seconds((need-avail)*interval), seconds(tat-now)
		}
		d.Results[i] = r
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
