// Package app wires MxOS Certificación together: it loads the content,
// builds the web server and runs it until told to stop. Tests start the
// real application through it on 127.0.0.1:0.
package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/attempt"
	"mxcert/internal/certificate"
	"mxcert/internal/content"
	"mxcert/internal/store"
	"mxcert/internal/study"
	"mxcert/internal/web"
	"mxcert/static"
	"mxcert/templates"
)

// Config is the whole process configuration, built by the command line.
type Config struct {
	Addr           string // listen address, e.g. 127.0.0.1:8080 (port 0 picks one)
	DataDir        string
	ContentDir     string
	BaseURL        string // public URL; derived from Addr when empty
	TrustedProxies []string
	// Dev reads templates and static files from DevRoot (the repository)
	// on every request instead of the copies embedded in the binary.
	Dev     bool
	DevRoot string
	// Now is the clock; nil means time.Now. Tests move a fake one.
	Now func() time.Time
	// HashParams are the password-hashing costs; zero means OWASP's.
	HashParams account.HashParams
	// ContentSourceURL links questions to their files in the foundation's
	// repository in the admin console (optional).
	ContentSourceURL string
	// KeyPath is the Ed25519 signing key; DataDir/keys/signing.key by
	// default. Retired public keys go in a "retired" folder beside it.
	KeyPath string
}

// defaultZone is where dates are shown and printed.
const defaultZone = "America/Mexico_City"

// App is a running MxOS Certificación instance.
type App struct {
	cfg      Config
	log      *slog.Logger
	now      func() time.Time
	db       *store.DB
	accounts *account.Service
	attempts *attempt.Service
	certs    *certificate.Service
	catalog  atomic.Pointer[content.Catalog]
	report   atomic.Pointer[content.Report] // findings of the content in use
	listener net.Listener
	http     *http.Server
}

// New loads and validates the content and prepares the server. It refuses
// to start when the content has errors, returning them in the error.
func New(cfg Config, log *slog.Logger) (*App, error) {
	a := &App{cfg: cfg, log: log, now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	cat, report, err := content.LoadDir(cfg.ContentDir, a.contentOptions())
	if err != nil {
		return nil, err
	}
	if report.HasErrors() {
		return nil, &ContentError{Report: report}
	}
	for _, f := range report.Warnings() {
		log.Warn("content", slog.String("finding", f.String()))
	}
	a.catalog.Store(cat)
	a.report.Store(&report)

	if a.db, err = store.Open(context.Background(), cfg.DataDir, store.WithClock(a.now)); err != nil {
		return nil, err
	}
	params := cfg.HashParams
	if params == (account.HashParams{}) {
		params = account.OWASPParams
	}
	if a.accounts, err = account.New(a.db, a.now, params); err != nil {
		return nil, errors.Join(err, a.db.Close())
	}

	keyPath := cfg.KeyPath
	if keyPath == "" {
		keyPath = filepath.Join(cfg.DataDir, "keys", "signing.key")
	}
	key, err := certificate.LoadOrCreateKey(keyPath)
	if err != nil {
		return nil, errors.Join(err, a.db.Close())
	}
	zone, err := time.LoadLocation(defaultZone)
	if err != nil {
		return nil, errors.Join(err, a.db.Close())
	}

	tfs, sfs := fs.FS(templates.FS), fs.FS(static.FS)
	if cfg.Dev {
		tfs = os.DirFS(cfg.DevRoot + "/templates")
		sfs = os.DirFS(cfg.DevRoot + "/static")
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("listen on %s: %w", cfg.Addr, err), a.db.Close())
	}
	a.listener = ln
	if a.cfg.BaseURL == "" {
		a.cfg.BaseURL = "http://" + ln.Addr().String()
	}
	a.cfg.BaseURL = strings.TrimRight(a.cfg.BaseURL, "/")
	a.certs = certificate.NewService(a.db, key, filepath.Join(filepath.Dir(keyPath), "retired"), a.cfg.BaseURL, a.catalog.Load, a.now, zone)
	a.attempts = attempt.New(a.db, a.now, a.catalog.Load, a.certs, log)
	srv, err := web.New(web.Config{BaseURL: a.cfg.BaseURL, TrustedProxies: cfg.TrustedProxies, Dev: cfg.Dev, ContentDir: cfg.ContentDir, ContentSourceURL: cfg.ContentSourceURL}, web.Deps{
		Logger: log, Catalog: a.catalog.Load, Store: a.db, Accounts: a.accounts, Study: study.New(a.db, a.now), Attempts: a.attempts, Certs: a.certs,
		ContentReport: a.ContentReport, Reload: a.reloadBy,
		Now: a.now, Templates: tfs, Static: sfs,
	})
	if err != nil {
		return nil, errors.Join(err, ln.Close(), a.db.Close())
	}
	a.http = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return a, nil
}

