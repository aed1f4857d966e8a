package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const redisHint = "run scripts/devstack.sh redis, or set SHIAN_TEST_REDIS_URL"

// RedisURL returns the URL of the test Redis server ($SHIAN_TEST_REDIS_URL,
// else DefaultRedisURL) after checking that it answers PING. The server is
// shared by every test process: keep your keys under KeyPrefix and never
// FLUSHDB.
func RedisURL(tb testing.TB) string {
	tb.Helper()
	u := env("SHIAN_TEST_REDIS_URL", DefaultRedisURL)
	opts, err := redis.ParseURL(u)
	if err != nil {
		tb.Fatalf("testenv: SHIAN_TEST_REDIS_URL: %v", err)
	}
	opts.MaxRetries = -1 // answer fast when nothing listens
	client := redis.NewClient(opts)
	defer client.Close()
	ctx, cancel := context.WithTimeout(tb.Context(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		unavailable(tb, redisHint, "Redis at %s does not answer: %v", redactURL(u), err)
	}
	return u
}

// NewRedisClient returns a client of the test Redis server, closed when the
// test ends.
func NewRedisClient(tb testing.TB) *redis.Client {
	tb.Helper()
	opts, err := redis.ParseURL(RedisURL(tb))
	if err != nil {
		tb.Fatalf("testenv: redis URL: %v", err)
	}
	client := redis.NewClient(opts)
	tb.Cleanup(func() { client.Close() })
	return client
}

// KeyPrefix returns a Redis key prefix unique to this test, such as
// "shiantest:testlimit_burst_1a2b3c4d:". Every key that starts with it, or
// with "rate:" and it (where redis_rate keeps its counters), is deleted when
// the test ends. It requires the test Redis server.
func KeyPrefix(tb testing.TB) string {
	tb.Helper()
	u := RedisURL(tb)
	prefix := "shiantest:" + UniqueName(tb) + ":"
	tb.Cleanup(func() {
		opts, err := redis.ParseURL(u)
		if err != nil {
			tb.Errorf("testenv: redis URL: %v", err)
			return
		}
		client := redis.NewClient(opts)
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, p := range []string{prefix, "rate:" + prefix} {
			if err := deleteByPrefix(ctx, client, p); err != nil {
				tb.Errorf("testenv: delete keys %s*: %v", p, err)
			}
		}
	})
	return prefix
}

// deleteByPrefix removes every key that starts with prefix. The prefix never
// holds glob characters (UniqueName emits none).
func deleteByPrefix(ctx context.Context, client *redis.Client, prefix string) error {
	iter := client.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := client.Unlink(ctx, batch...).Err(); err != nil {
				return fmt.Errorf("unlink: %w", err)
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	if len(batch) > 0 {
		if err := client.Unlink(ctx, batch...).Err(); err != nil {
			return fmt.Errorf("unlink: %w", err)
		}
	}
	return nil
}
