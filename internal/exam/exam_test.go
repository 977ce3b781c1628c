package exam

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"mxcert/internal/content"
)

func shipped(t *testing.T) *content.Track {
	t.Helper()
	cat, report, err := content.LoadDir("../../content", content.Options{})
	if err != nil || report.HasErrors() {
		t.Fatalf("load: %v %v", err, report.Errors())
	}
	return cat.Track("soporte-basico")
}

func TestAssembleFollowsTheBlueprint(t *testing.T) {
	tr := shipped(t)
	for seed := range uint64(50) {
		items, err := Assemble(tr, content.ExamPool, seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != tr.Rules.Questions {
			t.Fatalf("seed %d: %d items", seed, len(items))
		}
		count := map[string]int{}
		seen := map[string]bool{}
		for _, it := range items {
			count[it.Domain]++
			q := tr.Question(it.QuestionID)
			if q == nil || q.Pool != content.ExamPool || seen[it.QuestionID] {
				t.Fatalf("seed %d: bad or repeated item %s", seed, it.QuestionID)
			}
			seen[it.QuestionID] = true
			// Shuffling keeps every option and the key.
			if len(it.Options) != len(q.Options) || len(it.Key()) != countCorrect(q) {
				t.Fatalf("%s: options %d/%d, key %v", q.ID, len(it.Options), len(q.Options), it.Key())
			}
			for _, o := range it.Options {
				if !hasOption(q, o) {
					t.Fatalf("%s: served option %q not in the bank", q.ID, o.HTML)
				}
			}
		}
		for _, d := range tr.Rules.Blueprint {
			if count[d.Domain] != d.Count {
				t.Errorf("seed %d: domain %s has %d questions, blueprint %d", seed, d.Domain, count[d.Domain], d.Count)
			}
		}
	}
}

func countCorrect(q *content.Question) int {
	n := 0
	for _, o := range q.Options {
		if o.Correct {
			n++
		}
	}
	return n
}

func hasOption(q *content.Question, o ItemOption) bool {
	for _, qo := range q.Options {
		if qo.HTML == o.HTML && qo.Correct == o.Correct {
			return true
		}
	}
	return false
}

func ids(items []Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.QuestionID)
	}
	return out
}

func TestSeedsDecideTheExam(t *testing.T) {
	tr := shipped(t)
	a, _ := Assemble(tr, content.ExamPool, 42, nil)
	b, _ := Assemble(tr, content.ExamPool, 42, nil)
	c, _ := Assemble(tr, content.ExamPool, 43, nil)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the same seed gave two different exams")
	}
	same := 0
	for _, id := range ids(c) {
		if slices.Contains(ids(a), id) {
			same++
		}
	}
	if same == len(a) {
		t.Error("two seeds drew the very same questions")
	}
	// With 26 questions a domain and 3-4 drawn, two exams share few.
	if same > len(a)/2 {
		t.Errorf("two exams share %d of %d questions", same, len(a))
	}
	orders := map[string]bool{}
	for seed := range uint64(20) {
		items, _ := Assemble(tr, content.ExamPool, seed, nil)
		for _, it := range items {
			if it.QuestionID == items[0].QuestionID {
				orders[fmt.Sprint(it.Key())] = true
			}
		}
	}
	if len(orders) < 2 {
		t.Error("options are never shuffled")
	}
}

func TestAssembleRefusesAThinPool(t *testing.T) {
	tr := shipped(t)
	if _, err := Assemble(tr, content.PracticePool, 1, nil); err != nil {
		t.Errorf("practice pool should hold a simulacro: %v", err)
	}
	thin := *tr
	thin.Rules.Blueprint = []content.DomainCount{{Domain: "redes", Count: 27}}
	if _, err := Assemble(&thin, content.ExamPool, 1, nil); err == nil {
		t.Error("a blueprint larger than the pool was assembled")
	}
}

