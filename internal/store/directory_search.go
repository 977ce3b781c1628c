package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"mxcert/internal/model"
)

// visibleListings is the FROM and WHERE that every public read shares: a
// listing is visible while it is published, not hidden, and its owner
// holds a certificate that is valid at the moment given as the first
// argument (status valid, not expired). The join picks the most recent
// such certificate: its name and code are the ones shown. It is decided
// here, at read time, so that a revocation hides the listing at once.
const visibleListings = ` FROM directory_listings l
	JOIN certificates c ON c.id = (SELECT id FROM certificates
		WHERE user_id = l.user_id AND status = 'valid' AND (expires_at IS NULL OR expires_at > ?)
		ORDER BY issued_at DESC LIMIT 1)
	WHERE l.published = 1 AND l.hidden_at IS NULL`

// visibleWhere is the condition of a visible listing l at the moment given
// as its argument, on denormalised columns (migration 0018): published,
// not hidden, and the owner's certificates valid until after that moment.
// Its first three terms are the WHERE of the partial indexes the search
// walks, written the same way so that SQLite can use them.
const visibleWhere = `l.published = 1 AND l.hidden_at IS NULL AND l.valid_until IS NOT NULL AND l.valid_until > ?`

// visibleFilter is visibleWhere as a FROM and WHERE, for the moderation
// and dashboard queries that ask whether a listing is visible; its one
// argument is the moment, like visibleListings's.
const visibleFilter = ` FROM directory_listings l WHERE ` + visibleWhere

const publicColumns = `l.id, c.holder_name, l.business_name, l.state, l.description,
	CASE WHEN l.show_whatsapp = 1 THEN l.whatsapp ELSE '' END,
	CASE WHEN l.show_phone = 1 THEN l.phone ELSE '' END,
	CASE WHEN l.show_email = 1 THEN l.email ELSE '' END,
	CASE WHEN l.show_website = 1 THEN l.website ELSE '' END,
	l.updated_at, c.id, c.code, c.track_title, c.issued_at, c.expires_at`

func scanPublic(row interface{ Scan(...any) error }, extra ...any) (*model.PublicListing, error) {
	var p model.PublicListing
	var updated, issued int64
	var expires sql.NullInt64
	dst := append([]any{&p.ID, &p.HolderName, &p.BusinessName, &p.State, &p.Description, &p.WhatsApp, &p.Phone, &p.Email, &p.Website,
		&updated, &p.Certificate.ID, &p.Certificate.Code, &p.Certificate.TrackTitle, &issued, &expires}, extra...)
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	p.UpdatedAt, p.Certificate.IssuedAt, p.Certificate.ExpiresAt = fromMS(updated), fromMS(issued), optTime(expires)
	return &p, nil
}

// CountCap is where the count of a search stops: a search that finds more
// reports CountCap+1 ("more than CountCap"), and no page beyond the
// first CountCap listings is served.
const CountCap = 1000

// Beyond this many listings holding a word, a one-word search walks the
// listings in rotation order and asks each whether it holds the word,
// rather than reading every listing that does.
var wordWalkFrom = 2000 // a variable for the tests

// maxWords is how many words of a text count.
const maxWords = 8

// ListingSearch is a search of the public directory. Every filter is
// optional; the order is relevance (Exact and Words), then the rotation
// of the day (Seed), then the id.
type ListingSearch struct {
	Now       time.Time // certificates must be valid at this moment
	State     string    // INEGI key of the entidad
	Municipio string    // INEGI key of a municipality served
	Service   string    // a service id
	// Words are folded words; a listing matches when it holds a word
	// starting with any of them (the very word, for words of one or two
	// letters), and ranks higher the more of them it matches.
	Words []string
	// Exact are municipalities whose name is what the visitor typed: a
	// listing serving one of them ranks above all others.
	Exact []string
	// Seed is the day's offset in the rotation, 0 ≤ Seed < 2^32 (see
	// RotationKey).
	Seed   int64
	Limit  int
	Offset int
}

// RotationKey is the place of a listing in the daily order of listings of
// equal relevance for a seed: its fixed rotation key (a multiplicative
// hash of the id, a bijection of ids below 2^31, stored by migration 0018)
// minus the seed, modulo 2^32. The order for a seed is therefore the
// listings by key, starting at the seed and wrapping round: the same
// all day, another with another seed, and read from an index rather than
// computed for every listing.
func RotationKey(id, seed int64) int64 {
	return (listingRotation(id) - seed) & 0xFFFFFFFF
}

func listingRotation(id int64) int64 {
	return ((id & 0x7FFFFFFF) * 2654435761) & 0xFFFFFFFF
}

