package content

import (
	"os"
	"path/filepath"
	"regexp"
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

// TestShippedCurriculumIsGrounded holds curriculum 2026.2 to what the
// foundation asked of it: the fundamentals a first certification needs,
// hands-on practice, sources and figures in every module, and agreement
// with the technical sheet.
func TestShippedCurriculumIsGrounded(t *testing.T) {
	cat, report, err := LoadDir("../../content", Options{})
	if err != nil || report.HasErrors() {
		t.Fatalf("load: %v %v", err, report.Errors())
	}
	tr := cat.Track("soporte-basico")
	if p := tr.Page("ficha-tecnica"); p == nil || p.Title != "Ficha técnica de MxOS" {
		t.Fatal("the technical sheet (pages/ficha-tecnica.md) is missing")
	}

	// The fundamentals, each taught in the module of its domain.
	teaches := map[string][]string{
		"terminal":    {"<code>cd", "<code>ls", "<code>cp", "<code>mv", "<code>rm", "<code>mkdir", "<code>man", "--help", "<code>tar", "<code>zip", "<code>grep", "<code>find", "|", "&gt;", "<code>history", "Tab"},
		"remoto":      {"<code>ssh", "smb://", "Escritorio remoto", "consentimiento"},
		"perifericos": {"Bluetooth", "<code>bluetoothctl"},
		"seguridad":   {"phishing", "fraude"},
		"atencion":    {"presupuesto", "garantía", "PROFECO"},
	}
	for domain, words := range teaches {
		var h strings.Builder
		for _, m := range tr.ModulesFor(domain) {
			h.WriteString(string(m.HTML))
		}
		if h.Len() == 0 {
			t.Errorf("no module teaches the domain %s", domain)
			continue
		}
		for _, w := range words {
			if !strings.Contains(h.String(), w) {
				t.Errorf("the %s module does not teach %q", domain, w)
			}
		}
	}

	figures := 0
	for _, m := range tr.Modules {
		h := string(m.HTML)
		n := strings.Count(h, `<figure class="figure"><img `)
		if n == 0 {
			t.Errorf("%s has no figure", m.File)
		}
		figures += n
		var guided bool
		for _, s := range m.Sections {
			guided = guided || strings.HasPrefix(s.Title, "Práctica guiada")
		}
		if !guided || !strings.Contains(h, "Cómo saber que salió bien") {
			t.Errorf("%s needs a «Práctica guiada: …» section that says «Cómo saber que salió bien»", m.File)
		}
		if last := m.Sections[len(m.Sections)-1]; last.Title != "Fuentes" {
			t.Errorf("%s ends with «%s», want «Fuentes»", m.File, last.Title)
			continue
		}
		sources := h[strings.LastIndex(h, `id="fuentes"`):]
		if strings.Count(sources, "<li>") < 3 || !strings.Contains(sources, "ficha-tecnica.md") {
			t.Errorf("%s: «Fuentes» needs at least three sources, the technical sheet among them", m.File)
		}
	}
	if figures < 15 {
		t.Errorf("%d figures across the modules, want at least 15", figures)
	}
}

// contradictions are phrases that disagree with the technical sheet or
// with the facts the review found wrong; none may come back in a module,
// a stem, a key or an explanation. Distractors may state them: they are
// the misconceptions a question tests.
var contradictions = []struct {
	re  *regexp.Regexp
	why string
}{
	{regexp.MustCompile(`resolvectl|127\.0\.0\.53|systemd-resolved está`), "MxOS does not use systemd-resolved"},
	{regexp.MustCompile("`Shift`|\\bShift\\b"), "keys are named as on a Spanish keyboard: Mayús"},
	{regexp.MustCompile(`init=/bin/bash|mokutil --import|MOK ?Manager|Enroll MOK|ignore-auto-dns|setgid|luksAddKey|ranuras? de clave|key ?slot`), "beyond first level: moved out (checking Secure Boot with mokutil --sb-state stays)"},
	{regexp.MustCompile(`(?i)bot[oó]n (de )?«?actividades`), "GNOME 45 removed the «Actividades» button"},
	{regexp.MustCompile(`(?i)upgrade.{0,40}nunca instala`), "apt upgrade does install new packages when dependencies need them"},
	{regexp.MustCompile(`\b\d+,\d{1,2} ?(GB|MB|KB|TB|GHz|MHz|Mbps|W|V)\b`), "es-MX writes a decimal point"},
	{regexp.MustCompile(`(?i)(mant[eé]n|mantener) pulsad[ao] .{0,12}(Mayús|Esc)`), "the GRUB menu shows on every boot"},
}

func TestShippedContentAgreesWithTheTechnicalSheet(t *testing.T) {
	root := "../../content/soporte-basico"
	for _, dir := range []string{"modules", "questions", "practice"} {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.md"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v", dir, err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(line, "- [ ] ") {
					continue // a distractor is wrong on purpose
				}
				for _, c := range contradictions {
					if m := c.re.FindString(line); m != "" {
						t.Errorf("%s:%d: «%s»: %s", filepath.Join(dir, filepath.Base(f)), i+1, m, c.why)
					}
				}
			}
		}
	}
}
