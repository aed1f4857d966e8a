package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"shian/internal/testenv"
	"shian/ratelimit"
)

// BenchmarkShopEndpoint measures GET /api/v1/shops/{licence} over a real
// loopback listener and a real SQLite store, with the limiter on Redis and
// in process, in one run; it reports the Redis commands sent per request
// (each is one round trip). Compare the two req/s figures:
//
//	go test -run '^$' -bench ShopEndpoint -count 3 ./api
func BenchmarkShopEndpoint(b *testing.B) {
	db := edgeStore(b)
	// Generous enough never to refuse: the cost measured is the check's.
	// "redis" is a roomy limit, decided from the shadow and charged in
	// batches; "redis-exact" has a burst too small to be roomy (but a rate
	// that never refuses), so every decision waits for Redis.
	open := ratelimit.Policy{Name: ratelimit.PublicRead, Rate: 1 << 30, Burst: 1 << 30, Period: time.Minute, Key: ratelimit.KeyIP}
	exact := open
	exact.Burst = 99
	for _, mode := range []string{"redis", "redis-exact", "local"} {
		b.Run("limiter="+mode, func(b *testing.B) {
			opts := ratelimit.Options{Policies: edgePolicies(open)}
			if mode == "redis-exact" {
				opts.Policies = edgePolicies(exact)
			}
			counter := &benchCounter{}
			if mode != "local" {
				ro, err := redis.ParseURL(testenv.RedisURL(b))
				if err != nil {
					b.Fatal(err)
				}
				ro.ContextTimeoutEnabled = true
				client := redis.NewClient(ro)
				defer client.Close()
				client.AddHook(counter)
				opts.Client, opts.Prefix = client, testenv.KeyPrefix(b)
			}
			l, err := ratelimit.New(opts)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			s := New(Config{Store: db, Limiter: l, Logger: slog.New(slog.DiscardHandler)})
			url := "http://" + edgeListen(b, s) + "/api/v1/shops/" + edgeLicence
			hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			defer hc.CloseIdleConnections()
			get := func() error {
				resp, err := hc.Get(url)
				if err != nil {
					return err
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					return &http.ProtocolError{ErrorString: resp.Status}
				}
				return nil
			}
			if err := get(); err != nil { // warm up: script load, cache
				b.Fatal(err)
			}
			before := counter.n.Load()
			b.SetParallelism(8)
			b.ResetTimer()
			start := time.Now()
			var once sync.Once
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := get(); err != nil {
						once.Do(func() { b.Error(err) })
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
			if err := l.Flush(context.Background()); err != nil { // count the charges still queued
				b.Fatal(err)
			}
			b.ReportMetric(float64(counter.n.Load()-before)/float64(b.N), "redis-cmds/req")
			if mode != "local" && l.Fallbacks() > 0 {
				b.Logf("%d of %d decisions fell back (Redis slower than 50 ms)", l.Fallbacks(), b.N)
			}
		})
	}
}

type benchCounter struct{ n atomic.Int64 }

func (c *benchCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *benchCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}
func (c *benchCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}
