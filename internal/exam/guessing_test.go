package exam

import (
	"fmt"
	"html/template"
	"testing"

	"mxcert/internal/content"
)

// guessTrack is a track of one domain whose exam draws every question of
// its pool; each question is given by its options, "*" marking a key.
func guessTrack(passPercent int, questions ...[]string) *content.Track {
	t := &content.Track{Rules: content.ExamRules{Questions: len(questions), PassPercent: passPercent,
		Blueprint: []content.DomainCount{{Domain: "d", Count: len(questions)}}}}
	for i, opts := range questions {
		q := &content.Question{ID: fmt.Sprintf("q-%d", i), Domain: "d", Pool: content.ExamPool, StemHTML: "¿?"}
		for _, o := range opts {
			correct := o[0] == '*'
			if correct {
				o = o[1:]
			}
			q.Options = append(q.Options, content.Option{HTML: template.HTML(o), Text: o, Correct: correct}) // #nosec G203 -- test data
		}
		t.ExamQuestions = append(t.ExamQuestions, q)
	}
	return t
}

var (
	keyLongest  = []string{"*La respuesta larga", "Corta", "Breve"}
	keyShortest = []string{"*Sí", "Una opción larga", "Otra más larga aún"}
)

func TestLongestOption(t *testing.T) {
	tests := []struct {
		name          string
		track         *content.Track
		mean, passing float64
	}{
		{"the key is always the longest", guessTrack(70, keyLongest, keyLongest, keyLongest, keyLongest), 100, 1},
		{"the key is never the longest", guessTrack(70, keyShortest, keyShortest, keyShortest, keyShortest), 0, 0},
		{"half of the keys, below the mark", guessTrack(70, keyLongest, keyLongest, keyShortest, keyShortest), 50, 0},
		{"half of the keys, at the mark", guessTrack(50, keyLongest, keyLongest, keyShortest, keyShortest), 50, 1},
		{"two keys: one option is never enough", guessTrack(70, []string{"*La más larga de todas", "*Larga", "No"}), 0, 0},
		{"one key of «varias»: the longest is enough", guessTrack(70, []string{"*La más larga de todas", "Corta", "No"}), 100, 1},
		{"visible length: markup does not count", guessTrack(70, []string{"*<code>lpstat -v</code>", "lpstat -o -p"}, []string{"*a &amp; b", "<em>abcd</em>"}), 50, 0},
	}
	tests[5].track.ExamQuestions[0].MultiSelect = true
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := LongestOption(tc.track, 200)
			if err != nil {
				t.Fatal(err)
			}
			if g.Draws != 200 || g.MeanPercent != tc.mean || g.PassShare != tc.passing {
				t.Errorf("got %+v, want mean %v and pass share %v", g, tc.mean, tc.passing)
			}
		})
	}
}

// Among options as long as each other the first served is chosen, and
// options are shuffled per draw: a key tied with a distractor is right
// about half of the time.
func TestLongestOptionTies(t *testing.T) {
	g, err := LongestOption(guessTrack(70, []string{"*Igual", "Igual", "No"}), 10000)
	if err != nil {
		t.Fatal(err)
	}
	if g.MeanPercent < 45 || g.MeanPercent > 55 {
		t.Errorf("mean %v %%, want about 50 %%", g.MeanPercent)
	}
	again, _ := LongestOption(guessTrack(70, []string{"*Igual", "Igual", "No"}), 10000)
	if again != g {
		t.Errorf("seeds 1..n must give the same figures: %+v then %+v", g, again)
	}
}

func TestLongestOptionErrors(t *testing.T) {
	thin := guessTrack(70, keyLongest)
	thin.Rules.Blueprint[0].Count = 2
	if _, err := LongestOption(thin, 10); err == nil {
		t.Error("a blueprint the pool cannot fill must be an error")
	}
	if _, err := LongestOption(guessTrack(70, keyLongest), 0); err == nil {
		t.Error("zero draws must be an error")
	}
}

func TestVisibleLength(t *testing.T) {
	for in, want := range map[template.HTML]int{
		"<code>lpstat -v</code>":       9,
		"a &amp; b":                    5,
		"  dos   espacios ":            12,
		"Configuración → <em>Red</em>": 19,
	} {
		if got := visibleLength(in); got != want {
			t.Errorf("visibleLength(%q) = %d, want %d", in, got, want)
		}
	}
}
