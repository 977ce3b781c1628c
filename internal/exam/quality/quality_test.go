package quality

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// tx reads `code` spans out of s, as the content loader does: the text
// keeps their words, Code lists them.
func tx(s string) Text {
	var plain strings.Builder
	var code []string
	for i, part := range strings.Split(s, "`") {
		plain.WriteString(part)
		if i%2 == 1 {
			code = append(code, part)
		}
	}
	return Text{Plain: plain.String(), Code: code}
}

// q is a question as a test writes it.
type q struct {
	id, domain, stem string
	keys, wrong      []string
	explanation      string
	practice, multi  bool
	group            string
}

func (s q) item() Item {
	it := Item{ID: s.id, Domain: s.domain, Practice: s.practice, Multi: s.multi, Group: s.group, Stem: tx(s.stem), Explanation: tx(s.explanation)}
	if it.Domain == "" {
		it.Domain = "d"
	}
	for _, k := range s.keys {
		it.Options = append(it.Options, Option{Text: tx(k), Correct: true})
	}
	for _, w := range s.wrong {
		it.Options = append(it.Options, Option{Text: tx(w)})
	}
	return it
}

// coined makes up a word of its own for each n: «bababa», «bababe»…
func coined(n int) string {
	var w strings.Builder
	for range 3 {
		w.WriteByte("bcdfgjklmnprstvz"[n/5%16])
		w.WriteByte("aeiou"[n%5])
		n /= 80
	}
	return w.String()
}

// filler is n exam questions that share no word with each other or with
// the questions under test, so that those questions' words are rare in
// the track, as they are in a real bank.
func filler(n int) []Item {
	var out []Item
	for i := range n {
		w := func(k int) string { return coined(1000 + 10*i + k) }
		out = append(out, q{id: fmt.Sprintf("f-%02d", i), domain: "relleno",
			stem: fmt.Sprintf("¿%s %s %s?", w(0), w(1), w(2)), keys: []string{w(3) + " " + w(4)},
			wrong: []string{w(5) + " " + w(6), w(7) + " " + w(8)}}.item())
	}
	return out
}

func analyzeAll(t *testing.T, qs ...q) Analysis {
	t.Helper()
	items := filler(12)
	for _, s := range qs {
		items = append(items, s.item())
	}
	return Analyze(items, Defaults())
}

