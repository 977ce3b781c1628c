package study

import (
	"context"
	"time"

	"mxcert/internal/content"
	"mxcert/internal/model"
)

// Progress is where a candidate stands in a track.
type Progress struct {
	Studied  map[string]time.Time            // module slug → when marked
	Accuracy map[string]model.DomainAccuracy // domain → practice record
	Recent   []model.PracticeSummary
}

// StudiedCount counts the track's modules marked as studied.
func (p Progress) StudiedCount(t *content.Track) int {
	n := 0
	for _, m := range t.Modules {
		if _, ok := p.Studied[m.Slug]; ok {
			n++
		}
	}
	return n
}

// Began reports whether the candidate has studied a module or answered a
// practice question.
func (p Progress) Began() bool {
	if len(p.Studied) > 0 {
		return true
	}
	for _, a := range p.Accuracy {
		if a.Answered > 0 {
			return true
		}
	}
	return false
}

// Progress loads a candidate's progress in a track.
func (s *Service) Progress(ctx context.Context, userID int64, t *content.Track) (Progress, error) {
	var p Progress
	var err error
	if p.Studied, err = s.db.StudiedModules(ctx, userID, t.ID); err != nil {
		return p, err
	}
	if p.Accuracy, err = s.db.PracticeAccuracy(ctx, userID, t.ID); err != nil {
		return p, err
	}
	p.Recent, err = s.db.RecentPractice(ctx, userID, t.ID, 5)
	return p, err
}

// StepKind says what the candidate should do next.
type StepKind string

const (
	StepStudy    StepKind = "study"    // Module: the next module not yet studied
	StepPractice StepKind = "practice" // Domain: the weakest or least practised domain
	StepExam     StepKind = "exam"     // ready for the exam
)

// Step is the one next step the track page recommends.
type Step struct {
	Kind   StepKind
	Module *content.Module
	Domain string
}

// IsStudy reports whether the step is to study a module.
func (s Step) IsStudy() bool { return s.Kind == StepStudy }

// IsPractice reports whether the step is to practise a domain.
func (s Step) IsPractice() bool { return s.Kind == StepPractice }

// IsExam reports whether the step is the exam.
func (s Step) IsExam() bool { return s.Kind == StepExam }

// NextStep picks one clear next step: first study every module in order;
// then practise every domain until its accuracy reaches ReadyPercent over
// at least a quiz's worth of answers, weakest first; then take the exam.
func NextStep(t *content.Track, p Progress) Step {
	for _, m := range t.Modules {
		if _, ok := p.Studied[m.Slug]; !ok {
			return Step{Kind: StepStudy, Module: m}
		}
	}
	weakest, weakestPct := "", 101
	for _, d := range t.Domains() {
		if len(t.Pool(content.PracticePool, d)) == 0 {
			continue
		}
		a := p.Accuracy[d]
		pct := a.Percent()
		if a.Answered < min(QuizLength, len(t.Pool(content.PracticePool, d))) {
			pct = -1 // not practised enough yet: first in line
		}
		if pct < ReadyPercent && pct < weakestPct {
			weakest, weakestPct = d, pct
		}
	}
	if weakest != "" {
		return Step{Kind: StepPractice, Domain: weakest}
	}
	return Step{Kind: StepExam}
}
