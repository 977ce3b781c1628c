package quality

import (
	"maps"
	"math"
	"slices"
	"strings"
)

// statedKeys finds the texts that state an exam question's key: the stems
// of related exam questions (Answers) and the stems, keys and explanations
// of practice questions, when that text is about what the exam question
// asks (Reveals). Candidates are the questions holding a term of the key
// (see claim.lookup); pairs already found alike are not reported again.
func (c *corpus) statedKeys(paired map[[2]int]bool) []Pair {
	holding := map[string][]int{}
	for i, a := range c.items {
		seen := map[string]bool{}
		texts := []text{a.stem}
		if a.Practice {
			texts = append(append(texts, a.keys()...), a.explanation)
		}
		for _, t := range texts {
			for tm := range t.set {
				if !seen[tm] {
					seen[tm] = true
					holding[tm] = append(holding[tm], i)
				}
			}
		}
	}
	var out []Pair
	for j, e := range c.items {
		for _, cl := range e.claims {
			candidates := map[int]bool{}
			for _, t := range cl.lookup {
				for _, i := range holding[t] {
					candidates[i] = true
				}
			}
			for _, i := range slices.Sorted(maps.Keys(candidates)) {
				if i == j || paired[[2]int{i, j}] {
					continue
				}
				if p, ok := c.states(c.items[i], e, cl); ok {
					paired[[2]int{i, j}] = true
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// states reports whether question f states claim cl of exam question e:
// an exam question in its stem, when the two are related; a practice
// question in its stem, a key or its explanation, when that text, less the
// key's commands, is about what e asks. A practice distractor that shows
// the key reveals nothing.
func (c *corpus) states(f, e *analyzed, cl claim) (Pair, bool) {
	if !f.Practice {
		doc := cosine(f.vec, e.vec)
		if sameGroup(e, f) || doc < related || !cl.statedIn(f.stem) {
			return Pair{}, false
		}
		return Pair{Kind: Answers, A: f.ID, B: e.ID, Similarity: doc, KeySimilarity: keySimilarity(f, e), Phrase: cl.label, Part: PartStem}, true
	}
	type part struct {
		part Part
		text text
	}
	parts := []part{{PartStem, f.stem}}
	for _, k := range f.keys() {
		parts = append(parts, part{PartKey, k})
	}
	parts = append(parts, part{PartExplanation, f.explanation})
	for _, p := range parts {
		if cl.statedIn(p.text) && cosine(c.weigh(cl.without(p.text.set)), e.stemVec) >= context {
			return Pair{Kind: Reveals, A: f.ID, B: e.ID, Similarity: cosine(f.vec, e.vec), KeySimilarity: keySimilarity(f, e), Phrase: cl.label, Part: p.part}, true
		}
	}
	return Pair{}, false
}

// claim is what it takes for a text to state one key of an exam question:
// all its distinctive commands that no distractor also shows, and most of
// its own words (by weight), those no distractor uses, when it has at
// least three.
type claim struct {
	label   string // the commands, or the key as written
	phrases []string
	words   []string
	weights []float64
	lookup  []string        // a text that states it holds one of these terms
	inCode  map[string]bool // the terms of its commands
}

// without is a set of terms less those of the claim's commands: what a
// text says besides them.
func (cl claim) without(set map[string]bool) map[string]bool {
	out := map[string]bool{}
	for t := range set {
		if !cl.inCode[t] {
			out[t] = true
		}
	}
	return out
}

// statedIn reports whether t states the key.
func (cl claim) statedIn(t text) bool {
	if !allPhrases(t.plain, cl.phrases) {
		return false
	}
	var total, held float64
	for i, w := range cl.words {
		total += cl.weights[i]
		if t.set[w] {
			held += cl.weights[i]
		}
	}
	return held >= coverage*total
}

// claims lists the keys of e that a text could state. A key without a
// distinctive command needs at least three own words, and uncommon ones
// (see uncommon), or any text on its subject would state it.
func (c *corpus) claims(e *analyzed) []claim {
	distractors := e.distractors()
	var out []claim
	for _, k := range e.keys() {
		cl := claim{phrases: ownPhrases(k, distractors), label: k.plainWritten}
		if own := c.ownWords(k, distractors); len(own) >= 3 {
			cl.words = own
		}
		if len(cl.phrases) == 0 && (cl.words == nil || !c.uncommon(cl.words)) {
			continue
		}
		if len(cl.phrases) > 0 {
			cl.label = strings.Join(cl.phrases, " … ")
		}
		for _, w := range cl.words {
			cl.weights = append(cl.weights, c.idf[w])
		}
		cl.inCode = map[string]bool{}
		rarest := ""
		for _, p := range cl.phrases {
			cl.inCode["`"+p+"`"] = true
			for _, w := range words(p) {
				if t := term(w); t != "" {
					cl.inCode[t] = true
					if rarest == "" || c.stemDF[t] < c.stemDF[rarest] || c.stemDF[t] == c.stemDF[rarest] && t < rarest {
						rarest = t
					}
				}
			}
		}
		// Every command must be in a text that states the key, so the
		// rarest of their terms finds it; words need only mostly be
		// there, so any of them may.
		switch {
		case rarest != "":
			cl.lookup = []string{rarest}
		case len(cl.phrases) == 0:
			cl.lookup = cl.words
		default:
			continue // commands without a term to find them by
		}
		out = append(out, cl)
	}
	return out
}

// uncommon reports whether terms are, on average, rare in the track: the
// geometric mean of the number of questions using each is at most N^0.4
// (11 of 400 questions, 40 of 10,000).
func (c *corpus) uncommon(terms []string) bool {
	var sum float64
	for _, t := range terms {
		sum += c.idf[t]
	}
	return sum/float64(len(terms)) >= 0.6*math.Log(float64(len(c.items)))
}

// ownPhrases are the distinctive commands of a key that no distractor
// shows.
func ownPhrases(k text, distractors []text) []string {
	var out []string
	for _, p := range k.phrases {
		if !distinctivePhrase(p) || slices.Contains(out, p) {
			continue
		}
		if !slices.ContainsFunc(distractors, func(d text) bool { return containsPhrase(d.plain, p) }) {
			out = append(out, p)
		}
	}
	return out
}

// ownWords are the terms of a key, outside its commands, that no
// distractor uses and that carry weight in the track.
func (c *corpus) ownWords(k text, distractors []text) []string {
	inCode := map[string]bool{}
	for _, p := range k.phrases {
		for _, w := range words(p) {
			inCode[term(w)] = true
		}
	}
	var out []string
	for t := range k.set {
		if strings.HasPrefix(t, "`") || inCode[t] || c.idf[t] == 0 {
			continue
		}
		if !slices.ContainsFunc(distractors, func(d text) bool { return d.set[t] }) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func allPhrases(hay string, phrases []string) bool {
	for _, p := range phrases {
		if !containsPhrase(hay, p) {
			return false
		}
	}
	return true
}
