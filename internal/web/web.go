// Package web is the HTTP face of MxOS Certificación: routes, handlers,
// middleware and page rendering. It holds no SQL and no scoring rules;
// every request calls one use case and renders its result.
package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
	"mxcert/internal/admin"
	"mxcert/internal/attempt"
	"mxcert/internal/certificate"
	"mxcert/internal/content"
	"mxcert/internal/directory"
	"mxcert/internal/exam"
	"mxcert/internal/study"
)

// Config is what the web layer needs from the process configuration.
type Config struct {
	BaseURL        string         // public URL, e.g. https://certificacion.mxos.mx
	TrustedProxies []string       // proxies whose X-Forwarded-For is believed; none by default
	Dev            bool           // templates and static files are re-read from disk
	Zone           *time.Location // where dates are shown (the foundation's zone)
	ContentDir     string         // the content folder, for the tracks' images
	// ContentSourceURL, when set, links each question of the item analysis
	// to its file in the foundation's repository (e.g. a git host's
	// ".../blob/main/content").
	ContentSourceURL string
	// BankSourceURL is the same for questions of the separate bank folder
	// (e.g. ".../blob/main" of the private repository). Without it, those
	// questions are not linked: the content's repository does not have them.
	BankSourceURL string
	// ContactEmail is where candidates write to the foundation (a revoked
	// certificate, a name to correct); pages name it when it is set.
	ContactEmail string
}

// Deps are the web layer's collaborators.
type Deps struct {
	Logger   *slog.Logger
	Catalog  func() *content.Catalog // the content in use; swapped whole on reload
	Accounts *account.Service
	Study    *study.Service
	Attempts *attempt.Service
	Certs    *certificate.Service
	Admin    *admin.Service
	// Directory is the public directory of certified technicians.
	Directory *directory.Service
	// ContentReport is the last load's findings (warnings, for the console).
	ContentReport func() content.Report
	// Reload validates the content again and swaps it in when it is clean.
	Reload func(actorID int64) (content.Report, error)
	Now    func() time.Time
	// FlashKey signs the notices that carry values; nil makes one for the
	// process. Replicas behind one load balancer share one, so that a
	// notice set by one is read by another.
	FlashKey []byte
	// Database names the database and says whether it answers, for
	// /healthz; nil reports nothing about it.
	Database  func(context.Context) (string, error)
	Templates fs.FS
	Static    fs.FS
}

// Server holds the handlers' dependencies and the configured router.
type Server struct {
	cfg           Config
	log           *slog.Logger
	cat           func() *content.Catalog
	accounts      *account.Service
	study         *study.Service
	attempts      *attempt.Service
	certs         *certificate.Service
	admin         *admin.Service
	directory     *directory.Service
	contentReport func() content.Report
	reload        func(actorID int64) (content.Report, error)
	now           func() time.Time
	zone          *time.Location
	secure        bool // cookies get the Secure flag (the site is served over HTTPS)
	tr            *translator
	limits        *limits
	modLimits     *moderationLimits // stories and reports (directory_moderation.go)
	verifyPages   *pageCache        // verification pages for anonymous visitors
	municipioHTML sync.Map          // state key → its municipalities' <option>s (directory.go)
	views         *views
	assets        *assets
	engine        *gin.Engine
	handler       http.Handler
	flashKey      []byte // signs the notices that carry values
	database      func(context.Context) (string, error)
}

// pages are the templates the routes render; each must exist at start.
var pages = []string{"home", "error", "register", "login", "account", "admin",
	"track", "module", "reference", "practice", "practice_item", "practice_result",
	"exam_start", "exam_item", "exam_leave", "exam_review", "exam_result",
	"certificate", "verify", "verify_form",
	"admin_candidates", "admin_candidate", "admin_confirm", "admin_certificate", "admin_items", "admin_audit", "admin_duplicates", "admin_merge",
	"login_code", "mfa_enrol", "mfa_codes", "admin_recheck", "admin_security",
	"register_sent", "link_problem", "forgot", "forgot_sent", "reset",
	"directory_search", "directory_listing", "listing_form", "listing_delete", "privacy"}

// New builds the router. It fails if a template does not parse or a route
// names a page that does not exist.
func New(cfg Config, deps Deps) (*Server, error) {
	s := &Server{
		cfg: cfg, log: deps.Logger, cat: deps.Catalog, accounts: deps.Accounts, study: deps.Study, attempts: deps.Attempts, certs: deps.Certs, admin: deps.Admin, directory: deps.Directory, contentReport: deps.ContentReport, reload: deps.Reload,
		now: deps.Now, secure: strings.HasPrefix(cfg.BaseURL, "https://"), flashKey: deps.FlashKey, database: deps.Database,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if len(s.flashKey) == 0 {
		s.flashKey = newFlashKey()
	}
	if plainHTTPInPublic(cfg.BaseURL) {
		s.log.Warn("the site is served over plain HTTP at a public address: sign-ins and sessions travel unencrypted; put it behind HTTPS and set the https base URL", slog.String("base_url", cfg.BaseURL))
	}
	if cfg.Zone == nil {
		return nil, errors.New("web: no time zone to show dates in")
	}
	s.zone = cfg.Zone
	var err error
	if s.tr, err = newTranslator(); err != nil {
		return nil, err
	}
	s.limits = newLimits(s.now)
	s.verifyPages = newPageCache(20000)
	if s.assets, err = newAssets(deps.Static, cfg.Dev); err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	if s.views, err = newViews(deps.Templates, s.funcs(), cfg.Dev); err != nil {
		return nil, err
	}
	for _, page := range pages {
		if !s.views.has(page) {
			return nil, fmt.Errorf("template %s.html is missing", page)
		}
	}
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the complete HTTP handler, middleware included.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"static": func(file string) string { return s.assets.url(file) },
		"source": s.contentSource,
		// indicative reports whether a result has domains with too few
		// questions to read as a measurement.
		"indicative":     exam.AnyIndicative,
		"minDomainItems": func() int { return exam.MinDomainItems },
		"minutes":        func(d time.Duration) int { return int(d.Minutes()) },
		"hours":          func(d time.Duration) int { return int(d.Hours()) },
		"add":            func(a, b int) int { return a + b },
		"list":           func(items ...string) []string { return items },
		// args passes several values to a partial template.
		"args":    func(values ...any) []any { return values },
		"percent": func(f float64) string { return fmt.Sprintf("%.0f %%", f*100) },
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"retake": func(t *content.Track) time.Duration {
			if t == nil {
				return 0
			}
			return t.Rules.RetakeAfter
		},
	}
}

// plainHTTPInPublic reports whether base is an http:// address that other
// machines can reach (not the loopback a developer uses).
func plainHTTPInPublic(base string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}
