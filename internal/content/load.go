package content

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"

	"mxcert/internal/exam/quality"
)

// Options tune how content is loaded.
type Options struct {
	// LinkURL rewrites relative links and images to the URLs the site
	// serves them at. Nil keeps them as written (for lint).
	LinkURL LinkURL
	// Now stamps Catalog.LoadedAt; nil means time.Now.
	Now func() time.Time
}

// LoadDir loads the content directory dir and stamps the catalog with its
// content version. The error is for a directory that cannot be read at all;
// problems in the content itself are in the Report.
func LoadDir(dir string, opts Options) (*Catalog, Report, error) {
	return LoadDirWithBank(dir, "", opts)
}

// LoadDirWithBank is LoadDir with the exam pools read from bankDir, a
// folder apart from the content (in production, a private repository),
// laid out like it: BANK/<track>/questions/*.md. The catalog is stamped
// with both versions. An empty bankDir is LoadDir: the exam pools are the
// content's own questions/ folders.
func LoadDirWithBank(dir, bankDir string, opts Options) (*Catalog, Report, error) {
	if err := isDir("content", dir); err != nil {
		return nil, Report{}, err
	}
	var bank fs.FS
	if bankDir != "" {
		if err := isDir("bank", bankDir); err != nil {
			return nil, Report{}, err
		}
		if err := separate(dir, bankDir); err != nil {
			return nil, Report{}, err
		}
		bank = os.DirFS(bankDir)
	}
	cat, report := LoadWithBank(os.DirFS(dir), bank, opts)
	v, err := Version(dir)
	if err != nil {
		return nil, report, fmt.Errorf("content version: %w", err)
	}
	cat.Version = v
	if bankDir != "" {
		if cat.BankVersion, err = Version(bankDir); err != nil {
			return nil, report, fmt.Errorf("bank version: %w", err)
		}
	}
	return cat, report, nil
}

func isDir(what, dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s directory: %w", what, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s directory %s is not a directory", what, dir)
	}
	return nil
}

// separate refuses a bank inside the content folder (or the other way
// round): the content is published, and a bank kept inside it would be
// published with it.
func separate(contentDir, bankDir string) error {
	resolve := func(dir string) (string, error) {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", err
		}
		return filepath.EvalSymlinks(abs) // a link to a folder inside the content is inside it
	}
	c, err := resolve(contentDir)
	if err != nil {
		return err
	}
	b, err := resolve(bankDir)
	if err != nil {
		return err
	}
	inside := func(dir, parent string) bool {
		rel, err := filepath.Rel(parent, dir)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if inside(b, c) || inside(c, b) {
		return fmt.Errorf("the bank %s and the content %s must be separate folders: the content is public, the bank is not", bankDir, contentDir)
	}
	return nil
}

// Load reads every track folder of fsys (a folder holding certification.md)
// and validates the whole. It always returns a catalog of what could be
// read, so lint can count it; serve only uses it when the report has no
// errors.
func Load(fsys fs.FS, opts Options) (*Catalog, Report) {
	return LoadWithBank(fsys, nil, opts)
}

// LoadWithBank is Load with every track's exam pool read from bank, which
// is laid out like the content (<track>/questions/*.md) and holds nothing
// else. With a nil bank it is Load. Modules and practice stay in fsys; so
// do the images that bank questions link to (../images/x.png resolves in
// the content's track folder). The content's own questions/ folders are
// then not served: each one is a warning, and a bank question that is
// also there (same id or same stem) is an error, since its answer is
// already public. Findings about the bank's files are marked Bank.
func LoadWithBank(fsys, bank fs.FS, opts Options) (*Catalog, Report) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	md := newMarkdown()
	l := &loader{fsys: fsys, bank: bank, md: md, html: newRenderer(md), opts: opts, report: &Report{}, bankReport: &Report{}}
	cat := &Catalog{LoadedAt: now().UTC(), Directory: &Directory{}}
	refuseLinks(fsys, l.report)
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		l.report.errorf(".", 1, "no se pudo leer la carpeta de contenido: %v", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		if name == DirectoryFolder {
			cat.Directory = l.loadDirectory()
			continue
		}
		if t := l.loadTrack(name); t != nil {
			cat.Tracks = append(cat.Tracks, t)
		}
	}
	if len(cat.Tracks) == 0 && !l.report.HasErrors() {
		l.report.errorf(".", 1, "no hay ninguna certificación: cada una es una carpeta con su archivo certification.md")
	}
	if bank != nil {
		refuseLinks(bank, l.bankReport)
		l.checkBankTracks()
	}
	for _, f := range l.bankReport.Findings {
		f.Bank = true
		l.report.Findings = append(l.report.Findings, f)
	}
	l.report.sort()
	return cat, *l.report
}

// refuseLinks reports every symbolic link in fsys as an error. The
// server serves images by path, and a link such as images/x.png →
// ../questions/bank.md would put the exam bank on the web; content is
// plain files, so a link is never needed.
func refuseLinks(fsys fs.FS, report *Report) {
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable folder is reported where it is read
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir // .git and the like
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			report.errorf(p, 1, "es un enlace simbólico: el contenido no sigue enlaces, por seguridad; pon aquí el archivo mismo")
		}
		return nil
	})
	if err != nil {
		report.errorf(".", 1, "no se pudo recorrer la carpeta: %v", err)
	}
}

