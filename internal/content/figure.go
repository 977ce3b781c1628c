package content

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	_ "image/gif"  // image sizes for <img width height>
	_ "image/jpeg" // idem
	_ "image/png"  // idem
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Figures. A track's images are served to anyone, and SVG is a document
// that can carry script and fetch other files, so every SVG in images/ is
// read here and held to a small, safe subset: drawing elements, text and
// internal references. The site also serves images with a CSP that allows
// nothing and a sandbox; this check keeps the files clean in the first
// place and tells the editor why.

// Figure limits: a phone is 360 px wide, so a figure drawn between 320
// and 480 units wide shows its text at about its drawn size.
const (
	svgMinWidth    = 320
	svgMaxWidth    = 480
	svgMinFontSize = 14
	svgMaxBytes    = 16 << 10
)

// svgForbidden are elements that run script, show other documents or load
// files: none belongs in a diagram.
var svgForbidden = map[string]bool{
	"script": true, "style": true, "foreignobject": true, "image": true, "iframe": true,
	"object": true, "embed": true, "a": true, "audio": true, "video": true, "animate": true,
	"set": true, "animatemotion": true, "animatetransform": true, "feimage": true,
}

// checkFigures checks every SVG file of the track's images/ folder.
func (l *loader) checkFigures(track string) {
	dir := track + "/images"
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() || strings.ToLower(path.Ext(e.Name())) != ".svg" {
			continue
		}
		file := dir + "/" + e.Name()
		if data, ok := l.read(file); ok {
			checkSVG(file, data, l.report)
		}
	}
}

// checkSVG reports what makes an SVG unsafe or unreadable on a phone.
func checkSVG(file string, data []byte, r *Report) {
	if len(data) > svgMaxBytes {
		r.warnf(file, 1, "la figura pesa %d KB: un diagrama no necesita más de %d KB; simplifica los trazos", len(data)>>10, svgMaxBytes>>10)
	}
	lineAt := func(offset int64) int { return 1 + bytes.Count(data[:min(int(offset), len(data))], []byte("\n")) }
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, hasTitle := 0, false
	for {
		offset := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			r.errorf(file, lineAt(dec.InputOffset()), "la figura no es un SVG bien formado: %v", err)
			return
		}
		switch t := tok.(type) {
		case xml.Directive:
			r.errorf(file, lineAt(offset), "la figura declara un DOCTYPE o entidades: quítalos, un SVG no los necesita")
		case xml.ProcInst:
			if t.Target != "xml" {
				r.errorf(file, lineAt(offset), "la figura lleva la instrucción «%s»: quítala", t.Target)
			}
		case xml.StartElement:
			depth++
			name := strings.ToLower(t.Name.Local)
			line := lineAt(offset)
			if depth == 1 {
				if name != "svg" || t.Name.Space != "http://www.w3.org/2000/svg" {
					r.errorf(file, line, "la figura debe empezar con <svg xmlns=\"http://www.w3.org/2000/svg\" …>")
					return
				}
				checkSVGSize(file, line, t, r)
			}
			if depth == 2 && name == "title" {
				hasTitle = true
			}
			if svgForbidden[name] {
				r.errorf(file, line, "la figura usa <%s>, que puede ejecutar código o cargar otros archivos: dibuja solo con formas y texto", t.Name.Local)
			}
			for _, a := range t.Attr {
				checkSVGAttr(file, line, a, r)
			}
		case xml.EndElement:
			depth--
		}
	}
	if !hasTitle {
		r.warnf(file, 1, "la figura no tiene <title>: escribe en él, en español, qué muestra")
	}
}

