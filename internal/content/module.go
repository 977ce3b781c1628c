package content

import (
	"path"
	"strings"
	"unicode"
)

type moduleMeta struct {
	Title      string   `yaml:"title"`
	Domain     string   `yaml:"domain"`
	Objectives []string `yaml:"objectives"`
	Minutes    int      `yaml:"minutes"`
}

// ModuleSlug is the stable URL name of a module file: its name without the
// ".md" extension and without the numeric order prefix, so that renumbering
// the files does not break bookmarks ("01-instalacion.md" → "instalacion").
func ModuleSlug(file string) string {
	name := strings.TrimSuffix(path.Base(file), ".md")
	trimmed := strings.TrimLeftFunc(name, unicode.IsDigit)
	if trimmed != name && (strings.HasPrefix(trimmed, "-") || strings.HasPrefix(trimmed, "_")) && len(trimmed) > 1 {
		return trimmed[1:]
	}
	return name
}

// parseModule reads one study module. It returns nil when the file cannot
// be used at all; the reasons are in the report.
func (l *loader) parseModule(file string, data []byte) (*Module, int) {
	src := splitFrontMatter(file, data)
	var meta moduleMeta
	keys, ok := decodeMeta(src, &meta, l.report)
	if !ok {
		return nil, 0
	}
	meta.Title = strings.TrimSpace(meta.Title)
	meta.Domain = strings.TrimSpace(meta.Domain)
	if meta.Title == "" {
		l.report.errorf(file, keyLine(keys, "title", 1), "falta «title»: el título del módulo")
	}
	if meta.Domain == "" {
		l.report.errorf(file, keyLine(keys, "domain", 1), "falta «domain»: el dominio del temario que enseña este módulo")
	}
	if len(meta.Objectives) == 0 {
		l.report.errorf(file, keyLine(keys, "objectives", 1), "falta «objectives»: la lista de objetivos de aprendizaje del módulo")
	}
	for i, o := range meta.Objectives {
		if strings.TrimSpace(o) == "" {
			l.report.errorf(file, keyLine(keys, "objectives", 1), "el objetivo número %d está vacío", i+1)
		}
	}
	if meta.Minutes < 0 {
		l.report.errorf(file, keyLine(keys, "minutes", 1), "«minutes» no puede ser negativo")
	}

	doc := parseMarkdown(l.md, src.body)
	text := plainText(doc, src.body)
	if text == "" {
		l.report.errorf(file, src.bodyLine, "módulo vacío: después de los metadatos debe ir el texto de la lección")
	}
	l.links.check(&src, doc)
	html, err := l.html.render(src.body, doc)
	if err != nil {
		l.report.errorf(file, src.bodyLine, "no se pudo convertir el módulo a HTML: %v", err)
		return nil, 0
	}
	objectives := make([]string, len(meta.Objectives))
	for i, o := range meta.Objectives {
		objectives[i] = strings.TrimSpace(o)
	}
	return &Module{
		Slug:       ModuleSlug(file),
		File:       file,
		Title:      meta.Title,
		Domain:     meta.Domain,
		Objectives: objectives,
		Minutes:    meta.Minutes,
		HTML:       html,
		Sections:   sections(doc, src.body),
		Words:      len(strings.Fields(text)),
	}, keyLine(keys, "domain", 1)
}

func keyLine(keys metaKeys, key string, fallback int) int {
	if l, ok := keys[key]; ok {
		return l
	}
	return fallback
}
