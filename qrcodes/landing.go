package qrcodes

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"shian"
)

// Verifier checks a sticker token: the shop id and sticker version it was
// issued for, ENOTFOUND or EINVALID when the city did not issue it.
// (*Signer).Verify wrapped by cmd is one.
type Verifier interface {
	Verify(token string) (shopID int64, version int, err error)
}

// ShopReader reads the shop a sticker names: the store, never search, so
// that a scan works with Meilisearch down.
type ShopReader interface {
	ShopByID(ctx context.Context, id int64) (*shian.Shop, error)
}

// ScanStore keeps the daily scan counts.
type ScanStore interface {
	AddScans(ctx context.Context, day string, counts map[int64]int) error
}

// LandingConfig holds a Landing's collaborators.
type LandingConfig struct {
	Verifier Verifier // nil treats every code as not issued
	Shops    ShopReader
	Scans    ScanStore // nil counts nothing
	Now      func() time.Time
	// ShopTTL bounds how stale a shop read for a scan may be (5 s when 0).
	ShopTTL time.Duration
}

// Landing turns a scanned sticker into its shop: it verifies the token,
// reads the shop through a brief cache and counts the scan. A tour bus
// scanning one door costs one MAC and one store read, not fifty, and a scan
// costs no write: counts are kept in memory and flushed every few seconds.
type Landing struct {
	cfg       LandingConfig
	verified  sync.Map // token → claims of a token that verified
	verifiedN atomic.Int64
	shops     sync.Map // id → shopEntry

	mu     sync.Mutex
	counts map[int64]int
}

// NewLanding returns a Landing.
func NewLanding(cfg LandingConfig) *Landing {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ShopTTL == 0 {
		cfg.ShopTTL = 5 * time.Second
	}
	return &Landing{cfg: cfg, counts: map[int64]int{}}
}

// Resolve returns the shop of a scanned token and whether the sticker is
// outdated (the shop has been issued a newer one). shop is nil, with a nil
// error, for a code the city did not issue or whose shop is gone; token
// must be a copy the caller owns (it is kept as a cache key).
func (l *Landing) Resolve(ctx context.Context, token string) (shop *shian.Shop, outdated bool, err error) {
	if l.cfg.Verifier == nil || len(token) > 64 {
		return nil, false, nil
	}
	id, version, ok := l.verify(token)
	if !ok {
		return nil, false, nil
	}
	shop, err = l.shopByID(ctx, id)
	if shian.ErrorCode(err) == shian.ENOTFOUND {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	l.mu.Lock()
	l.counts[shop.ID]++
	l.mu.Unlock()
	return shop, version < shop.StickerVersion, nil
}

// verify verifies a token, remembering the tokens that verified: a sticker
// is scanned again and again, and its MAC need not be recomputed. Only
// valid tokens are kept (forgeries cannot fill the memory), and the memory
// is dropped whole when it holds more than maxVerified.
func (l *Landing) verify(token string) (id int64, version int, ok bool) {
	if v, hit := l.verified.Load(token); hit {
		c := v.(claims)
		return c.id, c.version, true
	}
	id, version, err := l.cfg.Verifier.Verify(token)
	if err != nil {
		return 0, 0, false
	}
	if l.verifiedN.Add(1) > maxVerified {
		l.verified.Clear()
		l.verifiedN.Store(0)
	}
	l.verified.Store(token, claims{id, version})
	return id, version, true
}

const maxVerified = 100_000

type claims struct {
	id      int64
	version int
}

type shopEntry struct {
	shop    *shian.Shop
	expires time.Time
}

// shopByID reads a shop by id through a brief cache.
func (l *Landing) shopByID(ctx context.Context, id int64) (*shian.Shop, error) {
	key := "id:" + strconv.FormatInt(id, 10)
	if v, ok := l.shops.Load(key); ok {
		e := v.(shopEntry)
		if l.cfg.Now().Before(e.expires) {
			return e.shop, nil
		}
	}
	shop, err := l.cfg.Shops.ShopByID(ctx, id)
	if err != nil {
		return nil, err
	}
	l.shops.Store(key, shopEntry{shop, l.cfg.Now().Add(l.cfg.ShopTTL)})
	return shop, nil
}

// Flush writes the scans counted so far under today's date (China time);
// serve calls it on a ticker and at shutdown. On a store error the counts
// are kept for the next flush: a hiccup must not lose them.
func (l *Landing) Flush(ctx context.Context) error {
	l.mu.Lock()
	counts := l.counts
	l.counts = map[int64]int{}
	l.mu.Unlock()
	if len(counts) == 0 || l.cfg.Scans == nil {
		return nil
	}
	day := l.cfg.Now().In(shian.CST).Format(shian.DateLayout)
	if err := l.cfg.Scans.AddScans(ctx, day, counts); err != nil {
		l.mu.Lock()
		for id, n := range counts {
			l.counts[id] += n
		}
		l.mu.Unlock()
		return err
	}
	return nil
}
