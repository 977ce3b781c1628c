package content

import (
	"io/fs"
	"strings"
)

// The exam pools can be kept apart from the content, in a folder of their
// own (in production, a private repository), because anyone who can read
// the content's repository could otherwise read the answer key. The bank
// is laid out like the content and holds only the exam pools:
//
//	BANK/<track>/questions/*.md
//
// Everything else (certification.md, modules, practice, images) stays in
// the content, which is public. LoadWithBank reads the two together, so
// that lint judges them as one: the blueprint against the bank's pools,
// the bank's links against the content's images, and question ids unique
// across both.

// forBank returns a loader that reads the bank's files of one track and
// reports about them in the bank's report. Links in the bank resolve in
// the content: images live there.
func (l *loader) forBank(track string) *loader {
	b := *l
	b.fsys, b.report, b.inBank = l.bank, l.bankReport, true
	b.links = &linkChecker{fsys: l.fsys, track: track, linkURL: l.opts.LinkURL, report: l.bankReport}
	return &b
}

// reportOf is the report for findings about a file of the bank (inBank)
// or of the content.
func (l *loader) reportOf(inBank bool) *Report {
	if inBank {
		return l.bankReport
	}
	return l.report
}

// bankHasQuestions reports whether the bank has a questions/ folder for
// the track; a missing one is an error, said once, instead of one "pool
// too small" per domain.
func (l *loader) bankHasQuestions(track string) bool {
	if isFolder(l.fsys, track+"/questions") {
		return true
	}
	l.report.errorf(track+"/questions", 1, "falta el banco de examen de «%s»: con una carpeta de banco (--bank), las preguntas de examen de cada certificación van en %s%s/questions/", track, BankPrefix, track)
	return false
}

// checkBankTracks reports the bank's folders that name no track of the
// content, and whatever a bank's track folder holds besides questions/.
func (l *loader) checkBankTracks() {
	entries, err := fs.ReadDir(l.bank, ".")
	if err != nil {
		l.bankReport.errorf(".", 1, "no se pudo leer la carpeta del banco: %v", err)
		return
	}
	for _, e := range entries {
		id := e.Name()
		if !e.IsDir() || strings.HasPrefix(id, ".") || strings.HasPrefix(id, "_") {
			continue // README.md, .git and the like
		}
		if !isFolder(l.fsys, id) {
			l.bankReport.errorf(id, 1, "el banco tiene la carpeta «%s», pero el contenido no tiene esa certificación (se esperaba %s/certification.md en la carpeta de contenido)", id, id)
			continue
		}
		inner, err := fs.ReadDir(l.bank, id)
		if err != nil {
			l.bankReport.errorf(id, 1, "no se pudo leer: %v", err)
			continue
		}
		for _, f := range inner {
			if f.Name() != "questions" && !strings.HasPrefix(f.Name(), ".") {
				l.bankReport.warnf(id+"/"+f.Name(), 1, "«%s» no es parte del banco y se ignora: en el banco solo va questions/; la certificación, los módulos, la práctica y las imágenes van en la carpeta de contenido", f.Name())
			}
		}
	}
}

// refusePublished reports the bank's questions whose answer is already
// public: the same id or the same stem as a question of the content, in
// its (ignored) questions/ folder or in practice/. Moving the public bank
// into the private one does not make it secret again.
func (l *loader) refusePublished(t *Track) {
	// The ignored folder is read on the side: its own mistakes are not
	// reported, since it is not served.
	scratch := *l
	scratch.report = &Report{}
	scratch.links = &linkChecker{fsys: l.fsys, track: t.ID, report: scratch.report}
	var published []*Question
	for _, f := range scratch.markdownFiles(t.ID + "/questions") {
		if data, ok := scratch.read(f); ok {
			if b := scratch.parseBank(f, data, ExamPool); b != nil {
				published = append(published, b.questions...)
			}
		}
	}
	published = append(published, t.PracticeQuestions...)
	byID := map[string]*Question{}
	byStem := map[string]*Question{}
	for _, q := range published {
		if _, seen := byID[q.ID]; !seen {
			byID[q.ID] = q
		}
		if k := stemKey(q); k != "" {
			if _, seen := byStem[k]; !seen {
				byStem[k] = q
			}
		}
	}
	for _, q := range t.ExamQuestions {
		if !q.FromBank {
			continue
		}
		// A practice question with the same id is already reported as a
		// repeated id.
		if p := byID[q.ID]; p != nil && p.Pool == ExamPool {
			l.bankReport.errorf(q.File, q.Line, "la pregunta «%s» también está en el contenido, que es público (%s): quien lea ese repositorio tiene su respuesta; en el banco van preguntas nuevas, con ids nuevos", q.ID, p.Place())
		} else if p := byStem[stemKey(q)]; p != nil && p.ID != q.ID {
			l.bankReport.errorf(q.File, q.Line, "la pregunta «%s» tiene el mismo enunciado que «%s», en el contenido, que es público (%s): quien lea ese repositorio tiene su respuesta; escribe una pregunta nueva", q.ID, p.ID, p.Place())
		}
	}
}

// stemKey is a stem as compared for copies: letter case, accents and
// spacing do not count.
func stemKey(q *Question) string { return foldAccents(strings.ToLower(q.StemText)) }

func isFolder(fsys fs.FS, name string) bool {
	info, err := fs.Stat(fsys, name)
	return err == nil && info.IsDir()
}
