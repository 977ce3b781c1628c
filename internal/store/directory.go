package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"mxcert/internal/fold"
	"mxcert/internal/model"
)

// The directory of certified technicians: a listing per person, its
// terms (services, modes, languages) and the municipalities it serves.
// Whether a listing is shown is decided at read time (directory_search.go).

const listingColumns = `id, user_id, consent_at, notice_version, business_name, state, description,
	whatsapp, show_whatsapp, phone, show_phone, email, show_email, website, show_website,
	published, hidden_at, coalesce(hidden_reason, ''), created_at, updated_at`

func scanListing(row interface{ Scan(...any) error }) (*model.Listing, error) {
	var l model.Listing
	var consent, created, updated int64
	var hidden sql.NullInt64
	err := row.Scan(&l.ID, &l.UserID, &consent, &l.NoticeVersion, &l.BusinessName, &l.State, &l.Description,
		&l.WhatsApp.Value, &l.WhatsApp.Show, &l.Phone.Value, &l.Phone.Show, &l.Email.Value, &l.Email.Show, &l.Website.Value, &l.Website.Show,
		&l.Published, &hidden, &l.HiddenReason, &created, &updated)
	if err != nil {
		return nil, err
	}
	l.ConsentAt, l.CreatedAt, l.UpdatedAt, l.HiddenAt = fromMS(consent), fromMS(created), fromMS(updated), optTime(hidden)
	return &l, nil
}

// ListingByUser is the person's listing, with its terms and places, or
// ErrNotFound.
func (db *DB) ListingByUser(ctx context.Context, userID int64) (*model.Listing, error) {
	return listingBy(ctx, db.read, `user_id`, userID)
}

// ListingByUser is ListingByUser inside a transaction.
func (tx *Tx) ListingByUser(userID int64) (*model.Listing, error) {
	return listingBy(tx.ctx, tx.tx, `user_id`, userID)
}

// ListingByID is ListingByID inside a transaction.
func (tx *Tx) ListingByID(id int64) (*model.Listing, error) {
	return listingBy(tx.ctx, tx.tx, `id`, id)
}

// ListingByID is the listing with that id, whatever its state (for its
// owner and for the foundation), or ErrNotFound.
func (db *DB) ListingByID(ctx context.Context, id int64) (*model.Listing, error) {
	return listingBy(ctx, db.read, `id`, id)
}

func listingBy(ctx context.Context, q querier, column string, value any) (*model.Listing, error) {
	// column is one of the constants of the callers, never input.
	l, err := scanListing(q.QueryRowContext(ctx, `SELECT `+listingColumns+` FROM directory_listings WHERE `+column+` = ?`, value)) // #nosec G202
	if err != nil {
		return nil, notFound(err, "listing")
	}
	terms, places, err := listingDetails(ctx, q, []int64{l.ID})
	if err != nil {
		return nil, err
	}
	t := terms[l.ID]
	l.Services, l.Modes, l.Languages, l.Municipios = t[model.TermService], t[model.TermMode], t[model.TermLanguage], places[l.ID]
	return l, nil
}

