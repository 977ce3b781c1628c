package exam

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"mxcert/internal/content"
)

// bankLine is one domain of a generated track: how many questions an exam
// draws from it, and the enemy group of each question of its bank ("" for
// none).
type bankLine struct {
	domain string
	count  int
	groups []string
}

// trackOf builds a track through the real loader, so that the groups are
// written as editors write them. Its questions are <domain>-<n>.
func trackOf(t testing.TB, lines ...bankLine) *content.Track {
	t.Helper()
	var cert strings.Builder
	total := 0
	for _, l := range lines {
		total += l.count
	}
	fmt.Fprintf(&cert, "---\ntitle: Prueba\nversion: \"1\"\nlanguage: es-MX\nexam:\n  duration: 10m\n  questions: %d\n  pass_percent: 50\n  retake_after: 24h\n  domains:\n", total)
	fs := fstest.MapFS{}
	for _, l := range lines {
		fmt.Fprintf(&cert, "    %s: %d\n", l.domain, l.count)
		var bank strings.Builder
		fmt.Fprintf(&bank, "---\ndomain: %s\n---\n", l.domain)
		for i, g := range l.groups {
			attrs := ""
			if g != "" {
				attrs = " {grupo=" + g + "}"
			}
			fmt.Fprintf(&bank, "\n## %s-%d%s\n¿Pregunta %d de %s?\n\n- [x] Sí\n- [ ] No\n\n> Porque sí.\n", l.domain, i+1, attrs, i+1, l.domain)
		}
		fs["prueba/questions/"+l.domain+".md"] = &fstest.MapFile{Data: []byte(bank.String())}
	}
	cert.WriteString("certificate:\n  valid_for_months: 0\n---\n\nUna certificación de prueba.\n")
	fs["prueba/certification.md"] = &fstest.MapFile{Data: []byte(cert.String())}
	cat, report := content.Load(fs, content.Options{})
	if report.HasErrors() {
		t.Fatalf("fixture track: %v", report.Errors())
	}
	return cat.Track("prueba")
}

func ungrouped(n int) []string { return make([]string, n) }

// groupedTrack has groups within a domain (arranque), across two domains
// (dns, ip) and across three (cable), and a domain with little room: a
// draw that fills redes and seguridad first, greedily, can leave arranque
// without a group it may use.
func groupedTrack(t testing.TB) *content.Track {
	return trackOf(t,
		bankLine{"redes", 3, []string{"dns", "dns", "ip", "ip", "cable", "", "", ""}},
		bankLine{"seguridad", 3, []string{"arranque", "arranque", "dns", "", "cable", ""}},
		bankLine{"arranque", 2, []string{"dns", "ip", "cable", "arranque"}},
	)
}

// checkDraw fails unless items follow the blueprint with no question twice
// and no two of one group.
func checkDraw(t *testing.T, tr *content.Track, items []Item) {
	t.Helper()
	count := map[string]int{}
	groups := map[string]string{}
	ids := map[string]bool{}
	for _, it := range items {
		q := tr.Question(it.QuestionID)
		if q == nil || ids[q.ID] {
			t.Fatalf("bad or repeated question %s in %v", it.QuestionID, idsOf(items))
		}
		ids[q.ID] = true
		count[q.Domain]++
		if q.Group == "" {
			continue
		}
		if other, ok := groups[q.Group]; ok {
			t.Fatalf("%s and %s of group %s in one exam: %v", other, q.ID, q.Group, idsOf(items))
		}
		groups[q.Group] = q.ID
	}
	for _, d := range tr.Rules.Blueprint {
		if count[d.Domain] != d.Count {
			t.Fatalf("domain %s has %d questions, the blueprint %d: %v", d.Domain, count[d.Domain], d.Count, idsOf(items))
		}
	}
}

func idsOf(items []Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.QuestionID
	}
	return out
}

// served records items as seen at.
func served(seen Seen, items []Item, at time.Time) Seen {
	if seen == nil {
		seen = Seen{}
	}
	for _, it := range items {
		seen[it.QuestionID] = at
	}
	return seen
}

// Ten thousand draws never serve two questions of one enemy group, and
// never fail where an arrangement exists (one always does here), whether
// the candidate is new or retaking with a history of earlier draws.
func TestDrawsNeverServeTwoOfOneGroup(t *testing.T) {
	tr := groupedTrack(t)
	var seen Seen
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	drawn := map[string]bool{} // every question drawn, to see that the draw varies
	for seed := range uint64(10_000) {
		if seed%5 == 0 {
			seen = nil // a new candidate every fifth draw; the others retake
		}
		items, err := Assemble(tr, content.ExamPool, seed, seen)
		if err != nil {
			t.Fatalf("seed %d, history %v: %v", seed, seen, err)
		}
		checkDraw(t, tr, items)
		for _, it := range items {
			drawn[it.QuestionID] = true
		}
		at = at.Add(24 * time.Hour)
		seen = served(seen, items, at)
	}
	if len(drawn) != len(tr.ExamQuestions) {
		t.Errorf("only %d of the %d questions were ever drawn", len(drawn), len(tr.ExamQuestions))
	}
}

