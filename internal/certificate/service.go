package certificate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/google/uuid"

	"mxcert/internal/account"
	"mxcert/internal/content"
	"mxcert/internal/fail"
	"mxcert/internal/mail"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Status is what a verification page says of a certificate.
type Status string

const (
	StatusValid      Status = "valid"      // válido
	StatusRevoked    Status = "revoked"    // revocado
	StatusExpired    Status = "expired"    // vencido
	StatusSuperseded Status = "superseded" // reemplazado
)

// Valid reports whether the certificate may be relied on now.
func (s Status) Valid() bool { return s == StatusValid }

// Revoked reports whether the foundation revoked the certificate.
func (s Status) Revoked() bool { return s == StatusRevoked }

// Expired reports whether the certificate's validity has ended.
func (s Status) Expired() bool { return s == StatusExpired }

// Superseded reports whether a re-issued certificate replaced it.
func (s Status) Superseded() bool { return s == StatusSuperseded }

// StatusOf is a certificate's status now.
func StatusOf(c *model.Certificate, now time.Time) Status {
	switch {
	case c.Revoked():
		return StatusRevoked
	case c.Superseded():
		return StatusSuperseded
	case c.ExpiresAt != nil && !now.Before(*c.ExpiresAt):
		return StatusExpired
	}
	return StatusValid
}

// Service issues, finds, renders and revokes certificates.
type Service struct {
	db      *store.DB
	key     *Key
	keyDir  string
	baseURL string
	catalog func() *content.Catalog
	now     func() time.Time
	zone    *time.Location
	// renders bounds concurrent PDF renders to the number of cores: each
	// parses its fonts (~19 MB of allocations), and more at once only
	// adds memory and garbage collection, not speed.
	renders chan struct{}
	pdfs    *pdfCache      // rendered PDFs: a certificate's document never changes
	mail    *mail.Composer // messages to holders; nil sends none
}

// NewService returns the certificates service. baseURL is the site's public
// URL, printed in every certificate.
func NewService(db *store.DB, key *Key, keyDir, baseURL string, catalog func() *content.Catalog, now func() time.Time, zone *time.Location) *Service {
	return &Service{db: db, key: key, keyDir: keyDir, baseURL: strings.TrimRight(baseURL, "/"), catalog: catalog, now: now, zone: zone,
		renders: make(chan struct{}, runtime.GOMAXPROCS(0)), pdfs: newPDFCache(32 << 20)}
}

// NotifyWith makes the service tell holders by e-mail when their
// certificate is revoked, reinstated or issued again under a corrected
// name, composed by c and queued in the transaction of the change. Call it
// before the service is used; without it no message is queued.
func (s *Service) NotifyWith(c *mail.Composer) { s.mail = c }

// VerifyURL is the public verification page of a code.
func (s *Service) VerifyURL(code string) string { return s.baseURL + "/verificar/" + code }

// KeySet is the published key set.
func (s *Service) KeySet() (KeySet, error) {
	keys, err := PublicKeys(s.key, s.keyDir)
	return KeySet{Issuer: Issuer, Keys: keys}, err
}

// Issue creates the certificate of a passed attempt. It implements
// attempt.Issuer and runs inside the finalisation transaction, which also
// queues the message that tells the candidate.
func (s *Service) Issue(tx *store.Tx, a *model.Attempt) (*model.Certificate, error) {
	months := 0
	if t := s.catalog().Track(a.TrackID); t != nil {
		months = t.Certificate.ValidForMonths
	}
	return s.issue(tx, model.Certificate{
		ID: uuid.NewString(), UserID: a.UserID, AttemptID: a.ID, TrackID: a.TrackID, TrackTitle: a.TrackTitle,
		TrackVersion: a.TrackVersion, ContentVersion: a.ContentVersion, HolderName: a.HolderName,
	}, months)
}

