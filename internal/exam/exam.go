// Package exam holds the rules of exams and practice: drawing questions
// per blueprint, shuffling options, scoring, deadlines and retakes. It is
// pure functions over values and a clock; it imports neither web nor store.
package exam

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"html/template"
	mathrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"mxcert/internal/content"
	"mxcert/internal/exam/draw"
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

// Seen is what a candidate was served before: when each question was last
// served to them. Nil is a candidate who has seen nothing.
type Seen map[string]time.Time

// Assemble builds an exam (or a simulacro, from the practice pool) per the
// track's blueprint: for each domain, Count questions drawn from its pool,
// then the whole set in random order with options shuffled. It never serves
// two questions of one enemy group, even of different domains, and fails
// only when no arrangement of the pool avoids it.
//
// seen steers a retake away from what the candidate was served: questions
// never seen come first, then the least recently seen, and chance decides
// among equals. Over the whole exam, the draw serves as few seen questions
// as the blueprint and the groups allow (see package draw). The same seed
// and the same history always give the same exam; without history or
// groups, a seed gives the exam it gave before either existed.
func Assemble(t *content.Track, pool content.Pool, seed uint64, seen Seen) ([]Item, error) {
	r := newRand(seed)
	qs := make([]*content.Question, 0, len(t.ExamQuestions))
	cands := make([]draw.Candidate, 0, len(t.ExamQuestions))
	need := make([]int, len(t.Rules.Blueprint))
	for d, line := range t.Rules.Blueprint {
		domain := t.Pool(pool, line.Domain)
		if len(domain) < line.Count {
			return nil, fmt.Errorf("domain %s: the %s pool has %d questions, the blueprint asks for %d", line.Domain, pool, len(domain), line.Count)
		}
		need[d] = line.Count
		// The order of this permutation is the draw's preference; its
		// first Count are the whole choice when nothing else matters.
		for rank, i := range r.Perm(len(domain)) {
			qs = append(qs, domain[i])
			cands = append(cands, draw.Candidate{Domain: d, Group: domain[i].Group, Cost: draw.Cost{Random: int64(rank)}})
		}
	}
	for i, rank := range recencyRanks(qs, seen) {
		if rank > 0 {
			cands[i].Cost.Seen, cands[i].Cost.Recency = 1, rank
		}
	}
	chosen, err := draw.Choose(need, cands)
	if err != nil {
		return nil, fmt.Errorf("draw the %s of %s: %w", pool, t.ID, describe(t, err))
	}
	// Candidates are in blueprint order and, within a domain, in the
	// permutation's order: chosen keeps that order, as picks always had.
	picked := make([]*content.Question, len(chosen))
	for i, c := range chosen {
		picked[i] = qs[c]
	}
	r.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	items := make([]Item, len(picked))
	for i, q := range picked {
		items[i] = serve(r, q)
	}
	return items, nil
}

// recencyRanks ranks each question of qs by when it was last served: 0
// for never, 1 for the longest ago; questions served at one moment (in one
// attempt) share a rank.
func recencyRanks(qs []*content.Question, seen Seen) []int64 {
	ranks := make([]int64, len(qs))
	if len(seen) == 0 {
		return ranks
	}
	var times []time.Time
	for _, q := range qs {
		if at, ok := seen[q.ID]; ok {
			times = append(times, at)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	times = slices.CompactFunc(times, time.Time.Equal)
	for i, q := range qs {
		if at, ok := seen[q.ID]; ok {
			k, _ := slices.BinarySearchFunc(times, at, time.Time.Compare)
			ranks[i] = int64(k) + 1
		}
	}
	return ranks
}

// describe names the domains of a shortfall instead of numbering them.
func describe(t *content.Track, err error) error {
	var short *draw.Shortfall
	if !errors.As(err, &short) {
		return err
	}
	names := make([]string, len(short.Domains))
	for i, d := range short.Domains {
		names[i] = t.Rules.Blueprint[d].Domain
	}
	return fmt.Errorf("domains %s with groups %s: %w", strings.Join(names, ", "), strings.Join(short.Groups, ", "), err)
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
