package content

import (
	"strings"
	"testing"
	"testing/fstest"
)

const goodSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 300" width="400" height="300">
  <title>Flujo de arranque</title>
  <defs><marker id="flecha" markerWidth="8" markerHeight="8" refX="4" refY="4"><path d="M0,0 L8,4 L0,8 z" fill="#1b1b1b"/></marker></defs>
  <rect x="10" y="10" width="380" height="60" rx="8" fill="#eef4fb" stroke="#0b5cad"/>
  <text x="20" y="45" font-family="sans-serif" font-size="16" fill="#1b1b1b">Firmware → GRUB</text>
  <line x1="200" y1="70" x2="200" y2="120" stroke="#1b1b1b" marker-end="url(#flecha)"/>
</svg>
`

func TestFiguresBecomeFiguresWithSizeAndCaption(t *testing.T) {
	m := fixture(t)
	m["ejemplo/images/arranque.svg"] = &fstest.MapFile{Data: []byte(goodSVG)}
	edit(t, m, "ejemplo/modules/02-terminal.md", "## Resumen",
		"![Diagrama: el firmware carga GRUB y GRUB carga el núcleo.](../images/arranque.svg \"Del encendido al escritorio\")\n\nEn línea ![icono](../images/arranque.svg) no es figura.\n\n## Resumen")
	cat, report := Load(m, Options{LinkURL: func(track, rel string) string { return "/t/" + track + "/" + rel }})
	if report.HasErrors() || len(report.Findings) > 0 {
		t.Fatal(report.Findings)
	}
	h := string(cat.Track("ejemplo").Modules[1].HTML)
	want := `<figure class="figure"><img src="/t/ejemplo/images/arranque.svg" alt="Diagrama: el firmware carga GRUB y GRUB carga el núcleo." width="400" height="300" loading="lazy" decoding="async"><figcaption>Del encendido al escritorio</figcaption></figure>`
	if !strings.Contains(h, want) {
		t.Errorf("figure not rendered as wanted:\n%s", h)
	}
	if strings.Count(h, "<figure") != 1 || !strings.Contains(h, `<p>En línea <img src="/t/ejemplo/images/arranque.svg" alt="icono"`) {
		t.Errorf("an image inside a sentence must stay inline:\n%s", h)
	}
	// A PNG gets its size read the same way.
	if h := string(cat.Track("ejemplo").Modules[0].HTML); !strings.Contains(h, `<figure class="figure"><img src="/t/ejemplo/images/orden-arranque.png" alt="Pantalla de orden de arranque" width="`) {
		t.Errorf("png figure: %s", h)
	}
}

func TestLintHoldsFiguresToASafeReadableSVG(t *testing.T) {
	cases := []struct {
		name, svg, want string
		isError         bool
	}{
		{"script", strings.Replace(goodSVG, "</svg>", "<script>alert(1)</script></svg>", 1), "<script>", true},
		{"style element", strings.Replace(goodSVG, "</svg>", "<style>text{fill:red}</style></svg>", 1), "<style>", true},
		{"foreign object", strings.Replace(goodSVG, "</svg>", "<foreignObject><p>x</p></foreignObject></svg>", 1), "<foreignObject>", true},
		{"external image", strings.Replace(goodSVG, "</svg>", `<image href="https://example.com/x.png"/></svg>`, 1), "<image>", true},
		{"event handler", strings.Replace(goodSVG, `<rect x="10"`, `<rect onclick="alert(1)" x="10"`, 1), "«onclick»", true},
		{"external href", strings.Replace(goodSVG, "</svg>", `<use href="otro.svg#x"/></svg>`, 1), "«otro.svg#x»", true},
		{"external url()", strings.Replace(goodSVG, `marker-end="url(#flecha)"`, `marker-end="url(http://x/y#f)"`, 1), "url(http://x/y#f)", true},
		{"style attribute", strings.Replace(goodSVG, `fill="#eef4fb"`, `style="fill:#eef4fb"`, 1), "atributo style", true},
		{"doctype", strings.Replace(goodSVG, "<svg ", `<!DOCTYPE svg [<!ENTITY a "b">]><svg `, 1), "DOCTYPE", true},
		{"not svg", `<html xmlns="http://www.w3.org/1999/xhtml"></html>`, "debe empezar con <svg", true},
		{"broken xml", strings.Replace(goodSVG, "</svg>", "", 1), "bien formado", true},
		{"no viewBox", strings.Replace(goodSVG, ` viewBox="0 0 400 300"`, "", 1), "viewBox", true},
		{"no size", strings.Replace(goodSVG, ` width="400" height="300"`, "", 1), "width y height", true},
		{"too wide for a phone", strings.Replace(goodSVG, `width="400"`, `width="900"`, 1), "entre 320 y 480", false},
		{"tiny text", strings.Replace(goodSVG, `font-size="16"`, `font-size="9"`, 1), "diminuto", false},
		{"no title", strings.Replace(goodSVG, "<title>Flujo de arranque</title>", "", 1), "<title>", false},
		{"heavy", strings.Replace(goodSVG, "</svg>", "<!--"+strings.Repeat("x", 17<<10)+"--></svg>", 1), "pesa", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture(t)
			m["ejemplo/images/figura.svg"] = &fstest.MapFile{Data: []byte(tc.svg)}
			_, report := Load(m, Options{})
			text := findingsText(report)
			if !strings.Contains(text, "ejemplo/images/figura.svg") || !strings.Contains(text, tc.want) {
				t.Fatalf("want a finding on figura.svg about %q, got:\n%s", tc.want, text)
			}
			if report.HasErrors() != tc.isError {
				t.Errorf("error = %v, want %v:\n%s", report.HasErrors(), tc.isError, text)
			}
		})
	}
	m := fixture(t)
	m["ejemplo/images/figura.svg"] = &fstest.MapFile{Data: []byte(goodSVG)}
	if _, report := Load(m, Options{}); len(report.Findings) > 0 {
		t.Errorf("a clean figure has findings: %s", findingsText(report))
	}
}

