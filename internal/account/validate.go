package account

import (
	"bufio"
	_ "embed"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Problem names what is wrong with one field of a form. The web layer
// turns it into a message in the visitor's language.
type Problem string

const (
	NameLength       Problem = "name_length"
	NameCharacters   Problem = "name_characters"
	EmailInvalid     Problem = "email_invalid"
	EmailTaken       Problem = "email_taken"
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

func checkName(name string, v *ValidationError) {
	n := utf8.RuneCountInString(name)
	if n < NameMin || n > NameMax || !utf8.ValidString(name) {
		v.add("name", NameLength)
		return
	}
	letters := 0
	for _, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
			letters++
		case r == ' ' || r == '-' || r == '\'' || r == '.' || r == '’':
		default:
			v.add("name", NameCharacters)
			return
		}
	}
	if letters < 2 {
		v.add("name", NameCharacters)
	}
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
