// Package views serves the public view of a shop fast and fresh on every
// replica: a byte-bounded, least-recently-used cache of rendered answers
// (JSON, and HTML per language) and a Poller that drops a shop's answers
// when the store's change sequence says the shop changed, on any replica,
// within a poll interval. The precomputed view rows themselves live in
// the store (docs/read-model.md); this package holds what a replica keeps.
package views

import (
	"container/list"
	"strconv"
	"sync"
	"time"
)

// DefaultMaxBytes bounds the cache when SHIAN_VIEW_CACHE_BYTES is unset:
// 64 MiB holds about 40,000 shops in JSON and one page language.
const DefaultMaxBytes = 64 << 20

// entryOverhead is what an entry costs beyond its key and body (list
// element, map slot, group slot), so that a flood of small entries is
// bounded too.
const entryOverhead = 160

// IDGroup is the group of answers found by shop id (sticker pages), which
// a change to the shop drops together with its licence's group.
func IDGroup(shopID int64) string { return "#" + strconv.FormatInt(shopID, 10) }

// Cache holds rendered answers grouped by shop (its licence, or IDGroup),
// each group holding variants (kind and language). Answers are dropped
// least recently used first when the total passes the bound in bytes; a
// change drops a whole group; a new day drops everything, since grades
// change with the date (docs/grades.md).
//
// A miss that reads the store races with a change: Gen, taken before the
// read, makes Put refuse an answer read before an invalidation.
type Cache struct {
	mu      sync.Mutex
	now     func() time.Time
	max     int64
	used    int64
	lru     list.List // of *entry, most recent at the front
	entries map[string]*list.Element
	groups  map[string][]string // group → keys
	gen     uint64
	year    int
	yday    int

	neg *negative
}

type entry struct {
	key, group string
	body       []byte
}

// Options configure a Cache; zero values give the defaults.
type Options struct {
	// MaxBytes bounds the rendered answers (default DefaultMaxBytes).
	MaxBytes int64
	// NegativeMaxBytes bounds the remembered unknown licences (default
	// 1 MiB, about 3,000 of them).
	NegativeMaxBytes int64
	// NegativeTTL is how long "no such shop" is remembered (default 5 s,
	// what the pages promise); a new shop's change drops it sooner.
	NegativeTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// New returns an empty cache.
func New(o Options) *Cache {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.NegativeMaxBytes <= 0 {
		o.NegativeMaxBytes = 1 << 20
	}
	if o.NegativeTTL <= 0 {
		o.NegativeTTL = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Cache{now: o.Now, max: o.MaxBytes, entries: map[string]*list.Element{}, groups: map[string][]string{}}
	c.year, c.yday = dayOf(c.now())
	c.neg = &negative{max: o.NegativeMaxBytes, ttl: o.NegativeTTL, items: map[string]*list.Element{}}
	return c
}

func dayOf(t time.Time) (int, int) { return t.Year(), t.YearDay() }

func key(group, variant string) string { return group + "\x00" + variant }

// Get returns the cached answer of a group's variant.
func (c *Cache) Get(group, variant string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.newDayLocked()
	el, ok := c.entries[key(group, variant)]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(el)
	return el.Value.(*entry).body, true
}

// Gen is the invalidation generation, to pass to Put: take it before
// reading the store for a miss.
func (c *Cache) Gen() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.newDayLocked()
	return c.gen
}

// Put keeps an answer unless something was invalidated since gen (the
// answer may be older than the change) or it alone exceeds the bound.
// body must not be changed afterwards.
func (c *Cache) Put(group, variant string, body []byte, gen uint64) {
	k := key(group, variant)
	size := int64(len(k)+len(group)+len(body)) + entryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	c.newDayLocked()
	if gen != c.gen || size > c.max/4 {
		return
	}
	if el, ok := c.entries[k]; ok {
		c.removeLocked(el)
	}
	for c.used+size > c.max {
		c.removeLocked(c.lru.Back())
	}
	e := &entry{key: k, group: group, body: body}
	c.entries[k] = c.lru.PushFront(e)
	c.groups[group] = append(c.groups[group], k)
	c.used += size
	c.neg.remove(group)
}

func (c *Cache) removeLocked(el *list.Element) {
	e := c.lru.Remove(el).(*entry)
	delete(c.entries, e.key)
	c.used -= int64(len(e.key)+len(e.group)+len(e.body)) + entryOverhead
	keys := c.groups[e.group]
	for i, k := range keys {
		if k == e.key {
			keys[i] = keys[len(keys)-1]
			keys = keys[:len(keys)-1]
			break
		}
	}
	if len(keys) == 0 {
		delete(c.groups, e.group)
	} else {
		c.groups[e.group] = keys
	}
}

// Invalidate drops every answer of the groups, positive and negative.
func (c *Cache) Invalidate(groups ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, g := range groups {
		for _, k := range append([]string(nil), c.groups[g]...) {
			if el, ok := c.entries[k]; ok {
				c.removeLocked(el)
			}
		}
		c.neg.remove(g)
	}
}

// Purge drops everything (a poller too far behind to list the changes).
func (c *Cache) Purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.purgeLocked()
}

