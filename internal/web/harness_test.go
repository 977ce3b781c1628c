package web

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/attempt"
	"mxcert/internal/certificate"
	"mxcert/internal/clocktest"
	"mxcert/internal/content"
	"mxcert/internal/store"
	"mxcert/internal/study"
	"mxcert/static"
	"mxcert/templates"
)

// cheapHash keeps tests fast; one test checks the real parameters.
var cheapHash = account.HashParams{Memory: 64, Time: 1, Threads: 1}

type testEnv struct {
	srv      *Server
	certs    *certificate.Service
	key      *certificate.Key
	catalog  *content.Catalog
	db       *store.DB
	accounts *account.Service
	clock    *clocktest.Fake
}

// envOption changes the environment: the web configuration, or the
// content folder (the example track by default).
type envOption func(cfg *Config)

// withShippedContent serves the real curriculum of content/.
func withShippedContent(cfg *Config) { cfg.ContentDir = "../../content" }

// newEnv builds the real router over the example track, a real SQLite
// database in a temporary directory and a fake clock.
func newEnv(t testing.TB, opts ...envOption) *testEnv {
	t.Helper()
	cfg := Config{BaseURL: "http://example.test", ContentDir: "../content/testdata/content", TimeZone: "America/Mexico_City"}
	for _, o := range opts {
		o(&cfg)
	}
	cat, report, err := content.LoadDir(cfg.ContentDir, content.Options{LinkURL: ContentLinkURL})
	if err != nil || report.HasErrors() {
		t.Fatalf("load content: %v %v", err, report.Errors())
	}
	clock := clocktest.New()
	db, err := store.Open(context.Background(), t.TempDir(), store.WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	accounts, err := account.New(db, clock.Now, cheapHash)
	if err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	key, err := certificate.LoadOrCreateKey(keyDir + "/signing.key")
	if err != nil {
		t.Fatal(err)
	}
	zone, _ := time.LoadLocation(cfg.TimeZone)
	var current atomic.Pointer[content.Catalog]
	current.Store(cat)
	catalog := current.Load
	certs := certificate.NewService(db, key, keyDir, cfg.BaseURL, catalog, clock.Now, zone)
	s, err := New(cfg, Deps{
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Catalog:       catalog,
		ContentReport: func() content.Report { return report },
		Reload: func(int64) (content.Report, error) {
			next, r, err := content.LoadDir(cfg.ContentDir, content.Options{LinkURL: ContentLinkURL})
			if err == nil && !r.HasErrors() {
				current.Store(next)
			} else if err == nil {
				err = errors.New("content has errors")
			}
			return r, err
		},
		Store:     db,
		Accounts:  accounts,
		Study:     study.New(db, clock.Now),
		Attempts:  attempt.New(db, clock.Now, catalog, certs, slog.New(slog.NewTextHandler(io.Discard, nil))),
		Certs:     certs,
		Now:       clock.Now,
		Templates: templates.FS,
		Static:    static.FS,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{srv: s, certs: certs, key: key, catalog: cat, db: db, accounts: accounts, clock: clock}
}

// client is a browser: it keeps cookies and does not follow redirects, so
// tests see every 303.
type client struct {
	t       testing.TB
	env     *testEnv
	cookies map[string]*http.Cookie
	ip      string
	header  http.Header
}

func (e *testEnv) client(t testing.TB) *client {
	return &client{t: t, env: e, cookies: map[string]*http.Cookie{}, ip: "192.0.2.10", header: http.Header{}}
}

func (c *client) do(method, target string, body io.Reader, contentType string) *httptest.ResponseRecorder {
	c.t.Helper()
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = c.ip + ":50000"
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	rec := httptest.NewRecorder()
	c.env.srv.Handler().ServeHTTP(rec, req)
	for _, ck := range rec.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	return rec
}

func (c *client) get(target string) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.do("GET", target, nil, "")
}

func (c *client) post(target string, form url.Values) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.do("POST", target, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// register creates an account through the form and leaves the client
// signed in.
func (c *client) register(name, email, password string) {
	c.t.Helper()
	rec := c.post("/registro", url.Values{"name": {name}, "email": {email}, "password": {password}, "state": {"Oaxaca"}})
	if rec.Code != http.StatusSeeOther {
		c.t.Fatalf("register %s: %d\n%s", email, rec.Code, rec.Body)
	}
}

func (c *client) login(email, password string) *httptest.ResponseRecorder {
	c.t.Helper()
	return c.post("/entrar", url.Values{"email": {email}, "password": {password}})
}

func wantStatus(t testing.TB, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body:\n%.2000s", rec.Code, status, rec.Body.String())
	}
}

func wantBody(t testing.TB, rec *httptest.ResponseRecorder, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("body lacks %q", s)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