// issue completes a certificate whose id, holder, attempt and
// certification are set in draft — a code, the dates for a validity of
// months (0: it does not expire) and the signed credential — stores it and
// audits it.
func (s *Service) issue(tx *store.Tx, draft model.Certificate, months int) (*model.Certificate, error) {
	issued := tx.Now
	var expires *time.Time
	if months > 0 {
		e := issued.AddDate(0, months, 0)
		expires = &e
	}
	for range 5 { // a code collision (2^-60) just draws again
		code, err := NewCode(Prefix(draft.TrackID))
		if err != nil {
			return nil, err
		}
		norm, _ := NormalizeCode(code) // a fresh code always normalises
		c := draft
		c.Code, c.CodeNorm, c.IssuedAt, c.ExpiresAt = code, norm, issued, expires
		cred := Credential{
			Type: "MxOSCertificate", Version: 1, ID: c.ID, Code: code, HolderName: c.HolderName,
			Certification: Certification{ID: c.TrackID, Title: c.TrackTitle, Version: c.TrackVersion},
			IssuedAt:      issued.UTC().Format(time.RFC3339), Issuer: Issuer, VerifyURL: s.VerifyURL(code),
		}
		if expires != nil {
			cred.ExpiresAt = expires.UTC().Format(time.RFC3339)
		}
		signed, err := Sign(cred, s.key)
		if err != nil {
			return nil, err
		}
		c.Credential, c.Signature, c.KeyID = string(signed.Credential), signed.Signature, signed.KeyID
		err = tx.CreateCertificate(&c)
		if errors.Is(err, store.ErrConflict) {
			// The code collided (draw again), or the attempt or candidate
			// already has a certificate (every try fails: reported below).
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := tx.Audit(c.UserID, model.ActionCertIssue, c.ID, map[string]string{"code": code, "attempt": c.AttemptID, "holder_name": c.HolderName}); err != nil {
			return nil, err
		}
		return &c, nil
	}
	return nil, fmt.Errorf("issue certificate for attempt %s: %w", draft.AttemptID, store.ErrConflict)
}

// Lookup finds a certificate by its id (a UUID) or its code in any letter
// case, with or without hyphens. Anything else is ErrNotFound.
func (s *Service) Lookup(ctx context.Context, idOrCode string) (*model.Certificate, error) {
	idOrCode = strings.TrimSpace(idOrCode)
	if id, err := uuid.Parse(idOrCode); err == nil {
		return s.db.CertificateByID(ctx, id.String())
	}
	norm, err := NormalizeCode(idOrCode)
	if err != nil {
		return nil, fmt.Errorf("certificate %q: %w", idOrCode, store.ErrNotFound)
	}
	return s.db.CertificateByCode(ctx, norm)
}

// ByID finds a certificate by its id, whatever its status.
func (s *Service) ByID(ctx context.Context, id string) (*model.Certificate, error) {
	return s.db.CertificateByID(ctx, id)
}

// ByAttempt finds the certificate a passing attempt earned: after a name
// correction, the re-issued one rather than the one it superseded.
// store.ErrNotFound when the attempt earned none.
func (s *Service) ByAttempt(ctx context.Context, attemptID string) (*model.Certificate, error) {
	return s.db.CertificateByAttempt(ctx, attemptID)
}

// OfUser lists a candidate's certificates, newest first, revoked and
// superseded ones included.
func (s *Service) OfUser(ctx context.Context, userID int64) ([]*model.Certificate, error) {
	return s.db.UserCertificates(ctx, userID)
}

// Replacement finds the certificate that superseded c when its holder's
// name was corrected. store.ErrNotFound when c was never replaced.
func (s *Service) Replacement(ctx context.Context, c *model.Certificate) (*model.Certificate, error) {
	if c.ReplacedBy == "" {
		return nil, fmt.Errorf("replacement of certificate %s: %w", c.ID, store.ErrNotFound)
	}
	r, err := s.db.CertificateByID(ctx, c.ReplacedBy)
	if err != nil {
		return nil, fmt.Errorf("replacement of certificate %s: %w", c.ID, err)
	}
	return r, nil
}

// SignedOf returns a certificate's signed credential.
func SignedOf(c *model.Certificate) Signed {
	return Signed{Credential: json.RawMessage(c.Credential), Signature: c.Signature, KeyID: c.KeyID}
}

// PDF returns a certificate's PDF, rendering and storing it the first time.
// The document shows what was signed at issuance; revocation is an online
// status and does not change it.
func (s *Service) PDF(ctx context.Context, c *model.Certificate) ([]byte, error) {
	if pdf, ok := s.pdfs.get(c.ID); ok {
		return pdf, nil
	}
	if c.HasPDF {
		pdf, err := s.db.CertificatePDF(ctx, c.ID)
		if err == nil {
			s.pdfs.put(c.ID, pdf)
		}
		return pdf, err
	}
	var cred Credential
	if err := json.Unmarshal([]byte(c.Credential), &cred); err != nil {
		return nil, fmt.Errorf("certificate %s credential: %w", c.ID, err)
	}
	select {
	case s.renders <- struct{}{}:
		defer func() { <-s.renders }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	pdf, err := RenderPDF(Document{
		ID: c.ID, Code: c.Code, HolderName: c.HolderName, Certification: c.TrackTitle, TrackVersion: c.TrackVersion,
		IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt, VerifyURL: cred.VerifyURL, Signed: SignedOf(c), Zone: s.zone,
	})
	if err != nil {
		return nil, err
	}
	if err := s.db.StoreCertificatePDF(ctx, c.ID, pdf); err != nil {
		return nil, err
	}
	stored, err := s.db.CertificatePDF(ctx, c.ID) // the stored one, should two renders race
	if err == nil {
		s.pdfs.put(c.ID, stored)
	}
	return stored, err
}

// ErrNoChange is a revocation of a revoked certificate, or the reverse.
var ErrNoChange = fail.New(fail.ErrConflict, "the certificate already has that status")

// Revoke revokes a certificate with a reason; actorID 0 is the command line.
func (s *Service) Revoke(ctx context.Context, actorID int64, idOrCode, reason string) (*model.Certificate, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, errors.New("a revocation needs a reason")
	}
	return s.setStatus(ctx, actorID, idOrCode, model.CertRevoked, reason)
}

// Reinstate makes a revoked certificate valid again.
func (s *Service) Reinstate(ctx context.Context, actorID int64, idOrCode string) (*model.Certificate, error) {
	return s.setStatus(ctx, actorID, idOrCode, model.CertValid, "")
}

func (s *Service) setStatus(ctx context.Context, actorID int64, idOrCode string, status model.CertStatus, reason string) (*model.Certificate, error) {
	c, err := s.Lookup(ctx, idOrCode)
	if err != nil {
		return nil, err
	}
	if c.Status == status || c.Superseded() {
		return c, ErrNoChange
	}
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetCertificateStatus(c.ID, status, reason); err != nil {
			return err
		}
		action := model.ActionCertRevoke
		if status == model.CertValid {
			action = model.ActionCertReinstate
		}
		if err := tx.Audit(actorID, action, c.ID, map[string]string{"code": c.Code, "before": string(c.Status), "after": string(status), "reason": reason}); err != nil {
			return err
		}
		return s.notifyStatus(tx, c, status, reason)
	})
	if err != nil {
		return nil, err
	}
	return s.db.CertificateByID(ctx, c.ID)
}

