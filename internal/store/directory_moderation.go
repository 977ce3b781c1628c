package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"mxcert/internal/model"
)

// The directory's moderation (migration 0016): success stories, visitors'
// reports, the partner programme's levels and the searches that found
// nothing. A story is public only while it is approved and its listing
// is visible: the same live check as the listings (visibleListings).

const storyColumns = `s.id, s.listing_id, s.title, s.client_kind, s.state, s.work, s.result, s.status, s.reason, s.decided_at, s.created_at`

func scanStory(row interface{ Scan(...any) error }, extra ...any) (*model.Story, error) {
	var s model.Story
	var decided sql.NullInt64
	var created int64
	dst := append([]any{&s.ID, &s.ListingID, &s.Title, &s.ClientKind, &s.State, &s.Work, &s.Result, &s.Status, &s.Reason, &decided, &created}, extra...)
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	s.DecidedAt, s.CreatedAt = optTime(decided), fromMS(created)
	return &s, nil
}

func queryStories(ctx context.Context, q querier, query string, args ...any) ([]model.Story, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("stories: %w", err)
	}
	var out []model.Story
	for rows.Next() {
		s, err := scanStory(rows)
		if err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		out = append(out, *s)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// CreateStory adds a pending story to its listing and sets s.ID.
func (tx *Tx) CreateStory(s *model.Story) error {
	err := tx.tx.QueryRowContext(tx.ctx, `INSERT INTO directory_stories (listing_id, title, client_kind, state, work, result, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, s.ListingID, s.Title, s.ClientKind, s.State, s.Work, s.Result, ms(tx.Now)).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("create story: %w", err)
	}
	s.Status, s.CreatedAt = model.StoryPending, tx.Now
	return nil
}

// PendingStoryCount is how many of a listing's stories wait for the
// foundation.
func (tx *Tx) PendingStoryCount(listingID int64) (int, error) {
	var n int
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM directory_stories WHERE listing_id = ? AND status = 'pending'`, listingID).Scan(&n)
	return n, err
}

// ListingStories lists a listing's stories, newest first: all of them
// for its owner (approvedOnly false), the approved ones for its page.
func (db *DB) ListingStories(ctx context.Context, listingID int64, approvedOnly bool) ([]model.Story, error) {
	q := `SELECT ` + storyColumns + ` FROM directory_stories s WHERE s.listing_id = ?`
	if approvedOnly {
		q += ` AND s.status = 'approved'`
	}
	return queryStories(ctx, db.read, q+` ORDER BY s.id DESC`, listingID)
}

// StoryByID is the story with that id, or ErrNotFound.
func (tx *Tx) StoryByID(id int64) (*model.Story, error) {
	s, err := scanStory(tx.tx.QueryRowContext(tx.ctx, `SELECT `+storyColumns+` FROM directory_stories s WHERE s.id = ?`, id))
	if err != nil {
		return nil, notFound(err, "story")
	}
	return s, nil
}

// StoryByID is StoryByID outside a transaction.
func (db *DB) StoryByID(ctx context.Context, id int64) (*model.Story, error) {
	s, err := scanStory(db.read.QueryRowContext(ctx, `SELECT `+storyColumns+` FROM directory_stories s WHERE s.id = ?`, id))
	if err != nil {
		return nil, notFound(err, "story")
	}
	return s, nil
}

// DeleteStory deletes a story of the listing; ErrNotFound when the
// listing has no story with that id.
func (tx *Tx) DeleteStory(id, listingID int64) error {
	if err := tx.execOne(`DELETE FROM directory_stories WHERE id = ? AND listing_id = ?`, id, listingID); err != nil {
		return notFound(err, "story")
	}
	return nil
}

// DecideStory approves or rejects (with reason) a pending story;
// ErrConflict when it is no longer pending.
func (tx *Tx) DecideStory(id, actorID int64, status model.StoryStatus, reason string) error {
	var actor any
	if actorID != 0 {
		actor = actorID
	}
	err := tx.execOne(`UPDATE directory_stories SET status = ?, reason = ?, decided_at = ?, decided_by = ? WHERE id = ? AND status = 'pending'`,
		status, reason, ms(tx.Now), actor, id)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("story %d is not pending: %w", id, ErrConflict)
	}
	return err
}

