// Package services builds what MxOS Certificación's front ends call: the
// content in use, the database, and the use cases over them (accounts,
// study, exam attempts, certificates, the directory of technicians). The server, the command line and
// the tests all get them from Open, built one way, so that none of them
// can leave out a collaborator (the signing key, the clock, the time zone)
// that another one passes.
//
// It is a package of its own rather than part of internal/app because app
// also builds the web layer, and the web layer's tests need these same
// services: from app they could not import them.
package services

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"time"

	"mxcert/internal/account"
	"mxcert/internal/admin"
	"mxcert/internal/attempt"
	"mxcert/internal/certificate"
	"mxcert/internal/content"
	"mxcert/internal/directory"
	"mxcert/internal/mail"
	"mxcert/internal/model"
	"mxcert/internal/store"
	"mxcert/internal/study"
)

// DefaultZone is where dates are shown and printed unless configured.
const DefaultZone = "America/Mexico_City"

// Config says where the data and the content are and how to run.
type Config struct {
	// DataDir holds the database (created on first use) and, by
	// default, the signing key.
	DataDir string
	// Database is a PostgreSQL server (postgres://…) that holds the
	// data instead of the SQLite file in DataDir, for several server
	// processes sharing one database. Empty means SQLite. DataDir still
	// holds the keys and the mail outbox folder.
	Database string
	// KeyPath is the Ed25519 signing key, DataDir/keys/signing.key when
	// empty; created on first use. Retired public keys go in a "retired"
	// folder beside it.
	KeyPath string
	// AllowSharedKey loads a signing key that other users of the machine
	// can read; by default such a key is refused.
	AllowSharedKey bool
	// ContentDir is the content folder, validated by Open and by Reload.
	// Empty means no content: the command line, which serves no pages and
	// starts no exams, opens the services without it.
	ContentDir string
	// BankDir, when set, is the separate folder the exam pools come from
	// (BANK/<track>/questions/), read and validated with the content by
	// Open and by Reload; empty, the exam pools are the content's own.
	BankDir string
	// ContentOptions are how the content is loaded (how lint findings
	// link to the web pages).
	ContentOptions content.Options
	// BaseURL is the site's public URL, printed in every certificate and
	// the start of every link in an e-mail.
	BaseURL string
	// ContactEmail is the foundation's address that messages give people
	// who need to write (a revoked certificate); empty names none.
	ContactEmail string
	// Zone is where dates are shown and printed; nil loads DefaultZone.
	Zone *time.Location
	// Now is the clock; nil means time.Now. Tests pass a fake one.
	Now func() time.Time
	// HashParams are the password-hashing costs; zero means OWASP's.
	HashParams account.HashParams
	// HashMemory bounds, in bytes, the memory all password hashing may
	// use at once; zero means account.DefaultHashMemory.
	HashMemory int64
	// SMTPURL is the mail server (mail.SMTPServer has the forms); empty,
	// messages are written as .eml files to DataDir/outbox.
	SMTPURL string
	// MailFrom is the messages' sender; empty, mail.DefaultFrom(BaseURL).
	MailFrom string
	// Log receives content findings and the use cases' own logs; nil
	// discards them.
	Log *slog.Logger
}

// Set is the services over one database. Close it when done.
type Set struct {
	DB           *store.DB
	Key          *certificate.Key
	Accounts     *account.Service
	Study        *study.Service
	Attempts     *attempt.Service
	Certificates *certificate.Service
	Admin        *admin.Service
	// Directory is the public directory of certified technicians.
	Directory *directory.Service
	// Mail composes the messages the services queue, in each person's
	// language, with links to BaseURL.
	Mail *mail.Composer
	// Delivery sends the queued messages (run it with Delivery.Run);
	// Nudge it after committing a message for a prompt send.
	Delivery *mail.Worker
	// FlashKey signs the console's notices (web.Deps.FlashKey): derived
	// from the TOTP key file, the same in every replica that shares it.
	FlashKey []byte
	// Zone is where dates are shown, loaded once for everyone.
	Zone *time.Location
	// Now is the clock every service was given.
	Now func() time.Time

	contentDir  string
	bankDir     string
	contentOpts content.Options
	log         *slog.Logger
	catalog     atomic.Pointer[content.Catalog]
	report      atomic.Pointer[content.Report] // findings of the content in use
}

