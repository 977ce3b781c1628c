package quality

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// length is the visible length of an option, in characters, with runs of
// white space counted as one.
func length(t Text) int {
	return utf8.RuneCountInString(strings.Join(strings.Fields(t.Plain), " "))
}

// longKey reports an item whose key is much longer than every distractor:
// at least th.KeyLengthRatio times the longest and th.KeyLengthMargin
// characters more. With several keys the shortest one is measured: only
// when all of them stand out does length point at the answer.
func longKey(a *analyzed, th Thresholds) (LongKey, bool) {
	key, distractor := -1, -1
	for _, o := range a.Options {
		n := length(o.Text)
		switch {
		case !o.Correct:
			distractor = max(distractor, n)
		case key < 0 || n < key:
			key = n
		}
	}
	if key < 0 || distractor < 0 {
		return LongKey{}, false
	}
	long := float64(key) >= th.KeyLengthRatio*float64(distractor) && key >= distractor+th.KeyLengthMargin
	return LongKey{Item: a.ID, Key: key, Distractor: distractor}, long
}

// keyStrictlyLongest reports whether a single-answer item's key is longer
// than every distractor: the cue a candidate who knows nothing follows.
func keyStrictlyLongest(it *Item) bool {
	key, distractor := -1, -1
	for _, o := range it.Options {
		if o.Correct {
			key = length(o.Text)
		} else {
			distractor = max(distractor, length(o.Text))
		}
	}
	return key > distractor && distractor >= 0
}

// giveaway finds the distinctive words and commands of a stem that a key
// repeats and no distractor does («iwlwifi» in the stem, «firmware-iwlwifi»
// the key). A word is distinctive when few stems of the track use it
// (th.RareItems); a command is distinctive by its shape (distinctivePhrase).
func giveaway(a *analyzed, c *corpus, th Thresholds) (Giveaway, bool) {
	keys, distractors := a.keys(), a.distractors()
	if len(distractors) == 0 {
		return Giveaway{}, false
	}
	in := func(ts []text, has func(text) bool) bool { return slices.ContainsFunc(ts, has) }
	var found []string
	covered := map[string]bool{}
	for _, p := range a.stem.phrases {
		if !distinctivePhrase(p) || covered[p] {
			continue
		}
		has := func(t text) bool { return containsPhrase(t.plain, p) }
		if in(keys, has) && !in(distractors, has) {
			found = append(found, p)
			for _, w := range words(p) {
				covered[term(w)] = true
			}
		}
	}
	seen := map[string]bool{}
	for _, t := range a.stem.terms {
		if seen[t] || covered[t] || strings.HasPrefix(t, "`") || c.stemDF[t] > th.RareItems {
			continue
		}
		seen[t] = true
		has := func(x text) bool { return x.set[t] }
		if in(keys, has) && !in(distractors, has) {
			found = append(found, written(a.Stem.Plain, t))
		}
	}
	if len(found) == 0 {
		return Giveaway{}, false
	}
	return Giveaway{Item: a.ID, Words: found}, true
}

// countRe finds a stem that says how many options to choose («Elige dos.»):
// there the number of keys is no cue.
var countRe = regexp.MustCompile(`\b(elige|elija|escoge|marca|selecciona|senala)\s+(las\s+|los\s+)?(dos|tres|cuatro|cinco|[2-5])\b`)

func statesKeyCount(foldedStem string) bool { return countRe.MatchString(foldedStem) }