// PendingStories lists the stories that wait for the foundation, oldest
// first, with their listings as the owner named them.
func (db *DB) PendingStories(ctx context.Context, limit int) ([]model.PublicStory, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+storyColumns+`, l.id, l.state, u.full_name, l.business_name, l.updated_at
		FROM directory_stories s JOIN directory_listings l ON l.id = s.listing_id JOIN users u ON u.id = l.user_id
		WHERE s.status = 'pending' ORDER BY s.id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending stories: %w", err)
	}
	var out []model.PublicStory
	for rows.Next() {
		var p model.PublicStory
		var updated int64
		s, err := scanStory(rows, &p.Listing.ID, &p.Listing.State, &p.Listing.HolderName, &p.Listing.BusinessName, &updated)
		if err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		p.Story, p.Listing.UpdatedAt = *s, fromMS(updated)
		out = append(out, p)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// StorySearch is a page of the public success stories.
type StorySearch struct {
	Now        time.Time
	State      string // INEGI key, optional
	ClientKind string // optional
	Limit      int
	Offset     int
}

// PublicStories lists the approved stories whose listing is visible at
// q.Now, newest first, with how many there are in all.
func (db *DB) PublicStories(ctx context.Context, q StorySearch) ([]model.PublicStory, int, error) {
	// visibleListings takes the moment as its first argument.
	cond := ` FROM directory_stories s WHERE s.status = 'approved' AND EXISTS (SELECT 1` + visibleFilter + ` AND l.id = s.listing_id)`
	args := []any{ms(q.Now)}
	if q.State != "" {
		cond += ` AND s.state = ?`
		args = append(args, q.State)
	}
	if q.ClientKind != "" {
		cond += ` AND s.client_kind = ?`
		args = append(args, q.ClientKind)
	}
	var total int
	// #nosec G202 -- constants only; every value is a bound parameter
	if err := db.read.QueryRowContext(ctx, `SELECT count(*)`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count stories: %w", err)
	}
	if total == 0 || q.Offset >= total {
		return nil, total, nil
	}
	// #nosec G202 -- constants only; every value is a bound parameter
	stories, err := queryStories(ctx, db.read, `SELECT `+storyColumns+cond+` ORDER BY s.id DESC LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset)...)
	if err != nil {
		return nil, 0, err
	}
	refs, err := db.visibleRefs(ctx, q.Now, stories)
	if err != nil {
		return nil, 0, err
	}
	out := make([]model.PublicStory, 0, len(stories))
	for _, s := range stories {
		if ref, ok := refs[s.ListingID]; ok { // a listing hidden between the two reads is left out
			out = append(out, model.PublicStory{Story: s, Listing: ref})
		}
	}
	return out, total, nil
}

