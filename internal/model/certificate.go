package model

import "time"

// CertStatus is a certificate's status as stored. "Expired" is not
// stored: it follows from ExpiresAt and the clock.
type CertStatus string

const (
	CertValid      CertStatus = "valid"
	CertRevoked    CertStatus = "revoked"
	CertSuperseded CertStatus = "superseded" // re-issued under a corrected name
)

// Certificate is an issued certificate.
type Certificate struct {
	ID               string
	Code             string
	CodeNorm         string
	UserID           int64
	AttemptID        string
	TrackID          string
	TrackTitle       string
	TrackVersion     string
	ContentVersion   string
	HolderName       string
	IssuedAt         time.Time
	ExpiresAt        *time.Time
	Status           CertStatus
	RevokedAt        *time.Time
	RevocationReason string
	ReplacedBy       string
	Credential       string
	Signature        string
	KeyID            string
	HasPDF           bool
}

// Revoked reports whether the foundation revoked the certificate.
func (c *Certificate) Revoked() bool { return c.Status == CertRevoked }

// Superseded reports whether the certificate was re-issued.
func (c *Certificate) Superseded() bool { return c.Status == CertSuperseded }

// Current reports whether the certificate is the one in force (valid as
// stored; it may still have expired).
func (c *Certificate) Current() bool { return c.Status == CertValid }
