package admin

import (
	"context"
	"strings"
	"time"

	"mxcert/internal/certificate"
	"mxcert/internal/exam"
	"mxcert/internal/model"
)

// searchLimit is the most accounts one search lists; a longer list is a
// sign to search more precisely.
const searchLimit = 100

// recentPractice is how many practice sessions of each track a
// candidate's record shows.
const recentPractice = 10

// Search finds accounts by part of the name or e-mail, or by a certificate
// code typed any way people read one out (any letter case, with or
// without hyphens). An empty query lists the newest accounts.
func (s *Service) Search(ctx context.Context, q string) ([]model.UserSummary, error) {
	q = strings.TrimSpace(q)
	code, err := certificate.NormalizeCode(q)
	if err != nil {
		code = "" // not a code: the name and e-mail decide alone
	}
	return s.db.SearchUsers(ctx, q, code, searchLimit)
}

// User finds an account by id, for the console's actions on it.
func (s *Service) User(ctx context.Context, id int64) (*model.User, error) {
	return s.db.UserByID(ctx, id)
}

// Attempt finds any candidate's attempt by id, for the console's actions
// on it.
func (s *Service) Attempt(ctx context.Context, id string) (*model.Attempt, error) {
	return s.db.Attempt(ctx, id, 0)
}

// Candidate is what the console shows of one person.
type Candidate struct {
	User         *model.User
	Attempts     []AttemptRecord         // newest first
	Certificates []*model.Certificate    // newest first, superseded and revoked included
	Practice     []model.PracticeSummary // the latest of each track in the content
	Notes        []model.CandidateNote   // the staff's notes, newest first
}

// AttemptRecord is an attempt with its result per domain, as the
// candidate saw it.
type AttemptRecord struct {
	*model.Attempt
	Result  exam.Result
	Domains []exam.DomainRow
	// Of an attempt in progress: how many questions have an answer, and
	// the time left (zero once the deadline has passed).
	Answered  int
	Remaining time.Duration
}

// Candidate gathers a person's account, attempts, certificates and recent
// practice.
func (s *Service) Candidate(ctx context.Context, id int64) (*Candidate, error) {
	u, err := s.db.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	c := &Candidate{User: u}
	attempts, err := s.db.UserAttempts(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	cat := s.catalog()
	for _, a := range attempts {
		rec := AttemptRecord{Attempt: a}
		switch {
		case a.Open():
			rec.Answered, rec.Remaining = a.Answered(), max(a.Deadline.Sub(s.now()), 0)
		case !a.Cancelled():
			rec.Result = s.attempts.Result(a)
			rec.Domains = rec.Result.DomainRows(cat.Track(a.TrackID))
		}
		c.Attempts = append(c.Attempts, rec)
	}
	if c.Certificates, err = s.db.UserCertificates(ctx, u.ID); err != nil {
		return nil, err
	}
	if c.Notes, err = s.db.Notes(ctx, u.ID); err != nil {
		return nil, err
	}
	for _, t := range cat.Tracks {
		recent, err := s.db.RecentPractice(ctx, u.ID, t.ID, recentPractice)
		if err != nil {
			return nil, err
		}
		c.Practice = append(c.Practice, recent...)
	}
	return c, nil
}
