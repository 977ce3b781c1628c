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
		{"undefined discrimination is the weakest, the never served last", ByDiscrimination, false, []string{"arr-002", "arr-001", "old-007", "ter-001"}},
		{"the never served last also from the strongest", ByDiscrimination, true, []string{"old-007", "arr-001", "arr-002", "ter-001"}},
		{"by facility, the hardest served first", ByFacility, false, []string{"old-007", "arr-002", "arr-001", "ter-001"}},
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

// An editor finds the three weakest questions of a domain in one view:
// the domain's filter, sorted by discrimination (or facility) from the
// lowest. Other domains' questions and those never served stay out of
// the top three.
func TestWeakestThreeOfADomain(t *testing.T) {
	track := &content.Track{ExamQuestions: []*content.Question{
		{ID: "arr-001", Domain: "arranque"}, {ID: "arr-002", Domain: "arranque"}, {ID: "arr-003", Domain: "arranque"},
		{ID: "arr-004", Domain: "arranque"}, {ID: "arr-005", Domain: "arranque"}, {ID: "arr-006", Domain: "arranque"},
		{ID: "ter-001", Domain: "terminal"}, {ID: "ter-002", Domain: "terminal"},
	}}
	stat := func(id string, facility, discrim float64) exam.ItemStat {
		return exam.ItemStat{QuestionID: id, Served: 60, Correct: int(facility * 60), Facility: facility, Discrimination: discrim}
	}
	stats := []exam.ItemStat{ // arr-006 never served
		stat("arr-001", 0.70, 0.42), stat("arr-002", 0.92, 0.08), stat("arr-003", 0.55, 0.31),
		stat("arr-004", 0.25, -0.05), stat("arr-005", 0.45, 0.18),
		stat("ter-001", 0.10, -0.30), stat("ter-002", 0.15, 0.01), // weaker still, another domain
	}
	for _, tc := range []struct {
		order ItemOrder
		want  []string
	}{
		{ByDiscrimination, []string{"arr-004", "arr-002", "arr-005"}},
		{ByFacility, []string{"arr-004", "arr-005", "arr-003"}},
	} {
		a := assemble(track, slices.Clone(stats), 60)
		a.sort(tc.order, false)
		sel := a.Select(ItemFilter{Domain: "arranque", PerPage: 25})
		if sel.Total != 6 || sel.Pages != 1 || len(sel.Items) != 6 {
			t.Fatalf("the domain's filter: %d questions on %d pages", sel.Total, sel.Pages)
		}
		var got []string
		for _, it := range sel.Items[:3] {
			got = append(got, it.QuestionID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("order %v: the three weakest of arranque = %v, want %v", tc.order, got, tc.want)
		}
		if last := sel.Items[5].QuestionID; last != "arr-006" {
			t.Errorf("order %v: the never served question is at the end? last = %s", tc.order, last)
		}
	}
}

func TestItemSelection(t *testing.T) {
	var qs []*content.Question
	var stats []exam.ItemStat
	for i := range 60 {
		id := fmt.Sprintf("q-%02d", i)
		d := "arranque"
		if i%3 == 0 {
			d = "terminal"
		}
		qs = append(qs, &content.Question{ID: id, Domain: d})
		st := exam.ItemStat{QuestionID: id, Served: 40, Facility: 0.6, Discrimination: 0.3}
		switch {
		case i%10 == 0:
			st.Flags = []string{exam.FlagTooEasy}
		case i%10 == 5:
			st.Flags = []string{exam.FlagLowDiscrim, exam.FlagDeadDistract}
		case i%10 == 7:
			st.Served = 4 // a small sample: a note, never an alert
		}
		stats = append(stats, st)
	}
	a := assemble(&content.Track{ExamQuestions: qs}, stats, 40)
	for _, tc := range []struct {
		name   string
		f      ItemFilter
		total  int
		page   int
		pages  int
		onPage int
		first  string
	}{
		{"everything", ItemFilter{PerPage: 25}, 60, 1, 3, 25, "q-00"},
		{"the last page", ItemFilter{PerPage: 25, Page: 3}, 60, 3, 3, 10, "q-50"},
		{"past the end is the last page", ItemFilter{PerPage: 25, Page: 9}, 60, 3, 3, 10, "q-50"},
		{"a domain", ItemFilter{Domain: "terminal", PerPage: 25}, 20, 1, 1, 20, "q-00"},
		{"any alert", ItemFilter{Flag: FlagAny, PerPage: 25}, 12, 1, 1, 12, "q-00"},
		{"one alert", ItemFilter{Flag: exam.FlagDeadDistract, PerPage: 25}, 6, 1, 1, 6, "q-05"},
		{"a small sample", ItemFilter{Flag: FlagFew, PerPage: 25}, 6, 1, 1, 6, "q-07"},
		{"a domain and an alert", ItemFilter{Domain: "terminal", Flag: exam.FlagTooEasy, PerPage: 25}, 2, 1, 1, 2, "q-00"},
		{"nothing matches", ItemFilter{Domain: "nada", PerPage: 25}, 0, 1, 1, 0, ""},
		{"one page for the CSV", ItemFilter{}, 60, 1, 1, 60, "q-00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel := a.Select(tc.f)
			first := ""
			if len(sel.Items) > 0 {
				first = sel.Items[0].QuestionID
			}
			if sel.Total != tc.total || sel.Page != tc.page || sel.Pages != tc.pages || len(sel.Items) != tc.onPage || first != tc.first {
				t.Errorf("total %d, page %d of %d, %d on the page, first %q; want %d, %d of %d, %d, %q",
					sel.Total, sel.Page, sel.Pages, len(sel.Items), first, tc.total, tc.page, tc.pages, tc.onPage, tc.first)
			}
		})
	}
}