func TestLongKey(t *testing.T) {
	tests := []struct {
		name string
		q    q
		want []LongKey
	}{
		{"much longer", q{id: "a", stem: "¿Qué haces?", keys: []string{"Reinicias el servicio de impresión y revisas la cola"}, wrong: []string{"Cambias el cable", "Apagas el equipo"}},
			[]LongKey{{Item: "a", Key: 52, Distractor: 16}}},
		{"longer, not by the ratio", q{id: "a", stem: "¿Qué haces?", keys: []string{"Cambias el cable USB"}, wrong: []string{"Apagas el equipo"}}, nil},
		{"by the ratio, not by the margin", q{id: "a", stem: "¿Qué haces?", keys: []string{"Cambias el cable"}, wrong: []string{"Lo apagas"}}, nil},
		{"several keys, all long", q{id: "a", stem: "¿Qué haces? Elige dos.", keys: []string{"Reinicias el servicio de impresión", "Revisas la cola de impresión completa"}, wrong: []string{"Nada", "Lo apagas"}},
			[]LongKey{{Item: "a", Key: 34, Distractor: 9}}},
		{"several keys, one short", q{id: "a", stem: "¿Qué haces? Elige dos.", keys: []string{"Reinicias el servicio de impresión", "Nada más"}, wrong: []string{"Nada", "Lo apagas"}}, nil},
		{"visible text: code counts without its marks", q{id: "a", stem: "¿Qué comando?", keys: []string{"`lpstat -v`"}, wrong: []string{"`lpstat -o`"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := analyzeAll(t, tc.q).LongKeys; !slices.Equal(got, tc.want) {
				t.Errorf("LongKeys = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// bankWithLongest is ten single-answer questions of domain d, the first
// longest of which have the key as their strictly longest option.
func bankWithLongest(d string, n, longest int, practice bool) []q {
	var out []q
	for i := range n {
		key, wrong := "Sí, "+coined(i), []string{"No, " + coined(100+i) + " " + coined(200+i)}
		if i < longest {
			key, wrong = "Sí, "+coined(i)+" "+coined(300+i), []string{"No, " + coined(100+i)}
		}
		out = append(out, q{id: fmt.Sprintf("%s-%02d", d, i), domain: d, practice: practice, stem: fmt.Sprintf("¿%s?", coined(400+i)), keys: []string{key}, wrong: wrong})
	}
	return out
}

func TestKeyLongestShare(t *testing.T) {
	tests := []struct {
		name string
		qs   []q
		want []LongestShare
	}{
		{"four of ten", bankWithLongest("red", 10, 4, false), []LongestShare{{Domain: "red", Longest: 4, Single: 10}}},
		{"three of ten is the maximum", bankWithLongest("red", 10, 3, false), nil},
		{"too few to judge", bankWithLongest("red", 9, 9, false), nil},
		{"practice is not judged", bankWithLongest("red", 10, 10, true), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := analyzeAll(t, tc.qs...)
			if !slices.Equal(a.LongestShares, tc.want) {
				t.Errorf("LongestShares = %+v, want %+v", a.LongestShares, tc.want)
			}
			if len(tc.want) > 0 && len(a.LongestShares) > 0 && a.LongestShares[0].Percent() != 40 {
				t.Errorf("Percent = %v", a.LongestShares[0].Percent())
			}
		})
	}
}

// Two questions that ask what `apt update` does, as the outside review
// found in the shipped bank (seg-002 and sof-001).
var (
	aptUpdate = q{id: "seg-002", domain: "seguridad", stem: "¿Qué hace `sudo apt update`?",
		keys:  []string{"Descarga la lista de paquetes disponibles, sin instalar nada"},
		wrong: []string{"Descarga e instala todas las actualizaciones pendientes", "Reinicia el equipo para usar el kernel nuevo"}}
	aptUpdateAgain = q{id: "sof-001", domain: "software", stem: "¿Qué hace exactamente `sudo apt update`?",
		keys:  []string{"Descarga la lista actualizada de paquetes de los repositorios"},
		wrong: []string{"Instala las versiones nuevas de todos los programas", "Borra los paquetes descargados que ya no se usan"}}
	kernelRestart = q{id: "seg-006", domain: "seguridad", stem: "Un equipo de recepción nunca se apaga. Hace un mes se instaló un kernel nuevo con una corrección de seguridad. ¿Qué le falta?",
		keys:  []string{"Reiniciar el equipo para que empiece a usar el kernel nuevo"},
		wrong: []string{"Instalar un antivirus", "Cambiar la contraseña del administrador"}}
	kernelRestartAgain = q{id: "sof-021", domain: "software", stem: "Terminaste de actualizar un equipo y entre los paquetes actualizados había un kernel nuevo. ¿Qué le recomiendas al cliente?",
		keys:  []string{"Reiniciar el equipo para empezar a usar el kernel nuevo"},
		wrong: []string{"Desinstalar el kernel anterior de inmediato", "Ejecutar de nuevo la actualización"}}
	// The stem of interrupted gives away the key of finishConfig
	// (sof-007 and res-026).
	finishConfig = q{id: "res-026", domain: "respaldos", stem: "Después de una actualización interrumpida, ¿qué comando termina de configurar los paquetes que quedaron a medias?",
		keys:  []string{"`sudo dpkg --configure -a`"},
		wrong: []string{"`sudo apt-mark showmanual`", "`sudo rsync -n`"}}
	interrupted = q{id: "sof-007", domain: "software", stem: "Se fue la luz durante una actualización interrumpida y apt dice: «debe ejecutar manualmente `dpkg --configure -a`». ¿Qué haces primero?",
		keys:  []string{"Sigues la indicación del mensaje"},
		wrong: []string{"Reinstalas MxOS", "Borras la caché de apt"}}
	queues = q{id: "per-009", domain: "perifericos", stem: "¿Qué comando muestra a qué dirección apunta cada cola de impresión?",
		keys:  []string{"`lpstat -v`"},
		wrong: []string{"`lpstat -o`", "`lpoptions -d`"}}
)

func TestPairs(t *testing.T) {
	with := func(s q, f func(*q)) q {
		s.keys, s.wrong = slices.Clone(s.keys), slices.Clone(s.wrong)
		f(&s)
		return s
	}
	practice := func(s q) q { s.practice = true; s.id = "p-" + s.id; return s }
	tests := []struct {
		name string
		qs   []q
		want []Pair // Similarity and KeySimilarity are not compared
	}{
		{"same question, same answer", []q{aptUpdate, aptUpdateAgain}, []Pair{{Kind: Similar, A: "seg-002", B: "sof-001"}}},
		{"alike but in one enemy group", []q{with(aptUpdate, func(s *q) { s.group = "apt-update" }), with(aptUpdateAgain, func(s *q) { s.group = "apt-update" })}, nil},
		{"different questions", []q{aptUpdate, kernelRestart, finishConfig, queues}, nil},
		{"same answer to a related question", []q{kernelRestart, kernelRestartAgain}, []Pair{{Kind: Similar, A: "seg-006", B: "sof-021"}}},
		{"a stem states another's key", []q{finishConfig, interrupted}, []Pair{{Kind: Answers, A: "sof-007", B: "res-026", Phrase: "dpkg --configure -a", Part: PartStem}}},
		{"a stem states another's key, in one enemy group", []q{with(finishConfig, func(s *q) { s.group = "dpkg" }), with(interrupted, func(s *q) { s.group = "dpkg" })}, nil},
		{"a command that a distractor also shows gives nothing away", []q{with(finishConfig, func(s *q) { s.wrong[1] = "`sudo dpkg --configure -a --force-all`" }), interrupted}, nil},
		{"practice alike an exam question", []q{aptUpdate, practice(aptUpdateAgain)}, []Pair{{Kind: Reveals, A: "p-sof-001", B: "seg-002"}}},
		{"practice explanation states the key", []q{queues, {id: "p-per-005", practice: true, stem: "¿Qué comando manda `prueba.pdf` a la cola `Recepcion`?",
			keys: []string{"`lp -d Recepcion prueba.pdf`"}, wrong: []string{"`lpoptions -d Recepcion`"},
			explanation: "`lp -d` envía el archivo; `lpstat -v` muestra a qué dirección apunta cada cola."}},
			[]Pair{{Kind: Reveals, A: "p-per-005", B: "per-009", Phrase: "lpstat -v", Part: PartExplanation}}},
		{"practice explanation states a key in words, most of them", []q{{id: "res-001", domain: "respaldos", stem: "Un cliente guarda su respaldo en la misma laptop. ¿Qué le recomiendas?",
			keys: []string{"Que la copia quede en un disco externo guardado lejos"}, wrong: []string{"Que lo comprima", "Que le ponga contraseña"}},
			{id: "p-res-001", practice: true, stem: "¿Dónde conviene tener el respaldo de una tienda?", keys: []string{"Fuera del local"}, wrong: []string{"En la caja"},
				explanation: "Un respaldo en un disco externo guardado lejos de la laptop, que quede fuera de casa, resiste un robo."}},
			[]Pair{{Kind: Reveals, A: "p-res-001", B: "res-001", Phrase: "Que la copia quede en un disco externo guardado lejos", Part: PartExplanation}}},
		{"practice shows the command, not what it answers", []q{queues, {id: "p-ter-001", practice: true, stem: "¿Dónde escribes comandos como `lpstat -v`?",
			keys: []string{"En la terminal"}, wrong: []string{"En el navegador"}, explanation: "La terminal interpreta lo que escribes."}}, nil},
		{"practice distractor shows the key", []q{queues, {id: "p-per-004", practice: true, stem: "¿Dónde ves los niveles de tóner de una impresora de red?",
			keys: []string{"En su panel web"}, wrong: []string{"En `lpstat -v`"}, explanation: "El panel web muestra consumibles y errores."}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []Pair
			for _, p := range analyzeAll(t, tc.qs...).Pairs {
				p.Similarity, p.KeySimilarity = 0, 0
				got = append(got, p)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Pairs = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestGiveaway(t *testing.T) {
	wifi := q{id: "ins-020", stem: "Una laptop sin Wi-Fi muestra `failed to load iwlwifi-8265.ucode`. ¿Qué instalas?",
		keys: []string{"`firmware-iwlwifi`"}, wrong: []string{"`firmware-realtek`", "`network-manager`"}}
	tests := []struct {
		name string
		qs   []q
		want []Giveaway
	}{
		{"a rare stem word only the key repeats", []q{wifi}, []Giveaway{{Item: "ins-020", Words: []string{"iwlwifi"}}}},
		{"a distractor repeats it too", []q{func() q { s := wifi; s.wrong = []string{"`iwlwifi-tools`", "`firmware-realtek`"}; return s }()}, nil},
		{"a common word is no cue", func() []q {
			out := []q{wifi}
			for i := range 3 { // with ins-020, four stems use «iwlwifi»: more than RareItems
				out = append(out, q{id: fmt.Sprintf("x-%d", i), stem: "El módulo iwlwifi " + coined(i), keys: []string{coined(10 + i)}, wrong: []string{coined(20 + i)}})
			}
			return out
		}(), nil},
		{"a command of the stem only the key repeats", []q{interrupted, {id: "sof-007b", stem: "apt pide ejecutar `dpkg --configure -a`. ¿Qué haces?",
			keys: []string{"Ejecutar `sudo dpkg --configure -a`"}, wrong: []string{"Ejecutar `sudo apt purge dpkg`", "Reinstalar MxOS"}}},
			[]Giveaway{{Item: "sof-007b", Words: []string{"dpkg --configure -a"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := analyzeAll(t, tc.qs...).Giveaways
			if !slices.EqualFunc(got, tc.want, func(a, b Giveaway) bool { return a.Item == b.Item && slices.Equal(a.Words, b.Words) }) {
				t.Errorf("Giveaways = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestFixedKeyCount(t *testing.T) {
	multi := func(id, domain, stem string, keys int) q {
		s := q{id: id, domain: domain, stem: stem + " " + coined(len(id)*7+int(id[len(id)-1])), multi: true, wrong: []string{"x " + id, "y " + id}}
		for k := range keys {
			s.keys = append(s.keys, fmt.Sprintf("clave %d de %s", k, id))
		}
		return s
	}
	const all = "¿Cuáles aplican? Elige todas las que apliquen."
	tests := []struct {
		name string
		qs   []q
		want []FixedKeyCount
	}{
		{"always three", []q{multi("a1", "a", all, 3), multi("a2", "a", all, 3), multi("a3", "a", all, 3)}, []FixedKeyCount{{Domain: "a", Items: 3, Keys: 3}}},
		{"one, two and three", []q{multi("a1", "a", all, 1), multi("a2", "a", all, 2), multi("a3", "a", all, 3)}, nil},
		{"two are too few", []q{multi("a1", "a", all, 3), multi("a2", "a", all, 3)}, nil},
		{"stems that say how many", []q{multi("a1", "a", "¿Cuáles? Elige dos.", 2), multi("a2", "a", "¿Cuáles? Elige dos.", 2), multi("a3", "a", "¿Cuáles? Elige dos.", 2)}, nil},
		{"across domains", []q{multi("a1", "a", all, 3), multi("a2", "a", all, 3), multi("b1", "b", all, 3), multi("b2", "b", all, 3)}, []FixedKeyCount{{Items: 4, Keys: 3}}},
		{"practice is not judged", []q{multi("a1", "a", all, 3), multi("a2", "a", all, 3), func() q { s := multi("a3", "a", all, 3); s.practice = true; return s }()}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := analyzeAll(t, tc.qs...).FixedKeyCounts; !slices.Equal(got, tc.want) {
				t.Errorf("FixedKeyCounts = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestDomainStatsAndTotal(t *testing.T) {
	a := analyzeAll(t, aptUpdate, aptUpdateAgain, finishConfig, interrupted, queues,
		q{id: "p-x", practice: true, domain: "software", stem: aptUpdateAgain.stem, keys: aptUpdateAgain.keys, wrong: aptUpdateAgain.wrong})
	byDomain := map[string]DomainStats{}
	for _, d := range a.Domains {
		byDomain[d.Domain] = d
	}
	if d := byDomain["software"]; d.Items != 2 || d.Single != 2 || d.Similar != 2 || d.Revealed != 1 {
		t.Errorf("software = %+v; want 2 items, 2 single, 2 pairs (with seg-002 and res-026), 1 revealed", d)
	}
	if d := byDomain["seguridad"]; d.Similar != 1 || d.Revealed != 1 {
		t.Errorf("seguridad = %+v; want 1 pair and 1 revealed (p-x is also seg-002)", d)
	}
	total := a.Total()
	if total.Items != 12+5 || total.Similar != 2 || total.Revealed != 2 {
		t.Errorf("total = %+v; want 17 items, 2 pairs counted once, 2 revealed", total)
	}
	if a.Thresholds != Defaults() {
		t.Errorf("thresholds = %+v", a.Thresholds)
	}
}
