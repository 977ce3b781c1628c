package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const fixture = "../content/testdata/content"

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return code, out.String(), errb.String()
}

func TestLintCleanContent(t *testing.T) {
	code, out, _ := run(t, "lint", "--content", fixture)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	if want := "1 certificación, 2 módulos, 6 preguntas de examen, 2 preguntas de práctica: 0 errores, 0 avisos\n"; out != want {
		t.Errorf("summary = %q, want %q", out, want)
	}
}

func TestLintReportsFileAndLineAndExitsOne(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, fixture, dir)
	bank := filepath.Join(dir, "ejemplo", "questions", "arranque.md")
	data, _ := os.ReadFile(bank)
	os.WriteFile(bank, bytes.Replace(data, []byte("domain: arranque"), []byte("domian: arranque"), 1), 0o644)

	code, out, _ := run(t, "lint", "--content", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(out, "ejemplo/questions/arranque.md:2: error: clave desconocida «domian» (¿quisiste decir «domain»?)") {
		t.Errorf("output lacks the located finding:\n%s", out)
	}

	code, out, _ = run(t, "lint", "--content", dir, "--json")
	if code != 1 {
		t.Fatalf("--json exit %d, want 1", code)
	}
	var got struct {
		Tracks []struct {
			ID, Title                                 string
			Modules, ExamQuestions, PracticeQuestions int
			Domains                                   map[string]map[string]int
		}
		Errors, Warnings []map[string]any
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got.Errors) == 0 || got.Errors[0]["file"] != "ejemplo/questions/arranque.md" || got.Errors[0]["line"] != 2.0 {
		t.Errorf("errors = %v", got.Errors)
	}
	// The shape is a contract: exactly these keys.
	var raw map[string]json.RawMessage
	json.Unmarshal([]byte(out), &raw)
	var tracks []map[string]json.RawMessage
	json.Unmarshal(raw["tracks"], &tracks)
	keys := func(m map[string]json.RawMessage) string {
		var k []string
		for key := range m {
			k = append(k, key)
		}
		slices.Sort(k)
		return strings.Join(k, ",")
	}
	if keys(raw) != "errors,tracks,warnings" || keys(tracks[0]) != "domains,exam_questions,id,modules,practice_questions,title" {
		t.Errorf("JSON keys: %s / %s", keys(raw), keys(tracks[0]))
	}
	var domains map[string]map[string]int
	json.Unmarshal(tracks[0]["domains"], &domains)
	if d := domains["terminal"]; d["blueprint"] != 1 || d["exam"] != 3 || d["practice"] != 1 || d["modules"] != 1 || len(d) != 4 {
		t.Errorf("domain counts = %v", d)
	}
}

func TestLintMissingDirectory(t *testing.T) {
	code, _, errOut := run(t, "lint", "--content", filepath.Join(t.TempDir(), "nada"))
	if code != 1 || !strings.Contains(errOut, "content directory") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestUsage(t *testing.T) {
	if code, _, _ := run(t); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
	if code, _, errOut := run(t, "volar"); code != 2 || !strings.Contains(errOut, "subcomando desconocido") {
		t.Errorf("unknown subcommand: exit %d %q", code, errOut)
	}
	if code, _, _ := run(t, "lint", "--no-such-flag"); code != 2 {
		t.Errorf("bad flag: exit %d, want 2", code)
	}
	t.Setenv("MXCERT_CONTENT", fixture)
	if code, _, _ := run(t, "lint"); code != 0 {
		t.Errorf("MXCERT_CONTENT not honoured: exit %d", code)
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		// Modes are kept, as cp -a does (the restore in OPERATIONS.md): a
		// signing key that became readable by others would be refused.
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// --report adds, after the findings, a table of the exam questions'
// quality per domain and what always choosing the longest option scores.
func TestLintReport(t *testing.T) {
	code, out, _ := run(t, "lint", "--content", fixture, "--report")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	for _, want := range []string{
		"Calidad de las preguntas de examen de «ejemplo»",
		"Dominio   Preguntas  Única  Más larga  Muy larga  Parecidas  Reveladas  Pistas  Claves en «varias»",
		"arranque          3      2   1 (50 %)          0          0          0       0                   -",
		"terminal          3      3   1 (33 %)          0          0          0       0                   -",
		"Total             6      5   2 (40 %)          0          0          0       0                   -",
		"Más larga: de respuesta única cuya respuesta es la opción más larga (máximo 30 %).",
		"Muy larga: respuesta al menos 1.5 veces y 15 caracteres más larga que todo distractor.",
		"Quien elige siempre la opción más larga, en 10000 exámenes armados con el temario, acierta en promedio ",
		"1 certificación, 2 módulos, 6 preguntas de examen, 2 preguntas de práctica: 0 errores, 0 avisos\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if _, plain, _ := run(t, "lint", "--content", fixture); strings.Contains(plain, "Calidad") {
		t.Errorf("the table is only for --report:\n%s", plain)
	}

	code, out, _ = run(t, "lint", "--content", fixture, "--report", "--json")
	if code != 0 {
		t.Fatalf("--json exit %d: %s", code, out)
	}
	var got struct {
		Tracks []struct {
			Quality struct {
				Domains []struct {
					Domain     string
					Items      int
					KeyLongest int `json:"key_longest"`
				}
				Total struct {
					Items  int
					Single int
				}
				LongestOption struct {
					Draws       int
					MeanPercent float64 `json:"mean_percent"`
					PassShare   float64 `json:"pass_share"`
				} `json:"longest_option"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	q := got.Tracks[0].Quality
	if len(q.Domains) != 2 || q.Domains[0].Domain != "arranque" || q.Domains[0].KeyLongest != 1 || q.Total.Items != 6 || q.Total.Single != 5 {
		t.Errorf("quality = %+v", q)
	}
	if g := q.LongestOption; g.Draws != 10000 || g.MeanPercent <= 0 || g.MeanPercent > 100 || g.PassShare < 0 || g.PassShare > 1 {
		t.Errorf("longest option = %+v", g)
	}
}

// What a finding quotes from the bank is printed by lint only, after the
// message.
func TestLintPrintsTheDetail(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, fixture, dir)
	bank := filepath.Join(dir, "ejemplo", "questions", "arranque.md")
	data, _ := os.ReadFile(bank)
	os.WriteFile(bank, bytes.Replace(data, []byte("¿Qué falta?"), []byte("¿Qué falta guardar?"), 1), 0o644)
	_, out, _ := run(t, "lint", "--content", dir)
	if !strings.Contains(out, "ejemplo/questions/arranque.md:25: aviso: pregunta «arr-003»: una palabra distintiva del enunciado se repite en la respuesta correcta y en ningún distractor") ||
		!strings.Contains(out, "distractores → «guardar»\n") {
		t.Errorf("output lacks the finding with its detail:\n%s", out)
	}
	_, out, _ = run(t, "lint", "--content", dir, "--json")
	if !strings.Contains(out, `"detail": "«guardar»"`) {
		t.Errorf("JSON lacks the detail:\n%s", out)
	}
}
