package content

import (
	"bufio"
	"bytes"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// newMarkdown is the one configured goldmark instance for all content: GFM
// (tables, task lists, autolinks, strikethrough) and heading ids (see
// headingIDs). Raw HTML
// in content is not passed through (goldmark's default without WithUnsafe).
func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
}

func parseMarkdown(md goldmark.Markdown, body []byte) ast.Node {
	return parseWithIDs(md.Parser(), body)
}

func textReader(body []byte) text.Reader { return text.NewReader(body) }

// renderer renders nodes to HTML through one reused buffer: loading
// thousands of questions renders tens of thousands of small fragments.
type renderer struct {
	md  goldmark.Markdown
	buf bytes.Buffer
	w   *bufio.Writer
}

func newRenderer(md goldmark.Markdown) *renderer {
	r := &renderer{md: md}
	r.w = bufio.NewWriter(&r.buf)
	return r
}

// render renders the given nodes, in order, to HTML.
func (r *renderer) render(body []byte, nodes ...ast.Node) (template.HTML, error) {
	r.buf.Reset()
	r.w.Reset(&r.buf)
	for _, n := range nodes {
		if err := r.md.Renderer().Render(r.w, body, n); err != nil {
			return "", err
		}
	}
	if err := r.w.Flush(); err != nil {
		return "", err
	}
	out := strings.TrimSpace(r.buf.String())
	if strings.Contains(out, "<table>") {
		// A wide table scrolls sideways on a phone; a scrolling box must be
		// reachable with the keyboard (WCAG 2.1.1), so it gets a focusable,
		// named region. Raw HTML never reaches here, so every <table> is a
		// Markdown table.
		out = strings.ReplaceAll(out, "<table>", `<div class="table-scroll" role="region" tabindex="0" aria-label="Tabla"><table>`)
		out = strings.ReplaceAll(out, "</table>", "</table></div>")
	}
	if strings.Contains(out, `<input `) {
		// A task list ("- [ ] …") in a lesson is a checklist to print or
		// copy, not a form: a disabled check box without a label is noise
		// for a screen reader. Each box is drawn by the style sheet, and a
		// done item says so in words.
		out = strings.ReplaceAll(out, `<li><input disabled="" type="checkbox"> `, `<li class="task">`)
		out = strings.ReplaceAll(out, `<li><input checked="" disabled="" type="checkbox"> `, `<li class="task done"><span class="visually-hidden">Hecho: </span>`)
	}
	if strings.Contains(out, "<img ") {
		out = figures(out)
	}
	if strings.Contains(out, "<pre>") {
		// A command is never wrapped mid-argument: a code block scrolls
		// sideways, in a focusable named region like a wide table, inside
		// a box where copy.js adds its «Copiar» button. Every <pre> is a
		// Markdown code block, for the same reason as the tables.
		out = strings.ReplaceAll(out, "<pre>", `<div class="code-block"><pre role="region" tabindex="0" aria-label="Código">`)
		out = strings.ReplaceAll(out, "</pre>", "</pre></div>")
	}
	// #nosec G203 -- goldmark escapes text and drops raw HTML (no WithUnsafe).
	return template.HTML(out), nil
}

// nodeLine returns the file line where a node starts, or 0 if unknown.
func nodeLine(src *source, n ast.Node) int {
	if t, ok := n.(*ast.Text); ok {
		return src.lineOf(t.Segment.Start)
	}
	if n.Type() == ast.TypeBlock {
		if n.Lines().Len() > 0 {
			return src.lineOf(n.Lines().At(0).Start)
		}
		if p := n.Pos(); p >= 0 {
			return src.lineOf(p)
		}
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if l := nodeLine(src, c); l > 0 {
			return l
		}
	}
	if p := n.Pos(); p >= 0 {
		return src.lineOf(p)
	}
	return 0
}

// plainText is the readable text of a node: what a person sees, without
// markup, with white space folded.
func plainText(n ast.Node, body []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if c.Type() == ast.TypeBlock {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(body))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(body))
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := c.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				b.Write(seg.Value(body))
				b.WriteByte(' ')
			}
		}
		return ast.WalkContinue, nil
	}) // the callback never fails
	return strings.Join(strings.Fields(b.String()), " ")
}

