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
	// ClosedAt is when the foundation joined this account into another of
	// the same person (MergedInto); nil for an account in use. A closed
	// account neither signs in nor registers its address again.
	ClosedAt   *time.Time
	MergedInto int64
	// EmailVerifiedAt is when the address was confirmed by following a
	// link sent to it; nil until then. Accounts made on the command line
	// are confirmed when made: the operator vouches for the address.
	EmailVerifiedAt *time.Time
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

// Closed reports whether the account was joined into another.
func (u *User) Closed() bool { return u != nil && u.ClosedAt != nil }

// EmailVerified reports whether the account's address is confirmed.
func (u *User) EmailVerified() bool { return u != nil && u.EmailVerifiedAt != nil }

// IsAdmin reports whether the user may use the admin console.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// UserSummary is one row of the console's candidate search.
type UserSummary struct {
	User
	Attempts int
	Passed   int
}

// CandidateNote is a note the foundation's staff keep on a candidate.
type CandidateNote struct {
	ID         int64
	UserID     int64
	AuthorID   int64
	AuthorName string
	At         time.Time
	Text       string
}
