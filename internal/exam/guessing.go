package exam

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"unicode/utf8"

	"mxcert/internal/content"
)

// Guessing is how a candidate who knows nothing fares on a track's exam by
// always choosing the longest option, over many exams drawn per the
// blueprint: the figure that shows whether option length gives keys away.
type Guessing struct {
	Draws       int
	MeanPercent float64 // mean score, 0 to 100
	PassShare   float64 // share of the draws that reach the pass mark, 0 to 1
}

// LongestOption assembles the exam with seeds 1 to draws and answers each
// item with its longest option (by visible characters; among equally long
// ones, the first as served, which the shuffle makes a random one). A
// "select all that apply" item gets the one longest option too, so it is
// right only when that option is its single key.
func LongestOption(t *content.Track, draws int) (Guessing, error) {
	g := Guessing{Draws: draws}
	if draws < 1 {
		return g, fmt.Errorf("draws must be positive, got %d", draws)
	}
	lengths := map[template.HTML]int{}
	var sum float64
	passes := 0
	for seed := 1; seed <= draws; seed++ {
		items, err := Assemble(t, content.ExamPool, uint64(seed), nil)
		if err != nil {
			return g, err
		}
		answers := make([][]int, len(items))
		for i, it := range items {
			answers[i] = []int{longest(it, lengths)}
		}
		res := Score(items, answers, t.Rules.PassPercent, t.Domains())
		if res.Total > 0 {
			sum += 100 * float64(res.Correct) / float64(res.Total)
		}
		if res.Passed {
			passes++
		}
	}
	g.MeanPercent = sum / float64(draws)
	g.PassShare = float64(passes) / float64(draws)
	return g, nil
}

// longest is the position of the item's longest option; lengths caches the
// visible length of each option's HTML.
func longest(it Item, lengths map[template.HTML]int) int {
	best, bestLen := 0, -1
	for i, o := range it.Options {
		n, ok := lengths[o.HTML]
		if !ok {
			n = visibleLength(o.HTML)
			lengths[o.HTML] = n
		}
		if n > bestLen {
			best, bestLen = i, n
		}
	}
	return best
}

// visibleLength counts the characters a candidate sees in an option's
// HTML: tags dropped, entities decoded, runs of white space as one.
func visibleLength(h template.HTML) int {
	var b strings.Builder
	inTag := false
	for _, r := range string(h) {
		switch {
		case r == '<':
			inTag = true
		case r == '>' && inTag:
			inTag = false
		case !inTag:
			b.WriteRune(r)
		}
	}
	return utf8.RuneCountInString(strings.Join(strings.Fields(html.UnescapeString(b.String())), " "))
}
