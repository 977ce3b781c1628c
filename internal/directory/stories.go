package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Success stories («casos de éxito»): a technician whose listing is
// visible tells a short case; the foundation approves it before anyone
// sees it, or rejects it with a reason its author reads. An approved
// story is shown on its listing's page and at /casos-de-exito only while
// the listing is visible, so it disappears with the listing.

// Limits of a story.
const (
	StoryTitleMax  = 100
	StoryWorkMax   = 1000
	StoryResultMax = 600
	// PendingMax is how many stories of one listing may wait for the
	// foundation at once.
	PendingMax = 3
	// StoriesPageSize is how many stories a page of /casos-de-exito shows.
	StoriesPageSize = 10
	// QueueMax bounds each list of the moderation queue.
	QueueMax = 100
)

// Errors of stories.
var (
	// ErrNotListed: only a person whose listing is visible now may tell a
	// story.
	ErrNotListed      = fail.New(fail.ErrForbidden, "a visible listing is needed to submit a success story")
	ErrTooManyPending = fail.New(fail.ErrConflict, "too many stories wait for the foundation")
	ErrNoStory        = fail.New(fail.ErrNotFound, "no story")
	ErrDecided        = fail.New(fail.ErrConflict, "the story was already decided")
	ErrUnknownKind    = fail.New(fail.ErrInvalid, "unknown kind of client")
)

// StoryInput is a story as its author fills it in.
type StoryInput struct {
	Title      string
	ClientKind string
	State      string // INEGI key
	Work       string
	Result     string
}

// validateStory turns the input into a story or says what is wrong, by
// field: "title", "client_kind", "state", "work", "result".
func (s *Service) validateStory(in StoryInput) (*model.Story, error) {
	v := &ValidationError{}
	st := &model.Story{
		Title:      strings.TrimSpace(in.Title),
		ClientKind: in.ClientKind,
		Work:       strings.TrimSpace(strings.ReplaceAll(in.Work, "\r\n", "\n")),
		Result:     strings.TrimSpace(strings.ReplaceAll(in.Result, "\r\n", "\n")),
	}
	text := func(field, value string, maxLen int, multiline bool) {
		if value == "" || utf8.RuneCountInString(value) > maxLen || !plain(value, multiline) {
			v.add(field, Problem(field))
		}
	}
	text("title", st.Title, StoryTitleMax, false)
	text("work", st.Work, StoryWorkMax, true)
	text("result", st.Result, StoryResultMax, true)
	if !slices.Contains(model.ClientKinds, in.ClientKind) {
		v.add("client_kind", Problem("client_kind"))
	}
	if g := s.geo.State(in.State); g == nil || in.State == "" {
		v.add("state", ProblemState)
	} else {
		st.State = g.Key
	}
	if len(v.Fields) > 0 {
		return nil, v
	}
	return st, nil
}

// SubmitStory stores the person's story, pending the foundation's
// approval. Their listing must be visible now.
func (s *Service) SubmitStory(ctx context.Context, userID int64, in StoryInput) (*model.Story, error) {
	st, err := s.validateStory(in)
	if err != nil {
		return nil, err
	}
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		l, err := tx.ListingByUser(userID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotListed
		}
		if err != nil {
			return err
		}
		if _, err := s.db.PublicListing(ctx, l.ID, tx.Now); errors.Is(err, store.ErrNotFound) {
			return ErrNotListed
		} else if err != nil {
			return err
		}
		n, err := tx.PendingStoryCount(l.ID)
		if err != nil {
			return err
		}
		if n >= PendingMax {
			return ErrTooManyPending
		}
		st.ListingID = l.ID
		if err := tx.CreateStory(st); err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionStorySubmit, storySubject(st.ID), map[string]any{"listing": l.ID, "story": st.ID})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// MyStories lists the person's stories, every status, newest first; none
// without a listing.
func (s *Service) MyStories(ctx context.Context, userID int64) ([]model.Story, error) {
	l, err := s.db.ListingByUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.db.ListingStories(ctx, l.ID, false)
}

// MyStory is one of the person's stories, or ErrNoStory.
func (s *Service) MyStory(ctx context.Context, userID, storyID int64) (*model.Story, error) {
	stories, err := s.MyStories(ctx, userID)
	if err != nil {
		return nil, err
	}
	for i := range stories {
		if stories[i].ID == storyID {
			return &stories[i], nil
		}
	}
	return nil, ErrNoStory
}

