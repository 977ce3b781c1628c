package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/model"
	"mxcert/internal/study"
)

type practiceHubView struct {
	base
	Track   *content.Track
	Domains []domainRow
	Recent  []model.PracticeSummary
}

func (s *Server) practiceHub(c *gin.Context) error {
	_, t, err := s.track(c)
	if err != nil {
		return err
	}
	v := practiceHubView{base: s.base(c, "practice.title", "Title", t.Title), Track: t}
	p, err := s.study.Progress(c.Request.Context(), currentUser(c).ID, t)
	if err != nil {
		return err
	}
	v.Recent = p.Recent
	v.Domains = practiceRows(t, p)
	if i := suggestDomain(v.Domains); i >= 0 {
		v.Domains[i].Next = true
	}
	return s.page(c, http.StatusOK, "practice", v)
}

// suggestDomain picks the domain to practise next: the first one not
// practised yet, in the order of the blueprint, or else the one with the
// lowest accuracy. Domains without practice questions are never picked;
// -1 if there is none.
func suggestDomain(rows []domainRow) int {
	best := -1
	for i, r := range rows {
		switch {
		case r.Practice == 0:
		case r.Answered == 0:
			return i
		case best < 0 || r.Percent < rows[best].Percent:
			best = i
		}
	}
	return best
}

// startPractice starts a domain quiz (tema=<domain>) or a simulacro
// (simulacro=1, con_tiempo=1 for the timed version).
func (s *Server) startPractice(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	cat, t, err := s.track(c)
	if err != nil {
		return err
	}
	user := currentUser(c)
	if err := s.limit(c, s.limits.practiceUser, strconv.FormatInt(user.ID, 10)); err != nil {
		return err
	}
	var p *model.PracticeSession
	if c.Request.PostForm.Get("simulacro") == "1" {
		p, err = s.study.StartSimulacro(c.Request.Context(), user.ID, t, cat.Version, c.Request.PostForm.Get("con_tiempo") == "1")
	} else {
		p, err = s.study.StartQuiz(c.Request.Context(), user.ID, t, cat.Version, c.Request.PostForm.Get("tema"))
	}
	if err != nil {
		return err // an unknown domain is fail.ErrInvalid: 400
	}
	return redirect(c, "/practica/"+p.ID)
}

type practiceItemView struct {
	base
	Track     *content.Track
	Session   *model.PracticeSession
	Simulacro bool
	Position  int // 0-based
	Item      model.PracticeItem
	Answered  int
	TimeLeft  string
	Domain    string
	Review    reviewItem // the feedback of an answered quiz question
}

// Number is the 1-based question number.
func (v practiceItemView) Number() int { return v.Position + 1 }

// Total is how many questions the session has.
func (v practiceItemView) Total() int { return len(v.Session.Items) }

// Chosen reports whether option i is part of the answer given.
func (v practiceItemView) Chosen(i int) bool {
	for _, a := range v.Item.Answer {
		if a == i {
			return true
		}
	}
	return false
}

// session loads the URL's practice session of the signed-in candidate and
// its track (the content may have been reloaded: the session keeps its own
// copy of every question, the track only gives names).
func (s *Server) session(c *gin.Context) (*model.PracticeSession, *content.Track, error) {
	p, err := s.study.Session(c.Request.Context(), currentUser(c).ID, c.Param("id"))
	if err != nil {
		return nil, nil, err
	}
	t := s.cat().Track(p.TrackID)
	if t == nil {
		return nil, nil, errNotFound
	}
	return p, t, nil
}

func (s *Server) practiceItem(c *gin.Context) error {
	p, t, err := s.session(c)
	if err != nil {
		return err
	}
	simulacro := p.Kind == model.PracticeSimulacro
	if simulacro && p.FinishedAt != nil {
		return redirect(c, "/practica/"+p.ID+"/resultado")
	}
	pos := -1
	if q := c.Query("p"); q != "" {
		if pos, err = strconv.Atoi(q); err != nil || pos < 1 || pos > len(p.Items) {
			return errNotFound
		}
		pos-- // URLs count from 1
	}
	answered := 0
	for i, it := range p.Items {
		if it.Answered() {
			answered++
		} else if pos < 0 {
			pos = i
		}
	}
	if pos < 0 { // every question answered
		if simulacro {
			pos = 0
		} else {
			return redirect(c, "/practica/"+p.ID+"/resultado")
		}
	}
	v := practiceItemView{Track: t, Session: p, Simulacro: simulacro, Position: pos, Item: p.Items[pos], Answered: answered}
	v.Domain = t.DomainTitle(v.Item.Item.Domain)
	title := "practice.quiz_title"
	if simulacro {
		title = "practice.simulacro_title"
	}
	v.base = s.base(c, title, "Domain", v.Domain, "Number", pos+1, "Total", len(p.Items))
	v.Review = reviewItem{base: v.base, Number: pos + 1, Item: v.Item, Domain: v.Domain, Chosen: map[int]bool{}, Answered: v.Item.Answered()}
	for _, a := range v.Item.Answer {
		v.Review.Chosen[a] = true
	}
	if p.Deadline != nil {
		v.TimeLeft = v.T("practice.time_left", "Minutes", int(p.Deadline.Sub(s.now()).Round(time.Minute)/time.Minute))
	}
	return s.page(c, http.StatusOK, "practice_item", v)
}

