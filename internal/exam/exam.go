// Package exam holds the rules of exams and practice: drawing questions
// per blueprint, shuffling options, scoring, deadlines and retakes. It is
// pure functions over values and a clock; it imports neither web nor store.
package exam

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"html/template"
	mathrand "math/rand/v2"
	"slices"

	"mxcert/internal/content"
)

// Item is a question as it was served: the stem, the options in the order
// shown, which of them are correct, and the explanation. It is stored with
// an attempt, so later edits of the bank change nothing about it.
type Item struct {
	QuestionID  string        `json:"question_id"`
	Domain      string        `json:"domain"`
	Stem        template.HTML `json:"stem"`
	Options     []ItemOption  `json:"options"`
	Explanation template.HTML `json:"explanation,omitempty"`
	// Multi marks a "select all that apply" item even with one correct
	// option; items stored before it existed are multiple by their keys.
	Multi bool `json:"multiple,omitempty"`
}

// ItemOption is one option as shown.
type ItemOption struct {
	HTML    template.HTML `json:"html"`
	Correct bool          `json:"correct"`
}

// Multiple reports whether the item asks to select all that apply.
func (it Item) Multiple() bool {
	if it.Multi {
		return true
	}
	n := 0
	for _, o := range it.Options {
		if o.Correct {
			n++
		}
	}
	return n > 1
}

// Key returns the positions of the correct options, in order.
func (it Item) Key() []int {
	var k []int
	for i, o := range it.Options {
		if o.Correct {
			k = append(k, i)
		}
	}
	return k
}

// Correct scores an answer (positions of the chosen options): right only
// when it is exactly the set of correct options (all-or-nothing).
func (it Item) Correct(answer []int) bool {
	a := normalize(answer, len(it.Options))
	return a != nil && slices.Equal(a, it.Key())
}

// NormalizeAnswer sorts an answer and drops duplicates; it returns nil when
// a position is out of range or nothing was chosen.
func NormalizeAnswer(answer []int, options int) []int { return normalize(answer, options) }

func normalize(answer []int, options int) []int {
	if len(answer) == 0 {
		return nil
	}
	out := slices.Clone(answer)
	slices.Sort(out)
	out = slices.Compact(out)
	if out[0] < 0 || out[len(out)-1] >= options {
		return nil
	}
	return out
}

// NewSeed returns a random seed from the operating system's generator.
func NewSeed() (uint64, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("seed: %w", err)
	}
	return binary.LittleEndian.Uint64(b[:]), nil
}

func newRand(seed uint64) *mathrand.Rand {
	// #nosec G404 -- a deterministic shuffle from a seed drawn with crypto/rand: the attempt can be rebuilt from its seed
	return mathrand.New(mathrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// Serve turns a question into an item with its options shuffled.
func serve(r *mathrand.Rand, q *content.Question) Item {
	it := Item{QuestionID: q.ID, Domain: q.Domain, Stem: q.StemHTML, Explanation: q.ExplanationHTML, Multi: q.MultiSelect}
	for _, i := range r.Perm(len(q.Options)) {
		it.Options = append(it.Options, ItemOption{HTML: q.Options[i].HTML, Correct: q.Options[i].Correct})
	}
	return it
}

// Assemble builds an exam (or a simulacro, from the practice pool) per the
// track's blueprint: for each domain, Count questions drawn at random from
// its pool, then the whole set in random order with options shuffled. The
// same seed always gives the same exam.
func Assemble(t *content.Track, pool content.Pool, seed uint64) ([]Item, error) {
	r := newRand(seed)
	var picked []*content.Question
	for _, d := range t.Rules.Blueprint {
		qs := t.Pool(pool, d.Domain)
		if len(qs) < d.Count {
			return nil, fmt.Errorf("domain %s: the %s pool has %d questions, the blueprint asks for %d", d.Domain, pool, len(qs), d.Count)
		}
		for _, i := range r.Perm(len(qs))[:d.Count] {
			picked = append(picked, qs[i])
		}
	}
	r.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	items := make([]Item, len(picked))
	for i, q := range picked {
		items[i] = serve(r, q)
	}
	return items, nil
}

// Quiz draws up to n questions of one domain's practice pool, in random
// order with options shuffled.
func Quiz(t *content.Track, domain string, n int, seed uint64) []Item {
	r := newRand(seed)
	qs := t.Pool(content.PracticePool, domain)
	perm := r.Perm(len(qs))
	if n < len(perm) {
		perm = perm[:n]
	}
	items := make([]Item, len(perm))
	for i, p := range perm {
		items[i] = serve(r, qs[p])
	}
	return items
}
