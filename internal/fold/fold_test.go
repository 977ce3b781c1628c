package fold

import (
	"slices"
	"testing"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"José Ñúñez":        "jose nunez",
		"RAMÍREZ":           "ramirez",
		"Ávila":             "avila",
		"Güemes":            "guemes",
		"Querétaro":         "queretaro",
		"n\u0303u\u0301nez": "nunez", // already decomposed
		"ana@ejemplo.mx":    "ana@ejemplo.mx",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Words("  Ñúñez\tJOSÉ "); !slices.Equal(got, []string{"nunez", "jose"}) {
		t.Errorf("Words = %q", got)
	}
}
