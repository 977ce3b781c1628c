package model

import "time"

// Session is a signed-in browser. Only the SHA-256 of its token is
// stored, so a copy of the database cannot be used to sign in.
type Session struct {
	// ID names the session where its owner sees it (the account page);
	// it cannot be used to sign in.
	ID         string
	TokenHash  []byte
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	UserAgent  string
	IP         string // the address it signed in from
}
