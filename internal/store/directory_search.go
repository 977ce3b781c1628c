package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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

// visibleFilter is the same condition as visibleListings without the
// join, for the searches: counting and ordering thousands of listings
// only asks whether a valid certificate exists; the certificate's name
// and code are read for the page's rows alone.
const visibleFilter = ` FROM directory_listings l
	WHERE l.published = 1 AND l.hidden_at IS NULL
	AND EXISTS (SELECT 1 FROM certificates c WHERE c.user_id = l.user_id AND c.status = 'valid' AND (c.expires_at IS NULL OR c.expires_at > ?))`

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

// ListingSearch is a search of the public directory. Every filter is
// optional; the order is relevance (Exact and Words), then the rotation
// of the day (Seed), then the id.
type ListingSearch struct {
	Now       time.Time // certificates must be valid at this moment
	State     string    // INEGI key of the entidad
	Municipio string    // INEGI key of a municipality served
	Service   string    // a service id
	// Words are folded words; a listing matches when its key holds any of
	// them, and ranks higher the more it holds.
	Words []string
	// Exact are municipalities whose name is what the visitor typed: a
	// listing serving one of them ranks above all others.
	Exact []string
	// Seed is the day's rotation seed, 0 ≤ Seed < 2^24 (see RotationKey).
	Seed   int64
	Limit  int
	Offset int
}

// RotationKey is the daily order of listings of equal relevance, the
// same formula the search uses in SQL: the listing's id mixed with the
// day's seed (an XOR, then a multiplicative hash, kept to 32 bits). A
// seed gives a fixed order (stable for a day); another seed, another
// order. Every value stays far below 2^63, so SQLite's integers never
// overflow into floating point.
func RotationKey(id, seed int64) int64 {
	return (((id & rotationMask) ^ seed) * rotationMultiplier) & 0xFFFFFFFF
}

const (
	rotationMask       = 1<<24 - 1
	rotationMultiplier = 2654435761 // Knuth's multiplicative hash constant
)

// rotationSQL is RotationKey in SQL (SQLite has no XOR: a^b = (a|b)-(a&b)).
var rotationSQL = fmt.Sprintf(`(((((l.id & %[1]d) | ?) - ((l.id & %[1]d) & ?)) * %[2]d) & 4294967295)`, rotationMask, rotationMultiplier)

// SearchListings lists one page of the visible listings a search finds,
// with how many it finds in all.
func (db *DB) SearchListings(ctx context.Context, q ListingSearch) ([]*model.PublicListing, int, error) {
	if err := db.refreshListingKeys(ctx); err != nil {
		return nil, 0, err
	}
	where := []string{}
	args := []any{ms(q.Now)}
	if q.State != "" {
		where = append(where, `l.state = ?`)
		args = append(args, q.State)
	}
	if q.Service != "" {
		where = append(where, `l.id IN (SELECT listing_id FROM directory_listing_terms WHERE kind = 'service' AND term = ?)`)
		args = append(args, q.Service)
	}
	if q.Municipio != "" {
		where = append(where, `l.id IN (SELECT listing_id FROM directory_listing_places WHERE municipio = ?)`)
		args = append(args, q.Municipio)
	}
	var anyWord []string
	var score []string
	var scoreArgs []any
	for _, w := range q.Words {
		anyWord = append(anyWord, `instr(l.search_key, ?) > 0`)
		args = append(args, w)
		score = append(score, `(instr(l.search_key, ?) > 0)`)
		scoreArgs = append(scoreArgs, w)
	}
	if len(q.Exact) > 0 {
		score = append(score, `1000 * EXISTS (SELECT 1 FROM directory_listing_places p WHERE p.listing_id = l.id AND p.municipio IN (`+placeholders(len(q.Exact))+`))`)
		for _, m := range q.Exact {
			scoreArgs = append(scoreArgs, m)
		}
	}
	if len(anyWord) > 0 {
		where = append(where, "("+strings.Join(anyWord, " OR ")+")")
	}
	cond := visibleFilter
	if len(where) > 0 {
		cond += " AND " + strings.Join(where, " AND ")
	}
	var total int
	// #nosec G202 -- the clauses are constants; every value is a bound parameter
	if err := db.read.QueryRowContext(ctx, `SELECT count(*)`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count listings: %w", err)
	}
	if total == 0 || q.Offset >= total {
		return nil, total, nil
	}
	scoreSQL := "0"
	if len(score) > 0 {
		scoreSQL = strings.Join(score, " + ")
	}
	if q.Limit <= 0 {
		q.Limit = 20
	}
	// The page is chosen over the filtered listings (score and rotation
	// in the select list, so their arguments come first); then its rows
	// are joined to their current certificates, keeping that order.
	all := append(append(scoreArgs, q.Seed, q.Seed), args...)
	all = append(all, q.Limit, max(q.Offset, 0), ms(q.Now))
	// #nosec G202 -- the clauses are constants; every value is a bound parameter
	rows, err := db.read.QueryContext(ctx, `WITH page AS (SELECT l.id, `+scoreSQL+` AS score, `+rotationSQL+` AS rotation`+cond+
		` ORDER BY score DESC, rotation, l.id LIMIT ? OFFSET ?)
		SELECT `+publicColumns+`, page.score, page.rotation FROM page JOIN directory_listings l ON l.id = page.id
		JOIN certificates c ON c.id = (SELECT id FROM certificates
			WHERE user_id = l.user_id AND status = 'valid' AND (expires_at IS NULL OR expires_at > ?)
			ORDER BY issued_at DESC LIMIT 1)
		ORDER BY page.score DESC, page.rotation, page.id`, all...)
	if err != nil {
		return nil, 0, fmt.Errorf("search listings: %w", err)
	}
	var out []*model.PublicListing
	for rows.Next() {
		var s, r int64
		p, err := scanPublic(rows, &s, &r)
		if err != nil {
			return nil, 0, errors.Join(err, rows.Close())
		}
		out = append(out, p)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, 0, fmt.Errorf("search listings: %w", err)
	}
	return out, total, db.fillPublic(ctx, out)
}

func (db *DB) fillPublic(ctx context.Context, listings []*model.PublicListing) error {
	ids := make([]int64, len(listings))
	for i, p := range listings {
		ids[i] = p.ID
	}
	terms, places, err := listingDetails(ctx, db.read, ids)
	if err != nil {
		return err
	}
	for _, p := range listings {
		t := terms[p.ID]
		p.Services, p.Modes, p.Languages, p.Municipios = t[model.TermService], t[model.TermMode], t[model.TermLanguage], places[p.ID]
	}
	return db.fillPartnerLevels(ctx, listings)
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

// VisibleByState counts the visible listings at now of each state (INEGI
// key) that has any.
func (db *DB) VisibleByState(ctx context.Context, now time.Time) (map[string]int, error) {
	// #nosec G202 -- constants only
	rows, err := db.read.QueryContext(ctx, `SELECT l.state, count(*)`+visibleListings+` GROUP BY l.state`, ms(now))
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
	return out, errors.Join(rows.Err(), rows.Close())
}