// ContentError is returned when the content has errors; it carries them.
type ContentError struct{ Report content.Report }

func (e *ContentError) Error() string {
	return fmt.Sprintf("the content has %d errors", len(e.Report.Errors()))
}

// ErrNoContent is a reload of services opened without a content folder.
var ErrNoContent = errors.New("no content folder to reload")

// Open loads and validates the content, opens (creating if needed) the
// database and the signing key, and builds the services. Content with
// errors is a *ContentError, returned before anything is created on disk.
func Open(ctx context.Context, cfg Config) (*Set, error) {
	s := &Set{Zone: cfg.Zone, Now: cfg.Now, contentDir: cfg.ContentDir, bankDir: cfg.BankDir, contentOpts: cfg.ContentOptions, log: cfg.Log}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.contentOpts.Now == nil {
		s.contentOpts.Now = s.Now // the content's load time is on the same clock as everything else
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.Zone == nil {
		zone, err := time.LoadLocation(DefaultZone)
		if err != nil {
			return nil, fmt.Errorf("time zone: %w", err)
		}
		s.Zone = zone
	}
	if err := s.loadContent(); err != nil {
		return nil, err
	}

	db, err := openDB(ctx, cfg, store.WithClock(s.Now))
	if err != nil {
		return nil, err
	}
	s.DB = db
	if s.Accounts, err = account.New(db, s.Now, account.Config{Hash: cfg.HashParams, HashMemory: cfg.HashMemory, Mail: mail.NewComposer(mail.Templates, cfg.BaseURL)}); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	if err := s.useSecretKey(cfg.DataDir); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	keyPath := cfg.KeyPath
	if keyPath == "" {
		keyPath = filepath.Join(cfg.DataDir, "keys", "signing.key")
	}
	if s.Key, err = certificate.LoadOrCreateKey(keyPath, cfg.AllowSharedKey); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s.Mail = mail.NewComposer(mail.Templates, cfg.BaseURL).In(s.Zone).WithContact(cfg.ContactEmail)
	s.Certificates = certificate.NewService(db, s.Key, filepath.Join(filepath.Dir(keyPath), "retired"), cfg.BaseURL, s.Catalog, s.Now, s.Zone)
	s.Certificates.NotifyWith(s.Mail)
	s.Attempts = attempt.New(db, s.Now, s.Catalog, s.Certificates, s.log)
	s.Attempts.NotifyWith(s.Mail)
	s.Admin = admin.New(db, s.Catalog, s.Attempts, s.Now, s.Zone)
	s.Study = study.New(db, s.Now)
	if s.Directory, err = directory.New(db, s.Now, s.Zone, s.Catalog); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s.Directory.NotifyWith(s.Mail)
	from := cfg.MailFrom
	if from == "" {
		from = mail.DefaultFrom(cfg.BaseURL)
	}
	sender, err := mail.NewSender(mail.Config{SMTPURL: cfg.SMTPURL, From: from, OutboxDir: filepath.Join(cfg.DataDir, OutboxDir)})
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	s.Delivery = mail.NewWorker(db, sender, s.Now, s.log)
	return s, nil
}

// openDB opens the configured database: PostgreSQL when cfg.Database is
// its address, else SQLite in the data folder.
func openDB(ctx context.Context, cfg Config, opts ...store.Option) (*store.DB, error) {
	switch {
	case cfg.Database == "":
		return store.Open(ctx, cfg.DataDir, opts...)
	case store.IsPostgresURL(cfg.Database):
		return store.OpenPostgres(ctx, cfg.Database, opts...)
	default:
		return nil, fmt.Errorf("database %q: only postgres:// addresses are accepted; without one the data folder's SQLite file is used", redactURL(cfg.Database))
	}
}

// redactURL hides a password in a database address shown in an error.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}

// OutboxDir is the folder, in the data folder, where messages are written
// as .eml files when no SMTP server is configured.
const OutboxDir = "outbox"

// TOTPKeyFile is the key, in the data folder, that seals administrators'
// TOTP secrets in the database; created on first use.
const TOTPKeyFile = "totp.key"

// useSecretKey gives the accounts the key that seals administrators' TOTP
// secrets. It is in the data folder, beside the database but not in it
// (a backup of the database alone holds only sealed secrets), and not in
// the signing key's folder, which --key may put elsewhere.
func (s *Set) useSecretKey(dataDir string) error {
	key, err := account.LoadOrCreateSecretKey(filepath.Join(dataDir, TOTPKeyFile))
	if err != nil {
		return err
	}
	// The console's notices are signed with a key derived from it, so
	// that every replica sharing the key file reads the others' notices.
	m := hmac.New(sha256.New, key)
	m.Write([]byte("mxcert: console notices"))
	s.FlashKey = m.Sum(nil)
	return s.Accounts.SetSecretKey(key)
}

// loadContent validates the content folder (and the bank's) at start;
// warnings are logged.
func (s *Set) loadContent() error {
	if s.contentDir == "" {
		s.catalog.Store(&content.Catalog{})
		s.report.Store(&content.Report{})
		return nil
	}
	cat, report, err := content.LoadDirWithBank(s.contentDir, s.bankDir, s.contentOpts)
	if err != nil {
		return err
	}
	if report.HasErrors() {
		return &ContentError{Report: report}
	}
	for _, f := range report.Warnings() {
		s.log.Warn("content", slog.String("finding", f.String()))
	}
	s.catalog.Store(cat)
	s.report.Store(&report)
	return nil
}

// DatabaseHealth names the database in use ("sqlite" or "postgres") and
// says whether it answers.
func (s *Set) DatabaseHealth(ctx context.Context) (string, error) {
	return s.DB.Backend(), s.DB.Ping(ctx)
}

// Catalog returns the content in use.
func (s *Set) Catalog() *content.Catalog { return s.catalog.Load() }

// ContentReport is the findings of the content in use.
func (s *Set) ContentReport() content.Report { return *s.report.Load() }

// Reload validates the content folder (and the bank's) again and swaps
// the catalog in only when it has no errors; otherwise the previous
// content keeps serving and the report says why. actorID is the
// administrator who asked (0: a signal); a reload that happens is audited.
func (s *Set) Reload(actorID int64) (content.Report, error) {
	if s.contentDir == "" {
		return content.Report{}, ErrNoContent
	}
	before := s.Catalog().Versions()
	cat, report, err := content.LoadDirWithBank(s.contentDir, s.bankDir, s.contentOpts)
	if err != nil {
		return report, err
	}
	s.logFindings(report)
	if report.HasErrors() {
		s.log.Error("content reload refused; still serving the previous content", slog.String("content_version", before.Content), slog.String("bank_version", before.Bank))
		return report, &ContentError{Report: report}
	}
	s.catalog.Store(cat)
	s.report.Store(&report)
	s.log.Info("content reloaded", slog.String("content_version", cat.Version), slog.String("bank_version", cat.BankVersion))
	details := map[string]any{"before": before.Content, "after": cat.Version, "warnings": len(report.Warnings())}
	if s.bankDir != "" {
		details["bank_before"], details["bank_after"] = before.Bank, cat.BankVersion
	}
	err = s.DB.Transact(context.Background(), func(tx *store.Tx) error {
		return tx.Audit(actorID, model.ActionContentReload, cat.Version, details)
	})
	return report, err
}

func (s *Set) logFindings(report content.Report) {
	for _, f := range report.Findings {
		if f.Severity == content.Error {
			s.log.Error("content", slog.String("finding", f.String()))
		} else {
			s.log.Warn("content", slog.String("finding", f.String()))
		}
	}
}

// Close closes the database; answers already acknowledged are committed.
func (s *Set) Close() error { return s.DB.Close() }
