package content

import (
	"html/template"
	"path"
	"strings"
)

// Page is a reference page of a track (pages/*.md): material candidates
// consult beside the modules, such as the technical sheet of the system
// the certification is about. A page belongs to no domain and is not
// studied or marked; modules and questions must agree with it.
type Page struct {
	Slug     string // the file name without ".md"
	File     string // path relative to the content directory
	Title    string
	HTML     template.HTML
	Sections []Section
}

type pageMeta struct {
	Title string `yaml:"title"`
}

// Page returns the track's page with the given slug, or nil.
func (t *Track) Page(slug string) *Page {
	for _, p := range t.Pages {
		if p.Slug == slug {
			return p
		}
	}
	return nil
}

// parsePage reads one reference page; nil when it cannot be used.
func (l *loader) parsePage(file string, data []byte) *Page {
	src := splitFrontMatter(file, data)
	var meta pageMeta
	keys, ok := decodeMeta(src, &meta, l.report)
	if !ok {
		return nil
	}
	meta.Title = strings.TrimSpace(meta.Title)
	if meta.Title == "" {
		l.report.errorf(file, keyLine(keys, "title", 1), "falta «title»: el título de la página")
	}
	slugName := strings.TrimSuffix(path.Base(file), ".md")
	if !slugRe.MatchString(slugName) {
		l.report.errorf(file, 1, "el nombre «%s» aparece en la dirección web de la página: usa minúsculas, dígitos y guiones", path.Base(file))
	}
	doc := parseMarkdown(l.md, src.body)
	if plainText(doc, src.body) == "" {
		l.report.errorf(file, src.bodyLine, "página vacía: después de los metadatos debe ir su texto")
	}
	l.links.check(&src, doc)
	html, err := l.html.render(src.body, doc)
	if err != nil {
		l.report.errorf(file, src.bodyLine, "no se pudo convertir la página a HTML: %v", err)
		return nil
	}
	return &Page{Slug: slugName, File: file, Title: meta.Title, HTML: html, Sections: sections(doc, src.body)}
}
