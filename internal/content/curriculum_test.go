package content

import (
	"strings"
	"testing"
	"time"
)

// TestShippedCurriculum holds the shipped track to the standard the
// foundation set for it, so an edit that thins it out fails CI.
func TestShippedCurriculum(t *testing.T) {
	cat, report, err := LoadDir("../../content", Options{})
	if err != nil || report.HasErrors() {
		t.Fatalf("load: %v %v", err, report.Errors())
	}
	tr := cat.Track("soporte-basico")
	if tr == nil {
		t.Fatal("track soporte-basico missing")
	}
	if tr.Title != "Certificación en Soporte Básico de MxOS" {
		t.Errorf("title = %q", tr.Title)
	}
	r := tr.Rules
	if r.Duration != 60*time.Minute || r.Questions != 40 || r.PassPercent != 70 || r.RetakeAfter != 24*time.Hour || tr.Certificate.ValidForMonths != 0 {
		t.Errorf("rules = %+v, certificate = %+v", r, tr.Certificate)
	}
	if len(r.Blueprint) < 8 {
		t.Errorf("blueprint has %d domains, want at least 8", len(r.Blueprint))
	}
	if len(tr.Modules) < 10 {
		t.Errorf("%d modules, want at least 10", len(tr.Modules))
	}
	for _, m := range tr.Modules {
		if n := len(m.Objectives); n < 3 || n > 6 {
			t.Errorf("%s: %d objectives, want 3 to 6", m.File, n)
		}
		if m.Minutes <= 0 {
			t.Errorf("%s: no estimated minutes", m.File)
		}
		if m.Words < 900 {
			t.Errorf("%s: %d words, want at least 900", m.File, m.Words)
		}
		h := string(m.HTML)
		if !strings.Contains(h, `<div class="code-block"><pre role="region" tabindex="0" aria-label="Código"><code`) || !strings.Contains(h, ">Resumen</h2>") || !strings.Contains(h, "Caso práctico") {
			t.Errorf("%s: needs code blocks, a worked case («Caso práctico») and a «Resumen»", m.File)
		}
	}
	examTotal := 0
	for _, d := range r.Blueprint {
		exam, practice := tr.Pool(ExamPool, d.Domain), tr.Pool(PracticePool, d.Domain)
		examTotal += len(exam)
		if len(exam) < 24 || len(exam) < 3*d.Count {
			t.Errorf("domain %s: %d exam questions, want at least 24 and 3×%d", d.Domain, len(exam), d.Count)
		}
		if len(practice) < 8 {
			t.Errorf("domain %s: %d practice questions, want at least 8", d.Domain, len(practice))
		}
		if len(tr.ModulesFor(d.Domain)) == 0 {
			t.Errorf("domain %s has no module", d.Domain)
		}
	}
	if examTotal < 240 {
		t.Errorf("%d exam questions, want at least 240", examTotal)
	}
	examStems := map[string]string{}
	for _, q := range tr.ExamQuestions {
		examStems[strings.ToLower(q.StemText)] = q.ID
	}
	for _, q := range append(append([]*Question{}, tr.ExamQuestions...), tr.PracticeQuestions...) {
		if q.ExplanationHTML == "" {
			t.Errorf("%s has no explanation", q.ID)
		}
		if q.Pool == PracticePool {
			if id, dup := examStems[strings.ToLower(q.StemText)]; dup {
				t.Errorf("practice %s repeats the stem of exam %s", q.ID, id)
			}
		}
	}
}
