package content

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// generatedTrack builds a valid track with n exam questions spread over ten
// domains, in the shape the foundation writes. Each question has words of
// its own (see coined), so that the item-quality checks see n different
// questions rather than n copies of one; the number of keys varies.
func generatedTrack(n int) fstest.MapFS {
	const domains = 10
	m := fstest.MapFS{}
	var bp strings.Builder
	for d := range domains {
		fmt.Fprintf(&bp, "    d%02d: 1\n", d)
	}
	m["gen/certification.md"] = &fstest.MapFile{Data: fmt.Appendf(nil, "---\ntitle: Generada\nversion: \"1\"\nlanguage: es-MX\nexam:\n  duration: 60m\n  questions: %d\n  pass_percent: 70\n  retake_after: 24h\n  domains:\n%scertificate:\n  valid_for_months: 0\n---\n\nUna certificación generada.\n", domains, bp.String())}
	for d := range domains {
		m[fmt.Sprintf("gen/modules/%02d-d%02d.md", d, d)] = &fstest.MapFile{Data: fmt.Appendf(nil, "---\ntitle: Módulo %d\ndomain: d%02d\nobjectives:\n  - Aprender\n---\n\nTexto del módulo.\n", d, d)}
		m[fmt.Sprintf("gen/practice/d%02d.md", d)] = &fstest.MapFile{Data: fmt.Appendf(nil, "---\ndomain: d%02d\n---\n\n## p-d%02d\n¿Práctica?\n\n- [x] Sí\n- [ ] No\n\n> Así es.\n", d, d)}
		var b bytes.Buffer
		fmt.Fprintf(&b, "---\ndomain: d%02d\n---\n", d)
		for i := d; i < n; i += domains {
			box := " "
			if i/domains%2 == 1 {
				box = "x"
			}
			fmt.Fprintf(&b, "\n## q-%05d\nUn cliente reporta la falla %s en su equipo %s. ¿Qué revisas **primero**?\n\n```sh\nsudo journalctl -b -p err\n```\n\n- [ ] Reinstalar el sistema\n- [x] El registro de errores del arranque, %s\n- [%s] Cambiar el monitor\n- [x] Preguntar qué cambió recientemente\n\n> Primero se observa; después se cambia una cosa a la vez.\n",
				i, coined(3*i), coined(3*i+1), coined(3*i+2), box)
		}
		m[fmt.Sprintf("gen/questions/d%02d.md", d)] = &fstest.MapFile{Data: b.Bytes()}
	}
	return m
}

// coined makes up a word of its own for each n below 512,000: «bababa»,
// «bababe»… Six letters, as many as the checks compare.
func coined(n int) string {
	var w strings.Builder
	for range 3 {
		w.WriteByte("bcdfgjklmnprstvz"[n/5%16])
		w.WriteByte("aeiou"[n%5])
		n /= 80
	}
	return w.String()
}

func TestTenThousandQuestionsLoad(t *testing.T) {
	cat, report := Load(generatedTrack(10000), Options{})
	if len(report.Findings) != 0 {
		t.Fatalf("generated content has findings: %v", report.Findings[:min(5, len(report.Findings))])
	}
	tr := cat.Track("gen")
	if len(tr.ExamQuestions) != 10000 {
		t.Fatalf("loaded %d exam questions, want 10000", len(tr.ExamQuestions))
	}
	if q := tr.Question("q-09999"); q == nil || !q.Multiple() || len(q.Options) != 4 {
		t.Errorf("last question = %+v", q)
	}
}

// BenchmarkLoad10000 measures loading and validating 10,000 questions (the
// aim is well under a second per load).
func BenchmarkLoad10000(b *testing.B) {
	fsys := generatedTrack(10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, report := Load(fsys, Options{}); report.HasErrors() {
			b.Fatal(report.Findings[0])
		}
	}
}

// FuzzParseBank feeds arbitrary bytes to the question-bank parser: it must
// never panic, every finding must point inside the file, and every question
// it accepts must be well formed with option HTML that does not reveal the
// key.
func FuzzParseBank(f *testing.F) {
	for _, p := range []string{"testdata/content/ejemplo/questions/arranque.md", "testdata/content/ejemplo/questions/terminal.md", "testdata/content/ejemplo/practice/arranque.md"} {
		data, err := os.ReadFile(filepath.FromSlash(p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		md := newMarkdown()
		l := &loader{fsys: fsys, md: md, html: newRenderer(md), report: &Report{}}
		l.links = &linkChecker{fsys: fsys, track: "t", report: l.report}
		b := l.parseBank("t/questions/x.md", data, ExamPool)
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, f := range l.report.Findings {
			if f.Line < 1 || f.Line > lines {
				t.Errorf("finding outside the file (%d lines): %v", lines, f)
			}
		}
		if b == nil {
			return
		}
		for _, q := range b.questions {
			if !questionIDRe.MatchString(q.ID) || len(q.Options) < 2 || q.StemText == "" {
				t.Errorf("malformed question accepted: %+v", q)
			}
			correct := 0
			for _, o := range q.Options {
				if o.Correct {
					correct++
				}
				if strings.Contains(string(o.HTML), "<input") {
					t.Errorf("option HTML reveals the key: %q", o.HTML)
				}
			}
			if correct == 0 {
				t.Errorf("question without a key accepted: %+v", q)
			}
		}
	})
}
