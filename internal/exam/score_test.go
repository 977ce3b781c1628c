package exam

import (
	"testing"

	"mxcert/internal/content"
)

func TestDomainRows(t *testing.T) {
	boot := &content.Module{Slug: "arranque", Title: "El arranque", Domain: "arranque"}
	track := &content.Track{Modules: []*content.Module{boot}}
	res := Result{Domains: []DomainResult{
		{Domain: "arranque", Correct: 1, Total: 2},
		{Domain: "vacio"}, // in the blueprint, no question drawn
		{Domain: "terminal", Correct: 3, Total: 3},
	}}
	for _, tc := range []struct {
		name  string
		track *content.Track
		want  []DomainRow
	}{
		{name: "track in the content", track: track, want: []DomainRow{
			{DomainResult: res.Domains[0], Title: "El arranque", Module: boot},
			{DomainResult: res.Domains[2], Title: "terminal"}, // no module teaches it
		}},
		{name: "track gone from the content", track: nil, want: []DomainRow{
			{DomainResult: res.Domains[0], Title: "arranque"},
			{DomainResult: res.Domains[2], Title: "terminal"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := res.DomainRows(tc.track)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d rows %+v, want %d", len(got), got, len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("row %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// A domain result from fewer than 5 questions is indicative: one answer
// moves it by 25 points or more.
func TestIndicativeDomains(t *testing.T) {
	for _, tc := range []struct {
		total int
		want  bool
	}{{1, true}, {3, true}, {4, true}, {5, false}, {12, false}} {
		if got := (DomainResult{Total: tc.total}).Indicative(); got != tc.want {
			t.Errorf("%d questions: indicative %v, want %v", tc.total, got, tc.want)
		}
	}
	measured := DomainRow{DomainResult: DomainResult{Domain: "redes", Total: 6}}
	few := DomainRow{DomainResult: DomainResult{Domain: "respaldos", Total: 4}}
	if AnyIndicative([]DomainRow{measured}) || !AnyIndicative([]DomainRow{measured, few}) || AnyIndicative(nil) {
		t.Error("AnyIndicative does not tell rows with few questions")
	}
}
