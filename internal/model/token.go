package model

import "time"

// TokenPurpose is what a single-use link sent to a person does.
type TokenPurpose string

const (
	TokenVerifyEmail   TokenPurpose = "verify_email"   // confirms the account's address
	TokenResetPassword TokenPurpose = "reset_password" // lets the person choose a new password
	TokenChangeEmail   TokenPurpose = "change_email"   // confirms a new address, which then replaces the old one
)

// AccountToken is a single-use link's record. The token itself is never
// stored: only its SHA-256.
type AccountToken struct {
	Hash      []byte
	UserID    int64
	Purpose   TokenPurpose
	NewEmail  string // TokenChangeEmail only: the address to confirm, as typed
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}
