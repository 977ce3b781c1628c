package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
	"mxcert/internal/attempt"
	"mxcert/internal/certificate"
	"mxcert/internal/exam"
	"mxcert/internal/fail"
	"mxcert/internal/study"
)

// Every error a service returns gets its status from one table, by kind.
func TestStatusOfErrors(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"a fault of ours", errors.New("disk I/O error"), http.StatusInternalServerError},
		{"not found, wrapped", fmt.Errorf("attempt x: %w", fail.ErrNotFound), http.StatusNotFound},
		{"a stale exam page", exam.ErrStale, http.StatusConflict},
		{"a cool-down", fmt.Errorf("start: %w", attempt.ErrCoolingOff), http.StatusConflict},
		{"an answer that does not fit", attempt.ErrBadAnswer, http.StatusBadRequest},
		{"not a certificate code", certificate.ErrBadCode, http.StatusBadRequest},
		{"an unknown practice domain", study.ErrUnknownDomain, http.StatusBadRequest},
		{"the database is closing", fail.New(fail.ErrUnavailable, "closing"), http.StatusServiceUnavailable},
		{"every password-hashing slot taken", fmt.Errorf("check password of user 1: %w", account.ErrBusy), http.StatusServiceUnavailable},
		{"forbidden", fail.ErrForbidden, http.StatusForbidden},
		{"HTTP's own", errTooLarge, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := statusOf(tc.err); got != tc.want {
				t.Errorf("statusOf(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

// The JSON API answers with the same statuses as the pages and with
// messages from the same catalogs, in the language the client asks for.
func TestAPIErrorsAreTranslated(t *testing.T) {
	env := newEnv(t)
	cases := []struct {
		name, lang, path string
		status           int
		code, message    string
	}{
		{"unknown code in Spanish", "es-MX", "/api/v1/certificates/SB-0000-0000-0000", 404, "not_found", "No encontramos ese certificado. Revisa el código o el enlace."},
		{"unknown code in English", "en", "/api/v1/certificates/SB-0000-0000-0000", 404, "not_found", "We could not find that certificate. Check the code or the link."},
		{"not a code at all", "es-MX", "/api/v1/certificates/x", 404, "not_found", "No encontramos ese certificado. Revisa el código o el enlace."},
		{"unknown API path", "en", "/api/v1/nothing", 404, "not_found", "We could not find that resource."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := env.client(t)
			c.header.Set("Accept-Language", tc.lang)
			rec := c.get(tc.path)
			wantStatus(t, rec, tc.status)
			var body struct{ Error, Message string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("not JSON: %s", rec.Body)
			}
			if body.Error != tc.code || body.Message != tc.message {
				t.Errorf("reply %+v, want %q / %q", body, tc.code, tc.message)
			}
		})
	}
}

// A busy server (all the password-hashing memory in use) answers with a
// page that says so and when to come back, on pages and in the API.
func TestBusyAnswersWithRetryAfter(t *testing.T) {
	env := newEnv(t)
	for _, tc := range []struct {
		name   string
		render func(c *gin.Context)
		want   string
	}{
		{"page", func(c *gin.Context) { env.srv.renderError(c, account.ErrBusy) }, "Servicio ocupado"},
		{"API", func(c *gin.Context) { env.srv.renderAPIError(c, account.ErrBusy, "") }, `"error":"unavailable"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(rec)
			c.Request = httptest.NewRequest(http.MethodPost, "/entrar", nil)
			tc.render(c)
			wantStatus(t, rec, http.StatusServiceUnavailable)
			wantBody(t, rec, tc.want)
			if got := rec.Header().Get("Retry-After"); got != retryAfterBusy {
				t.Errorf("Retry-After = %q, want %q", got, retryAfterBusy)
			}
		})
	}
}
