// Package study holds the self-paced study use cases: module progress,
// practice quizzes per domain and simulacros (practice exams from the
// practice pool), and the "what next" advice of the track page. Practice
// never touches the exam pool.
package study

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/fail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// QuizLength is how many questions a domain quiz asks (fewer when the
// domain's practice pool is smaller).
const QuizLength = 10

// ReadyPercent is the practice accuracy a domain needs before we call the
// candidate ready; it matches the usual pass mark.
const ReadyPercent = 70

// MaxOpenPractices is how many unfinished practice sessions a candidate
// may have in a track. Starting one more finishes the oldest (its answers
// count as given), so repeated starts cannot fill the disk.
const MaxOpenPractices = 5

// AbandonedAfter is how long an unfinished practice session with no
// answer in that time is kept before Purge deletes it.
const AbandonedAfter = 14 * 24 * time.Hour

// Errors the web layer turns into pages.
var (
	ErrUnknownDomain = fail.New(fail.ErrInvalid, "unknown domain")
	ErrTimeUp        = fail.New(fail.ErrConflict, "the simulacro's time is up")
	ErrNotAnswerable = fail.New(fail.ErrInvalid, "the question cannot be answered now")
)

// Service is the study use cases.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the service.
func New(db *store.DB, now func() time.Time) *Service { return &Service{db: db, now: now} }

// SetStudied marks or unmarks a module as studied.
func (s *Service) SetStudied(ctx context.Context, userID int64, t *content.Track, m *content.Module, studied bool) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		if studied {
			return tx.MarkStudied(userID, t.ID, m.Slug)
		}
		return tx.UnmarkStudied(userID, t.ID, m.Slug)
	})
}

// StartQuiz starts a practice quiz of one domain, or resumes the one of
// that domain the candidate left unfinished.
func (s *Service) StartQuiz(ctx context.Context, userID int64, t *content.Track, version, domain string) (*model.PracticeSession, error) {
	if len(t.Pool(content.PracticePool, domain)) == 0 {
		return nil, fmt.Errorf("%w: %q", ErrUnknownDomain, domain)
	}
	same := func(p store.OpenPractice) bool { return p.Kind == model.PracticeQuiz && p.Domain == domain }
	return s.startOrResume(ctx, userID, t, same, func(seed uint64) (*model.PracticeSession, []exam.Item, error) {
		return &model.PracticeSession{UserID: userID, TrackID: t.ID, Kind: model.PracticeQuiz, Domain: domain, Seed: seed, ContentVersion: version},
			exam.Quiz(t, domain, QuizLength, seed), nil
	})
}

// StartSimulacro starts a practice exam shaped like the real one, drawn from
// the practice pool; timed gives it the exam's duration. An unfinished
// simulacro of the same kind (timed or not) is resumed instead.
func (s *Service) StartSimulacro(ctx context.Context, userID int64, t *content.Track, version string, timed bool) (*model.PracticeSession, error) {
	same := func(p store.OpenPractice) bool { return p.Kind == model.PracticeSimulacro && p.Timed == timed }
	return s.startOrResume(ctx, userID, t, same, func(seed uint64) (*model.PracticeSession, []exam.Item, error) {
		items, err := exam.Assemble(t, content.PracticePool, seed, nil)
		if err != nil {
			return nil, nil, err
		}
		p := &model.PracticeSession{UserID: userID, TrackID: t.ID, Kind: model.PracticeSimulacro, Seed: seed, ContentVersion: version}
		if timed {
			d := s.now().Add(t.Rules.Duration).UTC()
			p.Deadline = &d
		}
		return p, items, nil
	})
}

// startOrResume resumes the candidate's open session that same picks, or
// creates the one build makes, finishing the oldest open session first
// when the candidate already has MaxOpenPractices. It all happens in one
// transaction, so two clicks at once do not make two sessions.
func (s *Service) startOrResume(ctx context.Context, userID int64, t *content.Track, same func(store.OpenPractice) bool,
	build func(seed uint64) (*model.PracticeSession, []exam.Item, error)) (*model.PracticeSession, error) {
	seed, err := exam.NewSeed()
	if err != nil {
		return nil, err
	}
	p, items, err := build(seed)
	if err != nil {
		return nil, err
	}
	p.ID = uuid.NewString()
	for _, it := range items {
		p.Items = append(p.Items, model.PracticeItem{Item: it})
	}
	id := p.ID
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		open, err := tx.OpenPractices(userID, t.ID)
		if err != nil {
			return err
		}
		for _, o := range open {
			if same(o) {
				id = o.ID
				return nil
			}
		}
		for i := 0; len(open)-i >= MaxOpenPractices; i++ {
			if err := tx.FinishPractice(open[i].ID); err != nil {
				return err
			}
		}
		return tx.CreatePractice(p)
	})
	if err != nil {
		return nil, err
	}
	if id == p.ID {
		return p, nil
	}
	return s.db.Practice(ctx, id, userID)
}

// Purge deletes the practice sessions abandoned for AbandonedAfter.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	return s.db.PurgeAbandonedPractice(ctx, s.now().Add(-AbandonedAfter))
}

// Session loads a candidate's practice session; a simulacro whose time ran
// out is closed on the way.
func (s *Service) Session(ctx context.Context, userID int64, id string) (*model.PracticeSession, error) {
	p, err := s.db.Practice(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	if p.FinishedAt == nil && p.Deadline != nil && !s.now().Before(*p.Deadline) {
		if err := s.Finish(ctx, userID, id); err != nil {
			return nil, err
		}
		return s.db.Practice(ctx, id, userID)
	}
	return p, nil
}

// Answer records the answer to one item. In a quiz an item is answered once
// (the feedback is shown at once); in a simulacro answers may change until
// it is finished or its time is up.
func (s *Service) Answer(ctx context.Context, userID int64, id string, position int, answer []int) (*model.PracticeSession, error) {
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		p, err := tx.Practice(id, userID)
		if err != nil {
			return err
		}
		switch {
		case p.FinishedAt != nil:
			return store.ErrClosed
		case p.Deadline != nil && !tx.Now.Before(*p.Deadline):
			return ErrTimeUp
		case position < 0 || position >= len(p.Items):
			return ErrNotAnswerable
		case p.Kind == model.PracticeQuiz && p.Items[position].Answered():
			return nil // already answered: keep the first answer, show its feedback
		}
		it := p.Items[position].Item
		a := exam.NormalizeAnswer(answer, len(it.Options))
		if a == nil || (!it.Multiple() && len(a) != 1) {
			return ErrNotAnswerable
		}
		if err := tx.AnswerPractice(id, position, a, it.Correct(a)); err != nil {
			return err
		}
		if p.Kind == model.PracticeQuiz && allAnswered(p, position) {
			return tx.FinishPractice(id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.db.Practice(ctx, id, userID)
}

func allAnswered(p *model.PracticeSession, justAnswered int) bool {
	for i, it := range p.Items {
		if i != justAnswered && !it.Answered() {
			return false
		}
	}
	return true
}

// Finish closes a practice session (a simulacro handed in).
func (s *Service) Finish(ctx context.Context, userID int64, id string) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.Practice(id, userID); err != nil {
			return err
		}
		return tx.FinishPractice(id)
	})
}

// Score scores a practice session per the track's blueprint domains.
func Score(t *content.Track, p *model.PracticeSession) exam.Result {
	items := make([]exam.Item, len(p.Items))
	answers := make([][]int, len(p.Items))
	for i, it := range p.Items {
		items[i], answers[i] = it.Item, it.Answer
	}
	return exam.Score(items, answers, t.Rules.PassPercent, t.Domains())
}
