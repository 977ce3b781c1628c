package model

import (
	"time"

	"mxcert/internal/exam"
)

// PracticeKind is a domain quiz or a simulacro.
type PracticeKind string

const (
	PracticeQuiz      PracticeKind = "quiz"
	PracticeSimulacro PracticeKind = "simulacro"
)

// PracticeSession is a practice run and its items.
type PracticeSession struct {
	ID             string
	UserID         int64
	TrackID        string
	Kind           PracticeKind
	Domain         string
	Seed           uint64
	ContentVersion string
	CreatedAt      time.Time
	Deadline       *time.Time
	FinishedAt     *time.Time
	Items          []PracticeItem
}

// Simulacro reports whether the session is a practice exam.
func (p *PracticeSession) Simulacro() bool { return p.Kind == PracticeSimulacro }

// PracticeItem is one served question and the answer given, if any.
type PracticeItem struct {
	Item       exam.Item
	Answer     []int // positions in the order shown; nil when unanswered
	Correct    bool
	AnsweredAt *time.Time
}

// Answered reports whether the item has an answer.
func (p PracticeItem) Answered() bool { return p.AnsweredAt != nil }

// DomainAccuracy is a candidate's practice record in one domain.
type DomainAccuracy struct {
	Answered int
	Correct  int
}

// Percent correct, rounded down.
func (d DomainAccuracy) Percent() int {
	if d.Answered == 0 {
		return 0
	}
	return d.Correct * 100 / d.Answered
}

// PracticeSummary is one practice session in a list.
type PracticeSummary struct {
	ID         string
	Kind       PracticeKind
	Domain     string
	CreatedAt  time.Time
	FinishedAt *time.Time
	Total      int
	Answered   int
	Correct    int
}

// Simulacro reports whether the session was a practice exam.
func (p PracticeSummary) Simulacro() bool { return p.Kind == PracticeSimulacro }
