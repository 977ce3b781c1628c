// Package attempt holds the timed exam's use cases: start (or resume) an
// attempt, save an answer, and finalise — scoring and, on a pass, issuing
// the certificate in the same transaction, exactly once. The rules
// themselves are internal/exam's pure functions.
package attempt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/fail"
	"mxcert/internal/mail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Errors the web layer turns into pages.
var (
	ErrCoolingOff  = fail.New(fail.ErrConflict, "the retake cool-down has not ended")
	ErrCertified   = fail.New(fail.ErrConflict, "the candidate already passed this certification")
	ErrNameChanged = fail.New(fail.ErrConflict, "the confirmed name is not the account's name")
	// ErrUnverified is an exam started before the account's address was
	// confirmed: the exam rules (one attempt at a time, the cool-down)
	// hold per person only if one person cannot take them with many
	// addresses.
	ErrUnverified = fail.New(fail.ErrForbidden, "the account's e-mail address is not confirmed")
	ErrBadAnswer  = fail.New(fail.ErrInvalid, "the answer does not fit the question")
)

// Issuer issues the certificate of a passed attempt. It runs inside the
// finalisation transaction, so a pass and its certificate are committed
// together or not at all.
type Issuer interface {
	Issue(tx *store.Tx, a *model.Attempt) (*model.Certificate, error)
	// VerifyURL is the public verification page of a certificate's code,
	// for the message that tells the candidate of the pass.
	VerifyURL(code string) string
}

// Service is the exam use cases.
type Service struct {
	db      *store.DB
	now     func() time.Time
	catalog func() *content.Catalog
	issuer  Issuer
	log     *slog.Logger
	seed    func() (uint64, error) // draws each new attempt's seed
	mail    *mail.Composer         // the result messages; nil sends none
}

// New returns the service. issuer may be nil (no certificates issued).
func New(db *store.DB, now func() time.Time, catalog func() *content.Catalog, issuer Issuer, log *slog.Logger) *Service {
	return &Service{db: db, now: now, catalog: catalog, issuer: issuer, log: log, seed: exam.NewSeed}
}

// NotifyWith makes Finalize tell the candidate their result by e-mail,
// composed by c and queued in the finalisation transaction. Call it
// before the service is used; without it no message is queued.
func (s *Service) NotifyWith(c *mail.Composer) { s.mail = c }

// DrawSeedsWith replaces the operating system's generator for the seeds of
// new attempts, so that a test can predict which questions an exam has.
// Call it before the service is used.
func (s *Service) DrawSeedsWith(seed func() (uint64, error)) { s.seed = seed }

func pastOf(as []*model.Attempt) []exam.Past {
	out := make([]exam.Past, len(as))
	for i, a := range as {
		out[i] = exam.Past{ID: a.ID, Open: a.Open(), Passed: a.Passed(), Waived: a.CooldownWaived, Cancelled: a.Cancelled()}
		if a.FinishedAt != nil {
			out[i].FinishedAt = *a.FinishedAt
		}
	}
	return out
}

// Eligibility tells the start page what the candidate may do. An open
// attempt past its deadline is finalised first.
func (s *Service) Eligibility(ctx context.Context, userID int64, t *content.Track) (exam.Eligibility, error) {
	as, err := s.db.Attempts(ctx, userID, t.ID)
	if err != nil {
		return exam.Eligibility{}, err
	}
	for _, a := range as {
		if a.Open() && !s.now().Before(a.Deadline) {
			if _, err := s.Finalize(ctx, userID, a.ID, model.FinishExpired); err != nil {
				return exam.Eligibility{}, err
			}
			return s.Eligibility(ctx, userID, t)
		}
	}
	return exam.Eligible(pastOf(as), t.Rules.RetakeAfter, s.now()), nil
}

// Start begins an attempt, or returns the one in progress. v are the
// versions of the catalog t was read from, recorded with the attempt.
// confirmedName is the name the candidate saw and confirmed; it must still
// be the account's name, and it is the name the certificate will carry. A
// retake is drawn from the questions the candidate has not been served,
// then from those served longest ago (exam.Assemble).
func (s *Service) Start(ctx context.Context, user *model.User, t *content.Track, v content.Versions, confirmedName string) (*model.Attempt, error) {
	if _, err := s.Eligibility(ctx, user.ID, t); err != nil { // finalises an expired attempt first
		return nil, err
	}
	seed, err := s.seed()
	if err != nil {
		return nil, err
	}
	var a *model.Attempt
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		a, err = s.begin(tx, user.ID, t, v, confirmedName, seed)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.db.Attempt(ctx, a.ID, user.ID)
}

