package ratelimit

import (
	"context"
	"runtime"
	"sync"
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

// maxSenders is how many calls may be in flight at once. Two keep Redis busy
// while the next batch forms without making batches needlessly small.
const maxSenders = 1

type batcher struct {
	l       *Limiter
	mu      sync.Mutex
	queue   []*pending
	senders int
}

// pending is one decision waiting for its batch.
type pending struct {
	hits []Hit
	cost int
	done chan struct{} // closed when d and err are set
	d    Decision
	err  error
}

// decide queues one decision and waits, at most until ctx is done, for the
// batch it travels in.
func (b *batcher) decide(ctx context.Context, hits []Hit, cost int) (Decision, error) {
	p := &pending{hits: hits, cost: cost, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, p)
	start := b.senders < maxSenders
	if start {
		b.senders++
	}
	b.mu.Unlock()
	if start {
		go b.send()
	}
	select {
	case <-p.done:
		return p.d, p.err
	case <-ctx.Done():
		// The batch may still charge this decision in Redis: as with any
		// call that timed out, the in-process limiter decides meanwhile.
		return Decision{}, ctx.Err()
	}
}

// send makes the queued decisions, a batch at a time, until none is left.
func (b *batcher) send() {
	for {
		// Let the goroutines that are ready run first: requests a moment
		// from asking join this batch instead of waiting for the next.
		runtime.Gosched()
		b.mu.Lock()
		n := min(len(b.queue), maxBatch)
		if n == 0 {
			b.senders--
			b.mu.Unlock()
			return
		}
		batch := make([]*pending, n)
		copy(batch, b.queue)
		rest := copy(b.queue, b.queue[n:])
		clear(b.queue[rest:])
		b.queue = b.queue[:rest]
		b.mu.Unlock()
		b.flush(batch)
	}
}

// flush makes one batch's decisions in one call and hands each its answer.
func (b *batcher) flush(batch []*pending) {
	l := b.l
	ctx, cancel := context.WithTimeout(l.ctx, l.timeout)
	defer cancel()
	if len(batch) == 1 && len(batch[0].hits) == 1 && batch[0].cost == 1 {
		p := batch[0]
		p.d, p.err = l.redisAllow(ctx, p.hits[0])
		close(p.done)
		return
	}
	ds, err := l.redisBatch(ctx, batch)
	for i, p := range batch {
		if err != nil {
			p.err = err
		} else {
			p.d = ds[i]
		}
		close(p.done)
	}
}
