package model

import "time"

// SecondFactor is an administrator's authenticator as the console shows
// it to its owner. Neither its secret nor its recovery codes are here:
// they never leave the account service after being shown once.
type SecondFactor struct {
	Enrolled     bool
	EnrolledAt   time.Time
	RecoveryLeft int // unused recovery codes
}

// SessionChecks say how a session proved who is using it.
type SessionChecks struct {
	// SecondFactorAt is when the session passed a second factor; zero if
	// it never did (a candidate's, or one from before second factors).
	SecondFactorAt time.Time
	// CheckedAt is the last time its owner typed the password or a code:
	// at sign-in, or at a later re-check.
	CheckedAt time.Time
}
