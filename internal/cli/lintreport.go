package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/exam/quality"
)

// guessDraws is how many exams the longest-option simulation draws.
const guessDraws = 10000

// trackQuality is what lint --report shows of one track.
type trackQuality struct {
	track    *content.Track
	analysis quality.Analysis
	guess    exam.Guessing
	guessErr error // the exam could not be assembled
}

func qualityReports(cat *content.Catalog) []trackQuality {
	var out []trackQuality
	for _, t := range cat.Tracks {
		q := trackQuality{track: t, analysis: t.Quality()}
		q.guess, q.guessErr = exam.LongestOption(t, guessDraws)
		out = append(out, q)
	}
	return out
}

// rows are the domains in blueprint order, then any other, then the total.
func (q trackQuality) rows() []quality.DomainStats {
	byDomain := map[string]quality.DomainStats{}
	for _, d := range q.analysis.Domains {
		byDomain[d.Domain] = d
	}
	var out []quality.DomainStats
	for _, d := range q.track.Domains() {
		if s, ok := byDomain[d]; ok {
			out = append(out, s)
			delete(byDomain, d)
		}
	}
	for _, d := range q.analysis.Domains {
		if _, left := byDomain[d.Domain]; left && d.Items > 0 {
			out = append(out, d)
		}
	}
	return out
}

func printQuality(w io.Writer, q trackQuality) error {
	th := q.analysis.Thresholds
	fmt.Fprintf(w, "\nCalidad de las preguntas de examen de «%s»\n\n", q.track.ID)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	total := q.analysis.Total()
	total.Domain = "Total"
	rows := append(q.rows(), total)
	// Right-aligned columns; the domain is padded so that it reads left-aligned.
	width := len([]rune("Dominio"))
	for _, d := range rows {
		width = max(width, len([]rune(d.Domain)))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-len([]rune(s))) }
	fmt.Fprintf(tw, "%s\tPreguntas\tÚnica\tMás larga\tMuy larga\tParecidas\tReveladas\tPistas\tClaves en «varias»\t\n", pad("Dominio"))
	for _, d := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d (%.0f %%)\t%d\t%d\t%d\t%d\t%s\t\n",
			pad(d.Domain), d.Items, d.Single, d.KeyLongest, d.KeyLongestPercent(), d.LongKeys, d.Similar, d.Revealed, d.Giveaways, keyCounts(d))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, `
  Preguntas: de examen. Única: de respuesta única.
  Más larga: de respuesta única cuya respuesta es la opción más larga (máximo %d %%).
  Muy larga: respuesta al menos %s veces y %d caracteres más larga que todo distractor.
  Parecidas: pares de preguntas de examen que prueban lo mismo o en que una regala la otra.
  Reveladas: preguntas de examen que una pregunta de práctica revela.
  Pistas: preguntas con una palabra del enunciado que solo la respuesta repite.
  Claves en «varias»: respuestas correctas × preguntas de «todas las que apliquen».
`, th.KeyLongestMaxPercent, strconv.FormatFloat(th.KeyLengthRatio, 'f', -1, 64), th.KeyLengthMargin)
	if q.guessErr != nil {
		fmt.Fprintf(w, "\nNo se pudo simular a quien elige la opción más larga: %v\n", q.guessErr)
		return nil
	}
	fmt.Fprintf(w, "\nQuien elige siempre la opción más larga, en %d exámenes armados con el temario, acierta en promedio %s %% y aprueba (%d %%) en %s %% de ellos.\n\n",
		q.guess.Draws, oneDecimal(q.guess.MeanPercent), q.track.Rules.PassPercent, oneDecimal(100*q.guess.PassShare))
	return nil
}

// keyCounts writes how many "select all that apply" questions have each
// number of keys: "2×1 3×4" is one with two keys and four with three.
func keyCounts(d quality.DomainStats) string {
	var parts []string
	for _, k := range d.KeyCountsSorted() {
		parts = append(parts, fmt.Sprintf("%d×%d", k, d.KeyCounts[k]))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, " ")
}

func oneDecimal(x float64) string {
	return strconv.FormatFloat(x, 'f', 1, 64)
}

// qualityJSON is the --report part of a track in --json.
type qualityJSON struct {
	Domains       []qualityDomainJSON `json:"domains"`
	Total         qualityDomainJSON   `json:"total"`
	LongestOption *guessJSON          `json:"longest_option,omitempty"`
}

type qualityDomainJSON struct {
	Domain            string         `json:"domain,omitempty"` // none in the total
	Items             int            `json:"items"`
	Single            int            `json:"single"`
	KeyLongest        int            `json:"key_longest"`
	KeyLongestPercent float64        `json:"key_longest_percent"`
	LongKeys          int            `json:"long_keys"`
	SimilarPairs      int            `json:"similar_pairs"`
	Revealed          int            `json:"revealed"`
	Giveaways         int            `json:"giveaways"`
	KeyCounts         map[string]int `json:"key_counts"` // number of keys → questions
}

type guessJSON struct {
	Draws       int     `json:"draws"`
	MeanPercent float64 `json:"mean_percent"`
	PassShare   float64 `json:"pass_share"`
}

func (q trackQuality) json() *qualityJSON {
	row := func(d quality.DomainStats) qualityDomainJSON {
		counts := map[string]int{}
		for k, n := range d.KeyCounts {
			counts[strconv.Itoa(k)] = n
		}
		return qualityDomainJSON{Domain: d.Domain, Items: d.Items, Single: d.Single, KeyLongest: d.KeyLongest,
			KeyLongestPercent: d.KeyLongestPercent(), LongKeys: d.LongKeys, SimilarPairs: d.Similar,
			Revealed: d.Revealed, Giveaways: d.Giveaways, KeyCounts: counts}
	}
	out := &qualityJSON{Domains: []qualityDomainJSON{}, Total: row(q.analysis.Total())}
	for _, d := range q.rows() {
		out.Domains = append(out.Domains, row(d))
	}
	if q.guessErr == nil {
		out.LongestOption = &guessJSON{Draws: q.guess.Draws, MeanPercent: q.guess.MeanPercent, PassShare: q.guess.PassShare}
	}
	return out
}
