package model

import "time"

// Role is what an account may do.
type Role string

const (
	RoleCandidate Role = "candidate"
	RoleAdmin     Role = "admin"
)

// User is an account.
type User struct {
	ID                int64
	Email             string // as typed
	EmailNorm         string // lower-cased, for uniqueness and login
	Name              string // legal name, exactly as printed on a certificate
	State             string // entidad federativa; empty for accounts made by the CLI
	PasswordHash      string
	Role              Role
	CreatedAt         time.Time
	PasswordChangedAt time.Time
	ExtraMinutes      int    // accommodation: added to every exam's duration
	Lang              string // LangES or LangEN: the language of the e-mails sent to them
}

// The languages a person may read the site and their e-mails in.
const (
	LangES = "es" // Spanish as spoken in Mexico (es-MX), the default
	LangEN = "en"
)

// UserLang is lang when the platform speaks it, else Spanish.
func UserLang(lang string) string {
	if lang == LangEN {
		return LangEN
	}
	return LangES
}

// IsAdmin reports whether the user may use the admin console.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// UserSummary is one row of the console's candidate search.
type UserSummary struct {
	User
	Attempts int
	Passed   int
}
