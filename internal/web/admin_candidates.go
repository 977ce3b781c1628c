package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
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
	Query      string
	Situation  model.Situation
	State      string
	From, To   string // YYYY-MM-DD as typed, or ""
	Sort       model.CandidateSort
	Situations []model.Situation
	Sorts      []model.CandidateSort
	States     []string
	Page       *admin.SearchPage
	Filtered   bool   // anything but the defaults was asked for
	FiltersOn  bool   // a filter or an order was asked for: they are shown open
	Prev, Next string // links to the neighbouring pages, or ""
}

// dateParam is a registration date of the filter, or zero if the field
// is empty or not a date (such a value is dropped, not an error: the
// list still answers).
func dateParam(v string) (time.Time, string) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, ""
	}
	return d, d.Format(time.DateOnly)
}

// adminCandidates lists and searches accounts: by words of the name,
// e-mail, state or certificate code, narrowed by situation, state and
// registration date, in the order asked for, 25 to a page.
func (s *Server) adminCandidates(c *gin.Context) error {
	q := strings.TrimSpace(c.Query("q"))
	if r := []rune(q); len(r) > 200 {
		q = string(r[:200])
	}
	v := adminCandidatesView{base: s.base(c, "admin.candidates_title"), Query: q,
		Situations: model.Situations, Sorts: model.CandidateSorts, States: account.States}
	sq := admin.SearchQuery{Text: q}
	if st := model.Situation(c.Query("situacion")); slices.Contains(model.Situations, st) {
		v.Situation, sq.Situation = st, st
	}
	if st := c.Query("estado"); slices.Contains(account.States, st) {
		v.State, sq.State = st, st
	}
	if so := model.CandidateSort(c.Query("orden")); slices.Contains(model.CandidateSorts, so) {
		v.Sort, sq.Sort = so, so
	}
	sq.From, v.From = dateParam(c.Query("desde"))
	sq.To, v.To = dateParam(c.Query("hasta"))
	sq.Page, _ = strconv.Atoi(c.Query("pagina"))
	v.FiltersOn = v.Situation != "" || v.State != "" || v.From != "" || v.To != "" || v.Sort != ""
	v.Filtered = q != "" || v.FiltersOn
	var err error
	if v.Page, err = s.admin.Find(c.Request.Context(), sq); err != nil {
		return err
	}
	link := func(page int) string {
		vals := url.Values{}
		for k, val := range map[string]string{"q": q, "situacion": string(v.Situation), "estado": v.State, "desde": v.From, "hasta": v.To, "orden": string(v.Sort)} {
			if val != "" {
				vals.Set(k, val)
			}
		}
		if page > 1 {
			vals.Set("pagina", strconv.Itoa(page))
		}
		if len(vals) == 0 {
			return "/admin/candidatos"
		}
		return "/admin/candidatos?" + vals.Encode()
	}
	if v.Page.Page > 1 {
		v.Prev = link(v.Page.Page - 1)
	}
	if v.Page.Page < v.Page.Pages {
		v.Next = link(v.Page.Page + 1)
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
	Error    string // message id of a refusal of the whole action
	Invalid  string // message id of a problem with the field's value
	Submit   string
	Danger   bool
	Findings []string // content errors of a refused reload
	Excerpt  []string // plain text the decision is about (a success story)
}

func (s *Server) confirmPage(c *gin.Context, status int, v adminConfirmView) error {
	if v.Invalid != "" {
		v.fail(confirmInput[v.Field], v.Invalid)
	}
	if v.Error != "" {
		v.fail("", v.Error)
	}
	return s.page(c, status, "admin_confirm", v)
}

// confirmInput is the id of the input of each kind of confirmation field.
var confirmInput = map[string]string{"minutes": "valor", "name": "valor", "reason": "motivo", "extend": "valor", "cancel_reason": "motivo"}

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
		v.Value, v.Invalid = c.Request.PostForm.Get("valor"), "admin.accommodation_invalid"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	}
	if _, err := s.accounts.SetAccommodation(c.Request.Context(), currentUser(c).ID, u.Email, time.Duration(minutes)*time.Minute); err != nil {
		return err
	}
	if minutes == 0 {
		s.setFlashWith(c, "flash.extra_time_removed", "Name", u.Name)
	} else {
		s.setFlashWith(c, "flash.extra_time_set", "Name", u.Name, "Count", strconv.Itoa(minutes))
	}
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
	reissued, err := s.certs.CorrectName(c.Request.Context(), currentUser(c).ID, u.ID, v.Value)
	var ve *account.ValidationError
	switch {
	case errors.As(err, &ve):
		v.Invalid = "problem." + string(ve.Fields["name"])
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	case errors.Is(err, certificate.ErrNoChange):
		v.Error = "admin.no_change"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	case err != nil:
		return err
	}
	s.setFlashWith(c, "flash.name_corrected", "Old", u.Name, "New", account.CleanName(v.Value), "Count", strconv.Itoa(len(reissued)))
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
	s.setFlashWith(c, "flash.cooldown_waived", "Name", a.HolderName, "Track", a.TrackTitle)
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
	s.setFlashWith(c, "flash.reset_link_sent", "Name", u.Name, "Email", u.Email, "Minutes", strconv.Itoa(int(account.ResetTTL/time.Minute)))
	return redirect(c, back)
}
