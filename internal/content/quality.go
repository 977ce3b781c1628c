package content

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"mxcert/internal/exam/quality"
)

// qualityMeta is the optional «quality» block of certification.md: the
// thresholds of the item-quality checks. A key left out keeps its default
// (quality.Defaults).
type qualityMeta struct {
	KeyLengthRatio       float64 `yaml:"key_length_ratio"`
	KeyLengthMargin      int     `yaml:"key_length_margin"`
	KeyLongestMaxPercent int     `yaml:"key_longest_max_percent"`
	Similarity           float64 `yaml:"similarity"`
	KeySimilarity        float64 `yaml:"key_similarity"`
	DistinctiveMaxItems  int     `yaml:"distinctive_max_items"`
}

// qualityThresholds applies the keys present in the quality block to the
// defaults, reporting values out of range.
func (l *loader) qualityThresholds(file string, m qualityMeta, keys metaKeys) quality.Thresholds {
	th := quality.Defaults()
	check := func(key string, valid bool, want string, apply func()) {
		line, set := keys["quality."+key]
		switch {
		case !set:
		case !valid:
			l.report.errorf(file, line, "«quality.%s» %s", key, want)
		default:
			apply()
		}
	}
	check("key_length_ratio", m.KeyLengthRatio >= 1, "debe ser 1 o más (1.5 = la respuesta mide al menos vez y media el distractor más largo)",
		func() { th.KeyLengthRatio = m.KeyLengthRatio })
	check("key_length_margin", m.KeyLengthMargin >= 0, "no puede ser negativo", func() { th.KeyLengthMargin = m.KeyLengthMargin })
	check("key_longest_max_percent", m.KeyLongestMaxPercent >= 0 && m.KeyLongestMaxPercent <= 100, "debe estar entre 0 y 100",
		func() { th.KeyLongestMaxPercent = m.KeyLongestMaxPercent })
	check("similarity", m.Similarity > 0 && m.Similarity <= 1, "debe ser mayor que 0 y a lo sumo 1", func() { th.Similarity = m.Similarity })
	check("key_similarity", m.KeySimilarity > 0 && m.KeySimilarity <= 1, "debe ser mayor que 0 y a lo sumo 1", func() { th.KeySimilarity = m.KeySimilarity })
	check("distinctive_max_items", m.DistinctiveMaxItems >= 1, "debe ser 1 o más", func() { th.RareItems = m.DistinctiveMaxItems })
	return th
}

