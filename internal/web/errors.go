package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"mxcert/internal/fail"
)

// httpError is a failure that belongs to HTTP itself (a method not
// allowed, a body too large, too many requests): a status whose title and
// explanation are in the message catalogs as error.<status>.title and
// error.<status>.message. Failures of the platform's rules come from the
// services as errors of a model kind and are mapped by statusOf.
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
)

// statusOf is the one table from an error to what the visitor is told:
// an httpError says its status; an error of a model kind gets the status
// of its kind; anything else is a fault of ours, a 500.
func statusOf(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.Status
	}
	switch fail.KindOf(err) {
	case fail.ErrInvalid:
		return http.StatusBadRequest
	case fail.ErrNotFound:
		return http.StatusNotFound
	case fail.ErrConflict:
		return http.StatusConflict
	case fail.ErrForbidden:
		return http.StatusForbidden
	case fail.ErrUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// apiCodes are the machine-readable error codes of the JSON API, by status.
var apiCodes = map[int]string{
	http.StatusBadRequest:            "invalid",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusConflict:              "conflict",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusTooManyRequests:       "too_many_requests",
	http.StatusServiceUnavailable:    "unavailable",
	http.StatusInternalServerError:   "internal",
}

// retryAfterBusy is what a 503 asks the visitor to wait, in seconds: the
// server is busy (every password-hashing slot taken) or closing, a state
// of seconds.
const retryAfterBusy = "5"

// logFailure records why a request failed: a fault of ours as an error,
// with its cause; a busy server as a warning (a flood says so without
// burying real errors); a visitor's mistake only at debug level.
func (s *Server) logFailure(r *http.Request, status int, err error) {
	level := slog.LevelDebug
	switch {
	case status == http.StatusServiceUnavailable:
		level = slog.LevelWarn
	case status >= 500:
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status), slog.Any("err", err))
}

type errorView struct {
	base
	Status  int
	Message string
}

// renderError writes the status page for err; the log keeps its cause.
func (s *Server) renderError(c *gin.Context, err error) {
	status := statusOf(err)
	s.logFailure(c.Request, status, err)
	c.Abort()
	if c.Writer.Written() {
		return
	}
	c.Header("Cache-Control", "no-store")
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", retryAfterBusy)
	}
	view := errorView{base: s.base(c, fmt.Sprintf("error.%d.title", status)), Status: status}
	view.Message = view.T(fmt.Sprintf("error.%d.message", status))
	body, rerr := s.views.render("error", view)
	if rerr != nil {
		s.log.Error("render error page", slog.Any("err", rerr))
		c.Data(status, "text/plain; charset=utf-8", []byte(view.Title+"\n"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", body)
}

// renderAPIError answers a JSON request that failed, with the same status
// as the page would have and a message from the same catalogs, in the
// language the client asked for. messageID, when not empty, is a more
// precise message than the status's own.
func (s *Server) renderAPIError(c *gin.Context, err error, messageID string) {
	status := statusOf(err)
	s.logFailure(c.Request, status, err)
	if messageID == "" {
		messageID = fmt.Sprintf("error.%d.message", status)
	}
	lang := s.tr.pickLanguage(c.Request)
	c.Header("Cache-Control", "no-store")
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", retryAfterBusy)
	}
	c.AbortWithStatusJSON(status, gin.H{"error": apiCodes[status], "message": s.tr.t(lang, messageID)})
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
