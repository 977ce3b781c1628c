package store

import (
	"context"
	"database/sql"
	"fmt"

	"mxcert/internal/model"
)

// CreateCertificate stores a new certificate. A duplicate code, a second
// certificate for one attempt or a second valid one for a candidate and
// track is ErrConflict.
func (tx *Tx) CreateCertificate(c *model.Certificate) error {
	var expires any
	if c.ExpiresAt != nil {
		expires = ms(*c.ExpiresAt)
	}
	c.Status = model.CertValid
	err := tx.mayConflict(func() error {
		_, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO certificates (id, code, code_norm, user_id, attempt_id, track_id, track_title, track_version,
			content_version, holder_name, issued_at, expires_at, credential, signature, key_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Code, c.CodeNorm, c.UserID, c.AttemptID, c.TrackID, c.TrackTitle, c.TrackVersion,
			c.ContentVersion, c.HolderName, ms(c.IssuedAt), expires, c.Credential, c.Signature, c.KeyID)
		return err
	})
	if isUnique(err) {
		return fmt.Errorf("create certificate: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create certificate: %w", err)
	}
	return nil
}

const certColumns = `id, code, code_norm, user_id, attempt_id, track_id, track_title, track_version, content_version, holder_name,
	issued_at, expires_at, status, revoked_at, coalesce(revocation_reason, ''), coalesce(replaced_by, ''), credential, signature, key_id, pdf IS NOT NULL`

func scanCert(row interface{ Scan(...any) error }) (*model.Certificate, error) {
	var c model.Certificate
	var issued int64
	var expires, revoked sql.NullInt64
	err := row.Scan(&c.ID, &c.Code, &c.CodeNorm, &c.UserID, &c.AttemptID, &c.TrackID, &c.TrackTitle, &c.TrackVersion, &c.ContentVersion, &c.HolderName,
		&issued, &expires, &c.Status, &revoked, &c.RevocationReason, &c.ReplacedBy, &c.Credential, &c.Signature, &c.KeyID, &c.HasPDF)
	if err != nil {
		return nil, err
	}
	c.IssuedAt, c.ExpiresAt, c.RevokedAt = fromMS(issued), optTime(expires), optTime(revoked)
	return &c, nil
}

func certBy(ctx context.Context, q querier, column string, value any) (*model.Certificate, error) {
	// column is one of the constants of the callers, never input.
	c, err := scanCert(q.QueryRowContext(ctx, `SELECT `+certColumns+` FROM certificates WHERE `+column+` = ?`, value)) // #nosec G202
	if err != nil {
		return nil, notFound(err, "certificate")
	}
	return c, nil
}

// CertificateByID finds a certificate by its UUID.
func (db *DB) CertificateByID(ctx context.Context, id string) (*model.Certificate, error) {
	c, err := scanCert(db.hot(ctx, `SELECT `+certColumns+` FROM certificates WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, "certificate")
	}
	return c, nil
}

// CertificateByCode finds a certificate by its normalised code.
func (db *DB) CertificateByCode(ctx context.Context, codeNorm string) (*model.Certificate, error) {
	c, err := scanCert(db.hot(ctx, `SELECT `+certColumns+` FROM certificates WHERE code_norm = ?`, codeNorm))
	if err != nil {
		return nil, notFound(err, "certificate")
	}
	return c, nil
}

// CertificateByAttempt finds the current certificate of a passing attempt
// (not one superseded by a re-issue).
func (db *DB) CertificateByAttempt(ctx context.Context, attemptID string) (*model.Certificate, error) {
	c, err := scanCert(db.read.QueryRowContext(ctx, `SELECT `+certColumns+` FROM certificates WHERE attempt_id = ?
		ORDER BY status = 'superseded', issued_at DESC LIMIT 1`, attemptID))
	if err != nil {
		return nil, notFound(err, "certificate of attempt "+attemptID)
	}
	return c, nil
}

// Supersede marks a certificate as replaced by another (a re-issue).
func (tx *Tx) Supersede(id, replacedBy string) error {
	return tx.execOne(`UPDATE certificates SET status = 'superseded', replaced_by = ?, revoked_at = NULL, revocation_reason = NULL WHERE id = ?`, replacedBy, id)
}

// UserCertificates lists a candidate's certificates inside the transaction.
func (tx *Tx) UserCertificates(userID int64) ([]*model.Certificate, error) {
	return userCertificates(tx.ctx, tx.tx, userID)
}

// CertificateByID finds a certificate inside the transaction.
func (tx *Tx) CertificateByID(id string) (*model.Certificate, error) {
	return certBy(tx.ctx, tx.tx, "id", id)
}

// UserCertificates lists a candidate's certificates, newest first.
func (db *DB) UserCertificates(ctx context.Context, userID int64) ([]*model.Certificate, error) {
	return userCertificates(ctx, db.read, userID)
}

func userCertificates(ctx context.Context, q querier, userID int64) ([]*model.Certificate, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+certColumns+` FROM certificates WHERE user_id = ? ORDER BY issued_at DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*model.Certificate
	for rows.Next() {
		c, err := scanCert(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CertificatePDF returns the stored PDF, or nil when not rendered yet.
func (db *DB) CertificatePDF(ctx context.Context, id string) ([]byte, error) {
	var pdf []byte
	err := db.read.QueryRowContext(ctx, `SELECT pdf FROM certificates WHERE id = ?`, id).Scan(&pdf)
	if err != nil {
		return nil, notFound(err, "certificate "+id)
	}
	return pdf, nil
}

// StoreCertificatePDF keeps a rendered PDF. A PDF already stored wins: a
// certificate's document never changes once someone downloaded it.
func (db *DB) StoreCertificatePDF(ctx context.Context, id string, pdf []byte) error {
	_, err := db.exec(ctx, `UPDATE certificates SET pdf = ? WHERE id = ? AND pdf IS NULL`, pdf, id)
	return err
}

// SetCertificateStatus revokes (with a reason) or reinstates a certificate.
func (tx *Tx) SetCertificateStatus(id string, status model.CertStatus, reason string) error {
	var revoked any
	if status == model.CertRevoked {
		revoked = ms(tx.Now)
	} else {
		reason = ""
	}
	err := tx.mayConflict(func() error {
		return tx.execOne(`UPDATE certificates SET status = ?, revoked_at = ?, revocation_reason = nullif(?, '') WHERE id = ?`, status, revoked, reason, id)
	})
	if isUnique(err) {
		return fmt.Errorf("set certificate %s %s: %w", id, status, ErrConflict)
	}
	return err
}
