package wechat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Replays (issue 19): WeChat's signature covers only the token, the
// timestamp and the nonce, not the body, so a captured query string could
// carry any body for the MaxSkew window. The handler remembers each
// (timestamp, nonce) with a hash of the body it came with, for that window,
// and refuses the pair with another body. The same pair with the same body
// is WeChat retrying a delivery; it passes, and the bot's MsgId
// de-duplication answers it again. Safe (AES) mode also signs the body
// (msg_signature); production should use it (deploy/RUNBOOK.md).

// Nonces remembers the (timestamp, nonce) pairs seen in the window.
type Nonces interface {
	// Remember records key with the body's digest for ttl, unless it was
	// recorded before: then it returns the digest recorded first.
	Remember(ctx context.Context, key, digest string, ttl time.Duration) (first bool, prev string, err error)
}

// RedisNonces keeps the pairs in Redis (SET NX with expiry), so that every
// replica refuses a pair another one has seen.
type RedisNonces struct {
	Client *redis.Client
	Prefix string // e.g. "shian:wechat:nonce:"
}

// Remember implements Nonces.
func (r RedisNonces) Remember(ctx context.Context, key, digest string, ttl time.Duration) (bool, string, error) {
	ok, err := r.Client.SetNX(ctx, r.Prefix+key, digest, ttl).Result()
	if err != nil || ok {
		return ok, "", err
	}
	prev, err := r.Client.Get(ctx, r.Prefix+key).Result()
	if errors.Is(err, redis.Nil) { // expired in between: it is gone, so this is the first now
		return true, "", nil
	}
	return false, prev, err
}

// MemoryNonces keeps the pairs in process, at most Max of them (default
// 100,000): enough for a busy Official Account's five minutes; when full,
// the oldest are forgotten first.
type MemoryNonces struct {
	Max int
	Now func() time.Time

	mu    sync.Mutex
	seen  map[string]memNonce
	order []string
}

type memNonce struct {
	digest  string
	expires time.Time
}

// Remember implements Nonces.
func (m *MemoryNonces) Remember(_ context.Context, key, digest string, ttl time.Duration) (bool, string, error) {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	max := m.Max
	if max <= 0 {
		max = 100_000
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]memNonce{}
	}
	if e, ok := m.seen[key]; ok && now.Before(e.expires) {
		return false, e.digest, nil
	}
	for len(m.order) > 0 { // drop the expired and, when full, the oldest
		e, ok := m.seen[m.order[0]]
		if ok && now.Before(e.expires) && len(m.seen) < max {
			break
		}
		delete(m.seen, m.order[0])
		m.order = m.order[1:]
	}
	m.seen[key] = memNonce{digest: digest, expires: now.Add(ttl)}
	m.order = append(m.order, key)
	return true, "", nil
}

// checkReplay refuses a (timestamp, nonce) pair seen before with another
// body. A store error lets the request through: the signature and the time
// window still hold, and WeChat users are not turned away because Redis is.
func (h *Handler) checkReplay(ctx context.Context, ts, nonce string, body []byte) error {
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	first, prev, err := h.nonces.Remember(ctx, ts+":"+nonce, digest, 2*MaxSkew)
	if err != nil {
		h.log.Warn("wechat: replay check unavailable", "err", err)
		return nil
	}
	if !first && prev != digest {
		return ErrSignature
	}
	return nil
}
