package views

import (
	"context"
	"fmt"
	"time"
)

// Change is one row of the store's change sequence: the shop whose public
// view changed, in the transaction that changed it.
type Change struct {
	Seq     int64
	ShopID  int64
	Licence string
}

// Feed is the store's change sequence (store/sqlstore implements it).
type Feed interface {
	// LatestShopChange is the highest seq written (0 when none): the
	// cheap question a poller asks every second.
	LatestShopChange(ctx context.Context) (int64, error)
	// ShopChangesSince lists changes with seq > after, in seq order.
	ShopChangesSince(ctx context.Context, after int64, limit int) ([]Change, error)
}

// Poller drops a replica's cached answers of shops that changed on any
// replica. On PostgreSQL a seq is drawn before its transaction commits, so
// seqs can become visible out of order: a gap below a seen seq is kept
// open for GapWait (the longest a writing transaction is expected to take
// to commit) before it is taken to be a rolled-back transaction.
type Poller struct {
	Feed  Feed
	Cache *Cache
	// Interval between polls (default 1 s: pages promise 5 s).
	Interval time.Duration
	// GapWait (default 15 s, the longest write transaction).
	GapWait time.Duration
	// Batch is how many changes one query lists (default 1,000); a poller
	// more than 10 batches behind purges the cache instead.
	Batch int
	Now   func() time.Time

	started  bool
	mark     int64              // every seq ≤ mark has been applied or given up
	seen     map[int64]struct{} // applied seqs above mark
	gapSince time.Time
}

func (p *Poller) defaults() {
	if p.Interval <= 0 {
		p.Interval = time.Second
	}
	if p.GapWait <= 0 {
		p.GapWait = 15 * time.Second
	}
	if p.Batch <= 0 {
		p.Batch = 1000
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.seen == nil {
		p.seen = map[int64]struct{}{}
	}
}

// Run polls until ctx ends. A failed poll is returned to onErr (may be
// nil) and retried at the next tick; answers cached meanwhile are at
// most as stale as the store outage is long, and a store that cannot be
// polled usually cannot be read either.
func (p *Poller) Run(ctx context.Context, onErr func(error)) {
	p.defaults()
	t := time.NewTicker(p.Interval)
	defer t.Stop()
	for {
		if err := p.Poll(ctx); err != nil && onErr != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Poll applies the changes written since the last poll. The first poll
// only notes where the sequence stands (the cache starts empty).
func (p *Poller) Poll(ctx context.Context) error {
	p.defaults()
	latest, err := p.Feed.LatestShopChange(ctx)
	if err != nil {
		return fmt.Errorf("views: latest change: %w", err)
	}
	if !p.started {
		p.started, p.mark = true, latest
		p.Cache.Purge()
		return nil
	}
	if latest <= p.mark {
		return nil
	}
	if latest-p.mark > int64(10*p.Batch) {
		// An import of many shops: listing them costs more than refilling.
		p.Cache.Purge()
		p.mark, p.seen, p.gapSince = latest, map[int64]struct{}{}, time.Time{}
		return nil
	}
	after := p.mark
	for {
		changes, err := p.Feed.ShopChangesSince(ctx, after, p.Batch)
		if err != nil {
			return fmt.Errorf("views: changes since %d: %w", after, err)
		}
		groups := make([]string, 0, 2*len(changes))
		for _, ch := range changes {
			if _, ok := p.seen[ch.Seq]; ok {
				continue
			}
			p.seen[ch.Seq] = struct{}{}
			groups = append(groups, ch.Licence, IDGroup(ch.ShopID))
		}
		if len(groups) > 0 {
			p.Cache.Invalidate(groups...)
		}
		if len(changes) < p.Batch {
			break
		}
		after = changes[len(changes)-1].Seq
	}
	p.advance()
	return nil
}

// advance moves the mark over the contiguous seqs seen, and past a gap
// that has stayed open longer than GapWait.
func (p *Poller) advance() {
	for {
		for {
			if _, ok := p.seen[p.mark+1]; !ok {
				break
			}
			delete(p.seen, p.mark+1)
			p.mark++
		}
		if len(p.seen) == 0 {
			p.gapSince = time.Time{}
			return
		}
		now := p.Now()
		if p.gapSince.IsZero() {
			p.gapSince = now
			return
		}
		if now.Sub(p.gapSince) < p.GapWait {
			return
		}
		low := int64(-1)
		for s := range p.seen {
			if low < 0 || s < low {
				low = s
			}
		}
		p.mark, p.gapSince = low-1, time.Time{}
	}
}
