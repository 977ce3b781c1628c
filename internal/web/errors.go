package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// httpError is an error a visitor may see: a status whose title and
// explanation are in the message catalogs as error.<status>.title and
// error.<status>.message.
type httpError struct {
	Status int
}

func (e *httpError) Error() string { return fmt.Sprintf("HTTP %d", e.Status) }

var (
	errBadRequest = &httpError{http.StatusBadRequest}
	errForbidden  = &httpError{http.StatusForbidden}
	errNotFound   = &httpError{http.StatusNotFound}
	errMethod     = &httpError{http.StatusMethodNotAllowed}
	errTooLarge   = &httpError{http.StatusRequestEntityTooLarge}
	errTooMany    = &httpError{http.StatusTooManyRequests}
	errInternal   = &httpError{http.StatusInternalServerError}
)

type errorView struct {
	base
	Status  int
	Message string
}

// renderError writes the status page for err. Errors that are not an
// httpError are logged with their detail and shown as a plain 500.
func (s *Server) renderError(c *gin.Context, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		s.log.Error("request failed", slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path), slog.Any("err", err))
		he = errInternal
	}
	c.Abort()
	if c.Writer.Written() {
		return
	}
	c.Header("Cache-Control", "no-store")
	view := errorView{base: s.base(c, fmt.Sprintf("error.%d.title", he.Status)), Status: he.Status}
	view.Message = view.T(fmt.Sprintf("error.%d.message", he.Status))
	body, rerr := s.views.render("error", view)
	if rerr != nil {
		s.log.Error("render error page", slog.Any("err", rerr))
		c.Data(he.Status, "text/plain; charset=utf-8", []byte(view.Title+"\n"))
		return
	}
	c.Data(he.Status, "text/html; charset=utf-8", body)
}

// writeErrorPage renders a status page outside the router (the CSRF
// check runs before it).
func (s *Server) writeErrorPage(w http.ResponseWriter, r *http.Request, he *httpError) {
	lang := s.tr.pickLanguage(r)
	view := errorView{base: base{Lang: lang, Path: r.URL.Path, tr: s.tr, zone: s.zone}, Status: he.Status}
	view.Title = view.T(fmt.Sprintf("error.%d.title", he.Status))
	view.Message = view.T(fmt.Sprintf("error.%d.message", he.Status))
	w.Header().Set("Cache-Control", "no-store")
	body, err := s.views.render("error", view)
	if err != nil {
		s.log.Error("render error page", slog.Any("err", err))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(he.Status)
		fmt.Fprintln(w, view.Title)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(he.Status)
	_, _ = w.Write(body) // the client may be gone; nothing left to do
}
