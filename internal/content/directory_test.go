package content

import (
	"path"
	"strings"
	"testing"
	"testing/fstest"
)

const goodDirectory = `services:
  - id: remoto
    name:
      es: Soporte remoto
      en: Remote support
    description:
      es: Ayuda a distancia.
      en: Help at a distance.
modes:
  - id: taller
    name: {es: En taller, en: At a workshop}
languages:
  - id: es
    name: {es: Español, en: Spanish}
`

func withDirectory(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	m := fixture(t)
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}

func TestDirectoryListsLoad(t *testing.T) {
	cat, report := Load(withDirectory(t, map[string]string{DirectoryFile: goodDirectory}), Options{})
	if len(report.Findings) != 0 {
		t.Fatalf("findings: %v", report.Findings)
	}
	d := cat.Directory
	if len(d.Services) != 1 || d.Service("remoto").Name.In("es") != "Soporte remoto" || d.Service("remoto").Description.In("en") != "Help at a distance." {
		t.Errorf("services: %+v", d.Services)
	}
	if d.Mode("taller").Name.In("en") != "At a workshop" || d.Language("es").Name.In("es-MX") != "Español" || d.Service("nada") != nil {
		t.Errorf("modes %+v languages %+v", d.Modes, d.Languages)
	}
	if cat.Track("ejemplo") == nil || len(cat.Tracks) != 1 {
		t.Errorf("directorio/ was read as a track: %+v", cat.Tracks)
	}
}

func TestContentWithoutDirectory(t *testing.T) {
	cat, report := Load(fixture(t), Options{})
	if len(report.Findings) != 0 || cat.Directory == nil || len(cat.Directory.Services) != 0 {
		t.Errorf("findings %v, directory %+v", report.Findings, cat.Directory)
	}
}

func TestDirectoryLint(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		line int
		want string
	}{
		{"unknown list", strings.Replace(goodDirectory, "modes:", "modos:", 1), 9, "clave desconocida «modos»"},
		{"unknown key in an entry", strings.Replace(goodDirectory, "    description:", "    descripcion:", 1), 6, "clave desconocida «descripcion» en el servicio"},
		{"repeated id", goodDirectory + "  - id: es\n    name: {es: Otra, en: Other}\n", 15, "id repetido «es»: ya se usa en la línea 13"},
		{"missing English name", strings.Replace(goodDirectory, "en: Remote support", "fr: Support", 1), 5, "idioma desconocido «fr»"},
		{"missing name", strings.Replace(goodDirectory, "    name: {es: En taller, en: At a workshop}\n", "", 1), 10, "a la modalidad «taller» le falta «name»"},
		{"empty Spanish name", strings.Replace(goodDirectory, "es: Español", "es: \"\"", 1), 14, "«name» de «es» no tiene texto en «es»"},
		{"missing description", strings.Replace(goodDirectory, "    description:\n      es: Ayuda a distancia.\n      en: Help at a distance.\n", "", 1), 2, "le falta «description»"},
		{"missing id", strings.Replace(goodDirectory, "- id: taller\n    name", "- name", 1), 10, "a la modalidad le falta «id»"},
		{"id with accents", strings.Replace(goodDirectory, "id: taller", "id: Taller-Mecánico", 1), 10, "el id «Taller-Mecánico» debe ir en minúsculas"},
		{"missing list", strings.Replace(goodDirectory, "languages:\n  - id: es\n    name: {es: Español, en: Spanish}\n", "", 1), 1, "falta la lista «languages»"},
		{"empty list", strings.Replace(goodDirectory, "languages:\n  - id: es\n    name: {es: Español, en: Spanish}\n", "languages: []\n", 1), 12, "«languages» debe ser una lista con al menos un elemento"},
		{"bad YAML", "services:\n  - id: [\n", 2, "YAML mal formado"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, report := Load(withDirectory(t, map[string]string{DirectoryFile: tc.yaml}), Options{})
			for _, f := range report.Errors() {
				if f.File == DirectoryFile && f.Line == tc.line && strings.Contains(f.Message, tc.want) {
					return
				}
			}
			t.Errorf("want an error at %s:%d containing %q, got:\n%v", DirectoryFile, tc.line, tc.want, report.Findings)
		})
	}
}

func TestDirectoryFolderHoldsOnlyItsFile(t *testing.T) {
	_, report := Load(withDirectory(t, map[string]string{DirectoryFile: goodDirectory, "directorio/otros.yaml": "a: 1"}), Options{})
	if len(report.Findings) != 1 || report.Findings[0].Severity != Warning || report.Findings[0].File != "directorio/otros.yaml" {
		t.Errorf("findings: %v", report.Findings)
	}
	_, report = Load(withDirectory(t, map[string]string{"directorio/README.md": "# hola"}), Options{})
	if !report.HasErrors() || !strings.Contains(report.Errors()[0].Message, "falta servicios.yaml") {
		t.Errorf("a directory folder without its file: %v", report.Findings)
	}
}

// The foundation's lists name at least the services the directory was
// asked for, Spanish and the Indigenous languages, and every way of
// serving.
func TestShippedDirectoryLists(t *testing.T) {
	cat, report, err := LoadDir(path.Join("..", "..", "content"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range report.Findings {
		if strings.HasPrefix(f.File, DirectoryFolder) {
			t.Errorf("shipped directory lists: %v", f)
		}
	}
	d := cat.Directory
	for _, id := range []string{"instalacion", "domicilio", "remoto", "redes", "respaldos", "impresoras", "capacitacion", "pymes"} {
		if d.Service(id) == nil {
			t.Errorf("no service %q", id)
		}
	}
	for _, id := range []string{"domicilio", "taller", "remoto"} {
		if d.Mode(id) == nil {
			t.Errorf("no mode %q", id)
		}
	}
	for _, name := range []string{"Español", "Náhuatl", "Maya", "Zapoteco", "Mixteco", "Tsotsil", "Tseltal", "Otomí", "Totonaco", "Mazateco", "Ch'ol"} {
		found := false
		for _, l := range d.Languages {
			found = found || l.Name.ES == name
		}
		if !found {
			t.Errorf("no language %q", name)
		}
	}
}
