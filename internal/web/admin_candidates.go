package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
	"mxcert/internal/admin"
	"mxcert/internal/certificate"
	"mxcert/internal/fail"
	"mxcert/internal/model"
)

type adminCandidatesView struct {
	base
	Query    string
	Results  []model.UserSummary
	Searched bool
}

// adminCandidates searches candidates by name, e-mail or certificate code.
func (s *Server) adminCandidates(c *gin.Context) error {
	q := strings.TrimSpace(c.Query("q"))
	if r := []rune(q); len(r) > 200 {
		q = string(r[:200])
	}
	v := adminCandidatesView{base: s.base(c, "admin.candidates_title"), Query: q, Searched: q != ""}
	var err error
	if v.Results, err = s.admin.Search(c.Request.Context(), q); err != nil {
		return err
	}
	return s.page(c, http.StatusOK, "admin_candidates", v)
}

type adminCandidateView struct {
	base
	Candidate    *model.User
	Attempts     []admin.AttemptRecord
	Certificates []*model.Certificate
	Practice     []model.PracticeSummary
	Notes        []model.CandidateNote
	NoteValue    string // a refused note, typed again
	NoteError    string // message id
}

// candidateID is the candidate named in the URL; anything but a positive
// number names nobody.
func candidateID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// adminUser loads the candidate named in the URL.
func (s *Server) adminUser(c *gin.Context) (*model.User, error) {
	id, err := candidateID(c)
	if err != nil {
		return nil, err
	}
	u, err := s.admin.User(c.Request.Context(), id)
	return u, err
}

// adminCandidate shows one candidate: attempts with their per-domain
// breakdown, certificates, practice activity, and the actions.
func (s *Server) adminCandidate(c *gin.Context) error {
	id, err := candidateID(c)
	if err != nil {
		return err
	}
	return s.candidatePage(c, http.StatusOK, id, "", "")
}

// candidatePage renders a candidate's record; noteErr and note are a
// refused note to show again by its field.
func (s *Server) candidatePage(c *gin.Context, status int, id int64, noteErr, note string) error {
	cand, err := s.admin.Candidate(c.Request.Context(), id)
	if err != nil {
		return err
	}
	v := adminCandidateView{base: s.base(c, "admin.candidate_title", "Name", cand.User.Name),
		Candidate: cand.User, Attempts: cand.Attempts, Certificates: cand.Certificates, Practice: cand.Practice,
		Notes: cand.Notes, NoteValue: note, NoteError: noteErr}
	return s.page(c, status, "admin_candidate", v)
}

// adminConfirmView is the confirmation page of every admin action: what
// will change, the fields the action needs, and a button.
type adminConfirmView struct {
	base
	Heading  string
	Lead     string
	Action   string // the form's URL
	Back     string
	Field    string // "minutes", "name", "reason" or ""
	Value    string
	Error    string // message id
	Submit   string
	Danger   bool
	Findings []string // content errors of a refused reload
}

func (s *Server) confirmPage(c *gin.Context, status int, v adminConfirmView) error {
	return s.page(c, status, "admin_confirm", v)
}

// adminAccommodation: GET asks, POST sets a candidate's extra exam time.
func (s *Server) adminAccommodation(c *gin.Context) error {
	u, err := s.adminUser(c)
	if err != nil {
		return err
	}
	back := "/admin/candidatos/" + strconv.FormatInt(u.ID, 10)
	v := adminConfirmView{base: s.base(c, "admin.accommodation_title"), Heading: s.tr.t(s.tr.pickLanguage(c.Request), "admin.accommodation_heading", "Name", u.Name),
		Action: c.Request.URL.Path, Back: back, Field: "minutes", Value: strconv.Itoa(u.ExtraMinutes), Submit: "admin.accommodation_submit"}
	v.Lead = v.T("admin.accommodation_lead", "Minutes", u.ExtraMinutes)
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	minutes, err := strconv.Atoi(strings.TrimSpace(c.Request.PostForm.Get("valor")))
	if err != nil || minutes < 0 || minutes > 600 {
		v.Value, v.Error = c.Request.PostForm.Get("valor"), "admin.accommodation_invalid"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	}
	if _, err := s.accounts.SetAccommodation(c.Request.Context(), currentUser(c).ID, u.Email, time.Duration(minutes)*time.Minute); err != nil {
		return err
	}
	s.setFlash(c, "flash.admin_done")
	return redirect(c, back)
}

// adminName: GET asks, POST corrects a candidate's name and re-issues
// their valid certificates.
func (s *Server) adminName(c *gin.Context) error {
	u, err := s.adminUser(c)
	if err != nil {
		return err
	}
	back := "/admin/candidatos/" + strconv.FormatInt(u.ID, 10)
	v := adminConfirmView{base: s.base(c, "admin.name_title"), Action: c.Request.URL.Path, Back: back, Field: "name", Value: u.Name, Submit: "admin.name_submit"}
	v.Heading = v.T("admin.name_heading", "Name", u.Name)
	v.Lead = v.T("admin.name_lead")
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v.Value = postValue(c, "valor")
	_, err = s.certs.CorrectName(c.Request.Context(), currentUser(c).ID, u.ID, v.Value)
	var ve *account.ValidationError
	switch {
	case errors.As(err, &ve):
		v.Error = "problem." + string(ve.Fields["name"])
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	case errors.Is(err, certificate.ErrNoChange):
		v.Error = "admin.no_change"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	case err != nil:
		return err
	}
	s.setFlash(c, "flash.admin_done")
	return redirect(c, back)
}

// adminWaive: GET asks, POST lifts the cool-down a failed attempt started.
func (s *Server) adminWaive(c *gin.Context) error {
	a, err := s.admin.Attempt(c.Request.Context(), c.Param("id"))
	if errors.Is(err, fail.ErrNotFound) || (err == nil && !a.Failed()) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	back := "/admin/candidatos/" + strconv.FormatInt(a.UserID, 10)
	v := adminConfirmView{base: s.base(c, "admin.waive_title"), Action: c.Request.URL.Path, Back: back, Submit: "admin.waive_submit"}
	v.Heading = v.T("admin.waive_heading", "Name", a.HolderName)
	v.Lead = v.T("admin.waive_lead", "Date", v.DateTime(*a.FinishedAt))
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.attempts.WaiveCooldown(c.Request.Context(), currentUser(c).ID, a); err != nil {
		return err
	}
	s.setFlash(c, "flash.admin_done")
	return redirect(c, back)
}

// adminResetPassword: GET asks, POST mails a candidate a link to choose a
// new password (for someone who cannot sign in; the person still needs
// their mailbox; without it, the command line prints a link to hand over).
func (s *Server) adminResetPassword(c *gin.Context) error {
	u, err := s.adminUser(c)
	if err != nil {
		return err
	}
	back := "/admin/candidatos/" + strconv.FormatInt(u.ID, 10)
	v := adminConfirmView{base: s.base(c, "admin.reset_title"), Action: c.Request.URL.Path, Back: back, Submit: "admin.reset_submit"}
	v.Heading = v.T("admin.reset_heading", "Name", u.Name)
	v.Lead = v.T("admin.reset_lead", "Email", u.Email, "Minutes", int(account.ResetTTL/time.Minute))
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.accounts.SendResetLink(c.Request.Context(), currentUser(c).ID, u.ID, "es"); err != nil {
		return err
	}
	s.setFlash(c, "flash.reset_sent")
	return redirect(c, back)
}
