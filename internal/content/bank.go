package content

import (
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"golang.org/x/text/unicode/norm"

	"mxcert/internal/exam/quality"
)

type bankMeta struct {
	Domain string `yaml:"domain"`
}

// bank is one question-bank file as parsed.
type bank struct {
	file       string
	pool       Pool
	domain     string
	domainLine int
	questions  []*Question
	inBank     bool // read from the separate bank folder
}

var questionIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// parseBank reads one question bank. Each question is a level-2 heading
// with its id, a stem, one GFM task list of options and an optional block
// quote with the explanation. The structure is read from goldmark's AST, so
// "## " or "- [x]" inside a code block stays part of the stem.
func (l *loader) parseBank(file string, data []byte, pool Pool) *bank {
	src := splitFrontMatter(file, data)
	var meta bankMeta
	keys, ok := decodeMeta(src, &meta, l.report)
	if !ok {
		return nil
	}
	b := &bank{file: file, pool: pool, domain: strings.TrimSpace(meta.Domain), domainLine: keyLine(keys, "domain", 1)}
	if b.domain == "" {
		l.report.errorf(file, b.domainLine, "falta «domain»: el dominio del temario de las preguntas de este archivo")
	}

	doc := parseMarkdown(l.md, src.body)
	l.links.check(&src, doc)

	var cur *questionBuilder
	finish := func() {
		if cur != nil {
			if q := cur.build(l, &src); q != nil {
				b.questions = append(b.questions, q)
			}
		}
		cur = nil
	}
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level <= 2 {
			finish()
			if h.Level == 1 {
				l.report.errorf(file, nodeLine(&src, n), "los títulos de nivel 1 («# ») no se usan en un banco; cada pregunta empieza con «## id-de-la-pregunta»")
				continue
			}
			cur = &questionBuilder{line: nodeLine(&src, h), domain: b.domain, pool: pool, file: file}
			cur.readHeading(l, plainText(h, src.body))
			continue
		}
		if cur == nil {
			l.report.errorf(file, nodeLine(&src, n), "texto fuera de una pregunta: cada pregunta empieza con una línea «## id-de-la-pregunta»")
			continue
		}
		cur.add(l, &src, n)
	}
	finish()
	if len(b.questions) == 0 && !l.report.hasErrorsIn(file) {
		l.report.errorf(file, src.bodyLine, "el banco no tiene preguntas: cada una empieza con «## id-de-la-pregunta»")
	}
	return b
}

// questionBuilder gathers the blocks of one question as the bank is read.
type questionBuilder struct {
	id, domain, file string
	group            string // enemy group: never two of one group in an exam
	multi            bool   // "select all that apply", whatever the number of keys
	pool             Pool
	line             int
	stem             []ast.Node
	options          *ast.List
	explanation      *ast.Blockquote
	broken           bool
}

// readHeading reads a question's heading: its id, then optional
// attributes in braces, separated by spaces:
//
//	## sof-001 {grupo=reparar-paquetes varias}
//
// grupo=NAME puts the question in an enemy group (an exam never has two
// questions of one group, across domains too); varias makes it "select all
// that apply" even with one correct option.
func (qb *questionBuilder) readHeading(l *loader, text string) {
	text = strings.TrimSpace(text)
	qb.id = text
	open := strings.IndexByte(text, '{')
	if open < 0 {
		return
	}
	qb.id = strings.TrimSpace(text[:open])
	attrs := text[open+1:]
	end := strings.IndexByte(attrs, '}')
	if end < 0 || strings.TrimSpace(attrs[end+1:]) != "" {
		l.report.errorf(qb.file, qb.line, "pregunta «%s»: los atributos van entre llaves al final del título, como «## %s {grupo=nombre varias}»", qb.id, qb.id)
		qb.broken = true
		return
	}
	for _, a := range strings.Fields(attrs[:end]) {
		key, value, hasValue := strings.Cut(a, "=")
		switch {
		case key == "grupo" && hasValue && slugRe.MatchString(value):
			qb.group = value
		case key == "grupo":
			l.report.errorf(qb.file, qb.line, "pregunta «%s»: el grupo se escribe «grupo=nombre», con minúsculas, dígitos y guiones", qb.id)
			qb.broken = true
		case key == "varias" && !hasValue:
			qb.multi = true
		default:
			l.report.errorf(qb.file, qb.line, "pregunta «%s»: atributo desconocido «%s»; los que hay son «grupo=nombre» y «varias»", qb.id, a)
			qb.broken = true
		}
	}
}

