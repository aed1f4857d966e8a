package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"shian"
)

// ShopSource is what the syncer and the reindex read shops from: the store.
type ShopSource interface {
	// ShopByID returns a shop with its history. Errors: ENOTFOUND.
	ShopByID(ctx context.Context, id int64) (*shian.Shop, error)
	// ListShops pages through all shops in id order.
	ListShops(ctx context.Context, f shian.ShopFilter) ([]*shian.Shop, error)
	// ShopsByIDs returns the shops with these ids (with history), in any
	// order, leaving out those not found.
	ShopsByIDs(ctx context.Context, ids []int64) ([]*shian.Shop, error)
}

// Syncer applies the store's outbox to the index: the worker `serve` runs.
type Syncer struct {
	Outbox shian.OutboxService
	Shops  ShopSource
	Index  *Index
	Log    *slog.Logger
	// Batch is how many outbox entries one pass applies (default 5000): one
	// read of the shops, one document request, one wait for its task.
	Batch int
	// Interval is the pause between polls of an empty outbox (default 1 s).
	Interval time.Duration
	// MaxBackoff caps the wait after failures (default 30 s).
	MaxBackoff time.Duration
	// MaxAttempts: an entry whose document Meilisearch rejected this many
	// times is left aside (it stays in the outbox, counted by the lag)
	// until a newer change of the same shop replaces it (default 5).
	MaxAttempts int
}

func (s *Syncer) defaults() {
	if s.Batch <= 0 {
		s.Batch = 5000
	}
	if s.Interval <= 0 {
		s.Interval = time.Second
	}
	if s.MaxBackoff <= 0 {
		s.MaxBackoff = 30 * time.Second
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = 5
	}
	if s.Log == nil {
		s.Log = slog.Default()
	}
}

// Run polls and applies the outbox until ctx ends, backing off
// exponentially (from Interval to MaxBackoff) while Meilisearch or the
// store fails. It returns ctx's error.
func (s *Syncer) Run(ctx context.Context) error {
	s.defaults()
	backoff := s.Interval
	for {
		n, err := s.SyncOnce(ctx)
		wait := s.Interval
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			s.Log.Warn("search sync failed; will retry", "err", err, "retry_in", backoff)
			wait = backoff
			backoff = min(backoff*2, s.MaxBackoff)
		default:
			backoff = s.Interval
			if n > 0 {
				wait = 0 // more may be waiting
			}
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
	}
}

