package web

import (
	"errors"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/admin"
	"mxcert/internal/attempt"
	"mxcert/internal/model"
)

// Moment is a date and time to the second, for when an answer was saved.
func (b base) Moment(t time.Time) string {
	t = t.In(b.zone)
	if b.Lang == langEN {
		return t.Format("January 2, 2006, 3:04:05 PM")
	}
	return formatDate(b.Lang, t) + ", " + t.Format("15:04:05") + " h"
}

// MinutesLeft is a remaining time in whole minutes, rounded up, so that
// a running exam with seconds left does not read "0 minutes".
func (b base) MinutesLeft(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(math.Ceil(d.Minutes()))
}

// reviewRow is one question of the attempt review page.
type reviewRow struct {
	Number int
	model.AttemptItem
	Options []reviewOption
	Given   string // the chosen options' letters, "B" or "A, C"
	Key     string // the correct options' letters
	Verdict string // "right" or "wrong" once scored, else ""
}

// reviewOption is one option as served, with its letter.
type reviewOption struct {
	Letter  string
	HTML    template.HTML // the stored item's option, as the candidate saw it
	Correct bool
	Chosen  bool
}

type adminAttemptView struct {
	base
	*admin.AttemptReview
	Rows      []reviewRow
	Remaining time.Duration
	Running   bool // open and in time: it may be extended or cancelled
}

// optionLetter names option i as the exam page does (A, B, C…); past Z,
// by its number.
func optionLetter(i int) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	if i >= 0 && i < len(letters) {
		return letters[i : i+1]
	}
	return strconv.Itoa(i + 1)
}

// adminAttempt shows one attempt question by question to settle a
// dispute: stem, options, the answer, the key, when the answer was saved
// and the review flag. Every view is audited (admin.ReviewAttempt).
func (s *Server) adminAttempt(c *gin.Context) error {
	r, err := s.admin.ReviewAttempt(c.Request.Context(), currentUser(c).ID, c.Param("id"))
	if err != nil {
		return err
	}
	a := r.Attempt
	v := adminAttemptView{base: s.base(c, "staff.attempt_title", "Name", r.Candidate.Name), AttemptReview: r}
	if a.Open() {
		v.Remaining = max(a.Deadline.Sub(s.now()), 0)
		v.Running = v.Remaining > 0
	}
	for i, it := range a.Items {
		row := reviewRow{Number: i + 1, AttemptItem: it}
		for j, o := range it.Item.Options {
			row.Options = append(row.Options, reviewOption{Letter: optionLetter(j), HTML: o.HTML, Correct: o.Correct})
		}
		var given, key []string
		for _, o := range it.Answer {
			if o >= 0 && o < len(row.Options) {
				row.Options[o].Chosen = true
				given = append(given, optionLetter(o))
			}
		}
		for _, o := range row.Options {
			if o.Correct {
				key = append(key, o.Letter)
			}
		}
		if it.Correct != nil {
			row.Verdict = map[bool]string{true: "right", false: "wrong"}[*it.Correct]
		}
		row.Given, row.Key = strings.Join(given, ", "), strings.Join(key, ", ")
		v.Rows = append(v.Rows, row)
	}
	return s.page(c, http.StatusOK, "admin_attempt", v)
}

// staffAttempt loads the attempt named in the URL for an action on it,
// without auditing a view: the action's own entry records it.
func (s *Server) staffAttempt(c *gin.Context) (*model.Attempt, error) {
	return s.admin.Attempt(c.Request.Context(), c.Param("id"))
}

// adminExtend: GET asks how many minutes, POST adds them to a running
// exam's deadline.
func (s *Server) adminExtend(c *gin.Context) error {
	a, err := s.staffAttempt(c)
	if err != nil {
		return err
	}
	back := "/admin/intentos/" + a.ID
	v := adminConfirmView{base: s.base(c, "staff.extend_title"), Action: c.Request.URL.Path, Back: back, Field: "extend", Value: "15", Submit: "staff.extend_submit"}
	v.Heading = v.T("staff.extend_heading", "Name", a.HolderName)
	v.Lead = v.T("staff.extend_lead", "Date", v.DateTime(a.Deadline), "Minutes", v.MinutesLeft(a.Deadline.Sub(s.now())))
	if !a.Open() || !s.now().Before(a.Deadline) {
		v.Error = "staff.not_running"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v.Value = postValue(c, "valor")
	minutes, err := strconv.Atoi(v.Value)
	if err != nil {
		minutes = 0 // refused below with the range
	}
	_, err = s.attempts.Extend(c.Request.Context(), currentUser(c).ID, a.ID, minutes)
	switch {
	case errors.Is(err, attempt.ErrExtendMinutes):
		v.Invalid = "staff.extend_invalid"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	case errors.Is(err, attempt.ErrNotRunning):
		v.Error = "staff.not_running"
		return s.confirmPage(c, http.StatusConflict, v)
	case err != nil:
		return err
	}
	s.setFlash(c, "flash.attempt_extended")
	return redirect(c, back)
}

// adminCancel: GET asks for the reason, POST cancels a running exam. The
// candidate reads the reason on their result page; a cancellation starts
// no cool-down.
func (s *Server) adminCancel(c *gin.Context) error {
	a, err := s.staffAttempt(c)
	if err != nil {
		return err
	}
	back := "/admin/intentos/" + a.ID
	v := adminConfirmView{base: s.base(c, "staff.cancel_title"), Action: c.Request.URL.Path, Back: back, Field: "cancel_reason", Submit: "staff.cancel_submit", Danger: true}
	v.Heading = v.T("staff.cancel_heading", "Name", a.HolderName, "Track", a.TrackTitle)
	v.Lead = v.T("staff.cancel_lead")
	if !a.Open() || !s.now().Before(a.Deadline) {
		v.Error = "staff.not_running"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v.Value = postValue(c, "motivo")
	_, err = s.attempts.Cancel(c.Request.Context(), currentUser(c).ID, a.ID, v.Value)
	switch {
	case errors.Is(err, attempt.ErrCancelReason):
		v.Invalid = "admin.reason_required"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	case errors.Is(err, attempt.ErrNotRunning):
		v.Error = "staff.not_running"
		return s.confirmPage(c, http.StatusConflict, v)
	case err != nil:
		return err
	}
	s.setFlash(c, "flash.attempt_cancelled")
	return redirect(c, back)
}

// adminAddNote keeps a staff member's note on a candidate.
func (s *Server) adminAddNote(c *gin.Context) error {
	id, err := candidateID(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	back := "/admin/candidatos/" + strconv.FormatInt(id, 10)
	err = s.admin.AddNote(c.Request.Context(), currentUser(c).ID, id, postValue(c, "nota"))
	switch {
	case errors.Is(err, admin.ErrNote):
		return s.candidatePage(c, http.StatusUnprocessableEntity, id, "staff.note_invalid", postValue(c, "nota"))
	case err != nil:
		return err
	}
	s.setFlash(c, "flash.note_added")
	return redirect(c, back+"#notas")
}
