package exam

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// MinReliabilityAttempts is how many finished attempts KR-20 needs before
// it is shown: with fewer, one unusual candidate moves it by tenths.
const MinReliabilityAttempts = 30

// QuestionTally is how often one question was served and answered right.
type QuestionTally struct {
	Served int
	Right  int
}

// Sittings summarise finished attempts of one exam for Reliability: the
// number of attempts, the sums of their scores and of their squares, and
// each question's tally. Add attempts one by one.
type Sittings struct {
	Items      int // k: questions per attempt, the same in every attempt
	Attempts   int
	ScoreSum   int64 // Σ X over attempts, X being an attempt's number right
	ScoreSqSum int64 // Σ X²
	Questions  map[string]QuestionTally
}

// Add records one finished attempt: ids are its questions and right[i]
// says whether ids[i] was answered correctly (unanswered is wrong). Every
// attempt must have the same number of questions.
func (s *Sittings) Add(ids []string, right []bool) error {
	if len(ids) != len(right) {
		return fmt.Errorf("attempt with %d questions and %d answers", len(ids), len(right))
	}
	if s.Attempts == 0 && s.Items == 0 {
		s.Items = len(ids)
	}
	if len(ids) != s.Items {
		return fmt.Errorf("attempt with %d questions in an exam of %d", len(ids), s.Items)
	}
	if s.Questions == nil {
		s.Questions = map[string]QuestionTally{}
	}
	score := int64(0)
	for i, id := range ids {
		q := s.Questions[id]
		q.Served++
		if right[i] {
			q.Right++
			score++
		}
		s.Questions[id] = q
	}
	s.Attempts++
	s.ScoreSum += score
	s.ScoreSqSum += score * score
	return nil
}

// Reliability says how consistently an exam measures.
type Reliability struct {
	Attempts int
	Items    int     // k
	Mean     float64 // mean score, in questions
	SD       float64 // σ_X, the standard deviation of scores (population), in questions
	// KR20 is Kuder–Richardson formula 20, Cronbach's alpha for right or
	// wrong items: near 1, scores rank candidates consistently; near 0,
	// they are mostly chance. NaN when it cannot be computed (fewer than
	// two attempts or questions, or every attempt with the same score).
	KR20 float64
	// SEM is the standard error of measurement, in questions: how far a
	// candidate's score may fall from their true score, σ_X·√(1−KR20).
	// About two scores in three are within one SEM. NaN with KR20.
	SEM float64
}

// ReliabilityOf computes KR-20 and the SEM of an exam from its attempts.
//
// For one fixed form taken by N people,
//
//	KR-20 = k/(k−1) · (1 − Σᵢ pᵢqᵢ / σ²_X)
//
// where pᵢ is the share of people answering item i right, qᵢ = 1 − pᵢ,
// pᵢqᵢ is the variance of item i, and σ²_X the variance of the total
// scores. Here every attempt draws its own k questions from the bank, so
// there is no single form. We treat the draws as parallel forms (the
// same blueprint, questions of like difficulty, which is what drawing at
// random per domain aims at) and use, for Σ pᵢqᵢ, the mean over attempts
// of the sum of the item variances of the questions each attempt had,
// each question's p estimated from every attempt that served it:
//
//	Σ pq = (1/N) Σ_attempts Σ_{j in attempt} p_j q_j = (1/N) Σ_j n_j p_j q_j
//
// with n_j the times question j was served. For a fixed form this is the
// classical formula. When draws are not parallel (a domain whose
// questions differ widely in difficulty), the differences between forms
// add to σ²_X and not to Σ pq, and KR-20 comes out higher than a fixed
// form's would: read it as an upper estimate.
//
// Variances are population variances (divided by N), the same for items
// and totals, as the formula requires. A negative KR-20 (items that
// contradict each other) is reported as computed; the SEM then takes it
// as 0, so that it is never larger than σ_X.
func ReliabilityOf(s Sittings) Reliability {
	r := Reliability{Attempts: s.Attempts, Items: s.Items, Mean: math.NaN(), SD: math.NaN(), KR20: math.NaN(), SEM: math.NaN()}
	if s.Attempts == 0 {
		return r
	}
	n := int64(s.Attempts)
	r.Mean = float64(s.ScoreSum) / float64(n)
	// N²·σ² = N·ΣX² − (ΣX)², exact in integers: no cancellation.
	variance := float64(n*s.ScoreSqSum-s.ScoreSum*s.ScoreSum) / float64(n*n)
	r.SD = math.Sqrt(variance)
	if s.Attempts < 2 || s.Items < 2 || variance == 0 {
		return r
	}
	// Σ_j n_j p_j q_j = Σ_j right_j (served_j − right_j) / served_j, in
	// the order of the ids: the same attempts give the same digits.
	var sumPQ float64
	for _, id := range slices.Sorted(maps.Keys(s.Questions)) {
		if q := s.Questions[id]; q.Served > 0 {
			sumPQ += float64(q.Right) * float64(q.Served-q.Right) / float64(q.Served)
		}
	}
	k := float64(s.Items)
	r.KR20 = k / (k - 1) * (1 - sumPQ/float64(n)/variance)
	r.SEM = r.SD * math.Sqrt(1-min(max(r.KR20, 0), 1))
	return r
}

// Enough reports whether KR-20 was computed from enough attempts to show.
func (r Reliability) Enough() bool {
	return r.Attempts >= MinReliabilityAttempts && !math.IsNaN(r.KR20)
}

// SEMPercent is the SEM in percentage points of the score.
func (r Reliability) SEMPercent() float64 {
	if r.Items == 0 {
		return math.NaN()
	}
	return r.SEM / float64(r.Items) * 100
}

// ReliabilityLevel names a band of KR-20 as people read it.
type ReliabilityLevel string

// The bands are the usual rules of thumb; an exam that certifies people
// one by one should reach ReliabilityGood.
const (
	ReliabilityExcellent    ReliabilityLevel = "excellent"    // 0.90 or more
	ReliabilityGood         ReliabilityLevel = "good"         // 0.80 to 0.90
	ReliabilityAcceptable   ReliabilityLevel = "acceptable"   // 0.70 to 0.80
	ReliabilityQuestionable ReliabilityLevel = "questionable" // 0.60 to 0.70
	ReliabilityLow          ReliabilityLevel = "low"          // below 0.60
)

// Level is the band KR-20 falls in.
func (r Reliability) Level() ReliabilityLevel {
	switch k := r.KR20; {
	case k >= 0.90:
		return ReliabilityExcellent
	case k >= 0.80:
		return ReliabilityGood
	case k >= 0.70:
		return ReliabilityAcceptable
	case k >= 0.60:
		return ReliabilityQuestionable
	}
	return ReliabilityLow
}

// Z95 is the standard normal quantile of a two-sided 95 % interval.
const Z95 = 1.959963984540054

// Wilson is the Wilson score interval of a proportion, successes out of
// n, at the normal quantile z (Z95 for 95 %). Unlike p ± z·√(p(1−p)/n),
// it stays within [0, 1] and is not empty at 0 or n successes, so it is
// honest for small numbers of attempts too. With n = 0 it is [0, 1]:
// nothing is known.
func Wilson(successes, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(successes) / nf
	z2 := z * z
	d := 1 + z2/nf
	center := (p + z2/(2*nf)) / d
	half := z / d * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return max(center-half, 0), min(center+half, 1)
}