// answerPractice saves one answer. A quiz then shows the feedback of that
// question; a simulacro moves to the question the candidate asked for.
func (s *Server) answerPractice(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	pos, err := strconv.Atoi(c.Param("pos"))
	if err != nil {
		return errNotFound
	}
	pos-- // URLs count from 1
	answer, err := parseAnswer(c.Request.PostForm["opcion"])
	if err != nil {
		return err
	}
	id := c.Param("id")
	p, err := s.study.Answer(c.Request.Context(), currentUser(c).ID, id, pos, answer)
	switch {
	case errors.Is(err, study.ErrTimeUp), errors.Is(err, exam.ErrClosed):
		return redirect(c, "/practica/"+id+"/resultado")
	case errors.Is(err, study.ErrNotAnswerable):
		return errBadRequest
	case err != nil:
		return err
	}
	next := pos + 1
	if p.Kind == model.PracticeSimulacro {
		if to, err := strconv.Atoi(c.Request.PostForm.Get("ir")); err == nil && to >= 1 && to <= len(p.Items) {
			next = to
		} else {
			next = min(pos+2, len(p.Items))
		}
	}
	return redirect(c, fmt.Sprintf("/practica/%s?p=%d", id, next))
}

// parseAnswer reads the chosen option positions of an answer form. An
// empty answer is a bad request: the form asks for a choice.
func parseAnswer(values []string) ([]int, error) {
	if len(values) == 0 || len(values) > 20 {
		return nil, errBadRequest
	}
	out := make([]int, 0, len(values))
	for _, v := range values {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 50 {
			return nil, errBadRequest
		}
		out = append(out, n)
	}
	return out, nil
}

func (s *Server) finishPractice(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	id := c.Param("id")
	err := s.study.Finish(c.Request.Context(), currentUser(c).ID, id)
	if err != nil {
		return err
	}
	return redirect(c, "/practica/"+id+"/resultado")
}

type practiceResultView struct {
	base
	Track     *content.Track
	Session   *model.PracticeSession
	Simulacro bool
	Result    exam.Result
	Reviews   []reviewItem
	Domains   []exam.DomainRow
	Skipped   int // questions of a quiz stopped early, left out of the result
}

type reviewItem struct {
	base
	Number   int
	Item     model.PracticeItem
	Domain   string
	Chosen   map[int]bool
	Answered bool
}

// answeredOnly is a practice session with its unanswered questions left
// out.
func answeredOnly(p *model.PracticeSession) *model.PracticeSession {
	out := *p
	out.Items = nil
	for _, it := range p.Items {
		if it.Answered() {
			out.Items = append(out.Items, it)
		}
	}
	return &out
}

func (s *Server) practiceResult(c *gin.Context) error {
	p, t, err := s.session(c)
	if err != nil {
		return err
	}
	if p.FinishedAt == nil {
		// A quiz with questions left, or a simulacro not handed in yet.
		return redirect(c, "/practica/"+p.ID)
	}
	v := practiceResultView{Track: t, Session: p, Simulacro: p.Kind == model.PracticeSimulacro}
	scored := p
	if !v.Simulacro {
		// A quiz stopped early is the result of what was answered.
		scored = answeredOnly(p)
		v.Skipped = len(p.Items) - len(scored.Items)
	}
	v.Result = study.Score(t, scored)
	v.base = s.base(c, "practice.result_title")
	for i, it := range scored.Items {
		r := reviewItem{base: v.base, Number: i + 1, Item: it, Domain: t.DomainTitle(it.Item.Domain), Chosen: map[int]bool{}, Answered: it.Answered()}
		for _, a := range it.Answer {
			r.Chosen[a] = true
		}
		v.Reviews = append(v.Reviews, r)
	}
	v.Domains = v.Result.DomainRows(t)
	return s.page(c, http.StatusOK, "practice_result", v)
}