// StartIn begins an attempt inside tx, as Start does, for a bulk load (the
// load benchmark's setup starts thousands of exams in a few
// transactions). Unlike Start it does not finalise an expired attempt
// first, and it returns the attempt without reading it back.
func (s *Service) StartIn(tx *store.Tx, user *model.User, t *content.Track, v content.Versions, confirmedName string) (*model.Attempt, error) {
	seed, err := s.seed()
	if err != nil {
		return nil, err
	}
	return s.begin(tx, user.ID, t, v, confirmedName, seed)
}

// begin is the transaction of Start: the rules checked where the attempt
// is written, the questions drawn, the attempt and its audit entry stored.
func (s *Service) begin(tx *store.Tx, userID int64, t *content.Track, v content.Versions, confirmedName string, seed uint64) (*model.Attempt, error) {
	u, err := tx.UserByID(userID)
	if err != nil {
		return nil, err
	}
	if !u.EmailVerified() {
		return nil, ErrUnverified
	}
	past, err := tx.Attempts(userID, t.ID)
	if err != nil {
		return nil, err
	}
	el := exam.Eligible(pastOf(past), t.Rules.RetakeAfter, tx.Now)
	switch el.Kind {
	case exam.InProgress:
		return &model.Attempt{ID: el.AttemptID}, nil
	case exam.Certified:
		return nil, ErrCertified
	case exam.CoolingOff:
		return nil, ErrCoolingOff
	}
	if confirmedName != u.Name {
		return nil, ErrNameChanged
	}
	// A retake serves what the candidate has not seen, as far as the
	// bank allows; the history is read where the attempt is written,
	// so it includes every attempt before this one.
	seen, err := tx.Served(u.ID, t.ID)
	if err != nil {
		return nil, err
	}
	items, err := exam.Assemble(t, content.ExamPool, seed, seen)
	if err != nil {
		return nil, err
	}
	extra := time.Duration(u.ExtraMinutes) * time.Minute
	a := &model.Attempt{
		ID: uuid.NewString(), UserID: u.ID, TrackID: t.ID, TrackTitle: t.Title, TrackVersion: t.Version,
		ContentVersion: v.Content, BankVersion: v.Bank, Seed: seed, HolderName: u.Name,
		Deadline:     exam.Deadline(tx.Now, t.Rules.Duration, extra),
		ExtraMinutes: u.ExtraMinutes, PassPercent: t.Rules.PassPercent,
	}
	for _, it := range items {
		a.Items = append(a.Items, model.AttemptItem{Item: it})
	}
	if err := tx.CreateAttempt(a); err != nil {
		return nil, err
	}
	return a, tx.Audit(u.ID, model.ActionAttemptStart, a.ID, map[string]any{"track": t.ID, "content_version": v.Content, "bank_version": v.Bank, "extra_minutes": u.ExtraMinutes})
}

// Attempt loads a candidate's attempt, finalising it first when its time
// is up.
func (s *Service) Attempt(ctx context.Context, userID int64, id string) (*model.Attempt, error) {
	a, err := s.db.Attempt(ctx, id, userID)
	if err != nil {
		return nil, err
	}
	if a.Open() && !s.now().Before(a.Deadline) {
		return s.Finalize(ctx, userID, id, model.FinishExpired)
	}
	return a, nil
}

// Answer is one answer as the candidate's exam page sent it.
type Answer struct {
	AttemptID  string
	Position   int    // 0-based
	QuestionID string // the question the page showed at Position
	Options    []int  // the chosen options; nil keeps the saved answer
	Flagged    bool   // marked for review
	Known      int64  // the attempt sequence the page was built at
}

// Save records one answer and its review flag, if exam.AdmitSave admits
// it. The answer is validated against the item: positions in range, one
// choice for a single-answer question.
func (s *Service) Save(ctx context.Context, userID int64, a Answer) (model.SaveResult, error) {
	res, err := s.db.SaveAnswerDurably(ctx, store.AnswerChange{
		AttemptID: a.AttemptID, UserID: userID, Position: a.Position, QuestionID: a.QuestionID,
		Answer: a.Options, Flagged: a.Flagged, Known: a.Known, Check: checkAnswer,
	})
	if errors.Is(err, store.ErrNoSuchItem) {
		err = fmt.Errorf("%w: %w", ErrBadAnswer, err)
	}
	if errors.Is(err, store.ErrDeadline) {
		// Time is up: score what was saved in time, now rather than at the
		// next sweep, and tell the caller the answer was refused.
		if _, ferr := s.Finalize(ctx, userID, a.AttemptID, model.FinishExpired); ferr != nil {
			return res, errors.Join(err, ferr)
		}
	}
	return res, err
}