func checkSVGSize(file string, line int, svg xml.StartElement, r *Report) {
	var width, height, viewBox string
	for _, a := range svg.Attr {
		switch a.Name.Local {
		case "width":
			width = a.Value
		case "height":
			height = a.Value
		case "viewBox":
			viewBox = a.Value
		}
	}
	if viewBox == "" {
		r.errorf(file, line, "la figura no tiene viewBox: sin él no se adapta al ancho de la pantalla")
	}
	w, werr := strconv.ParseFloat(width, 64)
	_, herr := strconv.ParseFloat(height, 64)
	if werr != nil || herr != nil {
		r.errorf(file, line, "la figura necesita width y height en números (por ejemplo width=\"400\" height=\"520\"), para reservar su lugar en la página")
		return
	}
	if w < svgMinWidth || w > svgMaxWidth {
		r.warnf(file, line, "la figura mide %s de ancho: dibújala entre %d y %d, para que su texto se lea en un teléfono de 360 px", width, svgMinWidth, svgMaxWidth)
	}
}

func checkSVGAttr(file string, line int, a xml.Attr, r *Report) {
	name, value := strings.ToLower(a.Name.Local), strings.TrimSpace(a.Value)
	lower := strings.ToLower(value)
	switch {
	case strings.HasPrefix(name, "on"):
		r.errorf(file, line, "la figura tiene el atributo «%s», que ejecuta código: quítalo", a.Name.Local)
	case name == "href" && !strings.HasPrefix(value, "#"):
		r.errorf(file, line, "la figura enlaza «%s»: solo se permiten referencias internas como «#flecha»", value)
	case name == "style":
		r.errorf(file, line, "la figura usa el atributo style: usa atributos de presentación (fill, stroke, font-size)")
	case strings.Contains(lower, "javascript:") || (strings.Contains(lower, "url(") && !strings.Contains(lower, "url(#")):
		r.errorf(file, line, "la figura carga «%s»: solo se permiten referencias internas como url(#degradado)", value)
	case name == "font-size":
		if size, err := strconv.ParseFloat(strings.TrimSuffix(value, "px"), 64); err == nil && size < svgMinFontSize {
			r.warnf(file, line, "texto de %s unidades: en un teléfono se vería diminuto; usa al menos %d", value, svgMinFontSize)
		}
	}
}

// imageSize reads the drawn size of an image file, for the width and
// height attributes that keep the page from jumping while it loads.
func imageSize(fsys fs.FS, file string) (w, h int, ok bool) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		return 0, 0, false
	}
	if strings.ToLower(path.Ext(file)) == ".svg" {
		dec := xml.NewDecoder(bytes.NewReader(data))
		for {
			tok, err := dec.Token()
			if err != nil {
				return 0, 0, false
			}
			if se, isStart := tok.(xml.StartElement); isStart {
				var fw, fh float64
				var werr, herr error = errors.New("no width"), errors.New("no height")
				for _, a := range se.Attr {
					switch a.Name.Local {
					case "width":
						fw, werr = strconv.ParseFloat(a.Value, 64)
					case "height":
						fh, herr = strconv.ParseFloat(a.Value, 64)
					}
				}
				if werr != nil || herr != nil || fw <= 0 || fh <= 0 {
					return 0, 0, false
				}
				return int(fw + 0.5), int(fh + 0.5), true
			}
		}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, false
	}
	return cfg.Width, cfg.Height, true
}

// figureRe matches a paragraph that holds one image and nothing else, as
// goldmark renders it.
var figureRe = regexp.MustCompile(`(?m)^<p>(<img [^>]*>)</p>$`)

var titleAttrRe = regexp.MustCompile(` title="([^"]*)"`)

// figures turns every image that stands alone in its paragraph into a
// <figure>, with the image's title (already escaped by goldmark) as its
// caption: ![alt](../images/x.svg "Caption").
func figures(html string) string {
	return figureRe.ReplaceAllStringFunc(html, func(p string) string {
		img := figureRe.FindStringSubmatch(p)[1]
		caption := ""
		if m := titleAttrRe.FindStringSubmatch(img); m != nil {
			caption = m[1]
			img = strings.Replace(img, m[0], "", 1)
		}
		if caption == "" {
			return `<figure class="figure">` + img + `</figure>`
		}
		return `<figure class="figure">` + img + `<figcaption>` + caption + `</figcaption></figure>`
	})
}
