package localstore

import (
	"encoding/json"
	"fmt"
	"sync/atomic"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/pam-rv/pamd/schema"
)

// Cache is the read cache in front of the store: ristretto with each
// table's TTL (seed-planning.md's caching strategy). Entries are keyed by a
// per-table generation that every committed write bumps, so a write
// invalidates all cached reads of its table (and of views over it) at once
// without walking the cache. All methods are safe on a nil *Cache.
type Cache struct {
	rc   *ristretto.Cache[string, *Result]
	gens map[string]*atomic.Uint64 // fixed at construction; values change
	deps map[string][]string       // table -> views reading it

	hits, misses atomic.Uint64
}

// NewCache builds a cache bounded to maxBytes.
func NewCache(cat *schema.Catalog, maxBytes int64) (*Cache, error) {
	rc, err := ristretto.NewCache(&ristretto.Config[string, *Result]{
		NumCounters: 200_000,
		MaxCost:     maxBytes,
		BufferItems: 64,
	})
	if err != nil {
		return nil, fmt.Errorf("create cache: %w", err)
	}
	c := &Cache{rc: rc, gens: make(map[string]*atomic.Uint64), deps: make(map[string][]string)}
	for _, t := range cat.Tables {
		c.gens[t.Name] = new(atomic.Uint64)
		for _, d := range t.DependsOn {
			c.deps[d] = append(c.deps[d], t.Name)
		}
	}
	return c, nil
}

// Close releases the cache's goroutines.
func (c *Cache) Close() {
	if c != nil {
		c.rc.Close()
	}
}

// Stats returns the hit and miss counters.
func (c *Cache) Stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	h, m := c.hits.Load(), c.misses.Load()
	st := CacheStats{Hits: h, Misses: m}
	if h+m > 0 {
		st.HitRate = float64(h) / float64(h+m)
	}
	return st
}

// Invalidate drops every cached read of table and of the views over it.
func (c *Cache) Invalidate(table string) {
	if c == nil {
		return
	}
	if g, ok := c.gens[table]; ok {
		g.Add(1)
	}
	for _, v := range c.deps[table] {
		c.gens[v].Add(1)
	}
}

func (s *Store) invalidate(table string) { s.cache.Invalidate(table) }

func (c *Cache) generation(table string) uint64 {
	if c == nil {
		return 0
	}
	return c.gens[table].Load()
}

// key names a cached read; "" when the table is not cached.
func (c *Cache) key(t *schema.Table, gen uint64, user, query string) string {
	if c == nil || t.Cache.TTL <= 0 {
		return ""
	}
	return fmt.Sprintf("%s\x00%d\x00%s\x00%s", t.Name, gen, user, query)
}

func (c *Cache) get(key string) (*Result, bool) {
	if c == nil || key == "" {
		return nil, false
	}
	res, ok := c.rc.Get(key)
	if ok {
		c.hits.Add(1)
	} else {
		c.misses.Add(1)
	}
	return res, ok
}

// set stores a result read at generation gen, unless a write has bumped the
// generation since: the result may then predate the write.
func (c *Cache) set(key string, gen uint64, t *schema.Table, res *Result) {
	if c == nil || key == "" || c.generation(t.Name) != gen {
		return
	}
	c.rc.SetWithTTL(key, res, cost(res), t.Cache.TTL)
}

// Wait blocks until buffered sets are applied (for tests and benchmarks).
func (c *Cache) Wait() {
	if c != nil {
		c.rc.Wait()
	}
}

// cost is the memory a result holds, in bytes, as the Go runtime lays it
// out: each row a map of string keys (shared column names) to interface
// values, a string value boxed in its own allocation. It was once the
// values' lengths plus 16 a key, 2.6 times below what a page of expenses
// measured on the heap (961 bytes a row against 367 estimated), so a
// cache "bounded" to 64 MiB held 160 or more.
func cost(res *Result) int64 {
	n := int64(64 + 8*cap(res.Rows))
	for _, r := range res.Rows {
		n += mapBytes(len(r))
		for _, v := range r {
			switch x := v.(type) {
			case nil, bool:
			case string:
				n += 16 + roundAlloc(len(x))
			case json.RawMessage:
				n += 24 + roundAlloc(len(x))
			default:
				n += 8
			}
		}
	}
	return n
}

// mapBytes is a Go map[string]any of n entries: groups of 8 slots (a
// control word and 8 key-value pairs of 16 bytes each), as many as keep it
// at most 7/8 full, rounded to a power of two, and its headers.
func mapBytes(n int) int64 {
	slots := 8
	for slots*7/8 < n {
		slots *= 2
	}
	b := int64(48 + slots/8*(8+8*32))
	if slots > 8 {
		b += 48 // the table behind the directory
	}
	return b
}

// roundAlloc is n rounded up to the allocator's small size classes.
func roundAlloc(n int) int64 {
	switch {
	case n == 0:
		return 0
	case n <= 16:
		return int64(n+7) &^ 7
	default:
		return int64(n+15) &^ 15
	}
}
