package account

import (
	"bufio"
	_ "embed"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"mxcert/internal/fail"
)

// Problem names what is wrong with one field of a form. The web layer
// turns it into a message in the visitor's language.
type Problem string

const (
	NameLength       Problem = "name_length"
	NameCharacters   Problem = "name_characters"
	NameScripts      Problem = "name_scripts"
	EmailInvalid     Problem = "email_invalid"
	EmailTaken       Problem = "email_taken"
	EmailSame        Problem = "email_same"
	PasswordShort    Problem = "password_short"
	PasswordLong     Problem = "password_long"
	PasswordCommon   Problem = "password_common"
	PasswordPersonal Problem = "password_personal"
	PasswordWrong    Problem = "password_wrong"
	StateInvalid     Problem = "state_invalid"
)

// ValidationError lists the problems of a form, by field name.
type ValidationError struct {
	Fields map[string]Problem
}

func (e *ValidationError) Error() string {
	var parts []string
	for f, p := range e.Fields {
		parts = append(parts, f+": "+string(p))
	}
	return "invalid input: " + strings.Join(parts, ", ")
}

// Unwrap makes a validation error of the kind fail.ErrInvalid.
func (e *ValidationError) Unwrap() error { return fail.ErrInvalid }

func (e *ValidationError) add(field string, p Problem) {
	if e.Fields == nil {
		e.Fields = map[string]Problem{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = p
	}
}

func (e *ValidationError) orNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Limits of the registration form.
const (
	NameMin     = 2
	NameMax     = 120
	PasswordMin = 10
	PasswordMax = 128
	EmailMax    = 254
)

// CleanName trims a legal name and folds inner runs of spaces, keeping
// every accent: the name is printed on certificates exactly as returned.
func CleanName(name string) string {
	return strings.Join(strings.Fields(norm.NFC.String(name)), " ")
}

// MaxMarksPerLetter is how many combining marks may follow one letter
// (after NFC composition). Spanish needs none (á, ñ and ü compose); a few
// languages stack two; more is "Zalgo" text that spills over the lines
// around it on a printed certificate.
const MaxMarksPerLetter = 2

// checkName accepts a legal name that prints honestly on a certificate:
// letters (with at most MaxMarksPerLetter combining marks each), spaces,
// hyphens, periods and apostrophes; at least two visible letters; and
// letters of one alphabet only, so that a name cannot pass for another
// with look-alike letters (a Cyrillic «а» among Latin ones).
func checkName(name string, v *ValidationError) {
	n := utf8.RuneCountInString(name)
	if n < NameMin || n > NameMax || !utf8.ValidString(name) {
		v.add("name", NameLength)
		return
	}
	letters, marks := 0, 0
	scripts := map[string]bool{}
	for _, r := range name {
		switch {
		case invisible(r):
			v.add("name", NameCharacters)
			return
		case unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me):
			if marks++; letters == 0 || marks > MaxMarksPerLetter {
				v.add("name", NameCharacters)
				return
			}
		case unicode.IsLetter(r):
			letters, marks = letters+1, 0
			if s := scriptOf(r); s != "" {
				scripts[s] = true
			}
		case r == ' ' || r == '-' || r == '\'' || r == '.' || r == '’':
			marks = 0
		default:
			v.add("name", NameCharacters)
			return
		}
	}
	switch {
	case letters < 2:
		v.add("name", NameCharacters)
	case len(scripts) > 1:
		v.add("name", NameScripts)
	}
}

// invisible reports a code point that shows nothing, or changes how text
// around it shows, though Unicode may call it a letter: the Hangul fillers
// (U+115F, U+1160, U+3164, U+FFA0), zero-width and other format
// characters, variation selectors and the other default-ignorable code
// points. A name made of them would print blank.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector, unicode.Co, unicode.Cs)
}

// nameScripts are the alphabets a name's letters are told apart by.
var nameScripts = []struct {
	name  string
	table *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Greek", unicode.Greek}, {"Cyrillic", unicode.Cyrillic},
	{"Armenian", unicode.Armenian}, {"Hebrew", unicode.Hebrew}, {"Arabic", unicode.Arabic},
	{"Han", unicode.Han}, {"Hangul", unicode.Hangul}, {"Hiragana", unicode.Hiragana}, {"Katakana", unicode.Katakana},
	{"Cherokee", unicode.Cherokee}, {"Georgian", unicode.Georgian},
}

// scriptOf is the alphabet of a letter among nameScripts, or "" for
// another one. Japanese names mix Han with kana, so kana count as Han.
func scriptOf(r rune) string {
	for _, s := range nameScripts {
		if unicode.Is(s.table, r) {
			if s.name == "Hiragana" || s.name == "Katakana" {
				return "Han"
			}
			return s.name
		}
	}
	return ""
}

// NormalizeEmail trims an address and lower-cases it: accounts are unique
// by address in any letter case.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

func checkEmail(email string, v *ValidationError) {
	if len(email) > EmailMax || !utf8.ValidString(email) {
		v.add("email", EmailInvalid)
		return
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		v.add("email", EmailInvalid)
		return
	}
	_, domain, _ := strings.Cut(email, "@")
	if !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		v.add("email", EmailInvalid)
	}
}

//go:embed common-passwords.txt
var commonPasswordsFile string

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsFile))
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// checkPasswordPolicy applies NIST SP 800-63B's rules: a length range, any
// characters, and no password from a list of common ones or made of the
// person's own name or address.
func checkPasswordPolicy(field, password, name, email string, v *ValidationError) {
	n := utf8.RuneCountInString(password)
	switch {
	case n < PasswordMin:
		v.add(field, PasswordShort)
	case n > PasswordMax:
		v.add(field, PasswordLong)
	case commonPasswords[strings.ToLower(password)]:
		v.add(field, PasswordCommon)
	case isPersonal(password, name, email):
		v.add(field, PasswordPersonal)
	}
}

func isPersonal(password, name, email string) bool {
	p := strings.ToLower(strings.ReplaceAll(password, " ", ""))
	local, _, _ := strings.Cut(NormalizeEmail(email), "@")
	for _, s := range []string{strings.ToLower(strings.ReplaceAll(name, " ", "")), NormalizeEmail(email), local} {
		if s != "" && (p == s || (len(s) >= 6 && strings.Contains(p, s) && len(p)-len(s) < 4)) {
			return true
		}
	}
	return false
}

// States are the 32 entidades federativas of Mexico, in the order people
// expect them in a list.
var States = []string{
	"Aguascalientes", "Baja California", "Baja California Sur", "Campeche",
	"Chiapas", "Chihuahua", "Ciudad de México", "Coahuila", "Colima",
	"Durango", "Estado de México", "Guanajuato", "Guerrero", "Hidalgo",
	"Jalisco", "Michoacán", "Morelos", "Nayarit", "Nuevo León", "Oaxaca",
	"Puebla", "Querétaro", "Quintana Roo", "San Luis Potosí", "Sinaloa",
	"Sonora", "Tabasco", "Tamaulipas", "Tlaxcala", "Veracruz", "Yucatán",
	"Zacatecas",
}

func validState(s string) bool {
	for _, st := range States {
		if st == s {
			return true
		}
	}
	return false
}
