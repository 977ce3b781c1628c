package admin

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"mxcert/internal/content"
	"mxcert/internal/exam"
)

func TestItemAnalysisAssembly(t *testing.T) {
	track := &content.Track{
		Modules: []*content.Module{{Title: "El arranque", Domain: "arranque"}},
		ExamQuestions: []*content.Question{
			{ID: "arr-002", Domain: "arranque", File: "t/questions/arranque.md", Line: 5, StemText: "¿Qué revisas?"},
			{ID: "arr-001", Domain: "arranque", File: "t/questions/arranque.md", Line: 15},
			{ID: "ter-001", Domain: "terminal", File: "t/questions/terminal.md", Line: 5},
		},
	}
	stats := []exam.ItemStat{
		{QuestionID: "arr-001", Served: 40, Correct: 39, Facility: 0.975, Discrimination: 0.05, Flags: []string{exam.FlagTooEasy, exam.FlagLowDiscrim}},
		{QuestionID: "old-007", Served: 3, Correct: 1, Facility: 0.33, Discrimination: 0.4}, // since removed from the bank
		{QuestionID: "arr-002", Served: 40, Correct: 20, Facility: 0.5, Discrimination: math.NaN()},
	}
	for _, tc := range []struct {
		name  string
		order ItemOrder
		desc  bool
		want  []string
	}{
		{"the bank's order, the retired last", BankOrder, false, []string{"arr-002", "arr-001", "ter-001", "old-007"}},
		{"by question", ByQuestion, false, []string{"arr-001", "arr-002", "old-007", "ter-001"}},
		{"most served first, ties in the bank's order", ByServed, true, []string{"arr-002", "arr-001", "old-007", "ter-001"}},
		{"undefined discrimination is the weakest", ByDiscrimination, false, []string{"arr-002", "ter-001", "arr-001", "old-007"}},
		{"most flags first", ByFlags, true, []string{"arr-001", "arr-002", "ter-001", "old-007"}},
		{"an unknown order is the bank's", ItemOrder(99), true, []string{"arr-002", "arr-001", "ter-001", "old-007"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := assemble(track, slices.Clone(stats), 41)
			a.sort(tc.order, tc.desc)
			var got []string
			for _, it := range a.Items {
				got = append(got, it.QuestionID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("order %v = %v, want %v", tc.order, got, tc.want)
			}
		})
	}

	a := assemble(track, stats, 41)
	if a.Attempts != 41 || a.Flagged != 1 || a.Track != track {
		t.Errorf("attempts %d, flagged %d", a.Attempts, a.Flagged)
	}
	first, never, retired := a.Items[0], a.Items[2], a.Items[3]
	if first.Domain != "El arranque" || first.File != "t/questions/arranque.md" || first.Line != 5 || first.Stem != "¿Qué revisas?" || first.Served != 40 || first.Retired {
		t.Errorf("a served question: %+v", first)
	}
	if never.Domain != "terminal" || never.Served != 0 || !math.IsNaN(never.Discrimination) || never.DiscriminationText() != "—" || never.Retired {
		t.Errorf("a question never served: %+v", never)
	}
	if !retired.Retired || retired.Served != 3 || retired.File != "" || retired.DiscriminationText() != "0.40" || retired.FacilityText() != "0.33" {
		t.Errorf("a retired question: %+v", retired)
	}
}

func TestItemAnalysisFromAttempts(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for i, pass := range []bool{true, true, false} {
		u := e.candidate(t, "Candidata "+string(rune('A'+i)), string(rune('a'+i))+"@ejemplo.mx", "Oaxaca")
		e.exam(t, u, pass)
	}
	open := e.candidate(t, "En curso", "curso@ejemplo.mx", "Oaxaca")
	if _, err := e.attempts.Start(ctx, open, e.track, content.Versions{Content: "v1"}, open.Name); err != nil {
		t.Fatal(err)
	}

	a, err := e.svc.ItemAnalysis(ctx, e.track, BankOrder, false)
	if err != nil {
		t.Fatal(err)
	}
	if a.Attempts != 3 {
		t.Errorf("attempts = %d, want 3: the one in progress does not count", a.Attempts)
	}
	if len(a.Items) != len(e.track.ExamQuestions) {
		t.Fatalf("%d items for %d questions", len(a.Items), len(e.track.ExamQuestions))
	}
	served, correct := 0, 0
	for i, it := range a.Items {
		if it.QuestionID != e.track.ExamQuestions[i].ID || it.Retired || it.File == "" {
			t.Errorf("item %d = %+v", i, it)
		}
		served += it.Served
		correct += it.Correct
		if it.Served > 0 && len(it.Options) < 2 {
			t.Errorf("item %s: options %+v", it.QuestionID, it.Options)
		}
	}
	if served != 6 || correct != 4 {
		t.Errorf("served %d, correct %d; want 6 and 4 (three attempts of two questions, two passes)", served, correct)
	}

	// Once a served question leaves the bank, it is listed as retired.
	trimmed := *e.track
	trimmed.ExamQuestions = nil
	a, err = e.svc.ItemAnalysis(ctx, &trimmed, ByQuestion, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range a.Items {
		if !it.Retired || it.Served == 0 {
			t.Errorf("with an empty bank: %+v", it)
		}
	}

	var rows [][]string
	if err := a.Export(func(row []string) error { rows = append(rows, row); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(a.Items)+1 || rows[0][0] != "pregunta" || rows[1][0] != a.Items[0].QuestionID {
		t.Fatalf("export: %v", rows)
	}
	if !strings.Contains(rows[1][9], "*") {
		t.Errorf("the correct option is not marked: %q", rows[1][9])
	}
}