// lintQuality runs the item-quality rules over the track's questions and
// reports what they find. Messages name questions by id and place, never
// by their text: findings reach logs and the admin pages, and the exam
// bank is secret. The words at fault go in the finding's Detail.
func (l *loader) lintQuality(t *Track, certFile string, keys metaKeys, banks []*bank) {
	var items []quality.Item
	for _, q := range slices.Concat(t.ExamQuestions, t.PracticeQuestions) {
		items = append(items, q.check)
	}
	a := quality.Analyze(items, t.thresholds)
	t.quality = a
	r := l.report

	bankOf := map[string]*bank{} // domain → its first exam bank

	for _, b := range banks {
		if b.pool == ExamPool && bankOf[b.domain] == nil {
			bankOf[b.domain] = b
		}
	}
	atDomain := func(domain string) (string, int) {
		if b := bankOf[domain]; b != nil {
			return b.file, b.domainLine
		}
		return certFile, keyLine(keys, "exam.domains."+domain, 1)
	}
	where := func(q *Question) string { return fmt.Sprintf("%s:%d", q.File, q.Line) }

	for _, k := range a.LongKeys {
		q := t.Question(k.Item)
		if q.Multiple() {
			r.warnf(q.File, q.Line, "pregunta «%s»: las respuestas correctas son mucho más largas que cualquier distractor (la más corta mide %d caracteres y el distractor más largo %d); quien no sabe elige las más largas: alarga los distractores o acorta las respuestas", q.ID, k.Key, k.Distractor)
			continue
		}
		r.warnf(q.File, q.Line, "pregunta «%s»: la respuesta correcta es mucho más larga que cualquier distractor (%d caracteres contra %d); quien no sabe elige la más larga: alarga los distractores o acorta la respuesta", q.ID, k.Key, k.Distractor)
	}
	for _, s := range a.LongestShares {
		file, line := atDomain(s.Domain)
		r.warnf(file, line, "en el dominio «%s», la respuesta correcta es la opción más larga en %d de %d preguntas de respuesta única (%s %%); el máximo es %d %%: quien elige siempre la más larga acierta demasiado. Haz que en más preguntas un distractor sea la opción más larga", s.Domain, s.Longest, s.Single, decimal(s.Percent(), 1), t.thresholds.KeyLongestMaxPercent)
	}
	for _, p := range a.Pairs {
		qa, qb := t.Question(p.A), t.Question(p.B)
		switch p.Kind {
		case quality.Similar:
			for _, pair := range [][2]*Question{{qa, qb}, {qb, qa}} {
				q, other := pair[0], pair[1]
				r.warnf(q.File, q.Line, "pregunta «%s»: prueba lo mismo que «%s» (%s; similitud %s entre enunciados y respuestas, %s entre respuestas): en un mismo examen, una ayuda a responder la otra. Reescribe o retira una, o ponlas en el mismo grupo con {grupo=nombre}", q.ID, other.ID, where(other), decimal(p.Similarity, 2), decimal(p.KeySimilarity, 2))
			}
		case quality.Answers:
			r.warnf(qa.File, qa.Line, "pregunta «%s»: su enunciado contiene la respuesta de «%s» (%s): en un mismo examen, la regala. Cambia el enunciado o pon las dos en el mismo grupo con {grupo=nombre}", qa.ID, qb.ID, where(qb))
			r.withDetail("«" + p.Phrase + "»")
			r.warnf(qb.File, qb.Line, "pregunta «%s»: su respuesta aparece en el enunciado de «%s» (%s): en un mismo examen, aquella regala esta. Cambia una de las dos o ponlas en el mismo grupo con {grupo=nombre}", qb.ID, qa.ID, where(qa))
			r.withDetail("«" + p.Phrase + "»")
		case quality.Reveals:
			if p.Phrase == "" {
				r.errorf(qa.File, qa.Line, "pregunta de práctica «%s»: es casi la pregunta de examen «%s» (%s; similitud %s entre enunciados y respuestas, %s entre respuestas). La práctica muestra la respuesta y la explicación, así que revelaría el examen: escribe otra pregunta", qa.ID, qb.ID, where(qb), decimal(p.Similarity, 2), decimal(p.KeySimilarity, 2))
				continue
			}
			r.errorf(qa.File, qa.Line, "pregunta de práctica «%s»: %s dice la respuesta de la pregunta de examen «%s» (%s), que trata de lo mismo. La práctica muestra respuestas y explicaciones y nunca debe revelar el examen: cambia la pregunta de práctica", qa.ID, partName(p.Part), qb.ID, where(qb))
			r.withDetail("«" + p.Phrase + "»")
		}
	}
	for _, g := range a.Giveaways {
		q := t.Question(g.Item)
		what := "una palabra distintiva del enunciado se repite"
		if len(g.Words) > 1 {
			what = fmt.Sprintf("%d palabras distintivas del enunciado se repiten", len(g.Words))
		}
		r.warnf(q.File, q.Line, "pregunta «%s»: %s en la respuesta correcta y en ningún distractor, una pista para quien no sabe: quítala de la respuesta o úsala también en los distractores", q.ID, what)
		r.withDetail("«" + strings.Join(g.Words, "», «") + "»")
	}
	for _, f := range a.FixedKeyCounts {
		if f.Domain == "" {
			r.warnf(certFile, keyLine(keys, "exam.domains", 1), "las %d preguntas de examen de «todas las que apliquen» tienen %d respuestas correctas cada una: quien lo note marcará siempre %d. Varía cuántas son correctas (de 1 a 4; con {varias} cuando es una)", f.Items, f.Keys, f.Keys)
			continue
		}
		file, line := atDomain(f.Domain)
		r.warnf(file, line, "en el dominio «%s», las %d preguntas de examen de «todas las que apliquen» tienen %d respuestas correctas cada una: quien lo note marcará siempre %d. Varía cuántas son correctas (de 1 a 4; con {varias} cuando es una)", f.Domain, f.Items, f.Keys, f.Keys)
	}
}

func partName(p quality.Part) string {
	switch p {
	case quality.PartStem:
		return "su enunciado"
	case quality.PartKey:
		return "su respuesta correcta"
	default:
		return "su explicación"
	}
}

// decimal writes a number with the given decimals as Mexican Spanish
// writes it, with a decimal point (0.47), a whole percent without them (70).
func decimal(x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if decimals == 1 {
		s = strings.TrimSuffix(s, ".0")
	}
	return s
}

// Quality is what the item-quality rules found in the track when it was
// loaded: the figures per domain that mxcert lint --report prints.
func (t *Track) Quality() quality.Analysis { return t.quality }