func (qb *questionBuilder) add(l *loader, src *source, n ast.Node) {
	line := nodeLine(src, n)
	switch {
	case qb.explanation != nil:
		l.report.errorf(qb.file, line, "pregunta «%s»: hay contenido después de la explicación; la explicación (cita «> ») va al final", qb.id)
		qb.broken = true
	case isOptionList(n):
		if qb.options != nil {
			l.report.errorf(qb.file, line, "pregunta «%s»: tiene más de una lista de opciones", qb.id)
			qb.broken = true
			return
		}
		qb.options = n.(*ast.List)
	case qb.options != nil:
		if bq, ok := n.(*ast.Blockquote); ok {
			qb.explanation = bq
			return
		}
		l.report.errorf(qb.file, line, "pregunta «%s»: después de las opciones solo puede ir la explicación, como cita («> …»)", qb.id)
		qb.broken = true
	default:
		qb.stem = append(qb.stem, n)
	}
}

func (qb *questionBuilder) build(l *loader, src *source) *Question {
	r := l.report
	if !questionIDRe.MatchString(qb.id) {
		r.errorf(qb.file, qb.line, "id de pregunta no válido «%s»: usa minúsculas, dígitos y guiones, como «inst-014»", qb.id)
		qb.broken = true
	}
	q := &Question{ID: qb.id, Domain: qb.domain, Pool: qb.pool, File: qb.file, Line: qb.line, Group: qb.group, MultiSelect: qb.multi}
	var err error
	if q.StemHTML, err = l.html.render(src.body, qb.stem...); err != nil {
		r.errorf(qb.file, qb.line, "pregunta «%s»: no se pudo convertir a HTML: %v", qb.id, err)
		return nil
	}
	for _, n := range qb.stem {
		q.StemText = strings.TrimSpace(q.StemText + " " + plainText(n, src.body))
	}
	q.check = quality.Item{
		ID: q.ID, Domain: q.Domain, Practice: q.Pool == PracticePool, Group: q.Group, Multi: q.MultiSelect,
		Stem: quality.Text{Plain: q.StemText, Code: codeText(src.body, qb.stem...)},
	}
	if q.StemText == "" {
		r.errorf(qb.file, qb.line, "pregunta «%s»: falta el enunciado entre el título y las opciones", qb.id)
		qb.broken = true
	}
	if qb.options == nil {
		r.errorf(qb.file, qb.line, "pregunta «%s»: no tiene opciones; escríbelas como lista de tareas («- [ ] incorrecta», «- [x] correcta»)", qb.id)
		return nil
	}
	seen := map[string]int{}
	correct := 0
	for item := qb.options.FirstChild(); item != nil; item = item.NextSibling() {
		opt, ok := l.buildOption(src, item)
		if !ok {
			r.errorf(qb.file, nodeLine(src, item), "pregunta «%s»: cada opción debe empezar con «[ ] » o «[x] »", qb.id)
			qb.broken = true
			continue
		}
		key := strings.ToLower(opt.Text)
		if prev, dup := seen[key]; dup {
			r.errorf(qb.file, opt.Line, "pregunta «%s»: la opción «%s» está repetida (ya aparece en la línea %d)", qb.id, opt.Text, prev)
			qb.broken = true
		}
		seen[key] = opt.Line
		if opt.Text == "" {
			r.errorf(qb.file, opt.Line, "pregunta «%s»: hay una opción vacía", qb.id)
			qb.broken = true
		}
		if isCatchAll(opt.Text) {
			r.warnf(qb.file, opt.Line, "pregunta «%s»: la opción «%s» depende del orden, pero las opciones se barajan en cada intento; reescríbela", qb.id, opt.Text)
		}
		if opt.Correct {
			correct++
		}
		q.Options = append(q.Options, opt)
		q.check.Options = append(q.check.Options, quality.Option{Text: quality.Text{Plain: opt.Text, Code: codeText(src.body, item)}, Correct: opt.Correct})
	}
	if len(q.Options) < 2 {
		r.errorf(qb.file, qb.line, "pregunta «%s»: necesita al menos dos opciones (tiene %d)", qb.id, len(q.Options))
		qb.broken = true
	}
	if correct == 0 && len(q.Options) > 0 {
		r.errorf(qb.file, qb.line, "pregunta «%s»: ninguna opción está marcada como correcta con «[x]»", qb.id)
		qb.broken = true
	}
	if correct == len(q.Options) && len(q.Options) > 1 {
		r.warnf(qb.file, qb.line, "pregunta «%s»: todas las opciones están marcadas como correctas", qb.id)
	}
	if qb.explanation == nil {
		r.warnf(qb.file, qb.line, "pregunta «%s»: falta la explicación (una cita «> …» después de las opciones)", qb.id)
	} else {
		var kids []ast.Node
		for c := qb.explanation.FirstChild(); c != nil; c = c.NextSibling() {
			kids = append(kids, c)
		}
		if q.ExplanationHTML, err = l.html.render(src.body, kids...); err != nil {
			r.errorf(qb.file, nodeLine(src, qb.explanation), "pregunta «%s»: no se pudo convertir la explicación a HTML: %v", qb.id, err)
			return nil
		}
		q.check.Explanation = quality.Text{Plain: plainText(qb.explanation, src.body), Code: codeText(src.body, kids...)}
	}
	if qb.broken {
		return nil
	}
	return q
}

