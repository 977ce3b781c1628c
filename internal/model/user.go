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
	ExtraMinutes      int // accommodation: added to every exam's duration
	// EmailVerifiedAt is when the address was confirmed by following a
	// link sent to it; nil until then. Accounts made on the command line
	// are confirmed when made: the operator vouches for the address.
	EmailVerifiedAt *time.Time
}

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