func (c *Cache) purgeLocked() {
	c.gen++
	c.lru.Init()
	c.entries = map[string]*list.Element{}
	c.groups = map[string][]string{}
	c.used = 0
	c.neg.purge()
}

// newDayLocked purges at the date boundary: a shop leaves "not graded"
// after 90 days and the annual grade turns at New Year without any write.
func (c *Cache) newDayLocked() {
	y, d := dayOf(c.now())
	if y != c.year || d != c.yday {
		c.year, c.yday = y, d
		c.purgeLocked()
	}
}

// Stats are the cache's figures for metrics and tests.
type Stats struct {
	Entries, NegativeEntries int
	Bytes, NegativeBytes     int64
}

// Stats reports the current size.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Entries: len(c.entries), Bytes: c.used, NegativeEntries: len(c.neg.items), NegativeBytes: c.neg.used}
}

// missing returns the error of a group found not to exist a moment ago.
func (c *Cache) missing(group string) (error, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.newDayLocked()
	return c.neg.get(group, c.now())
}

// putMissing remembers briefly that a group does not exist (an unknown
// licence), unless something was invalidated since gen.
func (c *Cache) putMissing(group string, err error, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.newDayLocked()
	if gen != c.gen {
		return
	}
	c.neg.put(group, err, c.now())
}

// negative is the LRU of unknown groups, bounded apart from the answers
// so that a flood of random licences cannot push known shops out.
type negative struct {
	max, used int64
	ttl       time.Duration
	lru       list.List // of *negEntry
	items     map[string]*list.Element
}

type negEntry struct {
	group   string
	err     error
	expires time.Time
}

// negSize counts the group twice (map key and entry) and the error.
func negSize(group string) int64 { return int64(2*len(group)) + 2*entryOverhead }

func (n *negative) get(group string, now time.Time) (error, bool) {
	el, ok := n.items[group]
	if !ok {
		return nil, false
	}
	e := el.Value.(*negEntry)
	if now.After(e.expires) {
		n.removeEl(el)
		return nil, false
	}
	return e.err, true
}

func (n *negative) put(group string, err error, now time.Time) {
	if el, ok := n.items[group]; ok {
		n.removeEl(el)
	}
	size := negSize(group)
	for n.used+size > n.max && n.lru.Len() > 0 {
		n.removeEl(n.lru.Back())
	}
	n.items[group] = n.lru.PushFront(&negEntry{group, err, now.Add(n.ttl)})
	n.used += size
}

func (n *negative) remove(group string) {
	if el, ok := n.items[group]; ok {
		n.removeEl(el)
	}
}

func (n *negative) removeEl(el *list.Element) {
	e := n.lru.Remove(el).(*negEntry)
	delete(n.items, e.group)
	n.used -= negSize(e.group)
}

func (n *negative) purge() {
	n.lru.Init()
	n.items = map[string]*list.Element{}
	n.used = 0
}