// SyncOnce applies one batch of the outbox and returns how many entries it
// completed: the batch's shops are read in a few queries, their documents
// sent in one request, and its task waited for once. Order per shop holds:
// a shop's entries are applied together with its newest state, and batches
// follow the outbox's order. When Meilisearch rejects the batch, it is
// retried in halves down to single documents (putIsolating); the rejected
// ones are marked failed (FailOutbox) and the rest of the batch is applied. A
// transport error or timeout returns an error and leaves the batch pending.
func (s *Syncer) SyncOnce(ctx context.Context) (int, error) {
	s.defaults()
	entries, err := s.Outbox.PendingOutbox(ctx, s.Batch)
	if err != nil {
		return 0, fmt.Errorf("search sync: pending: %w", err)
	}
	// One change per shop: the newest state is what is indexed, and every
	// entry of the shop is completed with it.
	type change struct {
		ids      []int64
		licence  string
		rejected bool // every entry was rejected MaxAttempts times
	}
	var order []int64
	changes := map[int64]*change{}
	for _, e := range entries {
		c, ok := changes[e.ShopID]
		if !ok {
			c = &change{licence: e.Licence, rejected: true}
			changes[e.ShopID] = c
			order = append(order, e.ShopID)
		}
		c.ids = append(c.ids, e.ID)
		if e.Attempts < s.MaxAttempts {
			c.rejected = false
		}
	}
	var want []int64
	for _, shopID := range order {
		if !changes[shopID].rejected {
			want = append(want, shopID)
		}
	}
	shops, err := s.Shops.ShopsByIDs(ctx, want)
	if err != nil {
		return 0, fmt.Errorf("search sync: shops: %w", err)
	}
	byID := make(map[int64]*shian.Shop, len(shops))
	for _, sh := range shops {
		byID[sh.ID] = sh
	}
	now := s.Index.Now()
	var docs []Document
	var docIDs [][]int64
	var gone []string
	var goneIDs []int64
	for _, shopID := range want {
		c := changes[shopID]
		shop, ok := byID[shopID]
		if !ok {
			gone = append(gone, c.licence)
			goneIDs = append(goneIDs, c.ids...)
			continue
		}
		docs = append(docs, NewDocument(shop, now))
		docIDs = append(docIDs, c.ids)
	}
	var done []int64
	if err := s.Index.remove(ctx, s.Index.uid, gone); err != nil {
		return 0, fmt.Errorf("search sync: %w", err)
	}
	done = append(done, goneIDs...)
	rejected, err := s.Index.putIsolating(ctx, s.Index.uid, docs)
	if err != nil {
		// Meilisearch is unreachable or slow: leave the batch pending.
		return 0, s.complete(ctx, done, fmt.Errorf("search sync: %w", err))
	}
	for i, d := range docs {
		rerr, bad := rejected[i]
		if !bad {
			done = append(done, docIDs[i]...)
			continue
		}
		s.Log.Error("search rejected a shop document", "licence", d.Licence, "err", rerr)
		for _, id := range docIDs[i] {
			if err := s.Outbox.FailOutbox(ctx, id, rerr.Error()); err != nil {
				return 0, s.complete(ctx, done, fmt.Errorf("search sync: fail outbox %d: %w", id, err))
			}
		}
	}
	return len(done), s.complete(ctx, done, nil)
}

// complete removes applied entries and returns cause (or the completion error).
func (s *Syncer) complete(ctx context.Context, ids []int64, cause error) error {
	if len(ids) == 0 {
		return cause
	}
	if err := s.Outbox.CompleteOutbox(ctx, ids); err != nil {
		return errors.Join(cause, fmt.Errorf("search sync: complete: %w", err))
	}
	return cause
}

// ReindexStats describes a rebuild.
type ReindexStats struct {
	Index    string // the uid the documents were built in
	Shops    int    // documents indexed
	Rejected int    // documents Meilisearch rejected (logged)
	CaughtUp int    // shops changed during the rebuild and re-applied after the swap
	Took     time.Duration
	// Read is the time spent reading the store (both passes).
	Read time.Duration
}

// reindexBatch is how many documents one addition task carries.
const reindexBatch = 5000

// Reindex rebuilds the index from the store into a fresh index
// shops_<timestamp>, applies the settings, swaps it with the live index
// (searches keep answering from the old one until the swap) and deletes
// the old one. Shops changed while it ran are re-applied after the swap.
func (ix *Index) Reindex(ctx context.Context, src ShopSource, log *slog.Logger) (ReindexStats, error) {
	if log == nil {
		log = slog.Default()
	}
	start := time.Now()
	st := ReindexStats{Index: fmt.Sprintf("%s_%s", ix.uid, start.UTC().Format("20060102t150405.000000000"))}
	st.Index = sanitizeUID(st.Index)
	if err := ix.ensure(ctx, ix.uid); err != nil {
		return st, fmt.Errorf("search: reindex: live index: %w", err)
	}
	if err := ix.ensure(ctx, st.Index); err != nil {
		return st, fmt.Errorf("search: reindex: new index: %w", err)
	}
	built := false
	defer func() {
		if !built {
			// Leave no half-built index behind.
			_ = ix.DeleteIndex(context.WithoutCancel(ctx), st.Index)
		}
	}()
	seen, err := ix.load(ctx, src, st.Index, nil, &st, log)
	if err != nil {
		return st, fmt.Errorf("search: reindex: %w", err)
	}
	task, err := ix.client.SwapIndexes(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{ix.uid, st.Index}}})
	if err != nil {
		return st, fmt.Errorf("search: reindex: swap: %w", err)
	}
	if err := ix.wait(ctx, task.TaskUID); err != nil {
		return st, fmt.Errorf("search: reindex: swap: %w", err)
	}
	built = true
	// After the swap st.Index holds the old documents.
	if err := ix.DeleteIndex(ctx, st.Index); err != nil {
		log.Warn("reindex: old index not deleted", "index", st.Index, "err", err)
	}
	// Catch up with shops written while the new index was built: the
	// syncer applied them to the old index.
	if _, err := ix.load(ctx, src, ix.uid, seen, &st, log); err != nil {
		return st, fmt.Errorf("search: reindex: catch up: %w", err)
	}
	st.Took = time.Since(start)
	log.Info("reindex done", "shops", st.Shops, "rejected", st.Rejected, "caught_up", st.CaughtUp, "took", st.Took)
	return st, nil
}