// rotationOf is the rotation key in SQL of a column holding a listing id,
// as the indexes of migration 0018 write it.
func rotationOf(column string) string {
	return "((" + column + " & 2147483647) * 2654435761) & 4294967295"
}

// walk is how a search without free text reads its listings in rotation
// order: a driving index whose entries come in rotation order (rot), the
// conditions on them and their arguments.
type walk struct {
	from  string
	rot   string
	where []string
	args  []any
}

const serviceProbe = `EXISTS (SELECT 1 FROM directory_listing_terms st WHERE st.kind = 'service' AND st.term = ? AND st.listing_id = l.id)`

// walkOf picks the most selective index for the filters: the listings
// serving the municipality, the state's listings, the listings offering
// the service, or all of them; the other filters are checked on each.
func walkOf(q ListingSearch) walk {
	var w walk
	switch {
	case q.Municipio != "":
		w.from = `directory_listing_places p INDEXED BY directory_listing_places_rotation CROSS JOIN directory_listings l INDEXED BY directory_listings_visible ON l.id = p.listing_id`
		w.rot = rotationOf("p.listing_id")
		w.where, w.args = []string{`p.municipio = ?`, visibleWhere}, []any{q.Municipio, ms(q.Now)}
		if q.State != "" {
			w.where, w.args = append(w.where, `l.state = ?`), append(w.args, q.State)
		}
	case q.State != "":
		w.from = `directory_listings l INDEXED BY directory_listings_state_rotation`
		w.rot = `l.rotation`
		w.where, w.args = []string{`l.state = ?`, visibleWhere}, []any{q.State, ms(q.Now)}
	case q.Service != "":
		w.from = `directory_listing_terms t INDEXED BY directory_listing_terms_rotation CROSS JOIN directory_listings l INDEXED BY directory_listings_visible ON l.id = t.listing_id`
		w.rot = rotationOf("t.listing_id")
		w.where, w.args = []string{`t.kind = 'service'`, `t.term = ?`, visibleWhere}, []any{q.Service, ms(q.Now)}
		return w
	default:
		w.from = `directory_listings l INDEXED BY directory_listings_rotation`
		w.rot = `l.rotation`
		w.where, w.args = []string{visibleWhere}, []any{ms(q.Now)}
	}
	if q.Service != "" {
		w.where, w.args = append(w.where, serviceProbe), append(w.args, q.Service)
	}
	return w
}

func (w walk) and(cond string, args ...any) walk {
	w.where = append(slices.Clip(w.where), cond)
	w.args = append(slices.Clip(w.args), args...)
	return w
}

// count counts the listings of the walk, stopping after CountCap+1.
func (w walk) count(ctx context.Context, q querier) (int, error) {
	var n int
	// #nosec G202 -- the clauses are constants; every value is a bound parameter
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+w.from+` WHERE `+strings.Join(w.where, " AND ")+` LIMIT ?) AS found`,
		append(slices.Clip(w.args), CountCap+1)...).Scan(&n)
	return n, err
}

