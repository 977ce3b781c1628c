package web

import (
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
)

// base is what every page's layout needs.
type base struct {
	Title string
	Lang  string
}

func (s *Server) base(c *gin.Context, title string) base {
	return base{Title: title, Lang: "es-MX"}
}

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
}

func (s *Server) home(c *gin.Context) error {
	cat := s.cat()
	view := homeView{base: s.base(c, "Certificación en soporte de MxOS")}
	for _, t := range cat.Tracks {
		minutes := 0
		for _, m := range t.Modules {
			minutes += m.Minutes
		}
		view.Tracks = append(view.Tracks, trackCard{
			ID: t.ID, Title: t.Title, Summary: t.SummaryHTML, Rules: t.Rules,
			Modules: len(t.Modules), StudyHours: (minutes + 59) / 60,
		})
	}
	return s.page(c, http.StatusOK, "home", view)
}

// page renders a page template with a status.
func (s *Server) page(c *gin.Context, status int, name string, data any) error {
	body, err := s.views.render(name, data)
	if err != nil {
		return err
	}
	c.Data(status, "text/html; charset=utf-8", body)
	return nil
}
