package content

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// Each item-quality check, in a case that trips it and one that does not.
// A case that trips names the finding as TestLintRules does; a case that
// does not leaves the example track without any finding at all.
func TestQualityRules(t *testing.T) {
	const (
		cert    = "ejemplo/certification.md"
		bankArr = "ejemplo/questions/arranque.md"
		bankTer = "ejemplo/questions/terminal.md"
		pracArr = "ejemplo/practice/arranque.md"
		pracTer = "ejemplo/practice/terminal.md"
	)
	type change struct{ file, old, new string }
	tests := []struct {
		name    string
		changes []change
		add     map[string]string
		clean   bool // no finding at all
		sev     Severity
		file    string
		line    int
		message string
		detail  string
	}{
		{name: "key much longer than the distractors",
			changes: []change{{bankArr, "- [x] Guardar los cambios al salir", "- [x] Guardar los cambios al salir de la configuración del firmware"}},
			sev:     Warning, file: bankArr, line: 25, message: "la respuesta correcta es mucho más larga que cualquier distractor (61 caracteres contra 24)"},
		{name: "key longer, within the margin",
			changes: []change{{bankArr, "- [x] Guardar los cambios al salir", "- [x] Guardar los cambios al salir de ahí"}}, clean: true},
		{name: "the key is the longest too often in a domain",
			add: map[string]string{"ejemplo/questions/zz-terminal.md": terminalBank(3)},
			sev: Warning, file: bankTer, line: 2, message: "en el dominio «terminal», la respuesta correcta es la opción más larga en 4 de 13 preguntas de respuesta única (30.8 %); el máximo es 30 %"},
		{name: "the key is the longest in a fair share",
			add: map[string]string{"ejemplo/questions/zz-terminal.md": terminalBank(2)}, clean: true},
		{name: "two exam questions test the same",
			changes: []change{{bankArr, "## arr-002", arr001Again + "\n## arr-002"}},
			sev:     Warning, file: bankArr, line: 5, message: "pregunta «arr-001»: prueba lo mismo que «arr-004» (ejemplo/questions/arranque.md:15; similitud"},
		{name: "two alike exam questions in one enemy group",
			changes: []change{{bankArr, "## arr-002", strings.Replace(arr001Again, "## arr-004", "## arr-004 {grupo=usb}", 1) + "\n## arr-002"}, {bankArr, "## arr-001", "## arr-001 {grupo=usb}"}}, clean: true},
		{name: "a stem states the key of another exam question",
			changes: []change{{bankTer, "Una clienta ejecutó esto y te manda la salida:", "Una clienta ejecutó `df -h` para ver el espacio libre de sus discos y te manda la salida:"}, {bankTer, "- [ ] La memoria RAM está llena", "- [ ] La memoria RAM se quedó sin espacio"}},
			sev:     Warning, file: bankTer, line: 14, message: "pregunta «ter-002»: su enunciado contiene la respuesta de «ter-001» (ejemplo/questions/terminal.md:5)", detail: "«df -h»"},
		{name: "a stem states the key of another, in one enemy group",
			changes: []change{{bankTer, "Una clienta ejecutó esto y te manda la salida:", "Una clienta ejecutó `df -h` para ver el espacio libre de sus discos y te manda la salida:"}, {bankTer, "- [ ] La memoria RAM está llena", "- [ ] La memoria RAM se quedó sin espacio"},
				{bankTer, "## ter-001", "## ter-001 {grupo=df}"}, {bankTer, "## ter-002", "## ter-002 {grupo=df}"}}, clean: true},
		{name: "a practice question nearly copies an exam question",
			changes: []change{{pracArr, "> El firmware sigue el orden de arranque configurado.", "> El firmware sigue el orden de arranque configurado.\n" + arr003Practice}},
			sev:     Error, file: pracArr, line: 14, message: "pregunta de práctica «pra-arr-002»: es casi la pregunta de examen «arr-003» (ejemplo/questions/arranque.md:25; similitud"},
		{name: "a practice explanation states an exam key",
			changes: []change{{pracTer, "> La terminal interpreta comandos escritos.", "> La terminal interpreta comandos escritos; `df -h` muestra el espacio libre de los discos en unidades fáciles de leer."}},
			sev:     Error, file: pracTer, line: 5, message: "pregunta de práctica «pra-ter-001»: su explicación dice la respuesta de la pregunta de examen «ter-001»", detail: "«df -h»"},
		{name: "a practice question shows an exam key without saying what it answers",
			changes: []change{{pracTer, "- [ ] En el gestor de archivos", "- [ ] En el gestor de archivos, con `df -h`"}}, clean: true},
		{name: "a distinctive stem word only the key repeats",
			changes: []change{{bankArr, "¿Qué falta?", "¿Qué falta guardar?"}},
			sev:     Warning, file: bankArr, line: 25, message: "pregunta «arr-003»: una palabra distintiva del enunciado se repite en la respuesta correcta y en ningún distractor", detail: "«guardar»"},
		{name: "a distractor repeats the stem word too",
			changes: []change{{bankArr, "¿Qué falta?", "¿Qué falta guardar?"}, {bankArr, "- [ ] Formatear la memoria USB", "- [ ] Guardar una copia en la memoria USB"}}, clean: true},
		{name: "select all that apply, always with the same number of keys",
			add: map[string]string{"ejemplo/questions/zz-arranque.md": selectAllBank(2, 2, 2)},
			sev: Warning, file: bankArr, line: 2, message: "en el dominio «arranque», las 3 preguntas de examen de «todas las que apliquen» tienen 2 respuestas correctas cada una"},
		{name: "select all that apply, with one, two and three keys",
			add: map[string]string{"ejemplo/questions/zz-arranque.md": selectAllBank(1, 2, 3)}, clean: true},
		{name: "an option that is not a catch-all",
			changes: []change{{bankArr, "- [ ] Desconectar el teclado", "- [ ] Todas las ventanas abiertas"}}, clean: true},
		{name: "repeated option in another case",
			changes: []change{{bankArr, "- [ ] Desconectar el teclado", "- [ ] formatear la memoria USB"}},
			sev:     Error, file: bankArr, line: 30, message: "la opción «formatear la memoria USB» está repetida (ya aparece en la línea 28)"},
		{name: "options that only look alike",
			changes: []change{{bankArr, "- [ ] Desconectar el teclado", "- [ ] Formatear la memoria"}}, clean: true},
		{name: "a threshold tuned in certification.md",
			changes: []change{{bankArr, "- [x] Guardar los cambios al salir", "- [x] Guardar los cambios al salir de la configuración del firmware"},
				{cert, "  valid_for_months: 0\n", "  valid_for_months: 0\nquality:\n  key_length_ratio: 3\n"}}, clean: true},
		{name: "unknown quality key",
			changes: []change{{cert, "  valid_for_months: 0\n", "  valid_for_months: 0\nquality:\n  similarty: 0.5\n"}},
			file:    cert, line: 16, message: "clave desconocida «quality.similarty» (¿quisiste decir «quality.similarity»?)"},
		{name: "quality key in Spanish",
			changes: []change{{cert, "  valid_for_months: 0\n", "  valid_for_months: 0\ncalidad:\n  similarity: 0.5\n"}},
			file:    cert, line: 15, message: "clave desconocida «calidad» (las claves van en inglés: «quality»)"},
		{name: "similarity out of range",
			changes: []change{{cert, "  valid_for_months: 0\n", "  valid_for_months: 0\nquality:\n  similarity: 1.5\n"}},
			file:    cert, line: 16, message: "«quality.similarity» debe ser mayor que 0 y a lo sumo 1"},
		{name: "percent out of range",
			changes: []change{{cert, "  valid_for_months: 0\n", "  valid_for_months: 0\nquality:\n  key_longest_max_percent: 120\n"}},
			file:    cert, line: 16, message: "«quality.key_longest_max_percent» debe estar entre 0 y 100"},
		{name: "similarity not a number",
			changes: []change{{cert, "  valid_for_months: 0\n", "  valid_for_months: 0\nquality:\n  similarity: alta\n"}},
			file:    cert, line: 16, message: "«quality.similarity»: se esperaba un número"},
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
			if tc.clean {
				if len(report.Findings) > 0 {
					t.Errorf("want no finding; got:\n%s", findingsText(report))
				}
				return
			}
			for _, f := range report.Findings {
				if f.Severity == tc.sev && f.File == tc.file && f.Line == tc.line && strings.Contains(f.Message, tc.message) && strings.Contains(f.Detail, tc.detail) {
					if f.Detail != "" && strings.Contains(f.String(), f.Detail) {
						t.Errorf("String() shows the detail, which may quote the exam bank: %s", f)
					}
					return
				}
			}
			t.Errorf("want %s at %s:%d containing %q (detail %q); got:\n%s", tc.sev, tc.file, tc.line, tc.message, tc.detail, findingsText(report))
		})
	}
}

