// Package app runs MxOS Certificación: it opens the services (content,
// database, use cases: internal/services), builds the web server over them
// and serves until told to stop. Tests start the real application through
// it on 127.0.0.1:0.
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
	"strings"
	"syscall"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/certificate"
	"mxcert/internal/content"
	"mxcert/internal/services"
	"mxcert/internal/store"
	"mxcert/internal/web"
	"mxcert/static"
	"mxcert/templates"
)

// Config is the whole process configuration, built by the command line.
type Config struct {
	Addr    string // listen address, e.g. 127.0.0.1:8080 (port 0 picks one)
	DataDir string
	// Database is a PostgreSQL address (postgres://…) that replaces the
	// SQLite file in DataDir; empty, SQLite.
	Database   string
	ContentDir string
	// BankDir is the separate folder of exam pools (--bank); empty, the
	// exam pools are the content's own.
	BankDir        string
	BaseURL        string // public URL; derived from Addr when empty
	TrustedProxies []string
	// Dev reads templates and static files from DevRoot (the repository)
	// on every request instead of the copies embedded in the binary.
	Dev     bool
	DevRoot string
	// Zone is where dates are shown and printed; nil means
	// services.DefaultZone (America/Mexico_City).
	Zone *time.Location
	// Now is the clock; nil means time.Now. Tests move a fake one.
	Now func() time.Time
	// HashParams are the password-hashing costs; zero means OWASP's.
	HashParams account.HashParams
	// HashMemory bounds, in bytes, the memory all password hashing may
	// use at once; zero means account.DefaultHashMemory (256 MiB).
	HashMemory int64
	// ContentSourceURL links questions to their files in the foundation's
	// repository in the admin console (optional).
	ContentSourceURL string
	// BankSourceURL is the same for the questions of the bank folder,
	// which live in a repository of their own.
	BankSourceURL string
	// ContactEmail is the foundation's address that pages give candidates
	// who need to write (a revoked certificate, a name to correct).
	ContactEmail string
	// KeyPath is the Ed25519 signing key; DataDir/keys/signing.key by
	// default. Retired public keys go in a "retired" folder beside it.
	KeyPath string
	// AllowSharedKey loads a signing key that other users can read.
	AllowSharedKey bool
	// SMTPURL is the mail server (smtp://user:password@host:587, …);
	// empty, messages are written to DataDir/outbox as .eml files.
	SMTPURL string
	// MailFrom is the sender of every message; empty, a no-reply address
	// at the base URL's host.
	MailFrom string
}

// App is a running MxOS Certificación instance.
type App struct {
	cfg      Config
	log      *slog.Logger
	svc      *services.Set
	listener net.Listener
	http     *http.Server
}

// ContentError is returned when the content has errors; it carries them.
type ContentError = services.ContentError

