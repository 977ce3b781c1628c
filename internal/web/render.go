package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	"sync"
)

// views parses every page once at start: one template set per page, made of
// layout.html, the partials (files starting with "_") and the page itself.
// Pages render into a buffer so that a template error becomes a clean 500
// instead of half a page.
type views struct {
	fsys  fs.FS
	funcs template.FuncMap
	dev   bool // re-parse on every render (templates read from disk)

	mu    sync.RWMutex
	pages map[string]*template.Template
}

func newViews(fsys fs.FS, funcs template.FuncMap, dev bool) (*views, error) {
	v := &views{fsys: fsys, funcs: funcs, dev: dev}
	if err := v.parse(); err != nil {
		return nil, err
	}
	return v, nil
}

func (v *views) parse() error {
	files, err := fs.Glob(v.fsys, "*.html")
	if err != nil {
		return err
	}
	partials, err := fs.Glob(v.fsys, "_*.html")
	if err != nil {
		return err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		if f == "layout.html" || strings.HasPrefix(f, "_") {
			continue
		}
		name := strings.TrimSuffix(path.Base(f), ".html")
		t, err := template.New(name).Funcs(v.funcs).ParseFS(v.fsys, append([]string{"layout.html", f}, partials...)...)
		if err != nil {
			return fmt.Errorf("parse template %s: %w", f, err)
		}
		pages[name] = t
	}
	v.mu.Lock()
	v.pages = pages
	v.mu.Unlock()
	return nil
}

// render executes a page into a buffer.
func (v *views) render(page string, data any) ([]byte, error) {
	if v.dev {
		if err := v.parse(); err != nil {
			return nil, err
		}
	}
	v.mu.RLock()
	t, ok := v.pages[page]
	v.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("template %q is not registered", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}

// part renders the template name defined in page's templates, alone.
func (v *views) part(page, name string, data any) (string, error) {
	if v.dev {
		if err := v.parse(); err != nil {
			return "", err
		}
	}
	v.mu.RLock()
	t, ok := v.pages[page]
	v.mu.RUnlock()
	if !ok {
		return "", fmt.Errorf("template %q is not registered", page)
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	return buf.String(), nil
}

// has reports whether a page template exists; routes check their pages at
// start so a missing template is a start-up error, not a runtime 500.
func (v *views) has(page string) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	_, ok := v.pages[page]
	return ok
}
