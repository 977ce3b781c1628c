package content

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// Each case breaks the example track in exactly one way and names the
// finding lint must report: its severity, file, line and a telling part of
// the message.
func TestLintRules(t *testing.T) {
	const (
		cert     = "ejemplo/certification.md"
		modArr   = "ejemplo/modules/01-arranque.md"
		modTer   = "ejemplo/modules/02-terminal.md"
		bankArr  = "ejemplo/questions/arranque.md"
		bankTer  = "ejemplo/questions/terminal.md"
		pracTer  = "ejemplo/practice/terminal.md"
		newQuest = "\n## arr-009\n¿Pregunta nueva?\n\n"
	)
	type change struct{ file, old, new string }
	tests := []struct {
		name    string
		changes []change
		add     map[string]string // new files
		sev     Severity
		file    string
		line    int
		message string
	}{
		{name: "unknown key with suggestion", changes: []change{{cert, "pass_percent: 50", "pass_procent: 50"}},
			file: cert, line: 8, message: "clave desconocida «exam.pass_procent» (¿quisiste decir «exam.pass_percent»?)"},
		{name: "unknown top-level key", changes: []change{{cert, "language: es-MX", "language: es-MX\nautor: Fundación"}},
			file: cert, line: 5, message: "clave desconocida «autor»"},
		{name: "malformed yaml", changes: []change{{cert, "title: Certificación de Ejemplo", "title: [sin cerrar"}},
			file: cert, line: 2, message: "metadatos YAML mal formados"},
		{name: "wrong type", changes: []change{{cert, "questions: 2", "questions: dos"}},
			file: cert, line: 7, message: "«exam.questions»: se esperaba un número entero"},
		{name: "bad duration", changes: []change{{cert, "duration: 10m", "duration: 10 minutos"}},
			file: cert, line: 6, message: "«10 minutos» no es una duración válida"},
		{name: "missing required key", changes: []change{{cert, "version: \"2026.1\"\n", ""}},
			file: cert, line: 1, message: "falta «version»"},
		{name: "missing exam key", changes: []change{{cert, "  retake_after: 24h\n", ""}},
			file: cert, line: 5, message: "falta «exam.retake_after»"},
		{name: "pass percent out of range", changes: []change{{cert, "pass_percent: 50", "pass_percent: 150"}},
			file: cert, line: 8, message: "entre 1 y 100"},
		{name: "blueprint total differs", changes: []change{{cert, "questions: 2", "questions: 3"}},
			file: cert, line: 7, message: "«exam.questions» es 3 pero los dominios de «exam.domains» suman 2"},
		{name: "blueprint larger than pool", changes: []change{{cert, "questions: 2", "questions: 5"}, {cert, "arranque: 1", "arranque: 4"}},
			file: cert, line: 11, message: "el dominio «arranque» pide 4 preguntas por examen, pero su banco de examen solo tiene 3"},
		{name: "thin pool", changes: []change{{cert, "questions: 2", "questions: 3"}, {cert, "terminal: 1", "terminal: 2"}},
			sev: Warning, file: cert, line: 12, message: "banco delgado: el dominio «terminal» pide 2"},
		{name: "unknown key in module", changes: []change{{modArr, "minutes: 15", "minutes: 15\nautor: Ana"}},
			file: modArr, line: 8, message: "clave desconocida «autor»"},
		{name: "module domain not in blueprint", changes: []change{{modArr, "domain: arranque", "domain: redes"}},
			file: modArr, line: 3, message: "el dominio «redes» no está en el temario"},
		{name: "module without objectives", changes: []change{{modTer, "objectives:\n  - Abrir la terminal\n  - Consultar el espacio libre en disco\n", ""}},
			file: modTer, line: 1, message: "falta «objectives»"},
		{name: "empty module", changes: []change{{modTer, modTerBody, "\n\n"}},
			file: modTer, line: 9, message: "módulo vacío"},
		{name: "broken image", changes: []change{{modArr, "../images/orden-arranque.png", "../images/no-existe.png"}},
			file: modArr, line: 13, message: "imagen roto: «../images/no-existe.png» no existe"},
		{name: "broken link", changes: []change{{modTer, "## Resumen", "Mira [el módulo](03-nada.md).\n\n## Resumen"}},
			file: modTer, line: 19, message: "enlace roto: «03-nada.md» no existe"},
		{name: "link out of the track", changes: []change{{modTer, "## Resumen", "Mira [esto](../../otra/x.md).\n\n## Resumen"}},
			file: modTer, line: 19, message: "apunta fuera de la carpeta"},
		{name: "link to the exam bank", changes: []change{{modTer, "## Resumen", "Mira [esto](../questions/terminal.md).\n\n## Resumen"}},
			file: modTer, line: 19, message: "banco de preguntas de examen"},
		{name: "absolute link", changes: []change{{modTer, "## Resumen", "Mira [esto](/images/x.png).\n\n## Resumen"}},
			file: modTer, line: 19, message: "usa una ruta relativa"},
		{name: "image without alt text", changes: []change{{modArr, "![Pantalla de orden de arranque]", "![]"}},
			sev: Warning, file: modArr, line: 13, message: "sin texto alternativo"},
		{name: "bank without front matter", changes: []change{{bankArr, "---\ndomain: arranque\n---\n", ""}},
			file: bankArr, line: 1, message: "falta el bloque de metadatos"},
		{name: "unclosed front matter", changes: []change{{bankArr, "domain: arranque\n---\n", "domain: arranque\n"}},
			file: bankArr, line: 1, message: "no se cierra"},
		{name: "misspelt key in module", changes: []change{{modArr, "minutes: 15", "minuts: 15"}},
			file: modArr, line: 7, message: "clave desconocida «minuts» (¿quisiste decir «minutes»?)"},
		{name: "unknown key in bank", changes: []change{{bankArr, "domain: arranque", "dominio: arranque"}},
			file: bankArr, line: 2, message: "clave desconocida «dominio» (las claves van en inglés: «domain»)"},
		{name: "bank domain not in blueprint", changes: []change{{pracTer, "domain: terminal", "domain: redes"}},
			file: pracTer, line: 2, message: "el dominio «redes» no está en el temario"},
		{name: "duplicate question id", changes: []change{{bankTer, "## ter-002", "## arr-001"}},
			file: bankTer, line: 14, message: "id de pregunta repetido «arr-001»: ya se usa en ejemplo/questions/arranque.md:5"},
		{name: "duplicate id across pools", changes: []change{{pracTer, "## pra-ter-001", "## ter-001"}},
			file: pracTer, line: 5, message: "id de pregunta repetido «ter-001»"},
		{name: "invalid question id", changes: []change{{bankArr, "## arr-003", "## Arr 003"}},
			file: bankArr, line: 25, message: "id de pregunta no válido «Arr 003»"},
		{name: "no correct option", changes: []change{{bankArr, "- [x] Guardar los cambios", "- [ ] Guardar los cambios"}},
			file: bankArr, line: 25, message: "ninguna opción está marcada como correcta"},
		{name: "fewer than two options", changes: []change{{bankArr, "- [ ] Formatear la memoria USB\n", ""}, {bankArr, "- [ ] Desconectar el teclado\n", ""}},
			file: bankArr, line: 25, message: "necesita al menos dos opciones (tiene 1)"},
		{name: "no options at all", changes: []change{{bankArr, "- [ ] Formatear la memoria USB\n- [x] Guardar los cambios al salir\n- [ ] Desconectar el teclado\n\n", ""}},
			file: bankArr, line: 25, message: "no tiene opciones"},
		{name: "option without check box", changes: []change{{bankArr, "- [ ] Desconectar el teclado", "- Desconectar el teclado"}},
			file: bankArr, line: 30, message: "cada opción debe empezar con «[ ] » o «[x] »"},
		{name: "repeated option", changes: []change{{bankArr, "- [ ] Desconectar el teclado", "- [ ] Formatear la memoria USB"}},
			file: bankArr, line: 30, message: "la opción «Formatear la memoria USB» está repetida"},
		{name: "empty stem", changes: []change{{bankArr, "Después de cambiar el orden de arranque, el equipo sigue iniciando desde el disco interno. ¿Qué falta?\n", ""}},
			file: bankArr, line: 25, message: "falta el enunciado"},
		{name: "text outside a question", changes: []change{{bankArr, "## arr-001", "Preguntas del arranque.\n\n## arr-001"}},
			file: bankArr, line: 5, message: "texto fuera de una pregunta"},
		{name: "level-1 heading", changes: []change{{bankArr, "## arr-001", "# Arranque\n\n## arr-001"}},
			file: bankArr, line: 5, message: "títulos de nivel 1"},
		{name: "unknown question attribute", changes: []change{{bankArr, "## arr-001", "## arr-001 {grupo=usb dificil}"}},
			file: bankArr, line: 5, message: "atributo desconocido «dificil»"},
		{name: "group without a name", changes: []change{{bankArr, "## arr-001", "## arr-001 {grupo}"}},
			file: bankArr, line: 5, message: "el grupo se escribe «grupo=nombre»"},
		{name: "a group leaves a domain short", changes: []change{{cert, "questions: 2", "questions: 3"}, {cert, "arranque: 1", "arranque: 2"},
			{bankArr, "## arr-001", "## arr-001 {grupo=usb}"}, {bankArr, "## arr-002", "## arr-002 {grupo=usb}"}, {bankArr, "## arr-003", "## arr-003 {grupo=usb}"}},
			file: cert, line: 11, message: "el examen no se puede armar con los grupos declarados: el dominio «arranque» pide 2 preguntas, pero las suyas solo alcanzan para 1, porque un examen nunca trae dos preguntas del mismo grupo (grupo «usb»: 3 preguntas, la primera en ejemplo/questions/arranque.md:5)"},
		{name: "a group across domains", changes: []change{{bankArr, "## arr-001", "## arr-001 {grupo=uno}"}, {bankArr, "## arr-002", "## arr-002 {grupo=uno}"}, {bankArr, "## arr-003", "## arr-003 {grupo=uno}"},
			{bankTer, "## ter-001", "## ter-001 {grupo=uno}"}, {bankTer, "## ter-002", "## ter-002 {grupo=uno}"}, {bankTer, "## ter-003", "## ter-003 {grupo=uno}"}},
			file: cert, line: 11, message: "los dominios «arranque» y «terminal» piden 2 preguntas en total, pero las suyas solo alcanzan para 1"},
		{name: "a group the simulacro cannot draw", changes: []change{{"ejemplo/practice/arranque.md", "## pra-arr-001", "## pra-arr-001 {grupo=uno}"}, {pracTer, "## pra-ter-001", "## pra-ter-001 {grupo=uno}"}},
			sev: Warning, file: cert, line: 11, message: "el simulacro de práctica no se puede armar con los grupos declarados"},
		{name: "attributes not closed", changes: []change{{bankArr, "## arr-001", "## arr-001 {grupo=usb"}},
			file: bankArr, line: 5, message: "los atributos van entre llaves al final del título"},
		{name: "content after the explanation", changes: []change{{bankArr, "> Sin guardar, el firmware descarta los cambios al reiniciar.", "> Sin guardar, el firmware descarta los cambios al reiniciar.\n\nUna nota suelta."}},
			file: bankArr, line: 34, message: "hay contenido después de la explicación"},
		{name: "two option lists", changes: []change{{bankArr, "> Sin guardar", "* [ ] Otra\n* [x] Lista\n\n> Sin guardar"}},
			file: bankArr, line: 32, message: "más de una lista de opciones"},
		{name: "all of the above", changes: []change{{bankArr, "- [ ] Desconectar el teclado", "- [ ] Todas las anteriores"}},
			sev: Warning, file: bankArr, line: 30, message: "depende del orden"},
		{name: "none of the above with accents and case", changes: []change{{bankArr, "- [ ] Desconectar el teclado", "- [ ] NINGUNA de las anteriores"}},
			sev: Warning, file: bankArr, line: 30, message: "depende del orden"},
		{name: "missing explanation", changes: []change{{bankTer, "> `-h` significa *human-readable*.", ""}},
			sev: Warning, file: bankTer, line: 30, message: "falta la explicación"},
		{name: "raw html", changes: []change{{modTer, "## Resumen", "<div>hola</div>\n\n## Resumen"}},
			sev: Warning, file: modTer, line: 19, message: "el HTML dentro del contenido no se muestra"},
		{name: "empty bank", changes: []change{{pracTer, pracTerBody, "\n"}},
			file: pracTer, line: 4, message: "el banco no tiene preguntas"},
		{name: "folder without certification.md", add: map[string]string{"otra/modules/01-x.md": "---\ntitle: x\n---\n"},
			file: "otra", line: 1, message: "no tiene certification.md"},
		{name: "unknown folder in track", add: map[string]string{"ejemplo/preguntas/x.md": "x"},
			sev: Warning, file: "ejemplo/preguntas", line: 1, message: "no es parte del formato"},
		{name: "non-markdown file in a bank folder", add: map[string]string{"ejemplo/questions/notas.txt": "x"},
			sev: Warning, file: "ejemplo/questions/notas.txt", line: 1, message: "solo se leen archivos .md"},
		{name: "track folder name", add: map[string]string{"Mi Track/certification.md": "x"},
			file: "Mi Track/certification.md", line: 1, message: "el nombre de la carpeta «Mi Track»"},
		{name: "objective with a colon", changes: []change{{modTer, "  - Abrir la terminal", "  - Abrir: la terminal"}},
			file: modTer, line: 5, message: "escríbelo entre comillas"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := fixture(t)
			for _, c := range tc.changes {
				edit(t, m, c.file, c.old, c.new)
			}
			for f, data := range tc.add {
				m[f] = &fstest.MapFile{Data: []byte(data)}
			}
			_, report := Load(m, Options{})
			for _, f := range report.Findings {
				if f.Severity == tc.sev && f.File == tc.file && f.Line == tc.line && strings.Contains(f.Message, tc.message) {
					if tc.sev == Error && !report.HasErrors() {
						t.Fatal("error finding but HasErrors is false")
					}
					return
				}
			}
			t.Errorf("want %s at %s:%d containing %q; got:\n%s", tc.sev, tc.file, tc.line, tc.message, findingsText(report))
		})
	}
}

