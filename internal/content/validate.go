package content

import (
	"errors"
	"fmt"
	"strings"

	"mxcert/internal/exam/draw"
)

// validateTrack checks what involves more than one file: the blueprint
// against the banks and modules. poolsKnown is false when a bank of the
// track could not be read or is missing: its questions are unknown, so
// pool sizes are not judged.
func (l *loader) validateTrack(t *Track, file string, keys metaKeys, moduleDomainLines map[*Module]int, banks []*bank, poolsKnown bool) {
	r := l.report
	if _, has := keys["exam.domains"]; has && len(t.Rules.Blueprint) == 0 {
		r.errorf(file, keys["exam.domains"], "«exam.domains» está vacío: indica cuántas preguntas aporta cada dominio")
	}
	inBlueprint := map[string]bool{}
	total := 0
	drawable := poolsKnown // every domain asks for questions its exam pool holds
	simulacro := true      // likewise for the practice pool
	for _, d := range t.Rules.Blueprint {
		line := keyLine(keys, "exam.domains."+d.Domain, keyLine(keys, "exam.domains", 1))
		inBlueprint[d.Domain] = true
		total += d.Count
		if !slugRe.MatchString(d.Domain) {
			r.errorf(file, line, "el dominio «%s» no es un id válido: usa minúsculas, dígitos y guiones, sin acentos", d.Domain)
		}
		if d.Count < 1 {
			r.errorf(file, line, "el dominio «%s» debe aportar al menos una pregunta (tiene %d)", d.Domain, d.Count)
			drawable, simulacro = false, false
			continue
		}
		pool := len(t.Pool(ExamPool, d.Domain))
		drawable = drawable && pool >= d.Count
		simulacro = simulacro && len(t.Pool(PracticePool, d.Domain)) >= d.Count
		switch {
		case !poolsKnown:
		case pool < d.Count:
			r.errorf(file, line, "el dominio «%s» pide %s por examen, pero su banco de examen solo tiene %d", d.Domain, questions(d.Count), pool)
		case pool < 2*d.Count:
			r.warnf(file, line, "banco delgado: el dominio «%s» pide %s y su banco de examen tiene %d; con menos del doble, quien repite el examen verá casi las mismas", d.Domain, questions(d.Count), pool)
		}
		if len(t.ModulesFor(d.Domain)) == 0 {
			r.warnf(file, line, "el dominio «%s» no tiene ningún módulo de estudio", d.Domain)
		}
		if len(t.Pool(PracticePool, d.Domain)) == 0 {
			r.warnf(file, line, "el dominio «%s» no tiene preguntas de práctica", d.Domain)
		}
	}
	if len(t.Rules.Blueprint) > 0 && t.Rules.Questions > 0 && total != t.Rules.Questions {
		r.errorf(file, keyLine(keys, "exam.questions", 1), "«exam.questions» es %d pero los dominios de «exam.domains» suman %d; deben coincidir", t.Rules.Questions, total)
	}
	if len(t.Rules.Blueprint) == 0 {
		return // without a blueprint every domain would be reported
	}
	if drawable {
		l.checkGroups(t, file, keys, ExamPool)
	}
	if simulacro {
		l.checkGroups(t, file, keys, PracticePool)
	}
	for _, m := range t.Modules {
		if m.Domain != "" && !inBlueprint[m.Domain] {
			r.errorf(m.File, moduleDomainLines[m], "el dominio «%s» no está en el temario (exam.domains de %s)", m.Domain, file)
		}
	}
	for _, b := range banks {
		if b.domain != "" && !inBlueprint[b.domain] {
			l.reportOf(b.inBank).errorf(b.file, b.domainLine, "el dominio «%s» no está en el temario (exam.domains de %s)", b.domain, file)
		}
	}
}

func questions(n int) string {
	if n == 1 {
		return "1 pregunta"
	}
	return fmt.Sprintf("%d preguntas", n)
}

// checkGroups reports a blueprint that the enemy groups of a pool make
// impossible to draw: an error for the exam, a warning for the practice
// simulacro. It asks exam's own draw, so lint and the exam never disagree.
// It runs once every domain's pool is large enough, which lint checks
// first.
func (l *loader) checkGroups(t *Track, file string, keys metaKeys, pool Pool) {
	need := make([]int, len(t.Rules.Blueprint))
	var cands []draw.Candidate
	members := map[string][]*Question{}
	for d, line := range t.Rules.Blueprint {
		need[d] = line.Count
		for _, q := range t.Pool(pool, line.Domain) {
			cands = append(cands, draw.Candidate{Domain: d, Group: q.Group})
			if q.Group != "" {
				members[q.Group] = append(members[q.Group], q)
			}
		}
	}
	_, err := draw.Choose(need, cands)
	var short *draw.Shortfall
	if !errors.As(err, &short) {
		return
	}
	var domains, groups []string
	for _, d := range short.Domains {
		domains = append(domains, "«"+t.Rules.Blueprint[d].Domain+"»")
	}
	for _, g := range short.Groups {
		qs := members[g]
		groups = append(groups, fmt.Sprintf("«%s»: %d preguntas, la primera en %s:%d", g, len(qs), qs[0].File, qs[0].Line))
	}
	first := t.Rules.Blueprint[short.Domains[0]].Domain
	line := keyLine(keys, "exam.domains."+first, keyLine(keys, "exam.domains", 1))
	asks := fmt.Sprintf("el dominio %s pide %s", domains[0], questions(short.Need))
	if len(domains) > 1 {
		asks = fmt.Sprintf("los dominios %s piden %s en total", spanishList(domains), questions(short.Need))
	}
	group := "grupo"
	if len(groups) > 1 {
		group = "grupos"
	}
	what, noun, report := "el examen", "un examen", l.report.errorf
	if pool == PracticePool {
		what, noun, report = "el simulacro de práctica", "un simulacro", l.report.warnf
	}
	report(file, line, "%s no se puede armar con los grupos declarados: %s, pero las suyas solo alcanzan para %d, porque %s nunca trae dos preguntas del mismo grupo (%s %s); agrega preguntas sin grupo, divide el grupo o pide menos en «exam.domains»",
		what, asks, short.Have, noun, group, strings.Join(groups, "; "))
}

// spanishList joins items as Spanish lists them: «a», «b» y «c».
func spanishList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " y " + items[len(items)-1]
}
