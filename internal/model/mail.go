package model

import "time"

// Mail is one outgoing e-mail as queued: plain text and, optionally, the
// same message in HTML.
type Mail struct {
	ID        int64
	MessageID string // the Message-ID header, without angle brackets; stable across retries
	To        string
	Subject   string
	Text      string
	HTML      string
	CreatedAt time.Time
	Attempts  int
	NextTryAt time.Time // zero when Failed
	SentAt    *time.Time
	LastError string
	// Failed: the message was given up on after retrying for days; it
	// stays queued, with its last error, but is never tried again.
	Failed bool
}