// listingDetails loads the terms (by kind) and the places of the given
// listings, each list sorted.
func listingDetails(ctx context.Context, q querier, ids []int64) (map[int64]map[string][]string, map[int64][]string, error) {
	terms := map[int64]map[string][]string{}
	places := map[int64][]string{}
	if len(ids) == 0 {
		return terms, places, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := placeholders(len(ids))
	rows, err := q.QueryContext(ctx, `SELECT listing_id, kind, term FROM directory_listing_terms WHERE listing_id IN (`+in+`) ORDER BY listing_id, kind, term`, args...) // #nosec G202 -- placeholders only
	if err != nil {
		return nil, nil, fmt.Errorf("listing terms: %w", err)
	}
	for rows.Next() {
		var id int64
		var kind, term string
		if err := rows.Scan(&id, &kind, &term); err != nil {
			return nil, nil, errors.Join(err, rows.Close())
		}
		if terms[id] == nil {
			terms[id] = map[string][]string{}
		}
		terms[id][kind] = append(terms[id][kind], term)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, nil, fmt.Errorf("listing terms: %w", err)
	}
	rows, err = q.QueryContext(ctx, `SELECT listing_id, municipio FROM directory_listing_places WHERE listing_id IN (`+in+`) ORDER BY listing_id, municipio`, args...) // #nosec G202 -- placeholders only
	if err != nil {
		return nil, nil, fmt.Errorf("listing places: %w", err)
	}
	for rows.Next() {
		var id int64
		var m string
		if err := rows.Scan(&id, &m); err != nil {
			return nil, nil, errors.Join(err, rows.Close())
		}
		places[id] = append(places[id], m)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, nil, fmt.Errorf("listing places: %w", err)
	}
	return terms, places, nil
}

func placeholders(n int) string {
	b := make([]byte, 0, 2*n)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}

// SaveListing creates the person's listing or replaces its contents
// (l.UserID says whose; l.ID is set). textKey is the folded text the
// search matches besides the holder's name (see the migration). The
// published flag and the foundation's hiding are not changed by an
// edit: SetListingPublished and HideListing do that.
func (tx *Tx) SaveListing(l *model.Listing, textKey string) error {
	now := ms(tx.Now)
	err := tx.tx.QueryRowContext(tx.ctx, `INSERT INTO directory_listings (user_id, consent_at, notice_version, business_name, state, description,
			whatsapp, show_whatsapp, phone, show_phone, email, show_email, website, show_website, text_key, search_key, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET consent_at = excluded.consent_at, notice_version = excluded.notice_version,
			business_name = excluded.business_name, state = excluded.state, description = excluded.description,
			whatsapp = excluded.whatsapp, show_whatsapp = excluded.show_whatsapp, phone = excluded.phone, show_phone = excluded.show_phone,
			email = excluded.email, show_email = excluded.show_email, website = excluded.website, show_website = excluded.show_website,
			text_key = excluded.text_key, search_key = NULL, updated_at = excluded.updated_at
		RETURNING id`,
		l.UserID, ms(l.ConsentAt), l.NoticeVersion, l.BusinessName, l.State, l.Description,
		l.WhatsApp.Value, boolInt(l.WhatsApp.Show), l.Phone.Value, boolInt(l.Phone.Show), l.Email.Value, boolInt(l.Email.Show),
		l.Website.Value, boolInt(l.Website.Show), textKey, now, now).Scan(&l.ID)
	if err != nil {
		return fmt.Errorf("save listing of user %d: %w", l.UserID, err)
	}
	for _, q := range []string{`DELETE FROM directory_listing_terms WHERE listing_id = ?`, `DELETE FROM directory_listing_places WHERE listing_id = ?`} {
		if _, err := tx.tx.ExecContext(tx.ctx, q, l.ID); err != nil {
			return fmt.Errorf("save listing %d: %w", l.ID, err)
		}
	}
	for kind, terms := range map[string][]string{model.TermService: l.Services, model.TermMode: l.Modes, model.TermLanguage: l.Languages} {
		for _, t := range slices.Compact(slices.Sorted(slices.Values(terms))) {
			if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO directory_listing_terms (listing_id, kind, term) VALUES (?, ?, ?)`, l.ID, kind, t); err != nil {
				return fmt.Errorf("save listing %d %s %q: %w", l.ID, kind, t, err)
			}
		}
	}
	for _, m := range slices.Compact(slices.Sorted(slices.Values(l.Municipios))) {
		if _, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO directory_listing_places (listing_id, municipio) VALUES (?, ?)`, l.ID, m); err != nil {
			return fmt.Errorf("save listing %d place %q: %w", l.ID, m, err)
		}
	}
	return nil
}

// SetListingPublished publishes or unpublishes the person's listing.
func (tx *Tx) SetListingPublished(userID int64, published bool) error {
	err := tx.execOne(`UPDATE directory_listings SET published = ?, updated_at = ? WHERE user_id = ?`, boolInt(published), ms(tx.Now), userID)
	if err != nil {
		return notFound(err, "listing")
	}
	return nil
}

// DeleteListing deletes the person's listing and, by cascade, its terms
// and places, returning the id it had.
func (tx *Tx) DeleteListing(userID int64) (int64, error) {
	var id int64
	err := tx.tx.QueryRowContext(tx.ctx, `DELETE FROM directory_listings WHERE user_id = ? RETURNING id`, userID).Scan(&id)
	if err != nil {
		return 0, notFound(err, "listing")
	}
	return id, nil
}

// HideListing hides a listing from the public, for reason, on behalf of
// the foundation (actorID); RestoreListing shows it again.
func (tx *Tx) HideListing(id, actorID int64, reason string) error {
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	err := tx.execOne(`UPDATE directory_listings SET hidden_at = ?, hidden_reason = ?, hidden_by = ? WHERE id = ?`, ms(tx.Now), reason, actor, id)
	if err != nil {
		return notFound(err, "listing")
	}
	return nil
}

// RestoreListing undoes HideListing.
func (tx *Tx) RestoreListing(id int64) error {
	err := tx.execOne(`UPDATE directory_listings SET hidden_at = NULL, hidden_reason = NULL, hidden_by = NULL WHERE id = ?`, id)
	if err != nil {
		return notFound(err, "listing")
	}
	return nil
}

// ListingRows counts the rows a listing has in each directory table, by
// table: what a deletion must leave at zero.
func (db *DB) ListingRows(ctx context.Context, listingID int64) (map[string]int, error) {
	out := map[string]int{}
	for table, q := range map[string]string{
		"directory_listings":       `SELECT count(*) FROM directory_listings WHERE id = ?`,
		"directory_listing_terms":  `SELECT count(*) FROM directory_listing_terms WHERE listing_id = ?`,
		"directory_listing_places": `SELECT count(*) FROM directory_listing_places WHERE listing_id = ?`,
	} {
		var n int
		if err := db.read.QueryRowContext(ctx, q, listingID).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", table, err)
		}
		out[table] = n
	}
	return out, nil
}