// ContentError is returned when the content has errors; it carries them.
type ContentError struct{ Report content.Report }

func (e *ContentError) Error() string {
	return fmt.Sprintf("the content has %d errors", len(e.Report.Errors()))
}

// URL is the address the server answers on.
func (a *App) URL() string { return a.cfg.BaseURL }

// Addr is the listening address (useful with port 0).
func (a *App) Addr() string { return a.listener.Addr().String() }

// Catalog returns the content in use.
func (a *App) Catalog() *content.Catalog { return a.catalog.Load() }

func (a *App) contentOptions() content.Options {
	return content.Options{LinkURL: web.ContentLinkURL}
}

// Reload validates the content directory again and swaps the catalog in
// only when it has no errors; otherwise the previous content keeps serving
// and the report says why.
func (a *App) Reload() (content.Report, error) { return a.reloadBy(0) }

// reloadBy is Reload on behalf of an administrator (0: a signal), audited.
func (a *App) reloadBy(actorID int64) (content.Report, error) {
	before := a.Catalog().Version
	cat, report, err := content.LoadDir(a.cfg.ContentDir, a.contentOptions())
	if err != nil {
		return report, err
	}
	if report.HasErrors() {
		a.logFindings(report)
		a.log.Error("content reload refused; still serving the previous content", slog.String("content_version", a.Catalog().Version))
		return report, &ContentError{Report: report}
	}
	a.logFindings(report)
	a.catalog.Store(cat)
	a.report.Store(&report)
	a.log.Info("content reloaded", slog.String("content_version", cat.Version))
	err = a.db.Transact(context.Background(), func(tx *store.Tx) error {
		return tx.Audit(actorID, "content.reload", cat.Version, map[string]any{"before": before, "after": cat.Version, "warnings": len(report.Warnings())})
	})
	return report, err
}

func (a *App) logFindings(report content.Report) {
	for _, f := range report.Findings {
		if f.Severity == content.Error {
			a.log.Error("content", slog.String("finding", f.String()))
		} else {
			a.log.Warn("content", slog.String("finding", f.String()))
		}
	}
}

// ContentReport is the findings of the content in use.
func (a *App) ContentReport() content.Report { return *a.report.Load() }

// Run serves until ctx ends, then shuts down gracefully, letting requests
// in flight finish. SIGHUP reloads the content.
func (a *App) Run(ctx context.Context) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				a.reloadAndLog()
			}
		}
	}()

	go a.sweep(ctx)
	go a.attempts.Run(ctx, 30*time.Second)

	errc := make(chan error, 1)
	go func() { errc <- a.http.Serve(a.listener) }()
	a.log.Info("serving", slog.String("url", a.cfg.BaseURL), slog.String("content_version", a.Catalog().Version))
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.http.Shutdown(shutdownCtx); err != nil {
		return errors.Join(fmt.Errorf("shutdown: %w", err), a.db.Close())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return errors.Join(err, a.db.Close())
	}
	return a.db.Close()
}

// sweep removes expired sessions every few minutes until ctx ends.
func (a *App) sweep(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.accounts.Sweep(ctx); err != nil {
				a.log.Error("sweep sessions", slog.Any("err", err))
			} else if n > 0 {
				a.log.Info("expired sessions removed", slog.Int64("count", n))
			}
		}
	}
}

// DB is the application's database (for tests and subcommands).
func (a *App) DB() *store.DB { return a.db }

// Certificates is the certificates service.
func (a *App) Certificates() *certificate.Service { return a.certs }

// Accounts is the accounts service.
func (a *App) Accounts() *account.Service { return a.accounts }

func (a *App) reloadAndLog() {
	if _, err := a.Reload(); err != nil {
		a.log.Error("SIGHUP reload", slog.Any("err", err))
	}
}

// Close releases what New acquired, for an App that was never Run.
func (a *App) Close() error {
	return errors.Join(a.http.Close(), a.db.Close())
}
