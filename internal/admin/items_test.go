package admin

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/store"
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
	// Exposure counts the attempt in progress too: four attempts of two
	// questions each.
	exposed, share := 0, 0.0
	for _, it := range a.Items {
		exposed += it.Exposed
		share += it.Exposure
		if it.Exposed < it.Served || it.Exposure != float64(it.Exposed)/4 {
			t.Errorf("item %s: served %d, exposed %d, exposure %v", it.QuestionID, it.Served, it.Exposed, it.Exposure)
		}
	}
	if a.Started != 4 || exposed != 8 || math.Abs(share-2) > 1e-9 {
		t.Errorf("started %d, exposed %d, shares add up to %v; want 4, 8 and 2", a.Started, exposed, share)
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
	if rows[0][10] != "exposicion" || rows[1][10] != a.Items[0].ExposureText() {
		t.Errorf("exposure column: %q, %q", rows[0][10], rows[1][10])
	}
}

// Exposure is a share of every attempt, finished or not: ter-001 was
// served only in an attempt still in progress.
func TestItemExposure(t *testing.T) {
	track := &content.Track{ExamQuestions: []*content.Question{{ID: "arr-001", Domain: "arranque"}, {ID: "arr-002", Domain: "arranque"}, {ID: "ter-001", Domain: "terminal"}}}
	a := assemble(track, []exam.ItemStat{{QuestionID: "arr-001", Served: 3}, {QuestionID: "old-001", Served: 2}}, 3)
	a.expose(store.ItemExposure{Attempts: 4, Served: map[string]int{"arr-001": 4, "ter-001": 1, "old-001": 2, "old-002": 1}})
	a.sort(ByExposure, true)
	var got []string
	for _, it := range a.Items {
		got = append(got, fmt.Sprintf("%s %d %s %v", it.QuestionID, it.Exposed, it.ExposureText(), it.Retired))
	}
	want := []string{"arr-001 4 1.00 false", "old-001 2 0.50 true", "ter-001 1 0.25 false", "arr-002 0 0.00 false"}
	if !slices.Equal(got, want) || a.Started != 4 {
		t.Errorf("by exposure, most first:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
