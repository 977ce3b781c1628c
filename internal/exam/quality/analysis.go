package quality

import "slices"

// Analysis is what the rules found in one track's questions.
type Analysis struct {
	LongKeys       []LongKey       // keys much longer than every distractor
	LongestShares  []LongestShare  // domains whose key is the longest option too often
	Pairs          []Pair          // questions that say the same, or give each other away
	Giveaways      []Giveaway      // stem words only the key repeats
	FixedKeyCounts []FixedKeyCount // "select all that apply" with a constant number of keys
	Domains        []DomainStats   // figures per domain of the exam pool, in order of appearance
	Thresholds     Thresholds      // those the rules used
}

// LongKey is an item whose key is much longer than every distractor. For
// a "select all that apply" item it is its shortest key.
type LongKey struct {
	Item       string
	Key        int // characters
	Distractor int // characters of the longest distractor
}

// LongestShare is a domain whose key is strictly the longest option in
// too many single-answer exam questions.
type LongestShare struct {
	Domain  string
	Longest int
	Single  int
}

// Percent is the share, 0 to 100.
func (s LongestShare) Percent() float64 { return percent(s.Longest, s.Single) }

// PairKind says how two questions are related.
type PairKind int

const (
	// Similar: two exam questions alike (see Thresholds.Similarity).
	Similar PairKind = iota
	// Answers: the stem of exam question A contains the key of exam
	// question B.
	Answers
	// Reveals: practice question A is alike exam question B, or states
	// its key in words about what B asks.
	Reveals
)

// Pair relates question A to question B. For Answers and Reveals the
// order matters: A gives B away.
type Pair struct {
	Kind PairKind
	A, B string
	// Similarity is the cosine of the two questions' stem and keys;
	// KeySimilarity that of their most alike keys.
	Similarity    float64
	KeySimilarity float64
	// Phrase is the key of B stated in A (Answers, and Reveals that are
	// not alike): its commands, or its text; Part is where A states it.
	Phrase string
	Part   Part
}

// Part of a question.
type Part int

const (
	PartStem Part = iota
	PartKey
	PartExplanation
)

// Giveaway is an item with distinctive words or commands of its stem that
// a key repeats and no distractor does.
type Giveaway struct {
	Item  string
	Words []string // as written in the stem
}

// FixedKeyCount is a set of "select all that apply" exam questions that
// all have the same number of keys. Domain is "" for the whole exam pool.
type FixedKeyCount struct {
	Domain string
	Items  int
	Keys   int
}

// DomainStats are one domain's figures for editors.
type DomainStats struct {
	Domain     string
	Items      int // exam questions
	Single     int // of which single-answer
	KeyLongest int // single-answer ones whose key is strictly the longest option
	LongKeys   int
	// Similar counts the near-duplicate and answering pairs that involve
	// a question of the domain (a pair across two domains counts in both).
	Similar   int
	Revealed  int // exam questions that a practice question gives away
	Giveaways int
	// KeyCounts maps a number of keys to how many "select all that apply"
	// questions of the domain have it.
	KeyCounts map[int]int
}

// KeyLongestPercent is the share of single-answer questions whose key is
// strictly the longest option, 0 to 100.
func (d DomainStats) KeyLongestPercent() float64 { return percent(d.KeyLongest, d.Single) }

func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// analyzed is an item prepared for comparison.
type analyzed struct {
	*Item
	stem        text
	options     []text
	explanation text
	vec         vector   // stem and keys, tf-idf weighted
	stemVec     vector   // the stem alone, weighted the same way
	keyVecs     []vector // each key alone
	claims      []claim  // what states a key of this exam question
}

func (a *analyzed) keys() []text { return a.pick(true) }

func (a *analyzed) distractors() []text { return a.pick(false) }

func (a *analyzed) pick(correct bool) []text {
	var out []text
	for i, o := range a.Options {
		if o.Correct == correct {
			out = append(out, a.options[i])
		}
	}
	return out
}

