package quality

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"strings"
)

// corpus holds what the comparisons need about all the track's questions:
// how many stems use each term, the weight of each term, and each
// question's weighted terms.
type corpus struct {
	items    []*analyzed
	idf      map[string]float64 // weight of each term; none for terms in more than half the questions
	stemDF   map[string]int     // term → stems that use it
	postings map[string][]int   // term → questions whose vector has it, in order
}

// vector is a question's (or a part's) weighted terms, sorted by term,
// with unit length.
type vector []weighted

type weighted struct {
	term string
	w    float64
}

// newCorpus weighs the terms of each question's stem and keys by how rare
// they are in the track (tf-idf: a term shared by few questions says more
// about what two of them have in common than one shared by many). Terms in
// more than half of the questions are left out: they say nothing about
// what a question asks.
func newCorpus(items []*analyzed) *corpus {
	c := &corpus{items: items, idf: map[string]float64{}, stemDF: map[string]int{}, postings: map[string][]int{}}
	docs := make([]map[string]bool, len(items))
	df := map[string]int{}
	for i, a := range items {
		doc := map[string]bool{}
		for t := range a.stem.set {
			c.stemDF[t]++
			doc[t] = true
		}
		for _, k := range a.keys() {
			for t := range k.set {
				doc[t] = true
			}
		}
		docs[i] = doc
		for t := range doc {
			df[t]++
		}
	}
	for t, d := range df {
		if 2*d <= len(items) {
			c.idf[t] = math.Log(float64(len(items)) / float64(d))
		}
	}
	for i, a := range items {
		a.vec = c.weigh(docs[i])
		a.stemVec = c.weigh(a.stem.set)
		for _, k := range a.keys() {
			a.keyVecs = append(a.keyVecs, c.weigh(k.set))
		}
		for _, e := range a.vec {
			c.postings[e.term] = append(c.postings[e.term], i)
		}
	}
	for _, a := range items {
		if !a.Practice {
			a.claims = c.claims(a)
		}
	}
	return c
}

// weigh turns a set of terms into a unit vector of their weights.
func (c *corpus) weigh(set map[string]bool) vector {
	var v vector
	var norm float64
	for t := range set {
		if w := c.idf[t]; w > 0 {
			v = append(v, weighted{t, w})
			norm += w * w
		}
	}
	slices.SortFunc(v, func(x, y weighted) int { return strings.Compare(x.term, y.term) })
	norm = math.Sqrt(norm)
	for i := range v {
		v[i].w /= norm
	}
	return v
}

func cosine(a, b vector) float64 {
	var s float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch strings.Compare(a[i].term, b[j].term) {
		case -1:
			i++
		case 1:
			j++
		default:
			s += a[i].w * b[j].w
			i++
			j++
		}
	}
	return s
}

// keySimilarity is the cosine of the most alike keys of two questions.
func keySimilarity(a, b *analyzed) float64 {
	best := 0.0
	for _, x := range a.keyVecs {
		for _, y := range b.keyVecs {
			best = max(best, cosine(x, y))
		}
	}
	return best
}

const (
	// related is the cosine of stems and keys from which two exam
	// questions are about the same thing, and that of two stems for
	// questions whose keys are alike.
	related = 0.15
	// context is the cosine from which a practice text that states an exam
	// key (less the key's commands) is about what the exam question asks.
	context = 0.2
	// coverage is the share of a key's own words (by weight) that a text
	// must hold to state the key.
	coverage = 0.8
)

// alike reports whether two questions say the same: their stems and keys
// together reach th.Similarity, or their keys reach th.KeySimilarity and
// their stems are related.
func alike(a, b *analyzed, doc float64, th Thresholds) (keys float64, same bool) {
	keys = keySimilarity(a, b)
	return keys, doc >= th.Similarity || (keys >= th.KeySimilarity && cosine(a.stemVec, b.stemVec) >= related)
}

// pairs finds the questions that say the same or give another away:
//   - two exam questions that are alike, unless one enemy group holds both
//     (Similar);
//   - an exam question whose stem states the key of a related exam
//     question, unless one enemy group holds both (Answers);
//   - a practice question alike an exam question, or that states an exam
//     question's key in its stem, its keys or its explanation, in words
//     about what that question asks (Reveals).
func (c *corpus) pairs(th Thresholds) []Pair {
	var out []Pair
	paired := map[[2]int]bool{}
	// Only questions that share a term used by at most a tenth of the
	// questions are compared: questions alike share more than common
	// words, and a common word shared by thousands of questions would make
	// the comparisons grow with the square of the bank.
	common := max(len(c.items)/10, 20)
	for i, a := range c.items {
		candidates := map[int]bool{}
		for _, e := range a.vec {
			if len(c.postings[e.term]) > common {
				continue
			}
			for _, j := range c.postings[e.term] {
				if j >= i {
					break
				}
				candidates[j] = true
			}
		}
		for _, j := range slices.Sorted(maps.Keys(candidates)) {
			b := c.items[j]
			if a.Practice && b.Practice {
				continue
			}
			doc := cosine(a.vec, b.vec)
			keys, same := alike(a, b, doc, th)
			if !same || (!a.Practice && !b.Practice && sameGroup(a, b)) {
				continue
			}
			paired[[2]int{i, j}], paired[[2]int{j, i}] = true, true
			switch {
			case !a.Practice && !b.Practice:
				out = append(out, Pair{Kind: Similar, A: b.ID, B: a.ID, Similarity: doc, KeySimilarity: keys})
			case a.Practice:
				out = append(out, Pair{Kind: Reveals, A: a.ID, B: b.ID, Similarity: doc, KeySimilarity: keys})
			default:
				out = append(out, Pair{Kind: Reveals, A: b.ID, B: a.ID, Similarity: doc, KeySimilarity: keys})
			}
		}
	}
	out = append(out, c.statedKeys(paired)...)
	slices.SortFunc(out, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return out
}

func sameGroup(a, b *analyzed) bool { return a.Group != "" && a.Group == b.Group }
