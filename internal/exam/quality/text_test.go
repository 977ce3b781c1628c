package quality

import (
	"slices"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Configuración":  "configuracion",
		"AÑO Pingüino":   "ano pinguino",
		"¿Qué ÉXITO?":    "¿que exito?",
		"Ελληνικά ά":     "ελληνικα α", // other scripts through their decomposition
		"`dpkg -a` → SÍ": "`dpkg -a` → si",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerms(t *testing.T) {
	got := analyze(Text{Plain: "¿Dónde configuras la Configuración de 2 pantallas en MxOS?"}).terms
	want := []string{"config", "config", "pantal", "mxos"} // «dónde», «la», «de», «en» are stop words
	if !slices.Equal(got, want) {
		t.Errorf("terms = %q, want %q", got, want)
	}
	if term("de") != "" || term("a") != "" || term("2024") != "" {
		t.Error("stop words, single letters and numbers must not be terms")
	}
}

func TestPhrase(t *testing.T) {
	for in, want := range map[string]string{
		"sudo dpkg --configure -a": "dpkg --configure -a",
		"sudo  sudo apt   update":  "apt update",
		"/etc/fstab.":              "/etc/fstab",
		"Firmware-IWLWIFI":         "firmware-iwlwifi",
	} {
		if got := phrase(in); got != want {
			t.Errorf("phrase(%q) = %q, want %q", in, got, want)
		}
	}
	for p, want := range map[string]bool{
		"dpkg --configure -a": true, "firmware-iwlwifi": true, "/etc/fstab": true,
		"update": false, "-h": false, "df": false,
	} {
		if distinctivePhrase(p) != want {
			t.Errorf("distinctivePhrase(%q) = %v, want %v", p, !want, want)
		}
	}
}

func TestContainsPhrase(t *testing.T) {
	tests := []struct {
		hay, needle string
		want        bool
	}{
		{"ejecuta dpkg --configure -a ahora", "dpkg --configure -a", true},
		{"el adaptador de red", "apt", false},
		{"usa apt.", "apt", true},
		{"-rw-r----- 1 ana", "rw-r-----", true},
		{"apt update y apt upgrade", "apt upgrade", true},
		{"apt updates", "apt update", false},
		{"", "apt", false},
		{"apt", "", false},
	}
	for _, tc := range tests {
		if got := containsPhrase(tc.hay, tc.needle); got != tc.want {
			t.Errorf("containsPhrase(%q, %q) = %v, want %v", tc.hay, tc.needle, got, tc.want)
		}
	}
}

func TestStatesKeyCount(t *testing.T) {
	for stem, want := range map[string]bool{
		"¿Qué revisas? Elige dos.":                         true,
		"¿Cuáles? Selecciona las tres correctas.":          true,
		"¿Qué haces? Elige todas las que apliquen.":        false,
		"Marca 2 opciones.":                                true,
		"Elige la opción que resuelve la falla del equipo": false,
	} {
		if got := statesKeyCount(fold(stem)); got != want {
			t.Errorf("statesKeyCount(%q) = %v, want %v", stem, got, want)
		}
	}
}