func TestReferencePages(t *testing.T) {
	m := fixture(t)
	m["ejemplo/pages/ficha-tecnica.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Ficha técnica\n---\n\n## Red\n\nNetworkManager administra la red. Repasa [el arranque](../modules/01-arranque.md).\n")}
	edit(t, m, "ejemplo/modules/02-terminal.md", "## Resumen", "Consulta la [ficha técnica](../pages/ficha-tecnica.md).\n\n## Resumen")
	cat, report := Load(m, Options{LinkURL: func(track, rel string) string { return "/t/" + track + "/" + rel }})
	if len(report.Findings) > 0 {
		t.Fatal(findingsText(report))
	}
	tr := cat.Track("ejemplo")
	p := tr.Page("ficha-tecnica")
	if p == nil || p.Title != "Ficha técnica" || p.File != "ejemplo/pages/ficha-tecnica.md" || len(p.Sections) != 1 || p.Sections[0].ID != "red" {
		t.Fatalf("page = %+v", p)
	}
	if !strings.Contains(string(p.HTML), `href="/t/ejemplo/modules/01-arranque.md"`) || !strings.Contains(string(tr.Modules[1].HTML), `href="/t/ejemplo/pages/ficha-tecnica.md"`) {
		t.Errorf("links between pages and modules not rewritten:\n%s\n%s", p.HTML, tr.Modules[1].HTML)
	}

	m["ejemplo/pages/Mal Nombre.md"] = &fstest.MapFile{Data: []byte("---\ntitle: \"\"\n---\n")}
	_, report = Load(m, Options{})
	text := findingsText(report)
	for _, want := range []string{"falta «title»", "usa minúsculas", "página vacía"} {
		if !strings.Contains(text, want) {
			t.Errorf("want %q in:\n%s", want, text)
		}
	}
}

// A checklist in a lesson renders as a list, never as unlabelled form
// controls.
func TestTaskListsAreChecklistsNotForms(t *testing.T) {
	m := fixture(t)
	edit(t, m, "ejemplo/modules/02-terminal.md", "## Resumen", "- [ ] Revisé el cable\n- [x] Anoté la falla\n\n## Resumen")
	cat, report := Load(m, Options{})
	if report.HasErrors() {
		t.Fatal(report.Findings)
	}
	h := string(cat.Track("ejemplo").Modules[1].HTML)
	if strings.Contains(h, "<input") || !strings.Contains(h, `<li class="task">Revisé el cable</li>`) || !strings.Contains(h, `<li class="task done"><span class="visually-hidden">Hecho: </span>Anoté la falla</li>`) {
		t.Errorf("checklist rendered as:\n%s", h)
	}
}
