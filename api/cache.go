package api

import (
	"sync"
	"time"
)

// ttlCache keeps encoded answers (shop JSON, rendered pages, sticker PNGs
// and SVGs) briefly, so that a tour bus scanning one sticker costs one
// store read, not fifty. Stale entries are at most ttl old.
type ttlCache struct {
	mu   sync.RWMutex
	ttl  time.Duration
	size int // entries at most
	now  func() time.Time
	data map[string]cacheEntry
}

type cacheEntry struct {
	body    []byte
	expires time.Time
}

func newTTLCache(ttl time.Duration, size int, now func() time.Time) *ttlCache {
	return &ttlCache{ttl: ttl, size: size, now: now, data: map[string]cacheEntry{}}
}

func (c *ttlCache) get(key string) ([]byte, bool) {
	c.mu.RLock()
	e, ok := c.data[key]
	c.mu.RUnlock()
	if !ok || c.now().After(e.expires) {
		return nil, false
	}
	return e.body, true
}

func (c *ttlCache) put(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.data) >= c.size {
		// Drop expired entries; if none, drop everything: simple and bounded.
		now := c.now()
		for k, e := range c.data {
			if now.After(e.expires) {
				delete(c.data, k)
			}
		}
		if len(c.data) >= c.size {
			c.data = map[string]cacheEntry{}
		}
	}
	c.data[key] = cacheEntry{body: body, expires: c.now().Add(c.ttl)}
}
