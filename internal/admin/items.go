package admin

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/store"
)

// Item is one question of the item analysis.
type Item struct {
	exam.ItemStat
	Domain   string // the domain's title
	DomainID string // the domain's id, for the filter
	File     string // where the editors wrote the question
	Line     int
	Bank     bool   // File is in the separate bank folder, not the content
	Stem     string // plain text
	// StemHTML is the stem as candidates read it: the bank's Markdown
	// rendered by the content loader, which writes no raw HTML of the
	// author's, so it is trusted. Empty for a retired question.
	StemHTML template.HTML
	// Choices are the options with the share of candidates who chose each
	// (as served; the bank's when the question was never served).
	Choices []Choice
	Retired bool // served in the past, since removed from the bank
	// Exposed is how many attempts served the question, finished or not;
	// Exposure is their share of all the track's attempts (0 without
	// attempts). A high exposure means many candidates have seen it.
	Exposed  int
	Exposure float64
}

// Choice is one option of an item as the analysis shows it.
type Choice struct {
	// HTML is the option as served: the content loader's rendering of the
	// bank's Markdown, stored with the attempt, so it is trusted.
	HTML    template.HTML
	Correct bool
	Share   float64 // of the times served; meaningless when !Served
	Served  bool    // the share comes from answers
}

// Bands put the statistics into words an editor can act on. The cut
// points are the usual ones of classical test theory:
//
//   - Facility (the share who answer correctly): below 30 % an item is
//     very hard and above 85 % very easy; either way it tells little apart
//     and on a pass/fail exam of competence most items belong between 50 %
//     and 85 %, with 30–50 % hard but still useful.
//   - Discrimination (the point-biserial against the rest of the exam):
//     Ebel's guidelines for the discrimination index (Ebel & Frisbie,
//     Essentials of Educational Measurement, 1991), as they are commonly
//     applied to the point-biserial: 0.30 and above discriminates well,
//     0.20–0.30 is acceptable, 0.10–0.20 needs revising, and below 0.10
//     (or negative: the stronger candidates miss it more) it does not
//     discriminate or does so the wrong way round.
//
// The alerts (exam.Flag…) stay stricter: they mark only what calls for
// action once an item has enough answers.
const (
	BandVeryHard = "very_hard" // facility < 30 %
	BandHard     = "hard"      // 30 % ≤ facility < 50 %
	BandFine     = "fine"      // 50 % ≤ facility ≤ 85 %
	BandVeryEasy = "very_easy" // facility > 85 %

	BandGood = "good" // discrimination ≥ 0.30
	BandFair = "fair" // 0.20 ≤ discrimination < 0.30
	BandWeak = "weak" // 0.10 ≤ discrimination < 0.20
	BandNone = "none" // discrimination < 0.10, or negative
)

// The bands are read from the whole percentages the page shows, so that a
// figure and its band never disagree ("30 %" is never «muy difícil»).

// FacilityBand names the item's facility, "" when it was never served.
func (it Item) FacilityBand() string {
	switch f := math.Round(it.Facility * 100); {
	case it.Served == 0:
		return ""
	case f < 30:
		return BandVeryHard
	case f < 50:
		return BandHard
	case f <= 85:
		return BandFine
	default:
		return BandVeryEasy
	}
}

// DiscriminationBand names the item's discrimination, "" when it is
// undefined (never served, or everyone right or everyone wrong).
func (it Item) DiscriminationBand() string {
	switch d := math.Round(it.Discrimination * 100); {
	case it.Served == 0 || math.IsNaN(d):
		return ""
	case d >= 30:
		return BandGood
	case d >= 20:
		return BandFair
	case d >= 10:
		return BandWeak
	default:
		return BandNone
	}
}

// FacilityPercent is the facility as a whole percentage, "—" when the
// item was never served.
func (it Item) FacilityPercent() string {
	if it.Served == 0 {
		return "—"
	}
	return percent(it.Facility)
}

// DiscriminationPercent is the point-biserial as a percentage (0.34 is
// 34 %), "—" when it is undefined.
func (it Item) DiscriminationPercent() string {
	if it.Served == 0 || math.IsNaN(it.Discrimination) {
		return "—"
	}
	return percent(it.Discrimination)
}

// percent writes a share as a whole percentage, with a true minus sign.
func percent(f float64) string {
	p := math.Round(f * 100)
	if p < 0 {
		return fmt.Sprintf("−%.0f %%", -p)
	}
	return fmt.Sprintf("%.0f %%", p+0) // +0: never "-0"
}

// FacilityText is the facility with two decimals.
func (it Item) FacilityText() string { return fmt.Sprintf("%.2f", it.Facility) }