func TestItemBands(t *testing.T) {
	for _, tc := range []struct {
		served          int
		facility, discr float64
		fBand, dBand    string
		fText, dText    string
	}{
		{40, 0.10, -0.25, BandVeryHard, BandNone, "10 %", "−25 %"},
		{40, 0.294, 0.094, BandVeryHard, BandNone, "29 %", "9 %"},
		{40, 0.2999, 0.0999, BandHard, BandWeak, "30 %", "10 %"}, // as shown: never «30 %, muy difícil»
		{40, 0.30, 0.10, BandHard, BandWeak, "30 %", "10 %"},
		{40, 0.494, 0.194, BandHard, BandWeak, "49 %", "19 %"},
		{40, 0.50, 0.20, BandFine, BandFair, "50 %", "20 %"},
		{40, 0.85, 0.294, BandFine, BandFair, "85 %", "29 %"},
		{40, 0.854, 0.30, BandFine, BandGood, "85 %", "30 %"},
		{40, 0.86, 0.31, BandVeryEasy, BandGood, "86 %", "31 %"},
		{40, 1, 0.9, BandVeryEasy, BandGood, "100 %", "90 %"},
		{40, 0.6, -0.001, BandFine, BandNone, "60 %", "0 %"},
		{40, 1, math.NaN(), BandVeryEasy, "", "100 %", "—"},
		{0, 0, math.NaN(), "", "", "—", "—"},
	} {
		it := Item{ItemStat: exam.ItemStat{Served: tc.served, Facility: tc.facility, Discrimination: tc.discr}}
		if it.FacilityBand() != tc.fBand || it.DiscriminationBand() != tc.dBand || it.FacilityPercent() != tc.fText || it.DiscriminationPercent() != tc.dText {
			t.Errorf("facility %v, discrimination %v: %q %q %q %q; want %q %q %q %q", tc.facility, tc.discr,
				it.FacilityBand(), it.DiscriminationBand(), it.FacilityPercent(), it.DiscriminationPercent(), tc.fBand, tc.dBand, tc.fText, tc.dText)
		}
	}
}

// The analysis carries each question's stem and options as the loader
// rendered them, to be shown as HTML.
func TestItemAnalysisKeepsTheRenderedText(t *testing.T) {
	e := newEnv(t)
	a, err := e.svc.ItemAnalysis(context.Background(), e.track, ByQuestion, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range a.Items {
		if it.QuestionID != "arr-002" {
			continue
		}
		if !strings.Contains(string(it.StemHTML), "firmware") || len(it.Choices) != 4 || string(it.Choices[0].HTML) != "<code>F2</code>" || !it.Choices[0].Correct || it.Choices[0].Served {
			t.Errorf("arr-002: stem %q, choices %+v", it.StemHTML, it.Choices)
		}
		return
	}
	t.Error("arr-002 is not in the analysis")
}