func TestCorrectIsAllOrNothing(t *testing.T) {
	single := Item{Options: []ItemOption{{}, {Correct: true}, {}}}
	multi := Item{Options: []ItemOption{{Correct: true}, {}, {Correct: true}, {}}}
	tests := []struct {
		name   string
		item   Item
		answer []int
		want   bool
	}{
		{"single right", single, []int{1}, true},
		{"single wrong", single, []int{0}, false},
		{"single with an extra", single, []int{1, 2}, false},
		{"unanswered", single, nil, false},
		{"out of range", single, []int{7}, false},
		{"negative", single, []int{-1}, false},
		{"multiple right", multi, []int{2, 0}, true},
		{"multiple repeated", multi, []int{0, 2, 2}, true},
		{"multiple partial", multi, []int{0}, false},
		{"multiple with an extra", multi, []int{0, 1, 2}, false},
		{"multiple all", multi, []int{0, 1, 2, 3}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.item.Correct(tc.answer); got != tc.want {
				t.Errorf("Correct(%v) = %v, want %v", tc.answer, got, tc.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	right := Item{Domain: "a", Options: []ItemOption{{Correct: true}, {}}}
	other := Item{Domain: "b", Options: []ItemOption{{Correct: true}, {}}}
	var items []Item
	var answers [][]int
	for i := range 10 {
		if i < 6 {
			items = append(items, right)
		} else {
			items = append(items, other)
		}
		answers = append(answers, []int{0})
	}
	answers[9] = []int{1} // wrong
	answers[8] = nil      // unanswered
	answers[7] = []int{1} // wrong: 7 of 10 right
	res := Score(items, answers, 70, []string{"a", "b"})
	if res.Correct != 7 || res.Total != 10 || res.Percent != 70 || !res.Passed {
		t.Errorf("7/10 at a 70 %% mark: %+v", res)
	}
	if res.Domains[0] != (DomainResult{Domain: "a", Correct: 6, Total: 6}) || res.Domains[1] != (DomainResult{Domain: "b", Correct: 1, Total: 4}) {
		t.Errorf("domains = %+v", res.Domains)
	}
	answers[6] = []int{1}
	if res := Score(items, answers, 70, nil); res.Passed || res.Percent != 60 {
		t.Errorf("6/10 at a 70 %% mark passed: %+v", res)
	}
	// 27 of 39 is 69.2 %: below 70 even though it rounds to 69.
	items39 := make([]Item, 39)
	answers39 := make([][]int, 39)
	for i := range items39 {
		items39[i] = right
		if i < 27 {
			answers39[i] = []int{0}
		}
	}
	if res := Score(items39, answers39, 70, nil); res.Passed {
		t.Errorf("27/39 passed a 70 %% mark: %+v", res)
	}
}

func TestEligible(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name string
		past []Past
		want Eligibility
	}{
		{"first time", nil, Eligibility{Kind: CanStart}},
		{"running", []Past{{ID: "a", Open: true}}, Eligibility{Kind: InProgress, AttemptID: "a"}},
		{"failed an hour ago", []Past{{ID: "a", FinishedAt: now.Add(-time.Hour)}}, Eligibility{Kind: CoolingOff, Until: now.Add(23 * time.Hour)}},
		{"failed a day ago", []Past{{ID: "a", FinishedAt: now.Add(-day)}}, Eligibility{Kind: CanStart}},
		{"failed twice, the last recently", []Past{{ID: "a", FinishedAt: now.Add(-3 * day)}, {ID: "b", FinishedAt: now.Add(-2 * time.Hour)}}, Eligibility{Kind: CoolingOff, Until: now.Add(22 * time.Hour)}},
		{"failed an hour ago, wait lifted", []Past{{ID: "a", FinishedAt: now.Add(-time.Hour), Waived: true}}, Eligibility{Kind: CanStart}},
		{"cancelled by the foundation an hour ago", []Past{{ID: "a", FinishedAt: now.Add(-time.Hour), Cancelled: true}}, Eligibility{Kind: CanStart}},
		{"failed, then cancelled", []Past{{ID: "a", FinishedAt: now.Add(-2 * time.Hour)}, {ID: "b", FinishedAt: now.Add(-time.Hour), Cancelled: true}}, Eligibility{Kind: CoolingOff, Until: now.Add(22 * time.Hour)}},
		{"passed", []Past{{ID: "a", FinishedAt: now.Add(-3 * day)}, {ID: "b", Passed: true, FinishedAt: now.Add(-day)}}, Eligibility{Kind: Certified, AttemptID: "b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Eligible(tc.past, day, now); got != tc.want {
				t.Errorf("Eligible = %+v, want %+v", got, tc.want)
			}
		})
	}
	if got := Deadline(now, time.Hour, 30*time.Minute); !got.Equal(now.Add(90 * time.Minute)) {
		t.Errorf("deadline with accommodation = %v", got)
	}
}

// BenchmarkAssemble measures drawing a 40-question exam from the shipped
// banks.
func BenchmarkAssemble(b *testing.B) {
	cat, _, err := content.LoadDir("../../content", content.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tr := cat.Track("soporte-basico")
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		if _, err := Assemble(tr, content.ExamPool, i, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScore measures scoring a 40-question attempt.
func BenchmarkScore(b *testing.B) {
	cat, _, _ := content.LoadDir("../../content", content.Options{})
	tr := cat.Track("soporte-basico")
	items, _ := Assemble(tr, content.ExamPool, 1, nil)
	answers := make([][]int, len(items))
	for i, it := range items {
		answers[i] = it.Key()
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := Score(items, answers, 70, tr.Domains()); !r.Passed {
			b.Fatal("a perfect attempt failed")
		}
	}
}
