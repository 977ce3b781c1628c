package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// httpError is an error a visitor may see: a status and a Spanish
// explanation of what happened and what to do.
type httpError struct {
	Status  int
	Title   string
	Message string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Title) }

var (
	errNotFound = &httpError{http.StatusNotFound, "Página no encontrada", "La dirección que abriste no existe o cambió. Revisa que esté bien escrita o vuelve al inicio."}
	errMethod   = &httpError{http.StatusMethodNotAllowed, "Acción no permitida", "Esta página no admite esa acción. Vuelve a la página anterior y usa sus botones."}
	errInternal = &httpError{http.StatusInternalServerError, "Algo salió mal", "Tuvimos un problema de nuestro lado y ya quedó registrado. Inténtalo de nuevo en unos minutos; tus respuestas guardadas no se pierden."}
)

type errorView struct {
	base
	Err *httpError
}

// renderError writes the status page for err. Errors that are not an
// httpError are logged with their detail and shown as a plain 500.
func (s *Server) renderError(c *gin.Context, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		s.log.Error("request failed", slog.String("path", c.Request.URL.Path), slog.Any("err", err))
		he = errInternal
	}
	if c.Writer.Written() {
		return
	}
	c.Header("Cache-Control", "no-store")
	body, rerr := s.views.render("error", errorView{base: s.base(c, he.Title), Err: he})
	if rerr != nil {
		s.log.Error("render error page", slog.Any("err", rerr))
		c.Data(he.Status, "text/plain; charset=utf-8", []byte(he.Title+"\n"))
		c.Abort()
		return
	}
	c.Data(he.Status, "text/html; charset=utf-8", body)
	c.Abort()
}