// buildOption reads one task-list item. The check box is taken out of the
// tree before rendering, so the option's HTML never says whether it is
// correct.
func (l *loader) buildOption(src *source, item ast.Node) (Option, bool) {
	first := item.FirstChild()
	if first == nil {
		return Option{}, false
	}
	box, ok := first.FirstChild().(*extast.TaskCheckBox)
	if !ok {
		return Option{}, false
	}
	opt := Option{Correct: box.IsChecked, Line: nodeLine(src, item)}
	first.RemoveChild(first, box)
	nodes := []ast.Node{}
	for c := first.FirstChild(); c != nil; c = c.NextSibling() {
		nodes = append(nodes, c) // inline content, without the <p> of a loose list
	}
	for c := first.NextSibling(); c != nil; c = c.NextSibling() {
		nodes = append(nodes, c)
	}
	html, err := l.html.render(src.body, nodes...)
	if err != nil {
		return Option{}, false
	}
	opt.HTML = html
	opt.Text = plainText(item, src.body)
	return opt, true
}

// isOptionList reports whether a block is a question's options: a list
// with at least one task item (items without a box are reported one by one).
func isOptionList(n ast.Node) bool {
	list, ok := n.(*ast.List)
	if !ok {
		return false
	}
	for item := list.FirstChild(); item != nil; item = item.NextSibling() {
		if isTaskItem(item) {
			return true
		}
	}
	return false
}

func isTaskItem(item ast.Node) bool {
	first := item.FirstChild()
	if first == nil {
		return false
	}
	_, ok := first.FirstChild().(*extast.TaskCheckBox)
	return ok
}

// catchAllPhrases are option texts that only make sense in a fixed order.
var catchAllPhrases = []string{
	"todas las anteriores", "ninguna de las anteriores", "todas las opciones",
	"ninguna de las opciones", "ambas anteriores", "las dos anteriores",
	"all of the above", "none of the above",
}

func isCatchAll(option string) bool {
	s := foldAccents(strings.ToLower(option))
	for _, p := range catchAllPhrases {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// foldAccents removes combining marks so "Ningúna" and "ninguna" compare equal.
func foldAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if r < 0x300 || r > 0x36f {
			b.WriteRune(r)
		}
	}
	return b.String()
}
