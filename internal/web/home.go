package web

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
)

type homeView struct {
	base
	Tracks []trackCard
}

type trackCard struct {
	ID         string
	Title      string
	Summary    template.HTML
	Rules      content.ExamRules
	Modules    int
	StudyHours int
	Standing   *standingCard // signed in: where the candidate stands
}

func (s *Server) home(c *gin.Context) error {
	cat := s.cat()
	view := homeView{base: s.base(c, "home.title")}
	for _, t := range cat.Tracks {
		card := trackCard{
			ID: t.ID, Title: t.Title, Summary: t.SummaryHTML, Rules: t.Rules,
			Modules: len(t.Modules), StudyHours: t.StudyHours(),
		}
		if view.User != nil {
			st, _, err := s.standing(c, view.base, t, onHome)
			if err != nil {
				return err
			}
			card.Standing = &st
		}
		view.Tracks = append(view.Tracks, card)
	}
	return s.page(c, http.StatusOK, "home", view)
}
