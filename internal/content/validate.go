package content

import "fmt"

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
	for _, d := range t.Rules.Blueprint {
		line := keyLine(keys, "exam.domains."+d.Domain, keyLine(keys, "exam.domains", 1))
		inBlueprint[d.Domain] = true
		total += d.Count
		if !slugRe.MatchString(d.Domain) {
			r.errorf(file, line, "el dominio «%s» no es un id válido: usa minúsculas, dígitos y guiones, sin acentos", d.Domain)
		}
		if d.Count < 1 {
			r.errorf(file, line, "el dominio «%s» debe aportar al menos una pregunta (tiene %d)", d.Domain, d.Count)
			continue
		}
		pool := len(t.Pool(ExamPool, d.Domain))
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