type loader struct {
	fsys   fs.FS
	md     goldmark.Markdown
	html   *renderer
	opts   Options
	report *Report
	links  *linkChecker

	// bank is the separate folder of exam pools, nil when the exam pools
	// are the content's own; findings about its files go to bankReport.
	bank       fs.FS
	bankReport *Report
	inBank     bool // this loader reads the bank (see forBank)
}

type trackMeta struct {
	Title    string `yaml:"title"`
	Version  string `yaml:"version"`
	Language string `yaml:"language"`
	Exam     struct {
		Duration    duration      `yaml:"duration"`
		Questions   int           `yaml:"questions"`
		PassPercent int           `yaml:"pass_percent"`
		RetakeAfter duration      `yaml:"retake_after"`
		Domains     blueprintMeta `yaml:"domains"`
	} `yaml:"exam"`
	Certificate struct {
		ValidForMonths int `yaml:"valid_for_months"`
	} `yaml:"certificate"`
	Quality qualityMeta `yaml:"quality"`
}

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// trackFolders are the entries a track folder may hold.
var trackFolders = map[string]bool{"certification.md": true, "modules": true, "pages": true, "questions": true, "practice": true, "images": true}

func (l *loader) loadTrack(id string) *Track {
	file := id + "/certification.md"
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.report.errorf(id, 1, "la carpeta «%s» no tiene certification.md; cada certificación necesita uno", id)
		return nil
	}
	if !slugRe.MatchString(id) {
		l.report.errorf(file, 1, "el nombre de la carpeta «%s» es el id de la certificación y aparece en las direcciones web: usa minúsculas, dígitos y guiones", id)
	}
	l.links = &linkChecker{fsys: l.fsys, track: id, linkURL: l.opts.LinkURL, report: l.report}
	t := &Track{ID: id, byID: map[string]*Question{}, thresholds: quality.Defaults()}
	keys, ok := l.parseTrackFile(t, file, data)

	entries, _ := fs.ReadDir(l.fsys, id) // readable: certification.md was just read from it
	for _, e := range entries {
		if !trackFolders[e.Name()] && !strings.HasPrefix(e.Name(), ".") {
			l.report.warnf(id+"/"+e.Name(), 1, "«%s» no es parte del formato y se ignora (se esperan certification.md, modules/, pages/, questions/, practice/ e images/)", e.Name())
		}
	}

	l.checkFigures(id)
	moduleDomainLines := map[*Module]int{}
	for _, f := range l.markdownFiles(id + "/modules") {
		if data, ok := l.read(f); ok {
			if m, line := l.parseModule(f, data); m != nil {
				t.Modules = append(t.Modules, m)
				moduleDomainLines[m] = line
			}
		}
	}
	for _, f := range l.markdownFiles(id + "/pages") {
		if data, ok := l.read(f); ok {
			if p := l.parsePage(f, data); p != nil {
				t.Pages = append(t.Pages, p)
			}
		}
	}
	banks, poolsKnown := l.loadBanks(t)
	if ok {
		l.validateTrack(t, file, keys, moduleDomainLines, banks, poolsKnown)
	}
	l.lintQuality(t, file, keys, banks)
	return t
}

// loadBanks reads the track's exam and practice banks and indexes their
// questions, each id once in the whole track. poolsKnown is false when a
// bank could not be read or is missing: pool sizes are not judged then.
func (l *loader) loadBanks(t *Track) (banks []*bank, poolsKnown bool) {
	poolsKnown = true
	exam := l
	if l.bank != nil {
		exam = l.forBank(t.ID)
		if !exam.bankHasQuestions(t.ID) {
			poolsKnown = false
		}
		if isFolder(l.fsys, t.ID+"/questions") {
			l.report.warnf(t.ID+"/questions", 1, "se ignora: el banco de examen viene de la carpeta del banco (--bank), no del contenido; quita esta carpeta o deja en ella solo preguntas que ya no sirvan para el examen")
		}
	}
	for _, pool := range []Pool{ExamPool, PracticePool} {
		from, dir := exam, t.ID+"/questions"
		if pool == PracticePool {
			from, dir = l, t.ID+"/practice"
		}
		for _, f := range from.markdownFiles(dir) {
			data, ok := from.read(f)
			if !ok {
				poolsKnown = false
				continue
			}
			b := from.parseBank(f, data, pool)
			if b == nil {
				poolsKnown = false
				continue
			}
			b.inBank = from.inBank
			for _, q := range b.questions {
				q.FromBank = from.inBank
			}
			banks = append(banks, b)
		}
	}
	for _, b := range banks {
		for _, q := range b.questions {
			if prev, dup := t.byID[q.ID]; dup {
				l.reportOf(q.FromBank).errorf(q.File, q.Line, "id de pregunta repetido «%s»: ya se usa en %s (los ids son únicos en toda la certificación)", q.ID, prev.Place())
				continue
			}
			t.byID[q.ID] = q
			if b.pool == ExamPool {
				t.ExamQuestions = append(t.ExamQuestions, q)
			} else {
				t.PracticeQuestions = append(t.PracticeQuestions, q)
			}
		}
	}
	if l.bank != nil {
		l.refusePublished(t)
	}
	return banks, poolsKnown
}