// New loads and validates the content and prepares the server. It refuses
// to start when the content has errors, returning them in a *ContentError.
func New(cfg Config, log *slog.Logger) (*App, error) {
	a := &App{cfg: cfg, log: log}
	// The listener comes first: with port 0, its address is the base URL
	// that certificates print.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	a.listener = ln
	if a.cfg.BaseURL == "" {
		a.cfg.BaseURL = "http://" + ln.Addr().String()
	}
	a.cfg.BaseURL = strings.TrimRight(a.cfg.BaseURL, "/")
	a.svc, err = services.Open(context.Background(), services.Config{
		DataDir: cfg.DataDir, Database: cfg.Database, KeyPath: cfg.KeyPath, AllowSharedKey: cfg.AllowSharedKey, ContentDir: cfg.ContentDir, BankDir: cfg.BankDir, ContentOptions: content.Options{LinkURL: web.ContentLinkURL},
		BaseURL: a.cfg.BaseURL, ContactEmail: cfg.ContactEmail, Zone: cfg.Zone, Now: cfg.Now, HashParams: cfg.HashParams, HashMemory: cfg.HashMemory, Log: log,
		SMTPURL: cfg.SMTPURL, MailFrom: cfg.MailFrom,
	})
	if err != nil {
		return nil, errors.Join(err, ln.Close())
	}

	tfs, sfs := fs.FS(templates.FS), fs.FS(static.FS)
	if cfg.Dev {
		tfs = os.DirFS(cfg.DevRoot + "/templates")
		sfs = os.DirFS(cfg.DevRoot + "/static")
	}
	srv, err := web.New(web.Config{BaseURL: a.cfg.BaseURL, TrustedProxies: cfg.TrustedProxies, Dev: cfg.Dev, Zone: a.svc.Zone, ContentDir: cfg.ContentDir, ContentSourceURL: cfg.ContentSourceURL, BankSourceURL: cfg.BankSourceURL, ContactEmail: cfg.ContactEmail}, web.Deps{
		Logger: log, Catalog: a.svc.Catalog, Accounts: a.svc.Accounts, Study: a.svc.Study, Attempts: a.svc.Attempts, Certs: a.svc.Certificates, Admin: a.svc.Admin, Directory: a.svc.Directory,
		ContentReport: a.svc.ContentReport, Reload: a.svc.Reload,
		Now: a.svc.Now, FlashKey: a.svc.FlashKey, Database: a.svc.DatabaseHealth, Templates: tfs, Static: sfs,
	})
	if err != nil {
		return nil, errors.Join(err, ln.Close(), a.svc.Close())
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

// URL is the address the server answers on.
func (a *App) URL() string { return a.cfg.BaseURL }

// Addr is the listening address (useful with port 0).
func (a *App) Addr() string { return a.listener.Addr().String() }

// Catalog returns the content in use.
func (a *App) Catalog() *content.Catalog { return a.svc.Catalog() }

// Reload validates the content directory again and swaps the catalog in
// only when it has no errors; otherwise the previous content keeps serving
// and the report says why.
func (a *App) Reload() (content.Report, error) { return a.svc.Reload(0) }

// ContentReport is the findings of the content in use.
func (a *App) ContentReport() content.Report { return a.svc.ContentReport() }

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
	go a.svc.Attempts.Run(ctx, 30*time.Second)
	// The mail worker stops with ctx; it writes to the database, so it is
	// waited for before the database closes. A message queued by a request
	// still in flight is sent at the next start.
	mailCtx, stopMail := context.WithCancel(ctx)
	mailDone := make(chan struct{})
	go func() { defer close(mailDone); a.svc.Delivery.Run(mailCtx) }()
	stopMailWorker := func() { stopMail(); <-mailDone }

	errc := make(chan error, 1)
	go func() { errc <- a.http.Serve(a.listener) }()
	a.log.Info("serving", slog.String("url", a.cfg.BaseURL), slog.String("content_version", a.Catalog().Version), slog.String("bank_version", a.Catalog().BankVersion))
	select {
	case err := <-errc:
		stopMailWorker()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	shutdownErr := a.http.Shutdown(shutdownCtx)
	stopMailWorker()
	if err := shutdownErr; err != nil {
		return errors.Join(fmt.Errorf("shutdown: %w", err), a.svc.Close())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return errors.Join(err, a.svc.Close())
	}
	return a.svc.Close()
}

// sweep removes expired sessions and abandoned practice every few minutes
// until ctx ends.
func (a *App) sweep(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.svc.Accounts.Sweep(ctx); err != nil {
				a.log.Error("sweep sessions", slog.Any("err", err))
			} else if n > 0 {
				a.log.Info("expired sessions removed", slog.Int64("count", n))
			}
			if n, err := a.svc.Study.Purge(ctx); err != nil {
				a.log.Error("purge abandoned practice", slog.Any("err", err))
			} else if n > 0 {
				a.log.Info("abandoned practice removed", slog.Int64("count", n))
			}
		}
	}
}

// DB is the application's database (for tests and subcommands).
func (a *App) DB() *store.DB { return a.svc.DB }

// Certificates is the certificates service.
func (a *App) Certificates() *certificate.Service { return a.svc.Certificates }

// Accounts is the accounts service.
func (a *App) Accounts() *account.Service { return a.svc.Accounts }

func (a *App) reloadAndLog() {
	if _, err := a.Reload(); err != nil {
		a.log.Error("SIGHUP reload", slog.Any("err", err))
	}
}

// Close releases what New acquired, for an App that was never Run (the
// server does not know the listener until Serve is called).
func (a *App) Close() error {
	return errors.Join(a.http.Close(), a.listener.Close(), a.svc.Close())
}