// ids lists the first n listings of the walk in the rotation order of
// seed: those whose key is at or after the seed, then, wrapping round,
// those before it.
func (w walk) ids(ctx context.Context, q querier, seed int64, n int) ([]int64, error) {
	var out []int64
	for _, op := range []string{">=", "<"} {
		if len(out) >= n {
			break
		}
		// #nosec G202 -- the clauses are constants; every value is a bound parameter
		rows, err := q.QueryContext(ctx, `SELECT l.id FROM `+w.from+` WHERE `+strings.Join(w.where, " AND ")+` AND `+w.rot+` `+op+` ? ORDER BY `+w.rot+` LIMIT ?`,
			append(slices.Clip(w.args), seed, n-len(out))...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, errors.Join(err, rows.Close())
			}
			out = append(out, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// wordRange is the range of indexed words a typed word matches: the words
// starting with it, or, for a word of one or two letters, itself.
func wordRange(w string) (string, string) {
	// Both bounds are valid UTF-8 without NUL, which PostgreSQL's text
	// refuses; words are compared byte by byte (COLLATE "C" there).
	if utf8.RuneCountInString(w) < 3 {
		return w, w + "\x01" // words are letters and digits: only w itself sorts before
	}
	return w, w + "\U0010FFFF" // the last code point: every word starting with w sorts before
}

// queryWords are the distinct words of the search's folded words, as the
// index of words cuts them (keyWords), at most maxWords.
func queryWords(words []string) []string {
	var out []string
	for _, w := range words {
		for _, k := range strings.FieldsFunc(w, notWordRune) {
			if !slices.Contains(out, k) && len(out) < maxWords {
				out = append(out, k)
			}
		}
	}
	return out
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

// keyWords are the distinct words of a search key, sorted.
func keyWords(key string) []string {
	return slices.Compact(slices.Sorted(slices.Values(strings.FieldsFunc(key, notWordRune))))
}

// SearchListings lists one page of the visible listings a search finds,
// with how many it finds in all (CountCap+1 meaning more than CountCap).
// The ids a search found are kept while the directory's generation stays
// the same and no listing has expired (searchResults), but the page's
// listings are always read as they are at the moment of the search, in
// one read transaction, and only those visible then are served.
func (db *DB) SearchListings(ctx context.Context, q ListingSearch) ([]*model.PublicListing, int, error) {
	if err := db.refreshListingKeys(ctx); err != nil {
		return nil, 0, err
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	q.Offset = max(q.Offset, 0)
	if q.Offset >= CountCap {
		return nil, 0, nil
	}
	gen, err := db.directoryGeneration(ctx)
	if err != nil {
		return nil, 0, err
	}
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("search listings: %w", err)
	}
	out, total, err := db.searchPage(ctx, tx, q, gen)
	// A read transaction: ending it keeps or loses nothing.
	if err := errors.Join(err, tx.Rollback()); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func (db *DB) searchPage(ctx context.Context, tx querier, q ListingSearch, gen int64) ([]*model.PublicListing, int, error) {
	key, t := q.cacheKey(), ms(q.Now)
	need := min(q.Offset+q.Limit, CountCap)
	found, total, ok := db.dirResults.get(gen, t, key, need)
	if !ok {
		// The first pages at once: the next page of the same search is
		// then read from what this one found.
		first := q
		first.Offset, first.Limit = 0, max(need, searchCachePrefix)
		var err error
		if found, total, err = searchIDs(ctx, tx, first); err != nil {
			return nil, 0, fmt.Errorf("search listings: %w", err)
		}
		if err := db.dirResults.put(ctx, tx, gen, t, key, found, total); err != nil {
			return nil, 0, fmt.Errorf("search listings: %w", err)
		}
	}
	var ids []int64
	if q.Offset < len(found) {
		ids = found[q.Offset:min(len(found), need)]
	}
	out, err := publicListings(ctx, tx, ids, q.Now)
	if err != nil {
		return nil, 0, err
	}
	return out, total, fillPublic(ctx, tx, out)
}

// searchIDs are the ids of the page's listings, in order, and the bounded
// count.
func searchIDs(ctx context.Context, tx querier, q ListingSearch) ([]int64, int, error) {
	need := min(q.Offset+q.Limit, CountCap)
	page := func(ids []int64) []int64 {
		if q.Offset >= len(ids) {
			return nil
		}
		return ids[q.Offset:min(len(ids), need)]
	}
	w := walkOf(q)
	if len(q.Words) == 0 {
		total, err := w.count(ctx, tx)
		if err != nil || total <= q.Offset {
			return nil, total, err
		}
		ids, err := w.ids(ctx, tx, q.Seed, need)
		return page(ids), total, err
	}
	words := queryWords(q.Words)
	if len(words) == 0 {
		return nil, 0, nil
	}
	// One word and no municipality by that name: every listing that
	// matches ranks the same, so the order is the rotation's. A common
	// word is best found by walking the listings in that order.
	if len(words) == 1 && len(q.Exact) == 0 {
		lo, hi := wordRange(words[0])
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM directory_listing_words WHERE word >= ? AND word < ? LIMIT ?) AS found`,
			lo, hi, wordWalkFrom+1).Scan(&n); err != nil {
			return nil, 0, err
		}
		if n > wordWalkFrom {
			w = w.and(`EXISTS (SELECT 1 FROM directory_listing_words wd WHERE wd.listing_id = l.id AND wd.word >= ? AND wd.word < ?)`, lo, hi)
			var total int
			var err error
			if q.State != "" || q.Municipio != "" {
				total, err = w.count(ctx, tx) // at most the state's listings
			} else {
				total, err = countWord(ctx, tx, q, lo, hi)
			}
			if err != nil || total <= q.Offset {
				return nil, total, err
			}
			ids, err := w.ids(ctx, tx, q.Seed, need)
			return page(ids), total, err
		}
	}
	// Otherwise the listings holding any of the words, read from the
	// index of words, each with its score, ordered by SQLite.
	return rankByWords(ctx, tx, q, words, need)
}

// countWord counts the visible listings holding a word in [lo, hi) and
// offering the service searched, if any, from the index of words,
// stopping after CountCap+1.
func countWord(ctx context.Context, tx querier, q ListingSearch, lo, hi string) (int, error) {
	query := `SELECT DISTINCT w.listing_id FROM directory_listing_words w
		CROSS JOIN directory_listings l INDEXED BY directory_listings_visible ON l.id = w.listing_id
		WHERE w.word >= ? AND w.word < ? AND ` + visibleWhere
	args := []any{lo, hi, ms(q.Now)}
	if q.Service != "" {
		query, args = query+` AND `+serviceProbe, append(args, q.Service)
	}
	var n int
	// #nosec G202 -- the clauses are constants; every value is a bound parameter
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+query+` LIMIT ?) AS found`, append(args, CountCap+1)...).Scan(&n)
	return n, err
}

// rankByWords finds the visible listings matching the filters that hold
// one of the words, scores each (how many of the words it holds, plus
// 1000 if it serves one of the municipalities named exactly) and returns
// the page's ids, by score, then rotation, and how many there are (up to
// CountCap+1).
func rankByWords(ctx context.Context, tx querier, q ListingSearch, words []string, need int) ([]int64, int, error) {
	var hits []string
	var hitArgs []any
	for i, w := range words {
		lo, hi := wordRange(w)
		hits = append(hits, fmt.Sprintf(`SELECT listing_id AS id, %d AS w FROM directory_listing_words WHERE word >= ? AND word < ?`, i))
		hitArgs = append(hitArgs, lo, hi)
	}
	where := []string{visibleWhere}
	whereArgs := []any{ms(q.Now)}
	if q.State != "" {
		where, whereArgs = append(where, `l.state = ?`), append(whereArgs, q.State)
	}
	if q.Service != "" {
		where, whereArgs = append(where, serviceProbe), append(whereArgs, q.Service)
	}
	if q.Municipio != "" {
		where, whereArgs = append(where, `EXISTS (SELECT 1 FROM directory_listing_places sp WHERE sp.municipio = ? AND sp.listing_id = l.id)`), append(whereArgs, q.Municipio)
	}
	var total int
	// #nosec G202 -- the clauses are constants; every value is a bound parameter
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT DISTINCT m.id FROM (`+strings.Join(hits, " UNION ALL ")+`) m
		CROSS JOIN directory_listings l INDEXED BY directory_listings_visible ON l.id = m.id WHERE `+strings.Join(where, " AND ")+` LIMIT ?) AS found`,
		slices.Concat(hitArgs, whereArgs, []any{CountCap + 1})...).Scan(&total)
	if err != nil || total <= q.Offset {
		return nil, total, err
	}
	score := `m.n`
	var scoreArgs []any
	if len(q.Exact) > 0 {
		score += ` + CASE WHEN EXISTS (SELECT 1 FROM directory_listing_places p WHERE p.listing_id = l.id AND p.municipio IN (` + placeholders(len(q.Exact)) + `)) THEN 1000 ELSE 0 END`
		for _, m := range q.Exact {
			scoreArgs = append(scoreArgs, m)
		}
	}
	// #nosec G202 -- the clauses are constants; every value is a bound parameter
	rows, err := tx.QueryContext(ctx, `WITH m (id, n) AS (SELECT id, count(DISTINCT w) FROM (`+strings.Join(hits, " UNION ALL ")+`) AS hit GROUP BY id)
		SELECT l.id, `+score+` AS score FROM m CROSS JOIN directory_listings l INDEXED BY directory_listings_visible ON l.id = m.id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY score DESC, (l.rotation - ?) & 4294967295, l.id LIMIT ? OFFSET ?`,
		slices.Concat(hitArgs, scoreArgs, whereArgs, []any{q.Seed, need - q.Offset, q.Offset})...)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	for rows.Next() {
		var id, score int64
		if err := rows.Scan(&id, &score); err != nil {
			return nil, 0, errors.Join(err, rows.Close())
		}
		ids = append(ids, id)
	}
	return ids, total, errors.Join(rows.Err(), rows.Close())
}

// publicListings reads the listings with those ids that are visible at
// now, with their current certificates, in the order of ids.
func publicListings(ctx context.Context, tx querier, ids []int64, now time.Time) ([]*model.PublicListing, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{ms(now)}
	for _, id := range ids {
		args = append(args, id)
	}
	// #nosec G202 -- constants and placeholders only
	rows, err := tx.QueryContext(ctx, `SELECT `+publicColumns+visibleListings+` AND l.id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("search listings: %w", err)
	}
	byID := map[int64]*model.PublicListing{}
	for rows.Next() {
		p, err := scanPublic(rows)
		if err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		byID[p.ID] = p
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("search listings: %w", err)
	}
	out := make([]*model.PublicListing, 0, len(ids))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func (db *DB) fillPublic(ctx context.Context, listings []*model.PublicListing) error {
	return fillPublic(ctx, db.read, listings)
}

func fillPublic(ctx context.Context, q querier, listings []*model.PublicListing) error {
	ids := make([]int64, len(listings))
	for i, p := range listings {
		ids[i] = p.ID
	}
	terms, places, err := listingDetails(ctx, q, ids)
	if err != nil {
		return err
	}
	for _, p := range listings {
		t := terms[p.ID]
		p.Services, p.Modes, p.Languages, p.Municipios = t[model.TermService], t[model.TermMode], t[model.TermLanguage], places[p.ID]
	}
	return fillPartnerLevels(ctx, q, listings)
}

// PublicListing is the visible listing with that id at now, or
// ErrNotFound when there is none or it is not visible.
func (db *DB) PublicListing(ctx context.Context, id int64, now time.Time) (*model.PublicListing, error) {
	// #nosec G202 -- constants only
	p, err := scanPublic(db.read.QueryRowContext(ctx, `SELECT `+publicColumns+visibleListings+` AND l.id = ?`, ms(now), id))
	if err != nil {
		return nil, notFound(err, "listing")
	}
	return p, db.fillPublic(ctx, []*model.PublicListing{p})
}

// VisibleListings lists every visible listing at now, by state and id,
// for the site map and the state pages.
func (db *DB) VisibleListings(ctx context.Context, now time.Time) ([]model.ListingRef, error) {
	// #nosec G202 -- constants only
	rows, err := db.read.QueryContext(ctx, `SELECT l.id, l.state, c.holder_name, l.business_name, l.updated_at`+visibleListings+` ORDER BY l.state, l.id`, ms(now))
	if err != nil {
		return nil, fmt.Errorf("visible listings: %w", err)
	}
	var out []model.ListingRef
	for rows.Next() {
		var v model.ListingRef
		var updated int64
		if err := rows.Scan(&v.ID, &v.State, &v.HolderName, &v.BusinessName, &updated); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		v.UpdatedAt = fromMS(updated)
		out = append(out, v)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// stateCounts are the counts of visible listings by state last computed,
// with what they hold for: the generation of the directory
// (directory_generation, moved on by triggers whenever a listing appears,
// disappears or moves, in the transaction that does it, from whatever
// process) and the moments between which no listing expires. Within those
// they are exactly what counting again would give.
type stateCounts struct {
	mu          sync.Mutex
	gen         int64
	from, until int64 // ms
	counts      map[string]int
}

// VisibleByState counts the visible listings at now of each state (INEGI
// key) that has any.
func (db *DB) VisibleByState(ctx context.Context, now time.Time) (map[string]int, error) {
	gen, err := db.directoryGeneration(ctx)
	if err != nil {
		return nil, fmt.Errorf("listings by state: %w", err)
	}
	t := ms(now)
	c := &db.dirCounts
	c.mu.Lock()
	if c.counts != nil && c.gen == gen && t >= c.from && t < c.until {
		out := maps.Clone(c.counts)
		c.mu.Unlock()
		return out, nil
	}
	c.mu.Unlock()
	// #nosec G202 -- constants only
	rows, err := db.read.QueryContext(ctx, `SELECT l.state, count(*) FROM directory_listings l INDEXED BY directory_listings_state_rotation
		WHERE `+visibleWhere+` GROUP BY l.state`, t)
	if err != nil {
		return nil, fmt.Errorf("listings by state: %w", err)
	}
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		out[state] = n
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("listings by state: %w", err)
	}
	var next sql.NullInt64
	// #nosec G202 -- constants only
	if err := db.read.QueryRowContext(ctx, `SELECT min(l.valid_until) FROM directory_listings l INDEXED BY directory_listings_expiry WHERE `+visibleWhere, t).Scan(&next); err != nil {
		return nil, fmt.Errorf("next expiry: %w", err)
	}
	until := int64(math.MaxInt64)
	if next.Valid {
		until = next.Int64
	}
	// The generation was read first: a change committed meanwhile is
	// either in these counts already or moves it on, so they are counted
	// again next time; stale counts are never kept under a newer one.
	c.mu.Lock()
	c.gen, c.from, c.until, c.counts = gen, t, until, maps.Clone(out)
	c.mu.Unlock()
	return out, nil
}
