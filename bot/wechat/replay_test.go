package wechat_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"shian"
	"shian/bot"
	"shian/bot/wechat"
	"shian/internal/testenv"
)

// TestReplayRefused (issue 19, item 4): a captured (timestamp, nonce,
// signature) with another body is refused within the window; WeChat's own
// retry (same body) still passes. In process and in Redis (shared by
// replicas: two handlers, one Redis).
func TestReplayRefused(t *testing.T) {
	now := time.Unix(1784080800, 0)
	reply := botFunc(func(ctx context.Context, in bot.Input) ([]bot.Reply, error) {
		return []bot.Reply{{Text: "ok " + in.Text}}, nil
	})
	for _, backend := range []string{"memory", "redis"} {
		t.Run(backend, func(t *testing.T) {
			newHandler := func(n wechat.Nonces) *wechat.Handler {
				h, err := wechat.New(wechat.Config{Token: vecToken, Now: func() time.Time { return now }, Nonces: n}, reply)
				if err != nil {
					t.Fatal(err)
				}
				return h
			}
			var first, second *wechat.Handler
			if backend == "redis" {
				n := wechat.RedisNonces{Client: testenv.NewRedisClient(t), Prefix: testenv.KeyPrefix(t)}
				first, second = newHandler(n), newHandler(n)
			} else {
				first = newHandler(nil)
				second = first
			}
			q := url.Values{"timestamp": {vecTS}, "nonce": {vecNonce}, "signature": {vecSig}}
			body := []byte("<xml><ToUserName>gh</ToUserName><FromUserName>oUser</FromUserName><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>")
			if _, err := first.Serve(context.Background(), q, body); err != nil {
				t.Fatalf("first delivery: %v", err)
			}
			if _, err := second.Serve(context.Background(), q, body); err != nil {
				t.Fatalf("WeChat's retry (same body): %v", err)
			}
			evil := []byte("<xml><ToUserName>gh</ToUserName><FromUserName>oVictim</FromUserName><MsgType>text</MsgType><Content>evil</Content><MsgId>2</MsgId></xml>")
			if _, err := second.Serve(context.Background(), q, evil); shian.ErrorCode(err) != shian.EUNAUTHORIZED {
				t.Fatalf("replayed signature with another body: %v", err)
			}
		})
	}
}

func TestMemoryNoncesBounded(t *testing.T) {
	now := time.Unix(0, 0)
	m := &wechat.MemoryNonces{Max: 3, Now: func() time.Time { return now }}
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d"} {
		if first, _, _ := m.Remember(ctx, k, "x", time.Minute); !first {
			t.Fatalf("%s seen before", k)
		}
	}
	if first, _, _ := m.Remember(ctx, "a", "y", time.Minute); !first {
		t.Fatal("the oldest was not forgotten when full")
	}
	if first, prev, _ := m.Remember(ctx, "d", "y", time.Minute); first || prev != "x" {
		t.Fatalf("d: first %v prev %q", first, prev)
	}
	now = now.Add(2 * time.Minute)
	if first, _, _ := m.Remember(ctx, "d", "y", time.Minute); !first {
		t.Fatal("an expired pair is still refused")
	}
}