// DeleteStory deletes one of the person's stories, whatever its status.
func (s *Service) DeleteStory(ctx context.Context, userID, storyID int64) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		l, err := tx.ListingByUser(userID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoStory
		}
		if err != nil {
			return err
		}
		if err := tx.DeleteStory(storyID, l.ID); errors.Is(err, store.ErrNotFound) {
			return ErrNoStory
		} else if err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionStoryDelete, storySubject(storyID), map[string]any{"listing": l.ID, "story": storyID})
	})
}

// ListingStories lists the approved stories of a visible listing, newest
// first (the caller has checked that it is visible).
func (s *Service) ListingStories(ctx context.Context, listingID int64) ([]model.Story, error) {
	return s.db.ListingStories(ctx, listingID, true)
}

// StoryQuery is a page of /casos-de-exito.
type StoryQuery struct {
	State      string // slug or INEGI key, optional
	ClientKind string // optional
	Page       int
}

// StoryResults is a page of public stories.
type StoryResults struct {
	Stories []model.PublicStory
	Total   int
	Page    int
	Pages   int
}

// PublicStories lists the approved stories of visible listings, newest
// first.
func (s *Service) PublicStories(ctx context.Context, q StoryQuery) (*StoryResults, error) {
	r := &StoryResults{Page: max(q.Page, 1)}
	if q.Page < 0 || q.Page > PageMax {
		return nil, ErrBadPage
	}
	search := store.StorySearch{Now: s.now(), Limit: StoriesPageSize, Offset: (r.Page - 1) * StoriesPageSize}
	if q.State != "" {
		st := s.geo.State(q.State)
		if st == nil {
			return nil, ErrUnknownState
		}
		search.State = st.Key
	}
	if q.ClientKind != "" {
		if !slices.Contains(model.ClientKinds, q.ClientKind) {
			return nil, ErrUnknownKind
		}
		search.ClientKind = q.ClientKind
	}
	var err error
	if r.Stories, r.Total, err = s.db.PublicStories(ctx, search); err != nil {
		return nil, err
	}
	r.Pages = (r.Total + StoriesPageSize - 1) / StoriesPageSize
	return r, nil
}

// PendingStories is the moderation queue's stories, oldest first.
func (s *Service) PendingStories(ctx context.Context) ([]model.PublicStory, error) {
	return s.db.PendingStories(ctx, QueueMax)
}

// Story is any story, for the console.
func (s *Service) Story(ctx context.Context, id int64) (*model.Story, error) {
	st, err := s.db.StoryByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoStory
	}
	return st, err
}

// ApproveStory publishes a pending story on behalf of the foundation.
func (s *Service) ApproveStory(ctx context.Context, actorID, storyID int64) error {
	return s.decide(ctx, actorID, storyID, model.StoryApproved, "")
}

// RejectStory rejects a pending story with a reason its author reads.
func (s *Service) RejectStory(ctx context.Context, actorID, storyID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > ReasonMax || !plain(reason, true) {
		return ErrNoReason
	}
	return s.decide(ctx, actorID, storyID, model.StoryRejected, reason)
}

func (s *Service) decide(ctx context.Context, actorID, storyID int64, status model.StoryStatus, reason string) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		st, err := tx.StoryByID(storyID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoStory
		}
		if err != nil {
			return err
		}
		if err := tx.DecideStory(storyID, actorID, status, reason); errors.Is(err, store.ErrConflict) {
			return ErrDecided
		} else if err != nil {
			return err
		}
		action, detail := model.ActionStoryApprove, map[string]any{"listing": st.ListingID, "story": storyID}
		if status == model.StoryRejected {
			action, detail["reason"] = model.ActionStoryReject, reason
		}
		if err := tx.Audit(actorID, action, storySubject(storyID), detail); err != nil {
			return err
		}
		return s.tellAuthor(tx, st, status == model.StoryApproved, reason)
	})
}

func storySubject(id int64) string { return fmt.Sprintf("story:%d", id) }

// tellAuthor queues the message that tells the story's author the
// foundation's decision, in the author's language.
func (s *Service) tellAuthor(tx *store.Tx, st *model.Story, approved bool, reason string) error {
	if s.mail == nil {
		return nil
	}
	l, err := tx.ListingByID(st.ListingID)
	if err != nil {
		return err
	}
	u, err := tx.UserByID(l.UserID)
	if err != nil {
		return err
	}
	m, err := s.mail.StoryDecided(u, st.Title, approved, reason)
	if err != nil {
		return err
	}
	return tx.EnqueueMail(m)
}