// DiscriminationText is the point-biserial with two decimals, or "—"
// when it is undefined.
func (it Item) DiscriminationText() string {
	if math.IsNaN(it.Discrimination) {
		return "—"
	}
	return fmt.Sprintf("%.2f", it.Discrimination)
}

// ExposureText is the exposure with two decimals, like the facility.
func (it Item) ExposureText() string { return fmt.Sprintf("%.2f", it.Exposure) }

// ItemOrder is an order of the item analysis.
type ItemOrder int

// The orders of the item analysis.
const (
	BankOrder        ItemOrder = iota // as the bank lists them, retired questions last
	ByQuestion                        // by question id
	ByServed                          // by times served
	ByFacility                        // by facility
	ByDiscrimination                  // by discrimination, undefined lowest
	ByFlags                           // by number of flags
	ByExposure                        // by exposure
)

var itemOrders = map[ItemOrder]func(a, b Item) int{
	ByQuestion: func(a, b Item) int { return cmp.Compare(a.QuestionID, b.QuestionID) },
	ByServed:   func(a, b Item) int { return cmp.Compare(a.Served, b.Served) },
	ByFacility: func(a, b Item) int { return cmp.Compare(a.Facility, b.Facility) },
	// cmp.Compare orders NaN below every number: an undefined
	// discrimination sorts with the weakest.
	ByDiscrimination: func(a, b Item) int { return cmp.Compare(a.Discrimination, b.Discrimination) },
	ByFlags:          func(a, b Item) int { return cmp.Compare(len(a.Flags), len(b.Flags)) },
	ByExposure:       func(a, b Item) int { return cmp.Compare(a.Exposed, b.Exposed) },
}

// ItemAnalysis is the statistics of every exam question of a track.
type ItemAnalysis struct {
	Track    *content.Track
	Items    []Item
	Attempts int // finished attempts the statistics come from
	Started  int // every attempt, finished or not: exposure's denominator
	Flagged  int // questions with at least one flag
}

