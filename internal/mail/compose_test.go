package mail

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestCompose(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/hola.es.txt":       {Data: []byte("Subject: Hola, {{.Data.Name}}\n\nTu enlace: {{.Site}}/x?t={{.Data.Token}}\n")},
		"templates/hola.es.html":      {Data: []byte(`<p>Hola, {{.Data.Name}}: <a href="{{.Site}}/x?t={{.Data.Token}}">entra</a></p>`)},
		"templates/hola.en.txt":       {Data: []byte("Subject: Hello, {{.Data.Name}}\n\nYour link: {{.Site}}/x?t={{.Data.Token}}\n")},
		"templates/layout.es.html":    {Data: []byte(`<html lang="es-MX"><title>{{.Subject}}</title>{{template "body" .}}</html>`)},
		"templates/sin-asunto.es.txt": {Data: []byte("Hola\n\ncuerpo\n")},
	}
	c := NewComposer(fsys, "https://certificacion.example/")
	data := struct{ Name, Token string }{"José <Ñúñez>", "a&b"}

	m, err := c.Compose("hola", "es-MX", "jose@ejemplo.mx", data)
	if err != nil {
		t.Fatal(err)
	}
	if m.To != "jose@ejemplo.mx" || m.Subject != "Hola, José <Ñúñez>" || !strings.Contains(m.Text, "https://certificacion.example/x?t=a&b") {
		t.Errorf("text message: %+v", m)
	}
	if !strings.Contains(m.HTML, `<html lang="es-MX">`) || !strings.Contains(m.HTML, "José &lt;Ñúñez&gt;") || !strings.Contains(m.HTML, `href="https://certificacion.example/x?t=a%26b"`) {
		t.Errorf("HTML is not escaped or not in the layout:\n%s", m.HTML)
	}

	en, err := c.Compose("hola", "en", "jose@ejemplo.mx", data)
	if err != nil || en.Subject != "Hello, José <Ñúñez>" || en.HTML != "" {
		t.Errorf("English, text only: %+v, %v", en, err)
	}
	if _, err := c.Compose("sin-asunto", "es", "x@y.mx", nil); err == nil {
		t.Error("a template without a Subject line was accepted")
	}
	if _, err := c.Compose("no-existe", "es", "x@y.mx", nil); err == nil {
		t.Error("a missing template was accepted")
	}
	if _, err := c.Compose("hola", "es", "x@y.mx", struct{ Name string }{"x"}); err == nil {
		t.Error("a template naming missing data was accepted")
	}
}
