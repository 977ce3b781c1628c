package directory

import "testing"

func TestPhoneNumber(t *testing.T) {
	for in, want := range map[string]string{
		"9511234567": "9511234567", "951 123 4567": "9511234567", "(951) 123-45-67": "9511234567",
		"+52 55 1234 5678": "5512345678", "+52 1 55 1234 5678": "5512345678", "55.1234.5678": "5512345678",
		"551234567": "", "0551234567": "", "55 1234 5678 ext 2": "", "+1 555 123 4567": "", "": "",
	} {
		got, ok := PhoneNumber(in)
		if got != want || ok != (want != "") {
			t.Errorf("PhoneNumber(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestWebsite(t *testing.T) {
	for in, ok := range map[string]bool{
		"https://ejemplo.mx": true, "https://ejemplo.mx/servicios?x=1": true, "http://ejemplo.mx": false,
		"https://usuario:clave@ejemplo.mx": false, "https://localhost": false, "javascript:alert(1)": false,
		"https://ejemplo.mx/\"onmouseover=": false, "ejemplo.mx": false,
	} {
		if _, got := Website(in); got != ok {
			t.Errorf("Website(%q) = %v, want %v", in, got, ok)
		}
	}
}

func TestListingID(t *testing.T) {
	for in, want := range map[string]int64{"taller-lopez-17": 17, "17": 17, "ana-0": 0, "ana-017": 0, "ana": 0, "ana-x": 0, "-5": 5} {
		got, ok := ListingID(in)
		if got != want || ok != (want != 0) {
			t.Errorf("ListingID(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	if got := ListingSlug(17, "Ana López", ""); got != "ana-lopez-17" {
		t.Errorf("slug by name: %s", got)
	}
	if got := ListingSlug(17, "Ana López", "Cómputo Juárez"); got != "computo-juarez-17" {
		t.Errorf("slug by business: %s", got)
	}
}
