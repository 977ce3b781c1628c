package directory

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"mxcert/internal/fold"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// The directory in numbers for the foundation's dashboard, the searches
// that found nothing (logged by Search, bounded, with no personal data),
// and the console's view of listings.

// MissedWindow is how far back the dashboard counts searches that found
// nothing; older ones are deleted.
const MissedWindow = 30

// MissedMax is how many of them the dashboard lists.
const MissedMax = 20

// Figures are the directory's numbers for the dashboard.
type Figures struct {
	ByState        []StateCount
	ByService      []model.TermCount // in the content's order, those with listings
	Visible        int
	PendingStories int
	OpenReports    int
	Missed         []model.MissedSearch // the last MissedWindow days, most frequent first
}

// Figures counts the visible listings by state and by service, the work
// waiting in the moderation queue, and the searches that found nothing.
func (s *Service) Figures(ctx context.Context) (*Figures, error) {
	f := &Figures{}
	var err error
	if f.ByState, err = s.States(ctx); err != nil {
		return nil, err
	}
	for _, sc := range f.ByState {
		f.Visible += sc.Count
	}
	counts, err := s.db.VisibleByService(ctx, s.now())
	if err != nil {
		return nil, err
	}
	for _, t := range s.Lists().Services {
		if n := counts[t.ID]; n > 0 {
			f.ByService = append(f.ByService, model.TermCount{Term: t.ID, Count: n})
		}
	}
	if f.PendingStories, f.OpenReports, err = s.db.ModerationCounts(ctx); err != nil {
		return nil, err
	}
	if f.Missed, err = s.db.MissedSearches(ctx, s.day(s.now())-MissedWindow+1, MissedMax); err != nil {
		return nil, err
	}
	return f, nil
}

// day is the number of the day t falls on in Mexico City.
func (s *Service) day(t time.Time) int64 {
	y, m, d := t.In(s.zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// noteMiss counts a first page of results that found nothing: the folded
// words and the filters, never who searched.
func (s *Service) noteMiss(ctx context.Context, search store.ListingSearch, r *Results) error {
	if r.Total > 0 || r.Page != 1 {
		return nil
	}
	words := fold.Words(r.Text)
	if len(words) > WordsMax*2 {
		words = words[:WordsMax*2]
	}
	m := model.MissedSearch{Query: strings.Join(words, " "), State: search.State, Municipio: search.Municipio, Service: search.Service}
	if m == (model.MissedSearch{}) {
		return nil // the whole directory is empty: nothing was looked for
	}
	today := s.day(s.now())
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.NoteMissedSearch(today, today-MissedWindow+1, m)
	})
}

// ModerationListing is a listing as the console shows it.
func (s *Service) ModerationListing(ctx context.Context, id int64) (*model.ModerationListing, error) {
	m, err := s.db.ModerationListing(ctx, id, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoListing
	}
	return m, err
}

// ModerationListings reads the listings of the queue's stories and
// reports, by id.
func (s *Service) ModerationListings(ctx context.Context, ids []int64) (map[int64]*model.ModerationListing, error) {
	slices.Sort(ids)
	return s.db.ModerationListingsByID(ctx, slices.Compact(ids), s.now())
}

// HiddenListings lists the listings the foundation hid, latest first.
func (s *Service) HiddenListings(ctx context.Context) ([]*model.ModerationListing, error) {
	return s.db.HiddenListings(ctx, s.now(), QueueMax)
}
