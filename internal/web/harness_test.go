package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	_ "time/tzdata" // the tests show dates in America/Mexico_City, on any machine

	"mxcert/internal/account"
	"mxcert/internal/certificate"
	"mxcert/internal/clocktest"
	"mxcert/internal/content"
	"mxcert/internal/model"
	"mxcert/internal/pgtest"
	"mxcert/internal/services"
	"mxcert/static"
	"mxcert/templates"
)

// cheapHash keeps tests fast; one test checks the real parameters.
var cheapHash = account.HashParams{Memory: 64, Time: 1, Threads: 1}

type testEnv struct {
	srv      *Server
	svc      *services.Set
	certs    *certificate.Service
	key      *certificate.Key
	catalog  *content.Catalog
	accounts *account.Service
	clock    *clocktest.Fake
}

// envOption changes the environment: the web configuration, or the
// content folder (the example track by default).
type envOption func(cfg *Config)

// withShippedContent serves the real curriculum of content/.
func withShippedContent(cfg *Config) { cfg.ContentDir = "../../content" }

// newEnv builds the real router over the example track, with the services
// the server runs (services.Open) on a real SQLite database in a temporary
// directory and a fake clock.
func newEnv(t testing.TB, opts ...envOption) *testEnv {
	t.Helper()
	return newEnvWithBank(t, "", opts...)
}

// newEnvWithBank is newEnv with the exam pools read from a separate bank
// folder (serve --bank).
func newEnvWithBank(t testing.TB, bankDir string, opts ...envOption) *testEnv {
	t.Helper()
	cfg := Config{BaseURL: "http://example.test", ContentDir: "../content/testdata/content"}
	for _, o := range opts {
		o(&cfg)
	}
	clock := clocktest.New()
	quiet := slog.New(slog.DiscardHandler)
	svc, err := services.Open(context.Background(), services.Config{
		DataDir: t.TempDir(), Database: pgtest.Database(t), ContentDir: cfg.ContentDir, BankDir: bankDir, ContentOptions: content.Options{LinkURL: ContentLinkURL},
		BaseURL: cfg.BaseURL, ContactEmail: cfg.ContactEmail, Now: clock.Now, HashParams: cheapHash, Log: quiet,
	})
	if err != nil {
		t.Fatalf("open the services: %v", err)
	}
	t.Cleanup(func() {
		if err := svc.Close(); err != nil {
			t.Errorf("close the services: %v", err)
		}
	})
	cfg.Zone = svc.Zone
	s, err := New(cfg, Deps{
		Logger: quiet, Catalog: svc.Catalog, Accounts: svc.Accounts, Study: svc.Study, Attempts: svc.Attempts, Certs: svc.Certificates, Admin: svc.Admin, Directory: svc.Directory,
		ContentReport: svc.ContentReport, Reload: svc.Reload,
		Now: svc.Now, Database: svc.DatabaseHealth, Templates: templates.FS, Static: static.FS,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{srv: s, svc: svc, certs: svc.Certificates, key: svc.Key, catalog: svc.Catalog(), accounts: svc.Accounts, clock: clock}
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

// register creates an account through the form, confirms its address
// the way a person does (the link in the queued message) and signs in.
func (c *client) register(name, email, password string) {
	c.t.Helper()
	c.registerUnverified(name, email, password)
	rec := c.followLink(c.env.link(c.t, email, "/correo/verificar"), http.StatusSeeOther)
	c.get(rec.Header().Get("Location")) // the page it goes to, with its notice, as a browser does
}

// registerUnverified creates an account through the form and signs in,
// leaving the address unconfirmed.
func (c *client) registerUnverified(name, email, password string) {
	c.t.Helper()
	rec := c.post("/registro", url.Values{"name": {name}, "email": {email}, "password": {password}, "state": {"Oaxaca"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/registro/enviado" {
		c.t.Fatalf("register %s: %d\n%s", email, rec.Code, rec.Body)
	}
	if rec := c.login(email, password); rec.Code != http.StatusSeeOther {
		c.t.Fatalf("sign in %s after registering: %d\n%.2000s", email, rec.Code, rec.Body)
	}
}

// mailTo is the messages queued for an address, oldest first.
func (e *testEnv) mailTo(t testing.TB, addr string) []*model.Mail {
	t.Helper()
	list, err := e.svc.DB.MailTo(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// link is the link to path (its path and query, as a browser follows it)
// in the last message queued for addr.
func (e *testEnv) link(t testing.TB, addr, path string) string {
	t.Helper()
	list := e.mailTo(t, addr)
	if len(list) == 0 {
		t.Fatalf("no mail queued for %s", addr)
	}
	return linkIn(t, list[len(list)-1].Text, path)
}

// linkIn finds the link to path in a message's text.
func linkIn(t testing.TB, text, path string) string {
	t.Helper()
	for _, f := range strings.Fields(text) {
		u, err := url.Parse(f)
		if err == nil && u.Path == path && u.Host != "" {
			return u.RequestURI()
		}
	}
	t.Fatalf("no link to %s in:\n%s", path, text)
	return ""
}

// followLink opens a link from a message and checks the answer's status.
func (c *client) followLink(target string, status int) *httptest.ResponseRecorder {
	c.t.Helper()
	rec := c.get(target)
	wantStatus(c.t, rec, status)
	return rec
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