// notifyStatus queues the message that tells the holder their certificate
// was revoked (with the reason) or reinstated.
func (s *Service) notifyStatus(tx *store.Tx, c *model.Certificate, status model.CertStatus, reason string) error {
	if s.mail == nil {
		return nil
	}
	u, err := tx.UserByID(c.UserID)
	if err != nil {
		return err
	}
	var m *model.Mail
	if status == model.CertRevoked {
		m, err = s.mail.CertificateRevoked(u, c, reason, s.VerifyURL(c.Code))
	} else {
		m, err = s.mail.CertificateReinstated(u, c, s.VerifyURL(c.Code))
	}
	if err != nil {
		return fmt.Errorf("status message for certificate %s: %w", c.ID, err)
	}
	return tx.EnqueueMail(m)
}

// CorrectName corrects a candidate's legal name and re-issues each of their
// valid certificates with it: the new certificate gets a new id and code,
// the old one becomes "superseded" and its verification page points to the
// new one. Everything happens in one transaction and is audited with the
// names before and after. actorID is the administrator (0: command line).
func (s *Service) CorrectName(ctx context.Context, actorID, userID int64, name string) ([]*model.Certificate, error) {
	name = account.CleanName(name)
	if err := account.ValidateName(name); err != nil {
		return nil, err
	}
	var reissued []*model.Certificate
	err := s.db.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByID(userID)
		if err != nil {
			return err
		}
		if u.Name == name {
			return ErrNoChange
		}
		if err := tx.SetName(userID, name); err != nil {
			return err
		}
		certs, err := tx.UserCertificates(userID)
		if err != nil {
			return err
		}
		// The old certificate points to its replacement, which is inserted
		// after the old one stops being the valid one: check at commit.
		if err := tx.DeferForeignKeys(); err != nil {
			return err
		}
		var pairs []map[string]string
		var told []mail.Reissue
		for _, old := range certs {
			if !old.Current() {
				continue
			}
			months := 0
			if old.ExpiresAt != nil {
				months = monthsBetween(old.IssuedAt, *old.ExpiresAt)
			}
			newID := uuid.NewString()
			if err := tx.Supersede(old.ID, newID); err != nil {
				return err
			}
			c, err := s.issue(tx, model.Certificate{
				ID: newID, UserID: userID, AttemptID: old.AttemptID, TrackID: old.TrackID, TrackTitle: old.TrackTitle,
				TrackVersion: old.TrackVersion, ContentVersion: old.ContentVersion, HolderName: name,
			}, months)
			if err != nil {
				return err
			}
			reissued = append(reissued, c)
			pairs = append(pairs, map[string]string{"old": old.Code, "new": c.Code})
			told = append(told, mail.Reissue{Old: old, New: c, VerifyURL: s.VerifyURL(c.Code)})
		}
		if err := tx.Audit(actorID, model.ActionUserNameCorrect, u.EmailNorm, map[string]any{"before": u.Name, "after": name, "reissued": pairs}); err != nil {
			return err
		}
		if s.mail == nil {
			return nil
		}
		oldName := u.Name
		u.Name = name
		m, err := s.mail.CertificatesReissued(u, oldName, told)
		if err != nil {
			return fmt.Errorf("name correction message: %w", err)
		}
		return tx.EnqueueMail(m)
	})
	return reissued, err
}

func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
}