func findingsText(r Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

const modTerBody = `
La terminal permite diagnosticar problemas con precisión. Para ver el espacio
libre en los discos usa:

` + "```sh\ndf -h\n```" + `

La opción ` + "`-h`" + ` muestra los tamaños en unidades fáciles de leer (K, M, G).

## Resumen

` + "`df -h`" + ` responde rápido a la pregunta «¿se llenó el disco?».
`

const pracTerBody = `
## pra-ter-001
¿Dónde escribes comandos como ` + "`df -h`" + `?

- [x] En la terminal
- [ ] En la barra de direcciones del navegador
- [ ] En el gestor de archivos

> La terminal interpreta comandos escritos.
`

// A symbolic link anywhere in the content is an error: the server serves
// images by path, and a link would let a file of the exam bank out as an
// image. Folders whose name starts with a dot (.git) are not content.
func TestLintRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/content")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../questions/arranque.md", filepath.Join(dir, "ejemplo", "images", "filtrado.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("HEAD", filepath.Join(dir, ".git", "ORIG_HEAD")); err != nil {
		t.Fatal(err)
	}
	_, report, err := LoadDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var links []Finding
	for _, f := range report.Errors() {
		if strings.Contains(f.Message, "enlace simbólico") {
			links = append(links, f)
		}
	}
	if len(links) != 1 || links[0].File != "ejemplo/images/filtrado.png" {
		t.Errorf("findings about links: %+v; want exactly one, for ejemplo/images/filtrado.png", links)
	}
}

