// Package batch is the queue-and-drain loop that lets work arriving at the
// same moment travel together: callers add items, one drainer goroutine
// takes whatever has gathered, a batch at a time, and hands each batch to
// Run. Nothing waits for a batch to fill: an item added to an idle queue
// starts a drainer at once, and while a batch runs the next one gathers.
//
// Two parts of Shian pay for a round trip or a commit per request and use it
// to pay once per batch instead: the group commit of the store (one
// transaction for the filings of the moment) and the rate limiter (one Redis
// script call for the decisions of the moment). BENCHMARKS.md measures
// what each gains.
package batch

import "sync"

// Queue holds items waiting for their batch. Set its fields before the first
// Add; the zero value of a field is its default.
type Queue[T any] struct {
	// Max bounds the items of one batch; 0 means no bound.
	Max int
	// Limit bounds the items waiting: Offer refuses more, Add does not. 0
	// means no bound.
	Limit int
	// Gather, when set, runs in the drainer before it takes each batch,
	// outside the queue's lock: it may wait a moment for more items (the
	// rate limiter lingers for charges) or let other goroutines run first.
	Gather func()
	// Run handles one batch. Batches of one queue run one after the other,
	// in the order their items were added.
	Run func(batch []T)

	mu       sync.Mutex
	items    []T
	draining bool
}

// Add queues x and starts a drainer when none runs.
func (q *Queue[T]) Add(x T) { q.add(x, false) }

// Offer queues x unless Limit items are waiting already (false).
func (q *Queue[T]) Offer(x T) bool { return q.add(x, true) }

func (q *Queue[T]) add(x T, bounded bool) bool {
	q.mu.Lock()
	if bounded && q.Limit > 0 && len(q.items) >= q.Limit {
		q.mu.Unlock()
		return false
	}
	q.items = append(q.items, x)
	start := !q.draining
	q.draining = true
	q.mu.Unlock()
	if start {
		go q.drain()
	}
	return true
}

// Len is the number of items waiting for a batch (not those running).
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

// Idle reports whether nothing waits and no batch runs.
func (q *Queue[T]) Idle() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) == 0 && !q.draining
}

// drain runs batches until the queue is empty. The queue's slice is reused:
// what remains is moved to its front, and the moved-from slots are cleared
// so that finished items are not kept alive by it.
func (q *Queue[T]) drain() {
	for {
		if q.Gather != nil {
			q.Gather()
		}
		q.mu.Lock()
		n := len(q.items)
		if q.Max > 0 {
			n = min(n, q.Max)
		}
		if n == 0 {
			q.draining = false
			q.mu.Unlock()
			return
		}
		batch := make([]T, n)
		copy(batch, q.items)
		rest := copy(q.items, q.items[n:])
		clear(q.items[rest:])
		q.items = q.items[:rest]
		q.mu.Unlock()
		q.Run(batch)
	}
}
