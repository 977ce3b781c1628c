// Package quality holds the item-quality rules of a question bank: cues
// that let a candidate who knows nothing answer (a key longer than every
// distractor, a word of the stem that only the key repeats, keys that
// always number the same), and items that say the same thing (two exam
// questions that test one fact, a stem that answers another question, a
// practice question that gives an exam question away).
//
// The rules are pure functions over plain values: the content loader turns
// its questions into Items and reports what Analyze finds with files and
// lines. Nothing here reads files or knows the Markdown format.
package quality

// Item is one question as the rules read it.
type Item struct {
	ID       string
	Domain   string
	Practice bool // from the practice pool, whose answers are public
	Group    string
	// Multi marks "select all that apply"; a question with several keys
	// is one whatever Multi says.
	Multi       bool
	Stem        Text
	Options     []Option
	Explanation Text
}

// Text is a stem, an option or an explanation: its visible text, and the
// code spans and blocks within it (also part of Plain).
type Text struct {
	Plain string
	Code  []string
}

// Option is one answer option.
type Option struct {
	Text    Text
	Correct bool
}

// Multiple reports whether the item asks to select all that apply.
func (it Item) Multiple() bool {
	return it.Multi || it.keys() > 1
}

func (it Item) keys() int {
	n := 0
	for _, o := range it.Options {
		if o.Correct {
			n++
		}
	}
	return n
}

// Thresholds tune the rules. The zero value is not useful: start from
// Defaults.
type Thresholds struct {
	// A key is much longer than its distractors when it is at least
	// KeyLengthRatio times as long as the longest distractor and at least
	// KeyLengthMargin characters longer.
	KeyLengthRatio  float64
	KeyLengthMargin int
	// KeyLongestMaxPercent is the largest share of a domain's
	// single-answer exam questions whose key may be strictly the longest
	// option. Picking the longest option by chance is right about a
	// quarter of the time with four options.
	KeyLongestMaxPercent int
	// Two questions are alike when the cosine similarity (0 to 1) of
	// their stems and keys together reaches Similarity, or when that of
	// their keys reaches KeySimilarity and their stems are related.
	Similarity    float64
	KeySimilarity float64
	// RareItems: a word of a stem is distinctive when the stems of at
	// most this many questions of the track use it.
	RareItems int
}

// Defaults are the thresholds when certification.md sets none.
func Defaults() Thresholds {
	return Thresholds{
		KeyLengthRatio:       1.5,
		KeyLengthMargin:      15,
		KeyLongestMaxPercent: 30,
		Similarity:           0.45,
		KeySimilarity:        0.6,
		RareItems:            3,
	}
}

// Fixed rules, not tunable: they are about when a figure means anything.
const (
	// MinSingleForShare is how many single-answer exam questions a domain
	// needs before its share of longest keys is judged.
	MinSingleForShare = 10
	// MinMultiForSpread is how many "select all that apply" exam questions
	// a domain (or the track) needs before a constant number of keys is
	// reported.
	MinMultiForSpread = 3
)