// A question's heading may carry an enemy group and mark it "select all
// that apply" with a single key; its id stays what comes before the braces.
func TestQuestionAttributes(t *testing.T) {
	m := fixture(t)
	edit(t, m, "ejemplo/questions/arranque.md", "## arr-001", "## arr-001 {grupo=orden-de-arranque varias}")
	cat, report := Load(m, Options{})
	if report.HasErrors() {
		t.Fatalf("errors:\n%s", findingsText(report))
	}
	q := cat.Track("ejemplo").Question("arr-001")
	if q == nil || q.Group != "orden-de-arranque" || !q.MultiSelect || !q.Multiple() {
		t.Fatalf("arr-001 = %+v", q)
	}
	if other := cat.Track("ejemplo").Question("arr-003"); other.Group != "" || other.MultiSelect {
		t.Errorf("arr-002 took attributes it does not have: %+v", other)
	}
}

// Groups that leave one arrangement still pass: lint asks whether some
// exam can be drawn, not whether every way of drawing would do.
func TestLintAcceptsGroupsThatFit(t *testing.T) {
	m := fixture(t)
	// arranque needs two: arr-001 and one of arr-002 and arr-003, which
	// uses both groups, so terminal must serve ter-003.
	edit(t, m, "ejemplo/certification.md", "questions: 2", "questions: 3")
	edit(t, m, "ejemplo/certification.md", "arranque: 1", "arranque: 2")
	edit(t, m, "ejemplo/questions/arranque.md", "## arr-001", "## arr-001 {grupo=uno}")
	edit(t, m, "ejemplo/questions/arranque.md", "## arr-002", "## arr-002 {grupo=dos}")
	edit(t, m, "ejemplo/questions/arranque.md", "## arr-003", "## arr-003 {grupo=dos}")
	edit(t, m, "ejemplo/questions/terminal.md", "## ter-001", "## ter-001 {grupo=uno}")
	edit(t, m, "ejemplo/questions/terminal.md", "## ter-002", "## ter-002 {grupo=dos}")
	_, report := Load(m, Options{})
	if report.HasErrors() {
		t.Errorf("errors:\n%s", findingsText(report))
	}
	// One more question of arranque's in group dos, and no arrangement
	// is left.
	edit(t, m, "ejemplo/questions/arranque.md", "## arr-001 {grupo=uno}", "## arr-001 {grupo=dos}")
	_, report = Load(m, Options{})
	if !report.HasErrors() {
		t.Errorf("arranque's three questions in one group passed:\n%s", findingsText(report))
	}
}