// ListingSearchKey is what a listing's search_key holds: the holder's
// name folded, then the listing's own folded text.
func ListingSearchKey(holderName, textKey string) string {
	return fold.Text(holderName) + "\n" + textKey
}

// refreshListingKeys writes the listings' stale search keys (new or
// edited listings, and those whose owner's certificates changed), with
// the name of the owner's current valid certificate. A listing whose
// owner has none gets a key without a name: it is not shown anyway, and
// the next certificate makes it stale again.
func (db *DB) refreshListingKeys(ctx context.Context) error {
	var stale bool
	if err := db.hot(ctx, `SELECT EXISTS (SELECT 1 FROM directory_listings WHERE search_key IS NULL)`).Scan(&stale); err != nil {
		return fmt.Errorf("stale listing keys: %w", err)
	}
	if !stale {
		return nil
	}
	return db.Transact(ctx, func(tx *Tx) error {
		rows, err := tx.tx.QueryContext(tx.ctx, `SELECT l.id, l.text_key, coalesce((SELECT holder_name FROM certificates
				WHERE user_id = l.user_id AND status = 'valid' ORDER BY issued_at DESC LIMIT 1), '')
			FROM directory_listings l WHERE l.search_key IS NULL`)
		if err != nil {
			return err
		}
		type key struct {
			id  int64
			key string
		}
		var keys []key
		for rows.Next() {
			var id int64
			var text, name string
			if err := rows.Scan(&id, &text, &name); err != nil {
				return errors.Join(err, rows.Close())
			}
			keys = append(keys, key{id, ListingSearchKey(name, text)})
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		return writeListingKeys(tx, func(yield func(int64, string) bool) {
			for _, k := range keys {
				if !yield(k.id, k.key) {
					return
				}
			}
		})
	})
}

// writeListingKeys writes each listing's search key and the index of its
// words (directory_listing_words). A listing's words go in one statement:
// on PostgreSQL each statement is a round trip to the server, made while
// holding the write lock, and a listing has tens of words.
func writeListingKeys(tx *Tx, keys iter.Seq2[int64, string]) (err error) {
	var stmts [2]*sql.Stmt
	for i, q := range []string{`UPDATE directory_listings SET search_key = ? WHERE id = ?`,
		`DELETE FROM directory_listing_words WHERE listing_id = ?`} {
		if stmts[i], err = tx.tx.PrepareContext(tx.ctx, q); err != nil {
			return err
		}
		defer func() { err = errors.Join(err, stmts[i].Close()) }()
	}
	var args []any
	for id, key := range keys {
		if _, err := stmts[0].ExecContext(tx.ctx, key, id); err != nil {
			return fmt.Errorf("search key of listing %d: %w", id, err)
		}
		if _, err := stmts[1].ExecContext(tx.ctx, id); err != nil {
			return fmt.Errorf("words of listing %d: %w", id, err)
		}
		for words := range slices.Chunk(keyWords(key), maxWordsPerInsert) {
			args = args[:0]
			for _, w := range words {
				args = append(args, w, id)
			}
			q := `INSERT INTO directory_listing_words (word, listing_id) VALUES ` + strings.Repeat(`(?, ?), `, len(words)-1) + `(?, ?)`
			if _, err := tx.tx.ExecContext(tx.ctx, q, args...); err != nil {
				return fmt.Errorf("words of listing %d: %w", id, err)
			}
		}
	}
	return nil
}

// maxWordsPerInsert bounds the rows of one INSERT of words, well within
// both databases' limits on bound parameters.
const maxWordsPerInsert = 200
