package web

import (
	"github.com/gin-gonic/gin"

	"mxcert/internal/attempt"
	"mxcert/internal/content"
	"mxcert/internal/study"
)

// standingCard is what a page says of where the candidate stands in a
// track. One partial, "standing", writes it on the home, track and
// exam-start pages, so the three never disagree.
type standingCard struct {
	base
	attempt.Standing
	Track   *content.Track
	Minutes int // in progress: whole minutes left, rounded up
	Studied int // modules marked as studied
	Contact string
	Here    cardPlace // the page the card is on
}

// cardPlace is the page a standing card is on: each says a little more or
// less (the home page links to the track, the track page to the exam).
type cardPlace int

const (
	onHome cardPlace = iota
	onTrack
	onExamStart
)

// OnHome reports whether the card is on the home page.
func (v standingCard) OnHome() bool { return v.Here == onHome }

// OnTrack reports whether the card is on the track page.
func (v standingCard) OnTrack() bool { return v.Here == onTrack }

// OnExamStart reports whether the card is on the exam's start page.
func (v standingCard) OnExamStart() bool { return v.Here == onExamStart }

// standing loads where the signed-in candidate stands in a track, with
// their study progress.
func (s *Server) standing(c *gin.Context, b base, t *content.Track, here cardPlace) (standingCard, study.Progress, error) {
	u := currentUser(c)
	p, err := s.study.Progress(c.Request.Context(), u.ID, t)
	if err != nil {
		return standingCard{}, p, err
	}
	st, err := s.attempts.Standing(c.Request.Context(), u.ID, t, p.Began())
	if err != nil {
		return standingCard{}, p, err
	}
	card := standingCard{base: b, Standing: st, Track: t, Studied: p.StudiedCount(t), Contact: s.cfg.ContactEmail, Here: here}
	if st.Running != nil {
		card.Minutes = s.examRef(st.Running.ID, st.Running.Deadline).Minutes
	}
	return card, p, nil
}

// RevokedOn is the date the certificate was revoked, as the page writes it.
func (v standingCard) RevokedOn() string {
	if v.Certificate == nil || v.Certificate.RevokedAt == nil {
		return ""
	}
	return v.Date(*v.Certificate.RevokedAt)
}

// ExpiredOn is the date the certificate expired, as the page writes it.
func (v standingCard) ExpiredOn() string {
	if v.Certificate == nil || v.Certificate.ExpiresAt == nil {
		return ""
	}
	return v.Date(*v.Certificate.ExpiresAt)
}
