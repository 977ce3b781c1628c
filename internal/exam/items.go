package exam

import (
	"math"
	"slices"
)

// MinResponses is how many responses an item needs before its statistics
// are trusted enough to flag it.
const MinResponses = 30

// Item flags.
const (
	FlagTooEasy      = "too_easy"      // facility above 0.95
	FlagTooHard      = "too_hard"      // facility below 0.20
	FlagLowDiscrim   = "low_discrim"   // point-biserial below 0.15
	FlagDeadDistract = "dead_distract" // a wrong option nobody chose
)

// Response is one served question of a finished attempt.
type Response struct {
	AttemptID  string
	QuestionID string
	Options    []string // option texts in the order served (identify options across shuffles)
	Key        []int    // positions of the correct options
	Answer     []int
	Correct    bool
	Score      int // the attempt's total score
}

// OptionStat is how often an option was chosen.
type OptionStat struct {
	HTML    string
	Correct bool
	Picks   int
	Share   float64 // picks / times served
}

// ItemStat is the classical item analysis of one question.
type ItemStat struct {
	QuestionID string
	Served     int
	Correct    int
	// Facility is the proportion answering correctly (the p-value).
	Facility float64
	// Discrimination is the point-biserial correlation between answering
	// this item correctly and the rest score (the attempt's score without
	// this item). NaN when undefined (everyone right, or everyone wrong, or
	// no spread in rest scores).
	Discrimination float64
	Options        []OptionStat // in first-seen order
	Flags          []string     // only when Served >= MinResponses
}

// Reliable reports whether the item has enough responses to be flagged.
func (s ItemStat) Reliable() bool { return s.Served >= MinResponses }

// ItemStats computes facility, discrimination, option shares and flags for
// every question in responses.
func ItemStats(responses []Response) []ItemStat {
	type acc struct {
		stat  ItemStat
		rest  []float64
		right []bool
		opt   map[string]int // option text → index in stat.Options
	}
	byID := map[string]*acc{}
	var order []string
	for _, r := range responses {
		a := byID[r.QuestionID]
		if a == nil {
			a = &acc{stat: ItemStat{QuestionID: r.QuestionID}, opt: map[string]int{}}
			byID[r.QuestionID] = a
			order = append(order, r.QuestionID)
		}
		a.stat.Served++
		point := 0
		if r.Correct {
			a.stat.Correct++
			point = 1
		}
		a.rest = append(a.rest, float64(r.Score-point))
		a.right = append(a.right, r.Correct)
		for i, text := range r.Options {
			j, ok := a.opt[text]
			if !ok {
				j = len(a.stat.Options)
				a.opt[text] = j
				a.stat.Options = append(a.stat.Options, OptionStat{HTML: text, Correct: slices.Contains(r.Key, i)})
			}
			if slices.Contains(r.Answer, i) {
				a.stat.Options[j].Picks++
			}
		}
	}
	out := make([]ItemStat, 0, len(order))
	for _, id := range order {
		a := byID[id]
		s := a.stat
		s.Facility = float64(s.Correct) / float64(s.Served)
		s.Discrimination = pointBiserial(a.right, a.rest)
		for i := range s.Options {
			s.Options[i].Share = float64(s.Options[i].Picks) / float64(s.Served)
		}
		if s.Reliable() {
			if s.Facility > 0.95 {
				s.Flags = append(s.Flags, FlagTooEasy)
			}
			if s.Facility < 0.20 {
				s.Flags = append(s.Flags, FlagTooHard)
			}
			if !math.IsNaN(s.Discrimination) && s.Discrimination < 0.15 {
				s.Flags = append(s.Flags, FlagLowDiscrim)
			}
			for _, o := range s.Options {
				if !o.Correct && o.Picks == 0 {
					s.Flags = append(s.Flags, FlagDeadDistract)
					break
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// pointBiserial is the correlation between a dichotomous variable (right)
// and a continuous one (rest): (M1 − M0) / s · √(p·q), with s the
// population standard deviation of rest.
func pointBiserial(right []bool, rest []float64) float64 {
	n := float64(len(rest))
	var sum, sum1 float64
	n1 := 0.0
	for i, x := range rest {
		sum += x
		if right[i] {
			sum1 += x
			n1++
		}
	}
	n0 := n - n1
	if n1 == 0 || n0 == 0 {
		return math.NaN()
	}
	mean := sum / n
	var ss float64
	for _, x := range rest {
		ss += (x - mean) * (x - mean)
	}
	sd := math.Sqrt(ss / n)
	if sd == 0 {
		return math.NaN()
	}
	m1, m0 := sum1/n1, (sum-sum1)/n0
	p := n1 / n
	return (m1 - m0) / sd * math.Sqrt(p*(1-p))
}
