package ratelimit

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Coalescing. Under load many requests ask for a decision at the same moment;
// sending each its own EVALSHA makes Redis, the kernel and the Go scheduler
// pay one round trip per request, which on a small machine costs more than
// the request itself. The batcher lets whatever decisions arrive while a call
// is in flight travel together in the next call: one batchGCRA EVALSHA makes
// them all, in arrival order, atomically in Redis, so a limit shared by
// replicas stays exact. A lone decision goes at once (no added wait), and a
// lone single-limit one goes through redis_rate itself.

// maxBatch bounds how many decisions one script call makes (and so how long
// Redis runs it: a few microseconds each).
const maxBatch = 128

// maxSenders is how many calls may be in flight at once. With one, every
// decision asked for during a call joins the next: two or more made
// batches smaller and the machine no faster.
const maxSenders = 1

type batcher struct {
	l       *Limiter
	mu      sync.Mutex
	queue   []*pending
	senders int
	waiting int           // queued decisions someone waits for (not charges)
	wake    chan struct{} // a lingering sender's cue that someone waits
}

// linger is how long a sender holding only charges (nobody waits for them)
// lets more gather before sending: under a crowd, one call then carries
// a millisecond's charges instead of a round trip's. A decision that waits
// for Redis cuts it short.
const linger = time.Millisecond

// pending is one decision waiting for its batch.
type pending struct {
	hits  []Hit
	cost  int
	force bool // a charge of a decision already made (see charge)
	// tracked: the shadow counts this charge as unconfirmed until answered.
	tracked bool
	done    chan struct{} // closed when d and err are set (nil for a charge)
	d       Decision
	err     error
}

// maxQueue bounds the decisions waiting for a batch. Charges of decisions
// already made (see Limiter.roomy) beyond it are dropped rather than kept
// in memory while Redis is slow: the shadow has counted them, and Redis
// undercounts until the next charges.
const maxQueue = 1 << 14

// charge queues a decision already made, to be charged to Redis in the next
// batch; nobody waits for it.
func (b *batcher) charge(hits []Hit, cost int) bool {
	return b.enqueue(&pending{hits: hits, cost: cost, force: true, tracked: true}, true)
}

// flush waits until every queued decision and charge has been sent and
// answered, or ctx is done.
func (b *batcher) flush(ctx context.Context) error {
	for {
		b.mu.Lock()
		idle := len(b.queue) == 0 && b.senders == 0
		b.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// decide queues one decision and waits, at most until ctx is done, for the
// batch it travels in.
func (b *batcher) decide(ctx context.Context, hits []Hit, cost int) (Decision, error) {
	p := &pending{hits: hits, cost: cost, done: make(chan struct{}), tracked: cost > 0 && b.l.roomyAny(hits)}
	if p.tracked {
		for _, h := range hits {
			b.l.local.track(b.l.key(h))
		}
	}
	b.enqueue(p, false)
	select {
	case <-p.done:
		return p.d, p.err
	case <-ctx.Done():
		// The batch may still charge this decision in Redis: as with any
		// call that timed out, the in-process limiter decides meanwhile.
		return Decision{}, ctx.Err()
	}
}

// enqueue queues p, or drops it (false) when droppable and the queue is full.
func (b *batcher) enqueue(p *pending, droppable bool) bool {
	b.mu.Lock()
	if droppable && len(b.queue) >= maxQueue {
		b.mu.Unlock()
		return false
	}
	b.queue = append(b.queue, p)
	if !p.force {
		b.waiting++
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
	start := b.senders < maxSenders
	if start {
		b.senders++
	}
	b.mu.Unlock()
	if start {
		go b.send()
	}
	return true
}

// send makes the queued decisions, a batch at a time, until none is left.
func (b *batcher) send() {
	for {
		// Let the goroutines that are ready run first: requests a moment
		// from asking join this batch instead of waiting for the next.
		runtime.Gosched()
		b.mu.Lock()
		if b.waiting == 0 && len(b.queue) > 0 && len(b.queue) < maxBatch {
			if b.wake == nil {
				b.wake = make(chan struct{}, 1)
			}
			wake := b.wake
			b.mu.Unlock()
			t := time.NewTimer(linger)
			select {
			case <-wake:
			case <-t.C:
			case <-b.l.ctx.Done():
			}
			t.Stop()
			b.mu.Lock()
		}
		n := min(len(b.queue), maxBatch)
		if n == 0 {
			b.senders--
			b.mu.Unlock()
			return
		}
		batch := make([]*pending, n)
		copy(batch, b.queue)
		for _, p := range batch {
			if !p.force {
				b.waiting--
			}
		}
		rest := copy(b.queue, b.queue[n:])
		clear(b.queue[rest:])
		b.queue = b.queue[:rest]
		b.mu.Unlock()
		b.send1(batch)
	}
}

// send1 makes one batch's decisions in one call and hands each its answer.
func (b *batcher) send1(batch []*pending) {
	l := b.l
	ctx, cancel := context.WithTimeout(l.ctx, l.timeout)
	defer cancel()
	var ds []Decision
	var err error
	if p := batch[0]; len(batch) == 1 && len(p.hits) == 1 && p.cost == 1 && !p.force {
		var d Decision
		d, err = l.redisAllow(ctx, p.hits[0])
		ds = []Decision{d}
	} else {
		ds, err = l.redisBatch(ctx, batch)
	}
	l.account(err)
	for i, p := range batch {
		if p.tracked { // answered, or lost: either way no longer in flight
			for _, h := range p.hits {
				l.local.confirm(l.key(h))
			}
		}
		if err != nil {
			p.err = err
		} else {
			p.d = ds[i]
		}
		if p.done != nil {
			close(p.done)
		}
	}
}
