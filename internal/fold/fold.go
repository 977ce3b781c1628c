// Package fold writes text in the form in which searches compare it:
// without accents and in lower case, so that "Ñúñez", "NUNEZ" and
// "nunez" meet. It is a leaf package: the store keeps folded search keys
// and the console folds what staff type, with the same rule.
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Text removes the accents of decomposed letters (á, ñ, ü …) and lowers
// the case. Letters without a decomposition (ø, ß) are kept as they are.
func Text(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue // the accent of a decomposed letter
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Words splits what a person typed into folded words.
func Words(s string) []string {
	return strings.Fields(Text(s))
}
