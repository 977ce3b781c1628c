package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/attempt"
	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/fail"
	"mxcert/internal/model"
)

type examStartView struct {
	base
	Track     *content.Track
	Standing  standingCard
	Extra     int // accommodation, minutes
	Minutes   int // total time the attempt will have
	NameError bool
	// Unverified: the account's address is not confirmed, so the exam
	// cannot start yet; the page says so and offers a new link.
	Unverified bool
}

// examStart is the exam's start page: the rules, the name for the
// certificate with its confirmation, or where the candidate stands when
// they cannot start (an exam running, a cool-down, a certificate).
func (s *Server) examStart(c *gin.Context) error {
	_, t, err := s.track(c)
	if err != nil {
		return err
	}
	return s.renderExamStart(c, t, http.StatusOK, false)
}

func (s *Server) renderExamStart(c *gin.Context, t *content.Track, status int, nameError bool) error {
	u := currentUser(c)
	v := examStartView{base: s.base(c, "exam.start_title", "Title", t.Title), Track: t, Extra: u.ExtraMinutes, NameError: nameError, Unverified: !u.EmailVerified()}
	if nameError {
		v.fail("confirmo", "exam.name_confirm_error")
	}
	var err error
	if v.Standing, _, err = s.standing(c, v.base, t, onExamStart); err != nil {
		return err
	}
	v.Minutes = int(t.Rules.Duration/time.Minute) + u.ExtraMinutes
	return s.page(c, status, "exam_start", v)
}

