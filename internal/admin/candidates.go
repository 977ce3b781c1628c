package admin

import (
	"context"
	"strings"
	"time"

	"mxcert/internal/certificate"
	"mxcert/internal/exam"
	"mxcert/internal/fold"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// SearchPageSize is how many accounts one page of the candidate list
// shows.
const SearchPageSize = 25

// recentPractice is how many practice sessions of each track a
// candidate's record shows.
const recentPractice = 10

// minCodeFragment is the shortest part of a certificate code a word is
// also looked up as: shorter ones ("SB") match nearly every certificate.
const minCodeFragment = 4

// SearchQuery is what staff ask the candidate list for.
type SearchQuery struct {
	// Text is searched word by word: every word must be part of the
	// name, the e-mail, the state or a certificate code, accents and
	// letter case ignored.
	Text      string
	Situation model.Situation
	State     string
	// From and To are registration dates, both included, as calendar
	// days in the foundation's time zone; zero: no bound.
	From, To time.Time
	Sort     model.CandidateSort
	Page     int // from 1
}

// SearchPage is one page of the accounts a search finds.
type SearchPage struct {
	Results []model.UserSummary
	Total   int // accounts found in all
	Page    int // from 1; past the last page, the last page
	Pages   int // at least 1
}

// Find searches the candidate list. The name, e-mail and state are
// compared through a folded key kept with each account, so "nunez" finds
// "José Ñúñez" and "ramirez" finds "Ramírez"; a word that can be part of
// a certificate code ("7K4Q", "sb-7k4q") also matches the codes.
func (s *Service) Find(ctx context.Context, q SearchQuery) (*SearchPage, error) {
	us := store.UserSearch{Situation: q.Situation, State: q.State, Sort: q.Sort, Limit: SearchPageSize}
	for _, w := range strings.Fields(q.Text) {
		us.Words = append(us.Words, fold.Text(w))
		us.Codes = append(us.Codes, codeFragment(w))
	}
	if !q.From.IsZero() {
		us.From = s.dayStart(q.From)
	}
	if !q.To.IsZero() {
		us.To = s.dayStart(q.To).AddDate(0, 0, 1)
	}
	page := max(q.Page, 1)
	us.Offset = (page - 1) * SearchPageSize
	res, total, err := s.db.SearchUsers(ctx, us)
	if err != nil {
		return nil, err
	}
	pages := max((total+SearchPageSize-1)/SearchPageSize, 1)
	if page > pages {
		// A page past the end (an old link, a typed number) shows the last.
		page = pages
		us.Offset = (page - 1) * SearchPageSize
		if res, total, err = s.db.SearchUsers(ctx, us); err != nil {
			return nil, err
		}
	}
	return &SearchPage{Results: res, Total: total, Page: page, Pages: pages}, nil
}

// dayStart is midnight of a calendar day in the foundation's time zone.
func (s *Service) dayStart(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, s.zone)
}

// Search is the first page of a search by text alone, newest accounts
// first.
func (s *Service) Search(ctx context.Context, text string) ([]model.UserSummary, error) {
	p, err := s.Find(ctx, SearchQuery{Text: text})
	if err != nil {
		return nil, err
	}
	return p.Results, nil
}

// codeFragment is a typed word as part of a stored code (capitals, no
// hyphens, O read as 0, I and L as 1), or "" if the word cannot be part
// of one.
func codeFragment(w string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(w) {
		switch {
		case r == '-':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if !strings.ContainsRune(certificate.CodeAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	if b.Len() < minCodeFragment {
		return ""
	}
	return b.String()
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