// load pages through every shop and adds its document to index uid. With
// seen == nil it indexes all and returns each licence's UpdatedAt; with
// seen set it only re-adds shops new or changed since.
func (ix *Index) load(ctx context.Context, src ShopSource, uid string, seen map[string]time.Time, st *ReindexStats, log *slog.Logger) (map[string]time.Time, error) {
	catchUp := seen != nil
	if !catchUp {
		seen = map[string]time.Time{}
	}
	now := ix.Now()
	var pending []Document
	var tasks []int64
	var batches [][]Document
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		pk := "licence"
		task, err := ix.client.Index(uid).AddDocuments(ctx, pending, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return fmt.Errorf("add documents: %w", err)
		}
		tasks = append(tasks, task.TaskUID)
		batches = append(batches, pending)
		pending = nil
		return nil
	}
	var after int64
	for {
		t0 := time.Now()
		shops, err := src.ListShops(ctx, shian.ShopFilter{AfterID: after, Limit: 1000})
		st.Read += time.Since(t0)
		if err != nil {
			return nil, fmt.Errorf("list shops: %w", err)
		}
		if len(shops) == 0 {
			break
		}
		for _, s := range shops {
			after = s.ID
			if catchUp {
				if t, ok := seen[s.Licence]; ok && t.Equal(s.UpdatedAt) {
					continue
				}
				st.CaughtUp++
			} else {
				seen[s.Licence] = s.UpdatedAt
				st.Shops++
			}
			pending = append(pending, NewDocument(s, now))
			if len(pending) >= reindexBatch {
				if err := flush(); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	// Meilisearch works on the batches while the store is read; wait for
	// them all, and isolate rejected documents of a failed batch.
	for i, uidTask := range tasks {
		err := ix.wait(ctx, uidTask)
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrTaskFailed) {
			return nil, err
		}
		rejected, err := ix.putIsolating(ctx, uid, batches[i])
		if err != nil {
			return nil, err
		}
		for j, rerr := range rejected {
			st.Rejected++
			log.Error("reindex: search rejected a shop document", "licence", batches[i][j].Licence, "err", rerr)
		}
	}
	return seen, nil
}

// putIsolating adds docs to index uid. When Meilisearch rejects the batch
// it halves it until each rejected document is alone, so that one bad
// document costs a few tasks and blocks nothing. It returns the rejection
// of each rejected document by its position in docs; the error is for
// failures other than rejection (unreachable, timeout).
func (ix *Index) putIsolating(ctx context.Context, uid string, docs []Document) (map[int]error, error) {
	rejected := map[int]error{}
	var put func(lo, hi int) error
	put = func(lo, hi int) error {
		if lo >= hi {
			return nil
		}
		err := ix.put(ctx, uid, docs[lo:hi])
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, ErrTaskFailed):
			return err
		case hi-lo == 1:
			rejected[lo] = err
			return nil
		}
		mid := (lo + hi) / 2
		if err := put(lo, mid); err != nil {
			return err
		}
		return put(mid, hi)
	}
	return rejected, put(0, len(docs))
}

// sanitizeUID keeps what Meilisearch allows in an index uid.
func sanitizeUID(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}