// ItemAnalysis computes the statistics of every exam question of t from
// the finished attempts of its track, and its exposure from all of them,
// in the order asked for (reversed when desc). Questions of the bank never
// served are listed without statistics; questions served in the past but
// since removed from the bank are listed as retired.
func (s *Service) ItemAnalysis(ctx context.Context, t *content.Track, order ItemOrder, desc bool) (*ItemAnalysis, error) {
	var responses []exam.Response
	attempts := map[string]bool{}
	err := s.db.ItemResponses(ctx, t.ID, func(r store.ItemResponse) error {
		attempts[r.AttemptID] = true
		responses = append(responses, exam.Response{AttemptID: r.AttemptID, QuestionID: r.QuestionID, Options: r.Options, Key: r.Key, Answer: r.Answer, Correct: r.Correct, Score: r.Score})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("item analysis of %s: %w", t.ID, err)
	}
	exposure, err := s.db.ItemExposure(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	a := assemble(t, exam.ItemStats(responses), len(attempts))
	a.expose(exposure)
	a.sort(order, desc)
	return a, nil
}

// expose sets each item's exposure. A question that left the bank and
// that only attempts still in progress served is not listed: there is
// nothing to analyse of it, nor anything to change in the bank.
func (a *ItemAnalysis) expose(e store.ItemExposure) {
	a.Started = e.Attempts
	for i := range a.Items {
		it := &a.Items[i]
		it.Exposed = e.Served[it.QuestionID]
		if e.Attempts > 0 {
			it.Exposure = float64(it.Exposed) / float64(e.Attempts)
		}
	}
}

// assemble pairs the statistics with the bank's questions, in the bank's
// order, then adds the retired ones, and counts the flagged.
func assemble(t *content.Track, stats []exam.ItemStat, attempts int) *ItemAnalysis {
	byID := make(map[string]exam.ItemStat, len(stats))
	for _, st := range stats {
		byID[st.QuestionID] = st
	}
	a := &ItemAnalysis{Track: t, Attempts: attempts, Items: make([]Item, 0, len(t.ExamQuestions))}
	inBank := make(map[string]bool, len(t.ExamQuestions))
	for _, q := range t.ExamQuestions {
		st, ok := byID[q.ID]
		if !ok {
			st = exam.ItemStat{QuestionID: q.ID, Discrimination: math.NaN()}
		}
		it := Item{ItemStat: st, Domain: t.DomainTitle(q.Domain), DomainID: q.Domain, File: q.File, Line: q.Line, Bank: q.FromBank, Stem: q.StemText, StemHTML: q.StemHTML, Choices: choices(st)}
		if !ok {
			for _, o := range q.Options {
				it.Choices = append(it.Choices, Choice{HTML: o.HTML, Correct: o.Correct})
			}
		}
		a.Items = append(a.Items, it)
		inBank[q.ID] = true
	}
	for _, st := range stats {
		if !inBank[st.QuestionID] {
			a.Items = append(a.Items, Item{ItemStat: st, Retired: true, Choices: choices(st)})
		}
	}
	for _, it := range a.Items {
		if len(it.Flags) > 0 {
			a.Flagged++
		}
	}
	return a
}

// choices are the served options of st with their shares.
func choices(st exam.ItemStat) []Choice {
	out := make([]Choice, 0, len(st.Options))
	for _, o := range st.Options {
		out = append(out, Choice{HTML: template.HTML(o.HTML), Correct: o.Correct, Share: o.Share, Served: true}) // #nosec G203 -- the loader's own rendering, stored with the attempt
	}
	return out
}

// statsLast are the orders by a statistic: questions never served have
// none, and come after the others whichever the direction, so that the
// weakest (or strongest) served questions head the list.
var statsLast = map[ItemOrder]bool{ByFacility: true, ByDiscrimination: true}

// sort orders the items; equal ones keep the bank's order.
func (a *ItemAnalysis) sort(order ItemOrder, desc bool) {
	compare, ok := itemOrders[order]
	if !ok {
		return
	}
	slices.SortStableFunc(a.Items, func(x, y Item) int {
		if statsLast[order] {
			if c := cmp.Compare(unserved(x), unserved(y)); c != 0 {
				return c
			}
		}
		if desc {
			return compare(y, x)
		}
		return compare(x, y)
	})
}

func unserved(it Item) int {
	if it.Served == 0 {
		return 1
	}
	return 0
}

// Filters of the item analysis by alert, besides each exam.Flag… itself.
const (
	FlagAny = "any" // at least one alert
	FlagFew = "few" // too few answers for alerts: a note, not an alert
)

// ItemFilter narrows the item analysis to a page of the questions of one
// domain, or with one alert.
type ItemFilter struct {
	Domain  string // a domain's id; "" for all
	Flag    string // an exam.Flag…, FlagAny or FlagFew; "" for all
	Page    int    // from 1; out of range is the nearest page
	PerPage int    // 0 for every question on one page
}

// ItemSelection is one page of the filtered questions.
type ItemSelection struct {
	Items []Item
	Total int // questions that pass the filter
	Page  int
	Pages int // at least 1
}

// Select filters the analysis, keeping its order, and cuts one page.
func (a *ItemAnalysis) Select(f ItemFilter) ItemSelection {
	var all []Item
	for _, it := range a.Items {
		if f.Domain != "" && it.DomainID != f.Domain {
			continue
		}
		switch f.Flag {
		case "":
		case FlagAny:
			if len(it.Flags) == 0 {
				continue
			}
		case FlagFew:
			if it.Reliable() {
				continue
			}
		default:
			if !slices.Contains(it.Flags, f.Flag) {
				continue
			}
		}
		all = append(all, it)
	}
	sel := ItemSelection{Total: len(all), Page: 1, Pages: 1, Items: all}
	if f.PerPage <= 0 {
		return sel
	}
	sel.Pages = max(1, (len(all)+f.PerPage-1)/f.PerPage)
	sel.Page = min(max(f.Page, 1), sel.Pages)
	from := (sel.Page - 1) * f.PerPage
	sel.Items = all[from:min(from+f.PerPage, len(all))]
	return sel
}

// Export streams the analysis to emit as rows of text, a header first.
// The correct options are marked with an asterisk.
func (a *ItemAnalysis) Export(emit func(row []string) error) error {
	return exportItems(a.Items, emit)
}

// Export streams the selected questions, every page of them, as
// ItemAnalysis.Export does.
func (sel ItemSelection) Export(emit func(row []string) error) error {
	return exportItems(sel.Items, emit)
}

func exportItems(items []Item, emit func(row []string) error) error {
	header := []string{"pregunta", "dominio", "archivo", "linea", "servida", "correctas", "facilidad", "discriminacion", "alertas", "opciones", "exposicion"}
	if err := emit(header); err != nil {
		return err
	}
	for _, it := range items {
		var opts []string
		for _, o := range it.Options {
			mark := ""
			if o.Correct {
				mark = "*"
			}
			opts = append(opts, fmt.Sprintf("%s%s: %.2f", mark, o.HTML, o.Share))
		}
		file := it.File
		if it.Bank {
			file = content.BankPrefix + file
		}
		err := emit([]string{it.QuestionID, it.Domain, file, strconv.Itoa(it.Line), strconv.Itoa(it.Served), strconv.Itoa(it.Correct),
			it.FacilityText(), it.DiscriminationText(), strings.Join(it.Flags, " "), strings.Join(opts, " | "), it.ExposureText()})
		if err != nil {
			return err
		}
	}
	return nil
}
