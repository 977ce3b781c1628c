package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// searchCacheMax is how many searches searchResults keeps at most, each
// with the ids of its first searchCachePrefix listings (about a
// kilobyte): a few megabytes in all.
const (
	searchCacheMax    = 4000
	searchCachePrefix = 100 // five pages of twenty
)

// searchResults are the ids of the first listings that recent searches
// found, in order, with their bounded counts, for the directory generation they
// were found under (directory_generation: triggers move it on, in the
// transaction that makes the change and from whatever process, whenever a
// listing appears, disappears, moves, or changes what a search matches on:
// its words, terms, places, keys or rotation) and the moments between
// which no listing expires. Within those a search finds exactly what
// searching again would. Only ids are kept: the listings themselves are
// read again, visible at the moment of each search, every time, so a
// listing revoked, hidden or unpublished is never served from here.
type searchResults struct {
	mu          sync.Mutex
	gen         int64
	from, until int64 // ms
	entries     map[string]foundPage
}

type foundPage struct {
	ids   []int64
	total int
}

// directoryGeneration is the directory's generation now.
func (db *DB) directoryGeneration(ctx context.Context) (int64, error) {
	var gen int64
	if err := db.hot(ctx, `SELECT n FROM directory_generation WHERE id = 1`).Scan(&gen); err != nil {
		return 0, fmt.Errorf("directory generation: %w", err)
	}
	return gen, nil
}

// cacheKey is the search without its moment and page: everything that
// decides the order of the ids it finds, given the generation and no
// expiry in between.
func (q ListingSearch) cacheKey() string {
	var b strings.Builder
	for _, s := range []string{q.State, q.Municipio, q.Service, strings.Join(q.Words, "\x01"), strings.Join(q.Exact, "\x01")} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	b.WriteString(strconv.FormatInt(q.Seed, 10))
	return b.String()
}

// fresh says whether the entries hold for generation gen at moment t.
// The lock is held.
func (c *searchResults) fresh(gen, t int64) bool {
	return c.entries != nil && c.gen == gen && t >= c.from && t < c.until
}

// get is what the search key found under generation gen at moment t, if
// it is kept and holds its first need listings (or all it found): the
// ids, not to be changed, and the bounded count.
func (c *searchResults) get(gen, t int64, key string, need int) ([]int64, int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fresh(gen, t) {
		return nil, 0, false
	}
	p, ok := c.entries[key]
	if !ok || len(p.ids) < need && len(p.ids) < p.total {
		return nil, 0, false
	}
	return p.ids, p.total, true
}

// put keeps what the search key found, read in tx, under the generation
// gen read before tx began, at moment t. A change committed between the
// two is either in what was found already or has moved the generation on,
// so the entry is never used; nothing is kept under a generation older
// than the one kept.
func (c *searchResults) put(ctx context.Context, tx querier, gen, t int64, key string, ids []int64, total int) error {
	c.mu.Lock()
	ok := c.fresh(gen, t)
	if ok {
		c.store(key, ids, total)
	}
	c.mu.Unlock()
	if ok {
		return nil
	}
	var next sql.NullInt64
	// #nosec G202 -- constants only
	if err := tx.QueryRowContext(ctx, `SELECT min(l.valid_until) FROM directory_listings l INDEXED BY directory_listings_expiry WHERE `+visibleWhere, t).Scan(&next); err != nil {
		return fmt.Errorf("next expiry: %w", err)
	}
	until := int64(math.MaxInt64)
	if next.Valid {
		until = next.Int64
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// A newer generation, or a listing expired: start again from here. An
	// older generation, or a moment before the entries', keeps nothing.
	if c.entries == nil || gen > c.gen || (gen == c.gen && t >= c.until) {
		c.gen, c.from, c.until, c.entries = gen, t, until, map[string]foundPage{}
	}
	if c.fresh(gen, t) {
		c.store(key, ids, total)
	}
	return nil
}

// store keeps an entry, making room by dropping another if need be. The
// lock is held.
func (c *searchResults) store(key string, ids []int64, total int) {
	if _, ok := c.entries[key]; !ok && len(c.entries) >= searchCacheMax {
		for k := range c.entries { // an arbitrary entry
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = foundPage{ids: slices.Clone(ids), total: total}
}