// codeText lists the code spans and code blocks inside nodes, as plain
// text: the commands a question names, for the quality checks.
func codeText(body []byte, nodes ...ast.Node) []string {
	var out []string
	for _, n := range nodes {
		_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch c.(type) {
			case *ast.CodeSpan, *ast.FencedCodeBlock, *ast.CodeBlock:
				if s := plainText(c, body); s != "" {
					out = append(out, s)
				}
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		}) // the callback never fails
	}
	return out
}

// LinkURL maps a file of a track (path relative to the track folder, such
// as "images/x.png" or "modules/02-red.md") to the URL where the site serves
// it. When nil, relative links are kept as written.
type LinkURL func(track, rel string) string

// linkChecker verifies the relative links and images of one file and
// rewrites them to the URLs the site serves them at.
type linkChecker struct {
	fsys    fs.FS
	track   string
	linkURL LinkURL
	report  *Report
}

func (lc *linkChecker) check(src *source, doc ast.Node) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = lc.resolve(src, n, n.Destination, false)
		case *ast.Image:
			if plainText(n, src.body) == "" {
				lc.report.warnf(src.file, nodeLine(src, n), "imagen «%s» sin texto alternativo: escribe entre los corchetes lo que muestra, para quien usa lector de pantalla", n.Destination)
			}
			dest := string(n.Destination)
			n.Destination = lc.resolve(src, n, n.Destination, true)
			if u, err := url.Parse(dest); err == nil && u.Scheme == "" && u.Host == "" && u.Path != "" {
				if w, h, ok := imageSize(lc.fsys, path.Join(path.Dir(src.file), u.Path)); ok {
					n.SetAttributeString("width", []byte(strconv.Itoa(w)))
					n.SetAttributeString("height", []byte(strconv.Itoa(h)))
				}
			}
			n.SetAttributeString("loading", []byte("lazy"))
			n.SetAttributeString("decoding", []byte("async"))
		case *ast.HTMLBlock, *ast.RawHTML:
			lc.report.warnf(src.file, nodeLine(src, n), "el HTML dentro del contenido no se muestra; usa Markdown")
		}
		return ast.WalkContinue, nil
	}) // the callback never fails
}

func (lc *linkChecker) resolve(src *source, n ast.Node, dest []byte, image bool) []byte {
	kind := "enlace"
	if image {
		kind = "imagen"
	}
	raw := string(dest)
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		lc.report.errorf(src.file, nodeLine(src, n), "%s con dirección no válida «%s»", kind, raw)
		return dest
	case u.Scheme != "" || u.Host != "" || strings.HasPrefix(raw, "#") || raw == "":
		return dest
	case strings.HasPrefix(u.Path, "/"):
		lc.report.errorf(src.file, nodeLine(src, n), "%s «%s»: usa una ruta relativa al archivo (por ejemplo «../images/foto.png»), no una ruta absoluta", kind, raw)
		return dest
	}
	target := path.Join(path.Dir(src.file), u.Path)
	if !strings.HasPrefix(target, lc.track+"/") {
		lc.report.errorf(src.file, nodeLine(src, n), "%s «%s» apunta fuera de la carpeta de la certificación «%s»", kind, raw, lc.track)
		return dest
	}
	if _, err := fs.Stat(lc.fsys, target); err != nil {
		lc.report.errorf(src.file, nodeLine(src, n), "%s roto: «%s» no existe (se buscó %s)", kind, raw, target)
		return dest
	}
	rel := strings.TrimPrefix(target, lc.track+"/")
	if strings.HasPrefix(rel, "questions/") {
		lc.report.errorf(src.file, nodeLine(src, n), "%s «%s» lleva a un banco de preguntas de examen, que nunca se publica", kind, raw)
		return dest
	}
	if lc.linkURL == nil {
		return dest
	}
	out := lc.linkURL(lc.track, rel)
	if u.Fragment != "" {
		out += "#" + u.Fragment
	}
	return []byte(out)
}
