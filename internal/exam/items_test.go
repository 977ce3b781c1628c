package exam

import (
	"fmt"
	"math"
	"testing"
)

func resp(q string, score int, answer []int, correct bool) Response {
	return Response{AttemptID: fmt.Sprint(score, answer), QuestionID: q, Options: []string{"A", "B", "C", "D"}, Key: []int{0}, Answer: answer, Correct: correct, Score: score}
}

func TestItemStatsOnAKnownMatrix(t *testing.T) {
	// Five candidates; rest scores 9, 7, 6, 4, 6; three answer right.
	// p = 0.6, M1 = 22/3, M0 = 5, population sd of rest = √2.64:
	// r = (22/3 − 5)/√2.64 · √0.24 = 0.70353…
	rs := []Response{
		resp("q1", 10, []int{0}, true),
		resp("q1", 8, []int{0}, true),
		resp("q1", 6, []int{1}, false),
		resp("q1", 4, []int{2}, false),
		resp("q1", 7, []int{0}, true),
	}
	// The same question served with its options in another order still
	// counts per option text.
	shuffled := Response{QuestionID: "q2", Options: []string{"D", "A", "B", "C"}, Key: []int{1}, Answer: []int{1}, Correct: true, Score: 5}
	plain := Response{QuestionID: "q2", Options: []string{"A", "B", "C", "D"}, Key: []int{0}, Answer: []int{3}, Correct: false, Score: 2}
	stats := ItemStats(append(rs, shuffled, plain))
	if len(stats) != 2 {
		t.Fatalf("%d items", len(stats))
	}
	q1 := stats[0]
	if q1.Served != 5 || q1.Correct != 3 || q1.Facility != 0.6 {
		t.Errorf("q1 counts: %+v", q1)
	}
	if want := (22.0/3 - 5) / math.Sqrt(2.64) * math.Sqrt(0.24); math.Abs(q1.Discrimination-want) > 1e-9 || math.Abs(q1.Discrimination-0.70353) > 1e-4 {
		t.Errorf("q1 discrimination = %v, want %v", q1.Discrimination, want)
	}
	picks := map[string]int{}
	for _, o := range q1.Options {
		picks[o.HTML] = o.Picks
	}
	if picks["A"] != 3 || picks["B"] != 1 || picks["C"] != 1 || picks["D"] != 0 || q1.Options[0].Share != 0.6 || !q1.Options[0].Correct {
		t.Errorf("q1 options: %+v", q1.Options)
	}
	if len(q1.Flags) != 0 {
		t.Errorf("flags with only 5 responses: %v", q1.Flags)
	}
	q2 := stats[1]
	byText := map[string]OptionStat{}
	for _, o := range q2.Options {
		byText[o.HTML] = o
	}
	if byText["A"].Picks != 1 || !byText["A"].Correct || byText["D"].Picks != 1 || byText["D"].Correct || len(q2.Options) != 4 {
		t.Errorf("q2 options across shuffles: %+v", q2.Options)
	}
}

func TestItemFlags(t *testing.T) {
	var easy, hard, flat []Response
	for i := range 40 {
		easy = append(easy, resp("easy", 20+i%5, []int{0}, true))
		hard = append(hard, resp("hard", 10+i%7, []int{1 + i%3}, false))
		// Right and wrong answers spread evenly over the scores: r ≈ 0.
		right := i%2 == 0
		a := []int{0}
		if !right {
			a = []int{1 + i%3}
		}
		score := 10 + (i/2)%5
		if right {
			score++ // the item's own point; the rest score is the same
		}
		flat = append(flat, resp("flat", score, a, right))
	}
	hard[0] = resp("hard", 30, []int{0}, true)
	stats := ItemStats(append(append(easy, hard...), flat...))
	flags := map[string][]string{}
	for _, s := range stats {
		flags[s.QuestionID] = s.Flags
		if !s.Reliable() {
			t.Errorf("%s with 40 responses is not reliable", s.QuestionID)
		}
	}
	has := func(id, flag string) bool {
		for _, f := range flags[id] {
			if f == flag {
				return true
			}
		}
		return false
	}
	if !has("easy", FlagTooEasy) || !has("easy", FlagDeadDistract) || has("easy", FlagTooHard) {
		t.Errorf("easy: %v", flags["easy"])
	}
	if !has("hard", FlagTooHard) || has("hard", FlagDeadDistract) {
		t.Errorf("hard: %v", flags["hard"])
	}
	if !has("flat", FlagLowDiscrim) {
		t.Errorf("flat: %v (discrimination %v)", flags["flat"], stats[2].Discrimination)
	}
	if !math.IsNaN(stats[0].Discrimination) {
		t.Errorf("everyone right: discrimination %v, want NaN", stats[0].Discrimination)
	}
}
