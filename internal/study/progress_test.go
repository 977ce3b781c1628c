package study

import (
	"testing"
	"time"

	"mxcert/internal/content"
	"mxcert/internal/model"
)

func TestNextStep(t *testing.T) {
	cat, report, err := content.LoadDir("../content/testdata/content", content.Options{})
	if err != nil || report.HasErrors() {
		t.Fatal(err, report.Errors())
	}
	tr := cat.Track("ejemplo") // modules arranque, terminal; one practice question per domain
	studied := map[string]time.Time{"arranque": {}, "terminal": {}}
	tests := []struct {
		name   string
		p      Progress
		want   StepKind
		module string
		domain string
	}{
		{"nothing done", Progress{}, StepStudy, "arranque", ""},
		{"first module done", Progress{Studied: map[string]time.Time{"arranque": {}}}, StepStudy, "terminal", ""},
		{"modules done, no practice", Progress{Studied: studied}, StepPractice, "", "arranque"},
		{"one domain practised well", Progress{Studied: studied, Accuracy: map[string]model.DomainAccuracy{"arranque": {Answered: 1, Correct: 1}}}, StepPractice, "", "terminal"},
		{"weakest first", Progress{Studied: studied, Accuracy: map[string]model.DomainAccuracy{"arranque": {Answered: 10, Correct: 6}, "terminal": {Answered: 10, Correct: 3}}}, StepPractice, "", "terminal"},
		{"ready", Progress{Studied: studied, Accuracy: map[string]model.DomainAccuracy{"arranque": {Answered: 4, Correct: 3}, "terminal": {Answered: 2, Correct: 2}}}, StepExam, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NextStep(tr, tc.p)
			if got.Kind != tc.want || (tc.module != "" && got.Module.Slug != tc.module) || got.Domain != tc.domain {
				t.Errorf("NextStep = %+v, want kind %v, module %q, domain %q", got, tc.want, tc.module, tc.domain)
			}
		})
	}
}
