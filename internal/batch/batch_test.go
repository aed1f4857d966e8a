package batch

import (
	"sync"
	"testing"
	"time"
)

// Items added while a batch runs gather into the next, in order, and no
// batch exceeds Max.
func TestQueueGathersInOrder(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var batches [][]int
	var gathers int
	q := &Queue[int]{Max: 3,
		Gather: func() { mu.Lock(); gathers++; mu.Unlock() },
		Run: func(b []int) {
			if b[0] == 0 {
				<-release // hold the first batch while the others queue
			}
			mu.Lock()
			batches = append(batches, b)
			mu.Unlock()
		}}
	q.Add(0)
	waitFor(func() bool { return q.Len() == 0 })
	for i := 1; i <= 7; i++ {
		q.Add(i)
	}
	if q.Idle() || q.Len() != 7 {
		t.Fatalf("while the first batch runs: idle %v, %d waiting; want busy, 7", q.Idle(), q.Len())
	}
	close(release)
	if !waitFor(q.Idle) {
		t.Fatal("the queue did not drain")
	}
	mu.Lock()
	defer mu.Unlock()
	want := [][]int{{0}, {1, 2, 3}, {4, 5, 6}, {7}}
	if len(batches) != len(want) {
		t.Fatalf("batches %v, want %v", batches, want)
	}
	for i := range want {
		if len(batches[i]) != len(want[i]) {
			t.Fatalf("batches %v, want %v", batches, want)
		}
		for j := range want[i] {
			if batches[i][j] != want[i][j] {
				t.Fatalf("batches %v, want %v", batches, want)
			}
		}
	}
	// Once before each batch, and once more before finding the queue empty.
	if gathers != len(want)+1 {
		t.Errorf("Gather ran %d times, want %d", gathers, len(want)+1)
	}
}

// Offer refuses beyond Limit; Add does not.
func TestQueueLimit(t *testing.T) {
	release := make(chan struct{})
	done := make(chan int, 16)
	q := &Queue[int]{Limit: 2, Run: func(b []int) {
		if b[0] == 0 {
			<-release
		}
		for _, x := range b {
			done <- x
		}
	}}
	q.Add(0)
	waitFor(func() bool { return q.Len() == 0 })
	got := []bool{q.Offer(1), q.Offer(2), q.Offer(3)}
	if !got[0] || !got[1] || got[2] {
		t.Fatalf("offers beyond a limit of 2: %v, want [true true false]", got)
	}
	q.Add(4)
	close(release)
	waitFor(q.Idle)
	close(done)
	var ran []int
	for x := range done {
		ran = append(ran, x)
	}
	if len(ran) != 4 || ran[0] != 0 || ran[1] != 1 || ran[2] != 2 || ran[3] != 4 {
		t.Fatalf("ran %v, want [0 1 2 4]", ran)
	}
}

// Many goroutines adding at once: every item runs exactly once.
func TestQueueConcurrent(t *testing.T) {
	const n = 2000
	var mu sync.Mutex
	seen := make([]int, n)
	q := &Queue[int]{Max: 64, Run: func(b []int) {
		if len(b) > 64 {
			t.Errorf("batch of %d, above Max", len(b))
		}
		mu.Lock()
		for _, x := range b {
			seen[x]++
		}
		mu.Unlock()
	}}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { q.Add(i) })
	}
	wg.Wait()
	if !waitFor(q.Idle) {
		t.Fatal("the queue did not drain")
	}
	mu.Lock()
	defer mu.Unlock()
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("item %d ran %d times", i, c)
		}
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}
