package content

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"
)

// fixture returns the example track of testdata as an in-memory tree that a
// test can change without touching the files.
func fixture(t testing.TB) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	root := os.DirFS("testdata/content")
	err := fs.WalkDir(root, "ejemplo", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// edit replaces the first occurrence of old in a fixture file.
func edit(t testing.TB, m fstest.MapFS, file, old, new string) {
	t.Helper()
	f, ok := m[file]
	if !ok {
		t.Fatalf("fixture has no %s", file)
	}
	s := string(f.Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	m[file] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
}

func TestExampleLoadsClean(t *testing.T) {
	cat, report := Load(fixture(t), Options{})
	if len(report.Findings) != 0 {
		t.Fatalf("example content should lint clean, got:\n%v", report.Findings)
	}
	tr := cat.Track("ejemplo")
	if tr == nil {
		t.Fatal("track ejemplo not loaded")
	}
	if tr.Title != "Certificación de Ejemplo" || tr.Version != "2026.1" || tr.Language != "es-MX" {
		t.Errorf("track meta = %q %q %q", tr.Title, tr.Version, tr.Language)
	}
	if tr.Rules.Duration.Minutes() != 10 || tr.Rules.Questions != 2 || tr.Rules.PassPercent != 50 || tr.Rules.RetakeAfter.Hours() != 24 {
		t.Errorf("rules = %+v", tr.Rules)
	}
	if got := tr.Domains(); strings.Join(got, ",") != "arranque,terminal" {
		t.Errorf("blueprint order = %v", got)
	}
	if len(tr.Modules) != 2 || tr.Modules[0].Slug != "arranque" || tr.Modules[1].Slug != "terminal" {
		t.Fatalf("modules = %+v", tr.Modules)
	}
	if len(tr.ExamQuestions) != 6 || len(tr.PracticeQuestions) != 2 {
		t.Fatalf("pools: exam %d practice %d", len(tr.ExamQuestions), len(tr.PracticeQuestions))
	}

	q := tr.Question("arr-002")
	if q == nil || q.Pool != ExamPool || q.Domain != "arranque" || q.File != "ejemplo/questions/arranque.md" || q.Line != 15 {
		t.Fatalf("arr-002 = %+v", q)
	}
	if !q.Multiple() || len(q.Options) != 4 {
		t.Errorf("arr-002 should have 4 options, two correct: %+v", q.Options)
	}
	wantCorrect := []bool{true, false, true, false}
	for i, o := range q.Options {
		if o.Correct != wantCorrect[i] || o.Line != 18+i {
			t.Errorf("option %d = %+v, want correct=%v line %d", i, o, wantCorrect[i], 18+i)
		}
	}
	if q.Options[0].HTML != "<code>F2</code>" || q.Options[0].Text != "F2" {
		t.Errorf("option html/text = %q / %q", q.Options[0].HTML, q.Options[0].Text)
	}
	if !strings.Contains(string(q.ExplanationHTML), "<code>F10</code>") || strings.Contains(string(q.ExplanationHTML), "blockquote") {
		t.Errorf("explanation = %q", q.ExplanationHTML)
	}
	if tr.Question("arr-001").Multiple() {
		t.Error("arr-001 has one correct option")
	}
	if tr.Question("pra-arr-001").Pool != PracticePool {
		t.Error("practice question in wrong pool")
	}
}

func TestOptionHTMLNeverMarksTheKey(t *testing.T) {
	cat, _ := Load(fixture(t), Options{})
	for _, q := range cat.Track("ejemplo").ExamQuestions {
		for _, o := range q.Options {
			h := strings.ToLower(string(o.HTML))
			if strings.Contains(h, "checked") || strings.Contains(h, "<input") || strings.Contains(h, "[x]") {
				t.Errorf("%s option %q reveals its state: %q", q.ID, o.Text, o.HTML)
			}
		}
		if strings.Contains(string(q.StemHTML), "<input") {
			t.Errorf("%s stem contains a form control: %q", q.ID, q.StemHTML)
		}
	}
}

func TestCodeBlockInStemIsNotStructure(t *testing.T) {
	m := fixture(t)
	m["ejemplo/questions/terminal.md"] = &fstest.MapFile{Data: []byte(`---
domain: terminal
---

## ter-010
¿Qué muestra este archivo?

` + "```md" + `
- [x] foo
## bar
` + "```" + `

- [ ] Una lista de tareas en Markdown
- [x] Un ejemplo de formato

> Dentro de un bloque de código nada es estructura.

## ter-011
Otra pregunta.

- [x] Sí
- [ ] No

> Porque sí.
`)}
	edit(t, m, "ejemplo/certification.md", "terminal: 1", "terminal: 1\n")
	cat, report := Load(m, Options{})
	for _, f := range report.Errors() {
		t.Errorf("unexpected error: %v", f)
	}
	tr := cat.Track("ejemplo")
	if tr.Question("bar") != nil {
		t.Error("a heading inside a code block became a question")
	}
	q := tr.Question("ter-010")
	if q == nil {
		t.Fatal("ter-010 not parsed")
	}
	if len(q.Options) != 2 || q.Options[0].Text != "Una lista de tareas en Markdown" {
		t.Errorf("options = %+v", q.Options)
	}
	if !strings.Contains(string(q.StemHTML), "- [x] foo") || !strings.Contains(string(q.StemHTML), "## bar") {
		t.Errorf("code block lost from stem: %q", q.StemHTML)
	}
	if tr.Question("ter-011") == nil || tr.Question("ter-011").Line != 18 {
		t.Errorf("question after the code block: %+v", tr.Question("ter-011"))
	}
}

func TestSpanishTextSurvives(t *testing.T) {
	m := fixture(t)
	const stem = "¿Cuál es el año de la cigüeña? ¡Ñandú, acción, pingüino! á é í ó ú ñ ü Á É Í Ó Ú Ñ Ü"
	edit(t, m, "ejemplo/questions/terminal.md", "¿Qué opción de `df` muestra los tamaños en K, M y G?", stem)
	edit(t, m, "ejemplo/questions/terminal.md", "- [ ] `-z`", "- [ ] Señal ¡única!")
	edit(t, m, "ejemplo/modules/02-terminal.md", "title: Primeros pasos en la terminal", "title: \"Útiles: señales, cigüeñas y ¿qué más?\"")
	cat, report := Load(m, Options{})
	if report.HasErrors() {
		t.Fatal(report.Findings)
	}
	tr := cat.Track("ejemplo")
	q := tr.Question("ter-003")
	if q.StemText != stem || !strings.Contains(string(q.StemHTML), stem) {
		t.Errorf("stem = %q / %q", q.StemText, q.StemHTML)
	}
	if q.Options[2].Text != "Señal ¡única!" {
		t.Errorf("option = %q", q.Options[2].Text)
	}
	if tr.Modules[1].Title != "Útiles: señales, cigüeñas y ¿qué más?" {
		t.Errorf("module title = %q", tr.Modules[1].Title)
	}
	if !strings.Contains(string(tr.DescriptionHTML), "demuestra") || !strings.Contains(string(tr.Modules[1].HTML), "¿se llenó el disco?") {
		t.Errorf("rendered Spanish lost: %q", tr.Modules[1].HTML)
	}
}

func TestLinksRewrittenForTheSite(t *testing.T) {
	m := fixture(t)
	edit(t, m, "ejemplo/modules/02-terminal.md", "## Resumen", "Repasa [el arranque](01-arranque.md#cambiar-el-orden-de-arranque).\n\n## Resumen")
	cat, report := Load(m, Options{LinkURL: func(track, rel string) string { return "/t/" + track + "/" + rel }})
	if report.HasErrors() {
		t.Fatal(report.Findings)
	}
	tr := cat.Track("ejemplo")
	if h := string(tr.Modules[0].HTML); !strings.Contains(h, `src="/t/ejemplo/images/orden-arranque.png"`) {
		t.Errorf("image not rewritten: %s", h)
	}
	if h := string(tr.Modules[1].HTML); !strings.Contains(h, `href="/t/ejemplo/modules/01-arranque.md#cambiar-el-orden-de-arranque"`) {
		t.Errorf("module link not rewritten: %s", h)
	}
}

func TestRawHTMLIsNotPassedThrough(t *testing.T) {
	m := fixture(t)
	edit(t, m, "ejemplo/modules/02-terminal.md", "## Resumen", "<script>alert(1)</script>\n\n## Resumen")
	cat, report := Load(m, Options{})
	if h := string(cat.Track("ejemplo").Modules[1].HTML); strings.Contains(h, "<script>") {
		t.Errorf("raw HTML passed through: %s", h)
	}
	if len(report.Warnings()) != 1 || report.Warnings()[0].Line != 19 {
		t.Errorf("want one warning at line 19, got %v", report.Findings)
	}
}

func TestTrackDirectoryWithoutFiles(t *testing.T) {
	_, report := Load(fstest.MapFS{"README.md": {Data: []byte("# hola")}}, Options{})
	if !report.HasErrors() || !strings.Contains(report.Errors()[0].Message, "no hay ninguna certificación") {
		t.Errorf("empty content should be an error: %v", report.Findings)
	}
}

func TestShippedContentLintsClean(t *testing.T) {
	dir := path.Join("..", "..", "content")
	cat, report, err := LoadDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range report.Findings {
		t.Errorf("shipped content: %v", f)
	}
	if len(cat.Tracks) == 0 {
		t.Error("no track shipped in content/")
	}
}

func TestTablesScrollInAFocusableRegion(t *testing.T) {
	m := fixture(t)
	edit(t, m, "ejemplo/modules/02-terminal.md", "## Resumen", "| Opción | Qué hace |\n| --- | --- |\n| `-h` | unidades legibles |\n\n## Resumen")
	cat, report := Load(m, Options{})
	if report.HasErrors() {
		t.Fatal(report.Findings)
	}
	h := string(cat.Track("ejemplo").Modules[1].HTML)
	if !strings.Contains(h, `<div class="table-scroll" role="region" tabindex="0" aria-label="Tabla"><table>`) || !strings.Contains(h, "</table></div>") {
		t.Errorf("table not wrapped: %s", h)
	}
}

func TestModuleHeadingIDsAndSections(t *testing.T) {
	m := fixture(t)
	edit(t, m, "ejemplo/modules/02-terminal.md", "## Resumen",
		"## Configuración de la señal Wi-Fi\n\ntexto\n\n### Un detalle\n\ntexto\n\n## Objetivos\n\ntexto\n\n## Configuración de la señal Wi-Fi\n\notra vez\n\n## Resumen")
	cat, report := Load(m, Options{})
	if report.HasErrors() {
		t.Fatal(report.Findings)
	}
	mod := cat.Track("ejemplo").Modules[1]
	var ids, titles []string
	for _, s := range mod.Sections {
		ids = append(ids, s.ID)
		titles = append(titles, s.Title)
	}
	got := strings.Join(ids, " ")
	// Accents fold, a repeated heading gets a number, a heading named like
	// a part of the page around the module does not take its id, and the
	// level-3 heading is not in the table of contents.
	if !strings.Contains(got, "configuracion-de-la-senal-wi-fi objetivos-2 configuracion-de-la-senal-wi-fi-2 resumen") {
		t.Errorf("section ids = %q", got)
	}
	if !strings.Contains(strings.Join(titles, "|"), "Configuración de la señal Wi-Fi|Objetivos|") {
		t.Errorf("section titles = %q", titles)
	}
	h := string(mod.HTML)
	for _, id := range ids {
		if !strings.Contains(h, `<h2 id="`+id+`">`) {
			t.Errorf("no heading with id %q in the module", id)
		}
	}
	if !strings.Contains(h, `<h3 id="un-detalle">`) {
		t.Error("a level-3 heading has no id")
	}
	// The same text gives the same ids on every load.
	again, _ := Load(m, Options{})
	if again.Track("ejemplo").Modules[1].HTML != mod.HTML {
		t.Error("heading ids change between loads")
	}
}

func TestCodeBlocksScrollInAFocusableRegion(t *testing.T) {
	m := fixture(t)
	edit(t, m, "ejemplo/modules/02-terminal.md", "## Resumen", "```sh\nsudo apt install --reinstall paquete-con-nombre-largo\n```\n\n## Resumen")
	cat, report := Load(m, Options{})
	if report.HasErrors() {
		t.Fatal(report.Findings)
	}
	h := string(cat.Track("ejemplo").Modules[1].HTML)
	want := `<div class="code-block"><pre role="region" tabindex="0" aria-label="Código"><code class="language-sh">sudo apt install --reinstall paquete-con-nombre-largo
</code></pre></div>`
	if !strings.Contains(h, want) {
		t.Errorf("code block not wrapped: %s", h)
	}
}