func (l *loader) read(file string) ([]byte, bool) {
	data, err := fs.ReadFile(l.fsys, file)
	if err != nil {
		l.report.errorf(file, 1, "no se pudo leer: %v", err)
		return nil, false
	}
	return data, true
}

// markdownFiles lists the .md files of a folder in name order; a missing
// folder is simply empty.
func (l *loader) markdownFiles(dir string) []string {
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, "."):
		case e.IsDir() || path.Ext(name) != ".md":
			l.report.warnf(dir+"/"+name, 1, "se ignora «%s»: aquí solo se leen archivos .md", name)
		default:
			out = append(out, dir+"/"+name)
		}
	}
	slices.Sort(out)
	return out
}

func (l *loader) parseTrackFile(t *Track, file string, data []byte) (metaKeys, bool) {
	src := splitFrontMatter(file, data)
	var meta trackMeta
	keys, ok := decodeMeta(src, &meta, l.report)
	if !ok {
		return keys, false
	}
	r := l.report
	need := func(key, what string) {
		if _, ok := keys[key]; !ok {
			parent, _, _ := strings.Cut(key, ".")
			line := 1
			if parent != key {
				line = keyLine(keys, parent, 1)
			}
			r.errorf(file, line, "falta «%s»: %s", key, what)
		}
	}
	need("title", "el nombre de la certificación")
	need("version", "la versión del temario, entre comillas, como \"2026.1\"")
	need("language", "el idioma del contenido, como es-MX")
	need("exam", "las reglas del examen")
	if _, hasExam := keys["exam"]; hasExam {
		need("exam.duration", "la duración del examen, como 60m")
		need("exam.questions", "cuántas preguntas tiene el examen")
		need("exam.pass_percent", "el porcentaje mínimo para aprobar")
		need("exam.retake_after", "la espera antes de reintentar tras reprobar, como 24h")
		need("exam.domains", "el temario: cuántas preguntas aporta cada dominio")
	}
	t.Title = strings.TrimSpace(meta.Title)
	t.Version = strings.TrimSpace(meta.Version)
	t.Language = strings.TrimSpace(meta.Language)
	t.Rules = ExamRules{
		Duration:    meta.Exam.Duration.Duration,
		Questions:   meta.Exam.Questions,
		PassPercent: meta.Exam.PassPercent,
		RetakeAfter: meta.Exam.RetakeAfter.Duration,
	}
	for _, e := range meta.Exam.Domains.entries {
		t.Rules.Blueprint = append(t.Rules.Blueprint, DomainCount{Domain: e.domain, Count: e.count})
	}
	t.Certificate = CertificateRules{ValidForMonths: meta.Certificate.ValidForMonths}
	t.thresholds = l.qualityThresholds(file, meta.Quality, keys)

	if _, has := keys["title"]; has && t.Title == "" {
		r.errorf(file, keys["title"], "«title» está vacío")
	}
	if _, has := keys["exam.duration"]; has && t.Rules.Duration <= 0 {
		r.errorf(file, keys["exam.duration"], "«exam.duration» debe ser mayor que cero")
	}
	if _, has := keys["exam.questions"]; has && t.Rules.Questions <= 0 {
		r.errorf(file, keys["exam.questions"], "«exam.questions» debe ser mayor que cero")
	}
	if _, has := keys["exam.pass_percent"]; has && (t.Rules.PassPercent < 1 || t.Rules.PassPercent > 100) {
		r.errorf(file, keys["exam.pass_percent"], "«exam.pass_percent» debe estar entre 1 y 100 (es %d)", t.Rules.PassPercent)
	}
	if t.Rules.RetakeAfter < 0 {
		r.errorf(file, keys["exam.retake_after"], "«exam.retake_after» no puede ser negativo")
	}
	if t.Certificate.ValidForMonths < 0 {
		r.errorf(file, keys["certificate.valid_for_months"], "«certificate.valid_for_months» no puede ser negativo (0 significa que no vence)")
	}

	doc := parseMarkdown(l.md, src.body)
	l.links.check(&src, doc)
	html, err := l.html.render(src.body, doc)
	if err != nil {
		r.errorf(file, src.bodyLine, "no se pudo convertir la descripción a HTML: %v", err)
	}
	t.DescriptionHTML = html
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if _, ok := n.(*ast.Paragraph); ok {
			if t.SummaryHTML, err = l.html.render(src.body, n); err != nil {
				r.errorf(file, src.bodyLine, "no se pudo convertir la descripción a HTML: %v", err)
			}
			break
		}
	}
	if plainText(doc, src.body) == "" {
		r.warnf(file, src.bodyLine, "falta la descripción de la certificación después de los metadatos")
	}
	return keys, true
}