// With a bank of at least twice the blueprint, a retake shares no question
// with the first attempt; with less, it serves every question not yet
// seen and makes up the rest with the least recently seen.
func TestRetakesServeWhatWasNotSeen(t *testing.T) {
	tr := trackOf(t,
		bankLine{"redes", 3, ungrouped(6)},
		bankLine{"seguridad", 2, ungrouped(5)},
		bankLine{"arranque", 1, ungrouped(2)},
	)
	day := 24 * time.Hour
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for seed := range uint64(500) {
		first, err := Assemble(tr, content.ExamPool, seed, nil)
		if err != nil {
			t.Fatal(err)
		}
		seen := served(nil, first, at)
		second, err := Assemble(tr, content.ExamPool, seed+1000, seen)
		if err != nil {
			t.Fatal(err)
		}
		checkDraw(t, tr, second)
		if shared := sharedIDs(first, second); len(shared) > 0 {
			t.Fatalf("seed %d: the retake serves %v again", seed, shared)
		}
		// Third attempt: seguridad has one question left unseen, the
		// others none. Each domain serves what it has not seen, then
		// what the first attempt served, never the second's.
		seen = served(seen, second, at.Add(day))
		third, err := Assemble(tr, content.ExamPool, seed+2000, seen)
		if err != nil {
			t.Fatal(err)
		}
		checkDraw(t, tr, third)
		if shared := sharedIDs(second, third); len(shared) > 0 {
			t.Fatalf("seed %d: the third attempt serves %v of the second", seed, shared)
		}
		fresh := 0
		for _, it := range third {
			if _, ok := seen[it.QuestionID]; !ok {
				fresh++
			}
		}
		if fresh != 1 {
			t.Fatalf("seed %d: the third attempt serves %d unseen questions, want the 1 left", seed, fresh)
		}
	}
}

func sharedIDs(a, b []Item) []string {
	var out []string
	for _, it := range b {
		if slices.Contains(idsOf(a), it.QuestionID) {
			out = append(out, it.QuestionID)
		}
	}
	return out
}

// The least recently seen goes first even when the draw would rather have
// another: every question seen, at three moments, in a domain of one.
func TestLeastRecentlySeenFirst(t *testing.T) {
	tr := trackOf(t, bankLine{"redes", 1, ungrouped(3)})
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for seed := range uint64(200) {
		seen := Seen{"redes-1": at.Add(2 * time.Hour), "redes-2": at, "redes-3": at.Add(time.Hour)}
		items, err := Assemble(tr, content.ExamPool, seed, seen)
		if err != nil || len(items) != 1 || items[0].QuestionID != "redes-2" {
			t.Fatalf("seed %d: %v, %v; want redes-2, seen longest ago", seed, idsOf(items), err)
		}
	}
}

// A history changes the draw, not its reproducibility: the same seed and
// the same history give the same exam, options and order included.
func TestSameSeedSameHistorySameExam(t *testing.T) {
	tr := groupedTrack(t)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	first, _ := Assemble(tr, content.ExamPool, 7, nil)
	seen := served(nil, first, at)
	a, errA := Assemble(tr, content.ExamPool, 8, seen)
	b, errB := Assemble(tr, content.ExamPool, 8, maps.Clone(seen))
	if errA != nil || errB != nil || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("one seed and one history gave two exams:\n%v\n%v", idsOf(a), idsOf(b))
	}
}

// When no arrangement exists, the draw says which domains and groups are
// to blame rather than serving two of a group.
func TestDrawRefusesAnImpossibleBlueprint(t *testing.T) {
	tr := groupedTrack(t)
	tight := *tr
	tight.Rules.Blueprint = []content.DomainCount{{Domain: "arranque", Count: 2}, {Domain: "seguridad", Count: 5}}
	_, err := Assemble(&tight, content.ExamPool, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "seguridad") || !strings.Contains(err.Error(), "arranque") {
		t.Errorf("7 questions from 6 groups: %v", err)
	}
}

// BenchmarkAssembleRetake measures a third attempt at a bank shaped like
// the shipped one (eleven domains of 26, 40 questions an exam) with one
// question in five in a group, half of the groups spanning two domains.
func BenchmarkAssembleRetake(b *testing.B) {
	var lines []bankLine
	for d := range 11 {
		groups := make([]string, 26)
		for i := 0; i < len(groups); i += 5 {
			groups[i] = fmt.Sprintf("g%d-%d", d, i)
			if i%10 == 0 && d > 0 {
				groups[i] = fmt.Sprintf("g%d-%d", d-1, i)
			}
		}
		lines = append(lines, bankLine{fmt.Sprintf("d%d", d), 3 + d%2, groups})
	}
	tr := trackOf(b, lines...)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var seen Seen
	for seed := range uint64(2) {
		items, err := Assemble(tr, content.ExamPool, seed, seen)
		if err != nil {
			b.Fatal(err)
		}
		seen = served(seen, items, at.Add(time.Duration(seed)*time.Hour))
	}
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		if _, err := Assemble(tr, content.ExamPool, i, seen); err != nil {
			b.Fatal(err)
		}
	}
}
