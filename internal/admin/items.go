package admin

import (
	"cmp"
	"context"
	"fmt"
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
	Domain  string // the domain's title
	File    string // where the editors wrote the question
	Line    int
	Bank    bool   // File is in the separate bank folder, not the content
	Stem    string // plain text
	Retired bool   // served in the past, since removed from the bank
	// Exposed is how many attempts served the question, finished or not;
	// Exposure is their share of all the track's attempts (0 without
	// attempts). A high exposure means many candidates have seen it.
	Exposed  int
	Exposure float64
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
		a.Items = append(a.Items, Item{ItemStat: st, Domain: t.DomainTitle(q.Domain), File: q.File, Line: q.Line, Bank: q.FromBank, Stem: q.StemText})
		inBank[q.ID] = true
	}
	for _, st := range stats {
		if !inBank[st.QuestionID] {
			a.Items = append(a.Items, Item{ItemStat: st, Retired: true})
		}
	}
	for _, it := range a.Items {
		if len(it.Flags) > 0 {
			a.Flagged++
		}
	}
	return a
}

// sort orders the items; equal ones keep the bank's order.
func (a *ItemAnalysis) sort(order ItemOrder, desc bool) {
	compare, ok := itemOrders[order]
	if !ok {
		return
	}
	slices.SortStableFunc(a.Items, func(x, y Item) int {
		if desc {
			return compare(y, x)
		}
		return compare(x, y)
	})
}

// Export streams the analysis to emit as rows of text, a header first.
// The correct options are marked with an asterisk.
func (a *ItemAnalysis) Export(emit func(row []string) error) error {
	header := []string{"pregunta", "dominio", "archivo", "linea", "servida", "correctas", "facilidad", "discriminacion", "alertas", "opciones", "exposicion"}
	if err := emit(header); err != nil {
		return err
	}
	for _, it := range a.Items {
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
