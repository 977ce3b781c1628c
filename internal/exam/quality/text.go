package quality

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// stemLength is how many letters of a word are compared: «configurar»,
// «configuras» and «configuración» all count as «config». Spanish inflects
// at the end of words; six letters keep most words apart and join most of
// their forms.
const stemLength = 6

//go:embed stopwords.txt
var stopwordsFile string

var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(stopwordsFile, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			m[line] = true
		}
	}
	return m
}()

// fold lower-cases s and removes its accents (á → a, ñ → n, ü → u), so
// that words compare however they were typed. The letters of Spanish are
// folded directly; any other letter through its canonical decomposition.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteRune(r)
		case strings.ContainsRune(spanishAccented, r):
			b.WriteRune(spanishFolded[strings.IndexRune(spanishAccented, r)/2])
		default:
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(unicode.ToLower(d))
				}
			}
		}
	}
	return b.String()
}

// spanishAccented and spanishFolded pair the accented letters of Spanish
// (two bytes each in UTF-8) with what they fold to.
const spanishAccented = "áéíóúüñÁÉÍÓÚÜÑ"

var spanishFolded = []rune("aeiouunaeiouun")

// words splits folded text into runs of letters and digits.
func words(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// term is how a word is compared: its first stemLength letters. Stop words,
// single letters and bare numbers are no terms ("").
func term(word string) string {
	if len(word) < 2 || stopwords[word] || isNumber(word) {
		return ""
	}
	n := 0
	for i := range word {
		if n == stemLength {
			return word[:i]
		}
		n++
	}
	return word
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// phrase is a code span as compared: folded, white space collapsed, and
// without a leading sudo («sudo dpkg --configure -a» and «dpkg
// --configure -a» name the same command).
func phrase(code string) string {
	p := strings.Join(strings.Fields(fold(code)), " ")
	for strings.HasPrefix(p, "sudo ") {
		p = strings.TrimPrefix(p, "sudo ")
	}
	return strings.TrimRight(p, ".,;:")
}

// distinctivePhrase reports whether a code span names something specific
// enough to give an answer away: a command with its arguments («dpkg
// --configure -a»), or one word with parts joined by - . / or _
// («firmware-iwlwifi», «/etc/fstab»). A bare «-h» or «update» is not.
func distinctivePhrase(p string) bool {
	if len([]rune(p)) < 4 {
		return false
	}
	if strings.Contains(p, " ") {
		return true
	}
	return len(words(p)) >= 2
}

// containsPhrase reports whether needle occurs in hay as whole words: «apt»
// is not found in «adaptador».
func containsPhrase(hay, needle string) bool {
	if needle == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(hay[from:], needle)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(needle)
		if boundary(hay, start, needle, true) && boundary(hay, end, needle, false) {
			return true
		}
		from = start + 1
	}
}

// boundary checks the edge of a match at byte offset at: a needle that
// starts (or ends) with a letter or digit must not be glued to another one.
func boundary(hay string, at int, needle string, before bool) bool {
	var edge, outside rune
	if before {
		edge = []rune(needle)[0]
		if at == 0 {
			return true
		}
		outside = lastRune(hay[:at])
	} else {
		r := []rune(needle)
		edge = r[len(r)-1]
		if at >= len(hay) {
			return true
		}
		outside = []rune(hay[at:])[0]
	}
	if !isWordRune(edge) {
		return true
	}
	return !isWordRune(outside)
}

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// text is a piece of an item (stem, option, explanation) ready to compare.
type text struct {
	plainWritten string          // as written, white space collapsed
	plain        string          // folded, white space collapsed
	terms        []string        // terms in order, repeats kept
	set          map[string]bool // the distinct terms
	phrases      []string        // the code spans, as compared
}

func analyze(t Text) text {
	plain := strings.Join(strings.Fields(fold(t.Plain)), " ")
	out := text{plainWritten: strings.Join(strings.Fields(t.Plain), " "), plain: plain, set: map[string]bool{}}
	for _, w := range words(plain) {
		if tm := term(w); tm != "" {
			out.terms = append(out.terms, tm)
			out.set[tm] = true
		}
	}
	for _, c := range t.Code {
		p := phrase(c)
		if p == "" {
			continue
		}
		out.phrases = append(out.phrases, p)
		// The whole command is a term of its own, so that `Super` + `L`
		// and `Super` + `P`, alike word by word, still differ.
		if tm := "`" + p + "`"; !out.set[tm] {
			out.set[tm] = true
			out.terms = append(out.terms, tm)
		}
	}
	return out
}

// written is the first word of text written that compares as term t, as
// written there.
func written(text, t string) string {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !isWordRune(r) }) {
		if term(fold(w)) == t {
			return w
		}
	}
	return t
}