// visibleRefs names the visible listings of the stories, by id.
func (db *DB) visibleRefs(ctx context.Context, now time.Time, stories []model.Story) (map[int64]model.ListingRef, error) {
	args := []any{ms(now)}
	for _, s := range stories {
		args = append(args, s.ListingID)
	}
	// #nosec G202 -- constants and placeholders only
	rows, err := db.read.QueryContext(ctx, `SELECT l.id, l.state, c.holder_name, l.business_name, l.updated_at`+visibleListings+
		` AND l.id IN (`+placeholders(len(stories))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("stories' listings: %w", err)
	}
	out := map[int64]model.ListingRef{}
	for rows.Next() {
		var r model.ListingRef
		var updated int64
		if err := rows.Scan(&r.ID, &r.State, &r.HolderName, &r.BusinessName, &updated); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		r.UpdatedAt = fromMS(updated)
		out[r.ID] = r
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// CreateReport stores a visitor's report of a listing and sets r.ID.
func (tx *Tx) CreateReport(r *model.Report) error {
	err := tx.tx.QueryRowContext(tx.ctx, `INSERT INTO directory_reports (listing_id, reason, details, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		r.ListingID, r.Reason, r.Details, ms(tx.Now)).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("create report: %w", err)
	}
	r.Status, r.CreatedAt = model.ReportOpen, tx.Now
	return nil
}

const reportColumns = `id, listing_id, reason, details, status, created_at`

func scanReport(row interface{ Scan(...any) error }) (*model.Report, error) {
	var r model.Report
	var created int64
	if err := row.Scan(&r.ID, &r.ListingID, &r.Reason, &r.Details, &r.Status, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = fromMS(created)
	return &r, nil
}

// OpenReports lists the reports nobody has closed yet, oldest first.
func (db *DB) OpenReports(ctx context.Context, limit int) ([]model.Report, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+reportColumns+` FROM directory_reports WHERE status = 'open' ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("open reports: %w", err)
	}
	var out []model.Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		out = append(out, *r)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// ReportByID is the report with that id, or ErrNotFound.
func (tx *Tx) ReportByID(id int64) (*model.Report, error) {
	r, err := scanReport(tx.tx.QueryRowContext(tx.ctx, `SELECT `+reportColumns+` FROM directory_reports WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "report")
	}
	return r, nil
}

// ReportByID is ReportByID outside a transaction.
func (db *DB) ReportByID(ctx context.Context, id int64) (*model.Report, error) {
	r, err := scanReport(db.read.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM directory_reports WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "report")
	}
	return r, nil
}

// CloseReport closes an open report as status; ErrConflict when it is
// no longer open.
func (tx *Tx) CloseReport(id, actorID int64, status model.ReportStatus) error {
	err := tx.execOne(`UPDATE directory_reports SET status = ?, closed_at = ?, closed_by = ? WHERE id = ? AND status = 'open'`, status, ms(tx.Now), nullID(actorID), id)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("report %d is not open: %w", id, ErrConflict)
	}
	return err
}

// CloseListingReports closes every open report of a listing as actioned
// (the listing was hidden), returning how many.
func (tx *Tx) CloseListingReports(listingID, actorID int64) (int, error) {
	res, err := tx.tx.ExecContext(tx.ctx, `UPDATE directory_reports SET status = 'actioned', closed_at = ?, closed_by = ? WHERE listing_id = ? AND status = 'open'`,
		ms(tx.Now), nullID(actorID), listingID)
	if err != nil {
		return 0, fmt.Errorf("close reports of listing %d: %w", listingID, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// ModerationCounts are the numbers of pending stories and open reports.
func (db *DB) ModerationCounts(ctx context.Context) (stories, reports int, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM directory_stories WHERE status = 'pending'),
		(SELECT count(*) FROM directory_reports WHERE status = 'open')`).Scan(&stories, &reports)
	if err != nil {
		return 0, 0, fmt.Errorf("moderation counts: %w", err)
	}
	return stories, reports, nil
}

// moderationColumns read a listing for the console; visibleListings's
// moment is the first argument.
const moderationColumns = `SELECT d.id, d.user_id, u.full_name, d.business_name, d.state, d.published,
	EXISTS (SELECT 1` + visibleFilter + ` AND l.id = d.id),
	d.hidden_at, coalesce(d.hidden_reason, ''), coalesce(d.partner_level_id, 0),
	(SELECT count(*) FROM directory_reports r WHERE r.listing_id = d.id AND r.status = 'open')
	FROM directory_listings d JOIN users u ON u.id = d.user_id`

func (db *DB) moderationListings(ctx context.Context, now time.Time, where string, args ...any) ([]*model.ModerationListing, error) {
	// #nosec G202 -- where is a constant of the callers
	rows, err := db.read.QueryContext(ctx, moderationColumns+` WHERE `+where, append([]any{ms(now)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("listings for moderation: %w", err)
	}
	var out []*model.ModerationListing
	for rows.Next() {
		var m model.ModerationListing
		var hidden sql.NullInt64
		if err := rows.Scan(&m.ID, &m.UserID, &m.HolderName, &m.BusinessName, &m.State, &m.Published, &m.Visible, &hidden, &m.HiddenReason, &m.PartnerLevel, &m.OpenReports); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		m.HiddenAt = optTime(hidden)
		out = append(out, &m)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// ModerationListing is a listing as the console shows it, or ErrNotFound.
func (db *DB) ModerationListing(ctx context.Context, id int64, now time.Time) (*model.ModerationListing, error) {
	list, err := db.moderationListings(ctx, now, `d.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("listing %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

// ModerationListingsByID reads the given listings for the console, by id.
func (db *DB) ModerationListingsByID(ctx context.Context, ids []int64, now time.Time) (map[int64]*model.ModerationListing, error) {
	out := map[int64]*model.ModerationListing{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	list, err := db.moderationListings(ctx, now, `d.id IN (`+placeholders(len(ids))+`)`, args...)
	for _, m := range list {
		out[m.ID] = m
	}
	return out, err
}

// HiddenListings lists the listings the foundation hid, most recent
// first.
func (db *DB) HiddenListings(ctx context.Context, now time.Time, limit int) ([]*model.ModerationListing, error) {
	return db.moderationListings(ctx, now, `d.hidden_at IS NOT NULL ORDER BY d.hidden_at DESC, d.id LIMIT ?`, limit)
}

// PartnerLevels lists the partner programme's levels in their order, with
// how many listings each has.
func (db *DB) PartnerLevels(ctx context.Context) ([]model.PartnerLevel, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.id, p.name, p.description, p.position,
		(SELECT count(*) FROM directory_listings l WHERE l.partner_level_id = p.id)
		FROM directory_partner_levels p ORDER BY p.position, p.id`)
	if err != nil {
		return nil, fmt.Errorf("partner levels: %w", err)
	}
	var out []model.PartnerLevel
	for rows.Next() {
		var p model.PartnerLevel
		if err := rows.Scan(&p.ID, &p.Name, &p.Description, &p.Position, &p.Listings); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		out = append(out, p)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// PartnerLevel is the level with that id, or ErrNotFound.
func (tx *Tx) PartnerLevel(id int64) (*model.PartnerLevel, error) {
	var p model.PartnerLevel
	err := tx.tx.QueryRowContext(tx.ctx, `SELECT id, name, description, position, (SELECT count(*) FROM directory_listings WHERE partner_level_id = ?1)
		FROM directory_partner_levels WHERE id = ?1`, id).Scan(&p.ID, &p.Name, &p.Description, &p.Position, &p.Listings)
	if err != nil {
		return nil, notFound(err, "partner level")
	}
	return &p, nil
}

// SavePartnerLevel creates (p.ID 0, set on return) or updates a level. A
// name another level has is ErrConflict.
func (tx *Tx) SavePartnerLevel(p *model.PartnerLevel) error {
	err := tx.mayConflict(func() error {
		if p.ID == 0 {
			return tx.tx.QueryRowContext(tx.ctx, `INSERT INTO directory_partner_levels (name, description, position, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
				p.Name, p.Description, p.Position, ms(tx.Now)).Scan(&p.ID)
		}
		return tx.execOne(`UPDATE directory_partner_levels SET name = ?, description = ?, position = ? WHERE id = ?`, p.Name, p.Description, p.Position, p.ID)
	})
	if isUnique(err) {
		return fmt.Errorf("partner level %q: %w", p.Name, ErrConflict)
	}
	if err != nil {
		return notFound(err, "partner level")
	}
	return nil
}

// DeletePartnerLevel deletes a level no listing has; ErrConflict when one
// has it.
func (tx *Tx) DeletePartnerLevel(id int64) error {
	var used bool
	if err := tx.tx.QueryRowContext(tx.ctx, `SELECT EXISTS (SELECT 1 FROM directory_listings WHERE partner_level_id = ?)`, id).Scan(&used); err != nil {
		return fmt.Errorf("partner level %d in use: %w", id, err)
	}
	if used {
		return fmt.Errorf("partner level %d is in use: %w", id, ErrConflict)
	}
	if err := tx.execOne(`DELETE FROM directory_partner_levels WHERE id = ?`, id); err != nil {
		return notFound(err, "partner level")
	}
	return nil
}

// SetListingLevel gives a listing a partner level (0: none) and returns
// the one it had.
func (tx *Tx) SetListingLevel(listingID, levelID int64) (before int64, err error) {
	err = tx.tx.QueryRowContext(tx.ctx, `SELECT coalesce(partner_level_id, 0) FROM directory_listings WHERE id = ?`, listingID).Scan(&before)
	if err != nil {
		return 0, notFound(err, "listing")
	}
	if _, err := tx.tx.ExecContext(tx.ctx, `UPDATE directory_listings SET partner_level_id = ? WHERE id = ?`, nullID(levelID), listingID); err != nil {
		return 0, fmt.Errorf("partner level of listing %d: %w", listingID, err)
	}
	return before, nil
}

// fillPartnerLevels writes the partner level's name into the listings
// that have one.
func fillPartnerLevels(ctx context.Context, q querier, listings []*model.PublicListing) error {
	if len(listings) == 0 {
		return nil
	}
	args := make([]any, len(listings))
	byID := map[int64]*model.PublicListing{}
	for i, p := range listings {
		args[i], byID[p.ID] = p.ID, p
	}
	// #nosec G202 -- placeholders only
	rows, err := q.QueryContext(ctx, `SELECT l.id, p.name FROM directory_listings l JOIN directory_partner_levels p ON p.id = l.partner_level_id
		WHERE l.id IN (`+placeholders(len(listings))+`)`, args...)
	if err != nil {
		return fmt.Errorf("partner levels of listings: %w", err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return errors.Join(err, rows.Close())
		}
		byID[id].PartnerLevel = name
	}
	return errors.Join(rows.Err(), rows.Close())
}

// VisibleByService counts the visible listings at now that offer each
// service.
func (db *DB) VisibleByService(ctx context.Context, now time.Time) (map[string]int, error) {
	// #nosec G202 -- constants only
	rows, err := db.read.QueryContext(ctx, `SELECT t.term, count(*) FROM directory_listing_terms t
		WHERE t.kind = 'service' AND t.listing_id IN (SELECT l.id`+visibleFilter+`) GROUP BY t.term`, ms(now))
	if err != nil {
		return nil, fmt.Errorf("listings by service: %w", err)
	}
	out := map[string]int{}
	for rows.Next() {
		var term string
		var n int
		if err := rows.Scan(&term, &n); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		out[term] = n
	}
	return out, errors.Join(rows.Err(), rows.Close())
}

// MissedSearchesPerDay bounds the distinct searches that found nothing
// kept for one day; past it, only those already seen are counted.
const MissedSearchesPerDay = 1000

// NoteMissedSearch counts a search that found nothing on day (days since
// 1970-01-01) and deletes the days before keepFrom.
func (tx *Tx) NoteMissedSearch(day, keepFrom int64, m model.MissedSearch) error {
	if _, err := tx.tx.ExecContext(tx.ctx, `DELETE FROM directory_missed_searches WHERE day < ?`, keepFrom); err != nil {
		return fmt.Errorf("prune missed searches: %w", err)
	}
	res, err := tx.tx.ExecContext(tx.ctx, `UPDATE directory_missed_searches SET count = count + 1
		WHERE day = ? AND query = ? AND state = ? AND municipio = ? AND service = ?`, day, m.Query, m.State, m.Municipio, m.Service)
	if err != nil {
		return fmt.Errorf("count missed search: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	_, err = tx.tx.ExecContext(tx.ctx, `INSERT INTO directory_missed_searches (day, query, state, municipio, service)
		SELECT ?1, ?2, ?3, ?4, ?5 WHERE (SELECT count(*) FROM directory_missed_searches WHERE day = ?1) < ?6`,
		day, m.Query, m.State, m.Municipio, m.Service, MissedSearchesPerDay)
	if err != nil {
		return fmt.Errorf("note missed search: %w", err)
	}
	return nil
}

// MissedSearches lists the searches that found nothing since fromDay,
// the most frequent first.
func (db *DB) MissedSearches(ctx context.Context, fromDay int64, limit int) ([]model.MissedSearch, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT query, state, municipio, service, CAST(sum(count) AS BIGINT) AS n FROM directory_missed_searches
		WHERE day >= ? GROUP BY query, state, municipio, service ORDER BY n DESC, query, state, municipio, service LIMIT ?`, fromDay, limit)
	if err != nil {
		return nil, fmt.Errorf("missed searches: %w", err)
	}
	var out []model.MissedSearch
	for rows.Next() {
		var m model.MissedSearch
		if err := rows.Scan(&m.Query, &m.State, &m.Municipio, &m.Service, &m.Count); err != nil {
			return nil, errors.Join(err, rows.Close())
		}
		out = append(out, m)
	}
	return out, errors.Join(rows.Err(), rows.Close())
}
