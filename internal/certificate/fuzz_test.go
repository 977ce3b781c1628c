package certificate

import (
	"strings"
	"testing"
)

// FuzzNormalizeCode feeds NormalizeCode whatever a person (or a scraper)
// may type on /verificar: it never panics, accepts only codes made of the
// alphabet with the length of a real code, and is idempotent, also on the
// printed (hyphenated) and lower-case forms of its own output.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{
		"SB-7K4Q-9XTP-M2HW", "sb7k4q9xtpm2hw", " sb 7k4q-9xtp-m2hw ", "SB-OK4Q-9XTP-M2HW", "SB-IK4Q-9XTP-L2HW",
		"SB-7K4Q-9XTP-M2HU", "E-0000-0000-0000", "UDT-ZZZZ-ZZZZ-ZZZZ", "", "-", "<script>", "../../etc/passwd",
		"' OR '1'='1", "ſb-7k4q-9xtp-m2hw", "ıııı-ıııı-ıııı-ı", "\xff\xfe\xfd", "SB\x007K4Q9XTPM2HW", strings.Repeat("-", 64),
		strings.Repeat("A", 65), "3f1c2a9e-8b7d-4e21-9c55-0a1b2c3d4e5f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeCode(s)
		if err != nil {
			if n != "" {
				t.Fatalf("NormalizeCode(%q) = %q with error %v", s, n, err)
			}
			return
		}
		if len(n) < codeChars+1 || len(n) > codeChars+3 {
			t.Fatalf("NormalizeCode(%q) = %q: %d characters", s, n, len(n))
		}
		for _, r := range n {
			if !strings.ContainsRune(alphabet, r) {
				t.Fatalf("NormalizeCode(%q) = %q: %q is not in the alphabet", s, n, r)
			}
		}
		var printed strings.Builder
		for i, r := range n {
			if i > 0 && i%4 == 0 {
				printed.WriteByte('-')
			}
			printed.WriteRune(r)
		}
		for _, form := range []string{n, strings.ToLower(n), printed.String()} {
			if again, err := NormalizeCode(form); err != nil || again != n {
				t.Fatalf("NormalizeCode(%q) = %q, %v; want %q (from %q)", form, again, err, n, s)
			}
		}
	})
}