// arr001Again asks what arr-001 asks, in other words.
const arr001Again = `## arr-004
Un cliente no logra arrancar el equipo desde la memoria USB de instalación. ¿Qué revisas antes que nada?

- [ ] Que el monitor esté bien conectado al equipo
- [x] El orden de arranque en la configuración del firmware (BIOS/UEFI)
- [ ] Que la memoria RAM tenga espacio suficiente
- [ ] Que el teclado sea de la misma marca que el equipo

> El equipo debe intentar arrancar desde la USB antes que desde el disco interno.
`

// arr003Practice is arr-003 put in the practice bank.
const arr003Practice = `
## pra-arr-002
Cambiaste el orden de arranque, pero el equipo sigue iniciando desde el disco interno. ¿Qué te faltó?

- [ ] Formatear la memoria
- [x] Guardar los cambios al salir
- [ ] Cambiar el teclado

> Sin guardar, el firmware descarta los cambios.
`

// terminalBank is ten more single-answer questions of the terminal
// domain, with words of their own, the first longest of which have the
// key as their longest option.
func terminalBank(longest int) string {
	var b strings.Builder
	b.WriteString("---\ndomain: terminal\n---\n")
	for i := range 10 {
		key, wrong := coined(10*i), coined(10*i+1)+" "+coined(10*i+2)
		if i < longest {
			key, wrong = coined(10*i)+" "+coined(10*i+1), coined(10*i+2)
		}
		fmt.Fprintf(&b, "\n## ter-x%02d\n¿%s %s?\n\n- [x] %s\n- [ ] %s\n- [ ] %s\n\n> %s.\n", i, coined(10*i+3), coined(10*i+4), key, wrong, coined(10*i+5), coined(10*i+6))
	}
	return b.String()
}

// selectAllBank is three «select all that apply» questions of the
// arranque domain with the given numbers of keys.
func selectAllBank(keys ...int) string {
	var b strings.Builder
	b.WriteString("---\ndomain: arranque\n---\n")
	for i, k := range keys {
		fmt.Fprintf(&b, "\n## arr-x%d {varias}\n¿%s %s? Elige todas las que apliquen.\n\n", i, coined(50+10*i), coined(51+10*i))
		for o := range 4 {
			box := " "
			if o < k {
				box = "x"
			}
			fmt.Fprintf(&b, "- [%s] %s\n", box, coined(52+10*i+o))
		}
		fmt.Fprintf(&b, "\n> %s.\n", coined(59+10*i))
	}
	return b.String()
}
