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
	// Here is the page the card is on: "home", "track" or "exam".
	Here string
}

// On reports whether the card is shown on the named page.
func (v standingCard) On(page string) bool { return v.Here == page }

// standing loads where the signed-in candidate stands in a track, with
// their study progress.
func (s *Server) standing(c *gin.Context, b base, t *content.Track, here string) (standingCard, study.Progress, error) {
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