// examBegin starts (or resumes) an attempt. The candidate must confirm the
// name that the certificate will carry.
func (s *Server) examBegin(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	cat, t, err := s.track(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if c.Request.PostForm.Get("confirmo") != "1" {
		return s.renderExamStart(c, t, http.StatusUnprocessableEntity, true)
	}
	a, err := s.attempts.Start(c.Request.Context(), u, t, cat.Versions(), c.Request.PostForm.Get("nombre"))
	switch {
	case errors.Is(err, attempt.ErrNameChanged):
		return s.renderExamStart(c, t, http.StatusConflict, true)
	case errors.Is(err, attempt.ErrUnverified):
		return s.renderExamStart(c, t, http.StatusForbidden, false)
	case errors.Is(err, attempt.ErrCoolingOff), errors.Is(err, attempt.ErrCertified):
		return s.renderExamStart(c, t, http.StatusConflict, false)
	case err != nil:
		return err
	}
	return redirect(c, "/examen/"+a.ID)
}

// attempt loads the URL's attempt of the signed-in candidate; another
// candidate's attempt is a 404, like one that does not exist.
func (s *Server) attempt(c *gin.Context) (*model.Attempt, error) {
	a, err := s.attempts.Attempt(c.Request.Context(), currentUser(c).ID, c.Param("id"))
	return a, err
}

type examItemView struct {
	base
	Attempt   *model.Attempt
	Position  int
	Item      model.AttemptItem
	Answered  int
	Flagged   int
	Remaining time.Duration
	ServerNow time.Time
	Notice    string // message id: why the page is shown again
}

// Number is the 1-based question number.
func (v examItemView) Number() int { return v.Position + 1 }

// Total is the number of questions.
func (v examItemView) Total() int { return len(v.Attempt.Items) }

// Chosen reports whether option i is in the saved answer.
func (v examItemView) Chosen(i int) bool {
	for _, a := range v.Item.Answer {
		if a == i {
			return true
		}
	}
	return false
}

// RemainingText is the time left as people say it ("42 min").
func (v examItemView) RemainingText() string {
	m := int(v.Remaining.Round(time.Minute) / time.Minute)
	return v.T("exam.remaining", "Minutes", m)
}

// itemURL is the address of one question of an attempt. Every question
// has its own: a browser restores remembered form state per address, so
// a page must never show another question than the one it showed before.
func itemURL(id string, number int) string { return fmt.Sprintf("/examen/%s?p=%d", id, number) }

// examItem shows one question of a running attempt. Nothing in the page
// says which options are correct: the options come from the served item
// without their Correct flags, and no data of the key is written.
// /examen/ID without ?p= sends the candidate to the question to go on with.
func (s *Server) examItem(c *gin.Context) error {
	a, err := s.attempt(c)
	if err != nil {
		return err
	}
	if !a.Open() {
		return redirect(c, "/examen/"+a.ID+"/resultado")
	}
	q := c.Query("p")
	if q == "" {
		return redirect(c, itemURL(a.ID, currentQuestion(a)+1))
	}
	pos, err := strconv.Atoi(q)
	if err != nil || pos < 1 || pos > len(a.Items) {
		return errNotFound
	}
	notice := ""
	if n := c.Query("aviso"); n == "otra-ventana" || n == "elige" {
		notice = "exam.notice_" + strings.ReplaceAll(n, "-", "_")
	}
	return s.renderExamItem(c, http.StatusOK, a, pos-1, notice)
}

// currentQuestion is where a candidate coming back goes on: the first
// question without an answer, or the first when all have one.
func currentQuestion(a *model.Attempt) int {
	for i, it := range a.Items {
		if !it.Answered() {
			return i
		}
	}
	return 0
}

func (s *Server) renderExamItem(c *gin.Context, status int, a *model.Attempt, pos int, notice string) error {
	v := examItemView{Attempt: a, Position: pos, Item: a.Items[pos], ServerNow: s.now().UTC(), Remaining: a.Deadline.Sub(s.now()), Notice: notice}
	for _, it := range a.Items {
		if it.Answered() {
			v.Answered++
		}
		if it.Flagged {
			v.Flagged++
		}
	}
	v.base = s.examBase(c, a.ID, a.Deadline, "exam.item_title", "Number", pos+1, "Total", len(a.Items))
	return s.page(c, status, "exam_item", v)
}

// examSave saves one answer. Without JavaScript it is a form post that
// redirects to the question asked for; the autosave script sends the same
// form with Accept: application/json and gets the saved state back. The
// form names the question by its position and by its id; a form for
// another question than the one at that position (state a browser
// restored from its history, say) is refused with 409 and the question is
// shown again, so no answer is ever saved that the candidate did not give
// to that question.
func (s *Server) examSave(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	form := c.Request.PostForm
	id := c.Param("id")
	pos, err := strconv.Atoi(form.Get("pregunta"))
	if err != nil {
		return errBadRequest
	}
	known, err := strconv.ParseInt(form.Get("seq"), 10, 64)
	if err != nil || known < 0 {
		return errBadRequest
	}
	// A form without the question's id (a page from before it was sent)
	// is treated like one for another question: shown again, not saved.
	questionID := form.Get("id_pregunta")
	var answer []int
	if vals := form["opcion"]; len(vals) > 0 {
		if answer, err = parseAnswer(vals); err != nil {
			return err
		}
	}
	wantsJSON := strings.Contains(c.GetHeader("Accept"), "application/json")
	res, err := s.attempts.Save(c.Request.Context(), currentUser(c).ID, attempt.Answer{
		AttemptID: id, Position: pos - 1, QuestionID: questionID, Options: answer, Flagged: form.Get("revisar") == "1", Known: known,
	})
	switch {
	case errors.Is(err, exam.ErrDeadline), errors.Is(err, exam.ErrClosed):
		if wantsJSON {
			c.JSON(http.StatusConflict, gin.H{"saved": false, "closed": true, "result": "/examen/" + id + "/resultado"})
			return nil
		}
		return redirect(c, "/examen/"+id+"/resultado")
	case errors.Is(err, exam.ErrWrongQuestion):
		if wantsJSON {
			c.JSON(http.StatusConflict, gin.H{"saved": false, "wrong_question": true, "page": itemURL(id, pos)})
			return nil
		}
		a, err := s.attempt(c)
		if err != nil {
			return err
		}
		if !a.Open() {
			return redirect(c, "/examen/"+a.ID+"/resultado")
		}
		return s.renderExamItem(c, http.StatusConflict, a, pos-1, "exam.notice_wrong_question")
	case errors.Is(err, exam.ErrStale):
		if wantsJSON {
			c.JSON(http.StatusConflict, gin.H{"saved": false, "stale": true, "seq": res.Seq, "answer": res.Answer, "flagged": res.Flagged})
			return nil
		}
		return redirect(c, itemURL(id, pos)+"&aviso=otra-ventana")
	case errors.Is(err, attempt.ErrBadAnswer):
		return errBadRequest
	case err != nil:
		return err
	}
	if wantsJSON {
		c.JSON(http.StatusOK, gin.H{"saved": true, "seq": res.Seq, "answered": res.Answered, "flagged": res.Flagged})
		return nil
	}
	if form.Get("ir") == "entregar" {
		return redirect(c, "/examen/"+id+"/entregar")
	}
	next := pos + 1
	if to, err := strconv.Atoi(form.Get("ir")); err == nil && to >= 1 {
		next = to
	}
	return redirect(c, itemURL(id, next))
}

// examLeave asks before the candidate leaves a running exam: the clock
// keeps running, and the banner on every page is the way back.
func (s *Server) examLeave(c *gin.Context) error {
	a, err := s.attempt(c)
	if err != nil {
		return err
	}
	if !a.Open() {
		return redirect(c, "/examen/"+a.ID+"/resultado")
	}
	v := struct {
		base
		Attempt *model.Attempt
	}{s.examBase(c, a.ID, a.Deadline, "exam.leave_title"), a}
	return s.page(c, http.StatusOK, "exam_leave", v)
}

type examReviewView struct {
	base
	Attempt    *model.Attempt
	Unanswered []int
	Flagged    []int
	Remaining  time.Duration
}

// examReview is the page before handing in: what is unanswered or flagged.
func (s *Server) examReview(c *gin.Context) error {
	a, err := s.attempt(c)
	if err != nil {
		return err
	}
	if !a.Open() {
		return redirect(c, "/examen/"+a.ID+"/resultado")
	}
	v := examReviewView{base: s.examBase(c, a.ID, a.Deadline, "exam.review_title"), Attempt: a, Remaining: a.Deadline.Sub(s.now())}
	for i, it := range a.Items {
		if !it.Answered() {
			v.Unanswered = append(v.Unanswered, i+1)
		}
		if it.Flagged {
			v.Flagged = append(v.Flagged, i+1)
		}
	}
	return s.page(c, http.StatusOK, "exam_review", v)
}

// examSubmit hands an attempt in. It carries no answers, so an automatic
// submission at zero can never blank a saved answer.
func (s *Server) examSubmit(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	_, err := s.attempts.Finalize(c.Request.Context(), currentUser(c).ID, c.Param("id"), "submitted")
	if err != nil {
		return err
	}
	return redirect(c, "/examen/"+c.Param("id")+"/resultado")
}

type examResultView struct {
	base
	Attempt *model.Attempt
	Track   *content.Track
	Result  exam.Result
	Domains []exam.DomainRow
	Weak    []exam.DomainRow
	Cert    *model.Certificate // issued with this attempt, if it passed
}

// examResult shows the score, pass or fail, and the per-domain breakdown
// pointing to the modules to study. It never shows the answer key.
func (s *Server) examResult(c *gin.Context) error {
	a, err := s.attempt(c)
	if err != nil {
		return err
	}
	if a.Open() {
		return redirect(c, "/examen/"+a.ID)
	}
	v := examResultView{base: s.base(c, "exam.result_title"), Attempt: a, Track: s.cat().Track(a.TrackID), Result: s.attempts.Result(a)}
	v.Domains = v.Result.DomainRows(v.Track)
	for _, row := range v.Domains {
		if row.Percent() < a.PassPercent {
			v.Weak = append(v.Weak, row)
		}
	}
	if a.Passed() {
		cert, err := s.certs.ByAttempt(c.Request.Context(), a.ID)
		if err != nil && !errors.Is(err, fail.ErrNotFound) {
			return err
		}
		v.Cert = cert
	}
	return s.page(c, http.StatusOK, "exam_result", v)
}