// Analyze runs every rule over the questions of one track (both pools).
func Analyze(items []Item, th Thresholds) Analysis {
	all := make([]*analyzed, len(items))
	for i := range items {
		it := &items[i]
		a := &analyzed{Item: it, stem: analyze(it.Stem), explanation: analyze(it.Explanation)}
		for _, o := range it.Options {
			a.options = append(a.options, analyze(o.Text))
		}
		all[i] = a
	}
	c := newCorpus(all)
	out := Analysis{Thresholds: th}
	seen := map[string]bool{}
	for _, a := range all {
		if !seen[a.Domain] {
			seen[a.Domain] = true
			out.Domains = append(out.Domains, DomainStats{Domain: a.Domain, KeyCounts: map[int]int{}})
		}
	}
	stats := map[string]*DomainStats{}
	for i := range out.Domains {
		stats[out.Domains[i].Domain] = &out.Domains[i]
	}

	for _, a := range all {
		long, isLong := longKey(a, th)
		if isLong {
			out.LongKeys = append(out.LongKeys, long)
		}
		give, isGive := giveaway(a, c, th)
		if isGive {
			out.Giveaways = append(out.Giveaways, give)
		}
		if a.Practice {
			continue
		}
		d := stats[a.Domain]
		d.Items++
		if isLong {
			d.LongKeys++
		}
		if isGive {
			d.Giveaways++
		}
		if a.Multiple() {
			if !statesKeyCount(a.stem.plain) {
				d.KeyCounts[a.Item.keys()]++
			}
			continue
		}
		d.Single++
		if keyStrictlyLongest(a.Item) {
			d.KeyLongest++
		}
	}

	out.Pairs = c.pairs(th)
	domainOf := map[string]string{}
	for _, a := range all {
		domainOf[a.ID] = a.Domain
	}
	revealed := map[string]bool{}
	for _, p := range out.Pairs {
		switch {
		case p.Kind != Reveals:
			stats[domainOf[p.A]].Similar++
			if domainOf[p.B] != domainOf[p.A] {
				stats[domainOf[p.B]].Similar++
			}
		case !revealed[p.B]:
			revealed[p.B] = true
			stats[domainOf[p.B]].Revealed++
		}
	}

	total := map[int]int{}
	for _, d := range out.Domains {
		if d.Single >= MinSingleForShare && d.KeyLongest*100 > th.KeyLongestMaxPercent*d.Single {
			out.LongestShares = append(out.LongestShares, LongestShare{Domain: d.Domain, Longest: d.KeyLongest, Single: d.Single})
		}
		if f, ok := fixedKeyCount(d.Domain, d.KeyCounts); ok {
			out.FixedKeyCounts = append(out.FixedKeyCounts, f)
		}
		for k, n := range d.KeyCounts {
			total[k] += n
		}
	}
	// The whole pool is judged too, as a candidate sees questions of every
	// domain in one exam, but not when one domain holds all its questions
	// of this kind (that domain was judged).
	if f, ok := fixedKeyCount("", total); ok && !slices.ContainsFunc(out.FixedKeyCounts, func(d FixedKeyCount) bool { return d.Items == f.Items }) {
		out.FixedKeyCounts = append(out.FixedKeyCounts, f)
	}
	return out
}

// Total adds up the domains' figures; a pair of questions of two domains
// counts once.
func (a Analysis) Total() DomainStats {
	t := DomainStats{KeyCounts: map[int]int{}}
	for _, d := range a.Domains {
		t.Items += d.Items
		t.Single += d.Single
		t.KeyLongest += d.KeyLongest
		t.LongKeys += d.LongKeys
		t.Revealed += d.Revealed
		t.Giveaways += d.Giveaways
		for k, n := range d.KeyCounts {
			t.KeyCounts[k] += n
		}
	}
	for _, p := range a.Pairs {
		if p.Kind != Reveals {
			t.Similar++
		}
	}
	return t
}

// fixedKeyCount reports a set of "select all that apply" questions that
// all have the same number of keys.
func fixedKeyCount(domain string, counts map[int]int) (FixedKeyCount, bool) {
	if len(counts) != 1 {
		return FixedKeyCount{}, false
	}
	for k, n := range counts {
		if n >= MinMultiForSpread {
			return FixedKeyCount{Domain: domain, Items: n, Keys: k}, true
		}
	}
	return FixedKeyCount{}, false
}

// KeyCountsSorted lists the distinct numbers of keys, in order.
func (d DomainStats) KeyCountsSorted() []int {
	var out []int
	for k := range d.KeyCounts {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