// checkAnswer validates an answer against the served item: positions in
// range, one choice for a single-answer question.
func checkAnswer(it exam.Item, answer []int) ([]int, error) {
	a := exam.NormalizeAnswer(answer, len(it.Options))
	if a == nil || (!it.Multiple() && len(a) != 1) {
		return nil, ErrBadAnswer
	}
	return a, nil
}

// Finalize ends an attempt and scores what was saved. It is idempotent and
// race-free: it runs in one immediate transaction, and an attempt already
// finished is returned as it is, so two tabs submitting at once get one
// result and a pass issues one certificate. userID 0 is the system (the
// sweeper). A submission after the deadline counts as expired.
func (s *Service) Finalize(ctx context.Context, userID int64, id string, reason model.FinishReason) (*model.Attempt, error) {
	var out *model.Attempt
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		a, err := tx.Attempt(id, userID)
		if err != nil {
			return err
		}
		if !a.Open() {
			out = a
			return nil
		}
		if !tx.Now.Before(a.Deadline) {
			reason = model.FinishExpired
		}
		res := s.score(a)
		correct := make([]bool, len(a.Items))
		for i, it := range a.Items {
			correct[i] = it.Item.Correct(it.Answer)
		}
		if err := tx.FinishAttempt(a, reason, correct, res.Correct, res.Percent, res.Passed); err != nil {
			return err
		}
		if err := tx.Audit(a.UserID, model.ActionAttemptFinish, a.ID, map[string]any{"reason": reason, "score": res.Correct, "total": res.Total, "passed": res.Passed}); err != nil {
			return err
		}
		var cert *model.Certificate
		if res.Passed && s.issuer != nil {
			if cert, err = s.issuer.Issue(tx, a); err != nil {
				return fmt.Errorf("issue certificate for attempt %s: %w", a.ID, err)
			}
		}
		if err := s.notify(tx, a, cert); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("finalize attempt %s: %w", id, err)
	}
	return out, nil
}

// notify queues the one message that tells the candidate how a finished
// attempt went: on a pass, the result and the certificate together; on a
// fail, the result and when they may try again. Never the questions or
// the answers.
func (s *Service) notify(tx *store.Tx, a *model.Attempt, cert *model.Certificate) error {
	if s.mail == nil || (a.Passed() && cert == nil) {
		return nil // no messages, or a pass with nothing to tell of but the score
	}
	u, err := tx.UserByID(a.UserID)
	if err != nil {
		return err
	}
	var m *model.Mail
	if a.Passed() {
		m, err = s.mail.ExamPassed(u, a, cert, s.issuer.VerifyURL(cert.Code))
	} else {
		retake := *a.FinishedAt
		if t := s.catalog().Track(a.TrackID); t != nil {
			retake = retake.Add(t.Rules.RetakeAfter)
		}
		m, err = s.mail.ExamFailed(u, a, retake)
	}
	if err != nil {
		return fmt.Errorf("result message for attempt %s: %w", a.ID, err)
	}
	return tx.EnqueueMail(m)
}

// Result scores an attempt per its track's blueprint order.
func (s *Service) Result(a *model.Attempt) exam.Result { return s.score(a) }

func (s *Service) score(a *model.Attempt) exam.Result {
	items := make([]exam.Item, len(a.Items))
	answers := make([][]int, len(a.Items))
	for i, it := range a.Items {
		items[i], answers[i] = it.Item, it.Answer
	}
	var order []string
	if t := s.catalog().Track(a.TrackID); t != nil {
		order = t.Domains()
	}
	return exam.Score(items, answers, a.PassPercent, order)
}

// Sweep finalises every attempt whose time is up, scoring what was saved.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	ids, err := s.db.ExpiredAttempts(ctx, s.now(), 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if _, err := s.Finalize(ctx, 0, id, model.FinishExpired); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Run sweeps every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Sweep(ctx); err != nil {
				s.log.Error("sweep expired attempts", slog.Any("err", err))
			} else if n > 0 {
				s.log.Info("expired attempts finalised", slog.Int("count", n))
			}
		}
	}
}

// WaiveCooldown lifts the retake wait a failed attempt started; actorID is
// the administrator.
func (s *Service) WaiveCooldown(ctx context.Context, actorID int64, a *model.Attempt) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.WaiveCooldown(a.ID); err != nil {
			return err
		}
		return tx.Audit(actorID, model.ActionCooldownWaive, a.ID, map[string]any{"candidate": a.UserID, "before": a.CooldownWaived, "after": true})
	})
}
