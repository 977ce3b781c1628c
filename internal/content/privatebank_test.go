package content

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// splitFixture is the example track as a private bank would hold it: the
// content without its questions/ folder, and the bank with only that.
func splitFixture(t *testing.T) (content, bank fstest.MapFS) {
	t.Helper()
	content, bank = fstest.MapFS{}, fstest.MapFS{}
	for name, f := range fixture(t) {
		if strings.HasPrefix(name, "ejemplo/questions/") {
			bank[name] = f
		} else {
			content[name] = f
		}
	}
	return content, bank
}

// splitDir writes the split example to two folders of a temporary
// directory, as an operator would lay them out.
func splitDir(t *testing.T) (contentDir, bankDir string) {
	t.Helper()
	root := t.TempDir()
	contentDir, bankDir = filepath.Join(root, "content"), filepath.Join(root, "banco")
	if err := os.CopyFS(contentDir, os.DirFS("testdata/content")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(bankDir, "ejemplo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(contentDir, "ejemplo", "questions"), filepath.Join(bankDir, "ejemplo", "questions")); err != nil {
		t.Fatal(err)
	}
	return contentDir, bankDir
}

func errorsAbout(r Report, substr string) []Finding {
	var out []Finding
	for _, f := range r.Errors() {
		if strings.Contains(f.Message, substr) {
			out = append(out, f)
		}
	}
	return out
}

func TestPrivateBankFromASeparateDirectory(t *testing.T) {
	contentDir, bankDir := splitDir(t)
	cat, report, err := LoadDirWithBank(contentDir, bankDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Findings) != 0 {
		t.Fatalf("the split example should lint clean:\n%s", findingsText(report))
	}
	tr := cat.Track("ejemplo")
	if len(tr.ExamQuestions) != 6 || len(tr.PracticeQuestions) != 2 || len(tr.Modules) != 2 {
		t.Fatalf("exam %d, practice %d, modules %d; want 6, 2, 2", len(tr.ExamQuestions), len(tr.PracticeQuestions), len(tr.Modules))
	}
	for _, q := range tr.ExamQuestions {
		if !q.FromBank || !strings.HasPrefix(q.File, "ejemplo/questions/") {
			t.Errorf("%s: FromBank %v, File %s", q.ID, q.FromBank, q.File)
		}
	}
	if q := tr.Question("arr-001"); q.Place() != "BANK/ejemplo/questions/arranque.md:5" {
		t.Errorf("arr-001 is at %s", q.Place())
	}
	if q := tr.Question("pra-arr-001"); q.FromBank || q.Place() != "ejemplo/practice/arranque.md:5" {
		t.Errorf("practice stays in the content: %s, FromBank %v", q.Place(), q.FromBank)
	}

	// Each folder has its own version: an edit of the bank changes the
	// bank's, not the content's.
	if !strings.HasPrefix(cat.BankVersion, "sha256:") || cat.BankVersion == cat.Version {
		t.Fatalf("versions: content %q, bank %q", cat.Version, cat.BankVersion)
	}
	if got := cat.Versions(); got != (Versions{Content: cat.Version, Bank: cat.BankVersion}) {
		t.Errorf("Versions() = %+v", got)
	}
	file := filepath.Join(bankDir, "ejemplo", "questions", "terminal.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	again, _, err := LoadDirWithBank(contentDir, bankDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Version != cat.Version || again.BankVersion == cat.BankVersion {
		t.Errorf("after a bank edit: content %q→%q, bank %q→%q", cat.Version, again.Version, cat.BankVersion, again.BankVersion)
	}

	// Without a bank, the content alone has no exam pool.
	_, alone, err := LoadDir(contentDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(errorsAbout(alone, "su banco de examen solo tiene 0")) != 2 {
		t.Errorf("content without its bank should miss both pools:\n%s", findingsText(alone))
	}
	if cat, _, _ := LoadDir(contentDir, Options{}); cat.BankVersion != "" {
		t.Errorf("no bank, bank version %q", cat.BankVersion)
	}
}

func TestBankMustNotLiveInsideTheContent(t *testing.T) {
	contentDir, _ := splitDir(t)
	inside := filepath.Join(contentDir, "_banco")
	if err := os.MkdirAll(inside, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadDirWithBank(contentDir, inside, Options{}); err == nil || !strings.Contains(err.Error(), "separate") {
		t.Errorf("a bank inside the content: err = %v", err)
	}
	link := filepath.Join(t.TempDir(), "banco")
	if err := os.Symlink(inside, link); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadDirWithBank(contentDir, link, Options{}); err == nil {
		t.Error("a link to a bank inside the content was accepted")
	}
	if _, _, err := LoadDirWithBank(contentDir, contentDir, Options{}); err == nil {
		t.Error("the content as its own bank was accepted")
	}
	if _, _, err := LoadDirWithBank(contentDir, filepath.Join(t.TempDir(), "no-existe"), Options{}); err == nil {
		t.Error("a missing bank folder was accepted")
	}
}

// Lint judges content and bank as one: the blueprint against the bank's
// pools, ids across both, the bank's links against the content's images.
func TestLintOverContentAndBank(t *testing.T) {
	t.Run("blueprint against the bank", func(t *testing.T) {
		content, bank := splitFixture(t)
		edit(t, content, "ejemplo/certification.md", "terminal: 1", "terminal: 4")
		edit(t, content, "ejemplo/certification.md", "questions: 2", "questions: 5")
		_, report := LoadWithBank(content, bank, Options{})
		got := errorsAbout(report, "«terminal» pide 4 preguntas por examen, pero su banco de examen solo tiene 3")
		if len(got) != 1 || got[0].Bank || got[0].File != "ejemplo/certification.md" {
			t.Errorf("want the blueprint error in the content's certification.md:\n%s", findingsText(report))
		}
	})
	t.Run("ids unique across both", func(t *testing.T) {
		content, bank := splitFixture(t)
		edit(t, bank, "ejemplo/questions/terminal.md", "## ter-003", "## pra-arr-001")
		_, report := LoadWithBank(content, bank, Options{})
		got := errorsAbout(report, "id de pregunta repetido «pra-arr-001»")
		// Exam pools are read first: the practice question is the repeat.
		if len(got) != 1 || got[0].Place() != "ejemplo/practice/arranque.md:5" || !strings.Contains(got[0].Message, "ya se usa en BANK/ejemplo/questions/terminal.md:30") {
			t.Errorf("want the repeated id, pointing to the bank's question:\n%s", findingsText(report))
		}
	})
	t.Run("links resolve in the content", func(t *testing.T) {
		content, bank := splitFixture(t)
		edit(t, bank, "ejemplo/questions/arranque.md", "¿Qué revisas primero?", "¿Qué revisas primero?\n\n![Menú de arranque](../images/orden-arranque.png)")
		edit(t, bank, "ejemplo/questions/terminal.md", "¿Qué le dices?", "¿Qué le dices?\n\n![Salida de df](../images/df.png)")
		cat, report := LoadWithBank(content, bank, Options{LinkURL: func(track, rel string) string { return "/t/" + track + "/" + rel }})
		if h := string(cat.Track("ejemplo").Question("arr-001").StemHTML); !strings.Contains(h, `src="/t/ejemplo/images/orden-arranque.png"`) {
			t.Errorf("bank image not served from the content's images: %s", h)
		}
		broken := errorsAbout(report, "imagen roto")
		if len(broken) != 1 || !broken[0].Bank || broken[0].File != "ejemplo/questions/terminal.md" {
			t.Errorf("want one broken image, in the bank:\n%s", findingsText(report))
		}
	})
	t.Run("domain outside the blueprint", func(t *testing.T) {
		content, bank := splitFixture(t)
		edit(t, bank, "ejemplo/questions/terminal.md", "domain: terminal", "domain: redes")
		_, report := LoadWithBank(content, bank, Options{})
		got := errorsAbout(report, "el dominio «redes» no está en el temario")
		if len(got) != 1 || got[0].Place() != "BANK/ejemplo/questions/terminal.md:2" {
			t.Errorf("want the unknown domain in the bank:\n%s", findingsText(report))
		}
	})
	t.Run("a track without its bank", func(t *testing.T) {
		content, _ := splitFixture(t)
		bank := fstest.MapFS{"README.md": {Data: []byte("# Banco\n")}}
		_, report := LoadWithBank(content, bank, Options{})
		if len(report.Errors()) != 1 || report.Errors()[0].String() != "BANK/ejemplo/questions:1: error: falta el banco de examen de «ejemplo»: con una carpeta de banco (--bank), las preguntas de examen de cada certificación van en BANK/ejemplo/questions/" {
			t.Errorf("want exactly one error, the missing bank:\n%s", findingsText(report))
		}
	})
	t.Run("the bank holds exam pools only", func(t *testing.T) {
		content, bank := splitFixture(t)
		bank["otra/questions/a.md"] = bank["ejemplo/questions/arranque.md"]
		bank["ejemplo/practice/extra.md"] = content["ejemplo/practice/arranque.md"]
		_, report := LoadWithBank(content, bank, Options{})
		unknown := errorsAbout(report, "el banco tiene la carpeta «otra», pero el contenido no tiene esa certificación")
		if len(unknown) != 1 || !unknown[0].Bank {
			t.Errorf("want an error for a bank folder of no track:\n%s", findingsText(report))
		}
		var ignored bool
		for _, f := range report.Warnings() {
			ignored = ignored || (f.Bank && f.File == "ejemplo/practice" && strings.Contains(f.Message, "no es parte del banco"))
		}
		if !ignored {
			t.Errorf("want a warning that the bank's practice/ is ignored:\n%s", findingsText(report))
		}
	})
	t.Run("symbolic links in the bank", func(t *testing.T) {
		contentDir, bankDir := splitDir(t)
		if err := os.Symlink("arranque.md", filepath.Join(bankDir, "ejemplo", "questions", "copia.md")); err != nil {
			t.Fatal(err)
		}
		_, report, err := LoadDirWithBank(contentDir, bankDir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got := errorsAbout(report, "enlace simbólico")
		if len(got) != 1 || got[0].Place() != "BANK/ejemplo/questions/copia.md:1" {
			t.Errorf("want the link refused, in the bank:\n%s", findingsText(report))
		}
	})
}

// With a bank, the content's own questions/ folder is not served, and a
// bank question that is also there is refused: its answer is public.
func TestBankQuestionsMustNotBePublic(t *testing.T) {
	content := fixture(t) // still has ejemplo/questions/
	bank := fstest.MapFS{}
	_, split := splitFixture(t)
	for name, f := range split {
		bank[name] = f
	}
	// One question moved as it was, one renamed, one rewritten.
	edit(t, bank, "ejemplo/questions/terminal.md", "## ter-002", "## ter-102")
	edit(t, bank, "ejemplo/questions/terminal.md", "## ter-003\n¿Qué opción de `df` muestra los tamaños en K, M y G?", "## ter-103\n¿Con qué opción `df` escribe los tamaños en unidades legibles?")
	cat, report := LoadWithBank(content, bank, Options{})

	var ignored []Finding
	for _, f := range report.Warnings() {
		if strings.Contains(f.Message, "se ignora: el banco de examen viene de la carpeta del banco") {
			ignored = append(ignored, f)
		}
	}
	if len(ignored) != 1 || ignored[0].Bank || ignored[0].File != "ejemplo/questions" {
		t.Errorf("want one warning on the content's questions/ folder:\n%s", findingsText(report))
	}
	same := errorsAbout(report, "también está en el contenido, que es público")
	var ids []string
	for _, f := range same {
		if !f.Bank {
			t.Errorf("finding not marked as the bank's: %v", f)
		}
		ids = append(ids, strings.Split(f.Message, "«")[1][:7])
	}
	slices.Sort(ids)
	if want := []string{"arr-001", "arr-002", "arr-003", "ter-001"}; !slices.Equal(ids, want) {
		t.Errorf("copied questions reported: %v, want %v\n%s", ids, want, findingsText(report))
	}
	renamed := errorsAbout(report, "tiene el mismo enunciado que «ter-002»")
	if len(renamed) != 1 || renamed[0].Place() != "BANK/ejemplo/questions/terminal.md:14" || !strings.Contains(renamed[0].Message, "(ejemplo/questions/terminal.md:14)") {
		t.Errorf("want the renamed copy reported:\n%s", findingsText(report))
	}
	if len(report.Errors()) != 5 {
		t.Errorf("want 5 errors, the copies only:\n%s", findingsText(report))
	}
	// The exam pool is the bank's alone, not the content's copy.
	for _, q := range cat.Track("ejemplo").ExamQuestions {
		if !q.FromBank {
			t.Errorf("%s was served from the content", q.ID)
		}
	}
	if cat.Track("ejemplo").Question("ter-002") != nil {
		t.Error("the content's ter-002 is in the catalog")
	}
}
