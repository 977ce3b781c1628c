package account

import (
	"strings"
	"testing"
)

// A name must print honestly on a certificate: nothing invisible, no
// stacks of combining marks, one alphabet, and real letters.
func TestNameRules(t *testing.T) {
	cases := []struct {
		name, in string
		want     Problem // "" when accepted
	}{
		{"Spanish accents and ñ", "José Ñúñez Peña", ""},
		{"accents typed as combining marks", "Jose\u0301 Nu\u0301n\u0303ez", ""},
		{"apostrophe, hyphen and period", "María-José O’Connor Jr.", ""},
		{"a Nahuatl name", "Xóchitl Tlacaélel", ""},
		{"Vietnamese, two marks on a letter", "Nguyễn Thị Ánh", ""},
		{"one alphabet that is not Latin", "Иван Петров", ""},
		{"Japanese, Han with kana", "山田 はなこ", ""},
		{"Hangul choseong filler U+115F", "Ana \u115F López", NameCharacters},
		{"Hangul filler U+3164 alone", "\u3164\u3164\u3164", NameCharacters},
		{"halfwidth Hangul filler U+FFA0", "Ana\uFFA0López", NameCharacters},
		{"zero-width space", "Ana\u200BLópez", NameCharacters},
		{"zero-width joiner", "Ana López\u200D", NameCharacters},
		{"word joiner", "Ana\u2060López", NameCharacters},
		{"right-to-left override", "Ana \u202EzepóL", NameCharacters},
		{"variation selector", "Ana\uFE0F López", NameCharacters},
		{"Khmer inherent vowel U+17B4", "Ana \u17B4López", NameCharacters},
		{"braille blank", "\u2800\u2800", NameCharacters},
		{"three marks on one letter", "Ana López\u0336\u0337\u0338", NameCharacters},
		{"two marks on one letter", "Ana López\u0336\u0337", ""},
		{"Zalgo", "A" + strings.Repeat("\u0336", 12) + "na López", NameCharacters},
		{"a mark with no letter before it", "\u0301Ana López", NameCharacters},
		{"Cyrillic а in a Latin name", "Ju\u0430n Pérez", NameScripts},
		{"Greek ο in a Latin name", "Rοsa Martínez", NameScripts},
		{"digits", "Ana López 2", NameCharacters},
		{"one letter only", "A.", NameCharacters},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateName(CleanName(tc.in))
			var got Problem
			if v, ok := err.(*ValidationError); ok {
				got = v.Fields["name"]
			} else if err != nil {
				t.Fatalf("ValidateName(%q) = %v, not a ValidationError", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ValidateName(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
