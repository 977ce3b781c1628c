package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"mxcert/internal/content"
)

func runLint(_ context.Context, args []string, s Streams) int {
	fs := newFlagSet("lint", s)
	dir := fs.String("content", env("content", "./content"), "carpeta de contenido (MXCERT_CONTENT)")
	bank := fs.String("bank", env("bank", ""), "carpeta aparte con los bancos de examen, revisada junto con el contenido; sus archivos se escriben BANK/… (MXCERT_BANK)")
	asJSON := fs.Bool("json", false, "imprime el resultado como JSON")
	withReport := fs.Bool("report", false, "agrega la tabla de calidad de las preguntas por dominio y la simulación de quien elige la opción más larga")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cat, report, err := content.LoadDirWithBank(*dir, *bank, content.Options{})
	if err != nil {
		fmt.Fprintf(s.Err, "mxcert lint: %v\n", err)
		return 1
	}
	var qr []trackQuality
	if *withReport {
		qr = qualityReports(cat)
	}
	if *asJSON {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(lintJSON(cat, report, qr)); err != nil {
			fmt.Fprintf(s.Err, "mxcert lint: %v\n", err)
			return 1
		}
	} else if err := printLint(s, cat, report, qr); err != nil {
		fmt.Fprintf(s.Err, "mxcert lint: %v\n", err)
		return 1
	}
	if report.HasErrors() {
		return 1
	}
	return 0
}

func printLint(s Streams, cat *content.Catalog, report content.Report, qr []trackQuality) error {
	for _, f := range report.Findings {
		if f.Detail != "" {
			fmt.Fprintf(s.Out, "%s → %s\n", f, f.Detail)
			continue
		}
		fmt.Fprintln(s.Out, f.String())
	}
	for _, q := range qr {
		if err := printQuality(s.Out, q); err != nil {
			return err
		}
	}
	var modules, exam, practice int
	for _, t := range cat.Tracks {
		modules += len(t.Modules)
		exam += len(t.ExamQuestions)
		practice += len(t.PracticeQuestions)
	}
	fmt.Fprintf(s.Out, "%s, %s, %s, %s: %s, %s\n",
		plural(len(cat.Tracks), "certificación", "certificaciones"),
		plural(modules, "módulo", "módulos"),
		plural(exam, "pregunta de examen", "preguntas de examen"),
		plural(practice, "pregunta de práctica", "preguntas de práctica"),
		plural(len(report.Errors()), "error", "errores"),
		plural(len(report.Warnings()), "aviso", "avisos"))
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// The JSON shape is a contract with the foundation's CI tooling.
type lintOutput struct {
	Tracks   []lintTrack   `json:"tracks"`
	Errors   []lintFinding `json:"errors"`
	Warnings []lintFinding `json:"warnings"`
}

type lintTrack struct {
	ID                string                `json:"id"`
	Title             string                `json:"title"`
	Modules           int                   `json:"modules"`
	ExamQuestions     int                   `json:"exam_questions"`
	PracticeQuestions int                   `json:"practice_questions"`
	Domains           map[string]lintDomain `json:"domains"`
	Quality           *qualityJSON          `json:"quality,omitempty"` // with --report
}

type lintDomain struct {
	Blueprint int `json:"blueprint"`
	Exam      int `json:"exam"`
	Practice  int `json:"practice"`
	Modules   int `json:"modules"`
}

type lintFinding struct {
	File    string `json:"file"` // relative to the content folder, or to the bank's when Bank
	Line    int    `json:"line"`
	Message string `json:"message"`
	Bank    bool   `json:"bank,omitempty"`
	Detail  string `json:"detail,omitempty"` // the words at fault; may quote the exam bank
}

func lintJSON(cat *content.Catalog, report content.Report, qr []trackQuality) lintOutput {
	out := lintOutput{Tracks: []lintTrack{}, Errors: []lintFinding{}, Warnings: []lintFinding{}}
	for _, t := range cat.Tracks {
		lt := lintTrack{
			ID: t.ID, Title: t.Title, Modules: len(t.Modules),
			ExamQuestions: len(t.ExamQuestions), PracticeQuestions: len(t.PracticeQuestions),
			Domains: map[string]lintDomain{},
		}
		domains := t.Domains()
		for _, m := range t.Modules {
			domains = append(domains, m.Domain)
		}
		for _, q := range slices.Concat(t.ExamQuestions, t.PracticeQuestions) {
			domains = append(domains, q.Domain)
		}
		for _, d := range domains {
			if _, done := lt.Domains[d]; done || d == "" {
				continue
			}
			ld := lintDomain{Exam: len(t.Pool(content.ExamPool, d)), Practice: len(t.Pool(content.PracticePool, d)), Modules: len(t.ModulesFor(d))}
			for _, b := range t.Rules.Blueprint {
				if b.Domain == d {
					ld.Blueprint = b.Count
				}
			}
			lt.Domains[d] = ld
		}
		for _, q := range qr {
			if q.track == t {
				lt.Quality = q.json()
			}
		}
		out.Tracks = append(out.Tracks, lt)
	}
	for _, f := range report.Findings {
		lf := lintFinding{File: f.File, Line: f.Line, Message: f.Message, Bank: f.Bank, Detail: f.Detail}
		if f.Severity == content.Error {
			out.Errors = append(out.Errors, lf)
		} else {
			out.Warnings = append(out.Warnings, lf)
		}
	}
	return out
}
