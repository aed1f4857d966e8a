package ratelimit

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"shian/internal/batch"
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

// batcher coalesces a limiter's decisions. One call is in flight at a time
// (a batch.Queue has one drainer): every decision asked for during a call
// joins the next. Two or more senders made batches smaller and the machine
// no faster.
type batcher struct {
	l     *Limiter
	once  sync.Once
	queue batch.Queue[*pending]
	// waiting counts the queued decisions someone waits for (not charges).
	waiting atomic.Int64
	wake    chan struct{} // a lingering sender's cue that someone waits
}

// init sets the queue up on first use: batches of at most maxBatch, charges
// dropped beyond maxQueue.
func (b *batcher) init() {
	b.once.Do(func() {
		b.wake = make(chan struct{}, 1)
		b.queue.Max, b.queue.Limit = maxBatch, maxQueue
		b.queue.Gather, b.queue.Run = b.gather, b.send1
	})
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
	b.init()
	for {
		if b.queue.Idle() {
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
	b.init()
	if droppable {
		return b.queue.Offer(p)
	}
	if !p.force {
		b.waiting.Add(1)
	}
	b.queue.Add(p)
	if !p.force {
		select {
		case b.wake <- struct{}{}:
		default:
		}
	}
	return true
}

// gather runs before each batch is taken. It lets the goroutines that are
// ready run first, so that requests a moment from asking join this batch
// instead of waiting for the next; and when only charges are queued (nobody
// waits for them), it lingers for more, until a decision arrives.
func (b *batcher) gather() {
	runtime.Gosched()
	if b.waiting.Load() != 0 {
		return
	}
	if n := b.queue.Len(); n == 0 || n >= maxBatch {
		return
	}
	t := time.NewTimer(linger)
	select {
	case <-b.wake:
	case <-t.C:
	case <-b.l.ctx.Done():
	}
	t.Stop()
}

// send1 makes one batch's decisions in one call and hands each its answer.
func (b *batcher) send1(ps []*pending) {
	for _, p := range ps {
		if !p.force {
			b.waiting.Add(-1)
		}
	}
	l := b.l
	ctx, cancel := context.WithTimeout(l.ctx, l.timeout)
	defer cancel()
	var ds []Decision
	var err error
	if p := ps[0]; len(ps) == 1 && len(p.hits) == 1 && p.cost == 1 && !p.force {
		var d Decision
		d, err = l.redisAllow(ctx, p.hits[0])
		ds = []Decision{d}
	} else {
		ds, err = l.redisBatch(ctx, ps)
	}
	l.account(err)
	for i, p := range ps {
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
