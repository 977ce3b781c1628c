package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/certificate"
	"mxcert/internal/fail"
	"mxcert/internal/model"
)

type certificateView struct {
	base
	Cert        *model.Certificate
	Status      certificate.Status
	VerifyURL   string
	LinkedInURL string
	WhatsAppURL string
	Replacement *model.Certificate
}

func (s *Server) certView(c *gin.Context, titleID string, cert *model.Certificate) (certificateView, error) {
	v := certificateView{base: s.base(c, titleID, "Code", cert.Code), Cert: cert, Status: certificate.StatusOf(cert, s.now()), VerifyURL: s.certs.VerifyURL(cert.Code)}
	if cert.ReplacedBy != "" {
		// The schema guarantees the replacement exists: failing to read it
		// is an error, not a page that quietly leaves out where to go.
		r, err := s.certs.Replacement(c.Request.Context(), cert)
		if err != nil {
			return v, err
		}
		v.Replacement = r
	}
	return v, nil
}

// ownCertificate loads a certificate for its holder (or an administrator);
// anyone else gets 404.
func (s *Server) ownCertificate(c *gin.Context) (*model.Certificate, error) {
	cert, err := s.certs.ByID(c.Request.Context(), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if u := currentUser(c); u.ID != cert.UserID && !u.IsAdmin() {
		return nil, errNotFound
	}
	return cert, nil
}

// certificatePage is the holder's page: status, download, share.
func (s *Server) certificatePage(c *gin.Context) error {
	cert, err := s.ownCertificate(c)
	if err != nil {
		return err
	}
	v, err := s.certView(c, "cert.title", cert)
	if err != nil {
		return err
	}
	issued := cert.IssuedAt.In(s.zone)
	q := url.Values{
		"startTask":        {"CERTIFICATION_NAME"},
		"name":             {cert.TrackTitle},
		"organizationName": {certificate.Issuer},
		"issueYear":        {fmt.Sprint(issued.Year())},
		"issueMonth":       {fmt.Sprint(int(issued.Month()))},
		"certUrl":          {v.VerifyURL},
		"certId":           {cert.Code},
	}
	if cert.ExpiresAt != nil {
		exp := cert.ExpiresAt.In(s.zone)
		q.Set("expirationYear", fmt.Sprint(exp.Year()))
		q.Set("expirationMonth", fmt.Sprint(int(exp.Month())))
	}
	v.LinkedInURL = "https://www.linkedin.com/profile/add?" + q.Encode()
	v.WhatsAppURL = "https://wa.me/?text=" + url.QueryEscape(v.T("cert.whatsapp_text", "Title", cert.TrackTitle, "URL", v.VerifyURL))
	return s.page(c, http.StatusOK, "certificate", v)
}

// certificatePDF serves the PDF, rendered once and kept.
func (s *Server) certificatePDF(c *gin.Context) error {
	cert, err := s.ownCertificate(c)
	if err != nil {
		return err
	}
	pdf, err := s.certs.PDF(c.Request.Context(), cert)
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="certificado-mxos-%s.pdf"`, cert.Code))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
	return nil
}

type verifyFormView struct {
	base
	Query    string
	NotFound bool
}

// verifyForm is /verificar: type an id or a code. A submitted code goes to
// its stable URL.
func (s *Server) verifyForm(c *gin.Context) error {
	if q := strings.TrimSpace(c.Query("codigo")); q != "" {
		return redirect(c, "/verificar/"+url.PathEscape(q))
	}
	return s.page(c, http.StatusOK, "verify_form", verifyFormView{base: s.base(c, "verify.title")})
}

// verifyPage is the public verification page: who, what, when, and the
// status, plainly; nothing private. Look-ups are rate-limited per address
// against enumeration.
func (s *Server) verifyPage(c *gin.Context) error {
	c.Header("X-Robots-Tag", "noindex")
	if err := s.limit(c, s.limits.lookupIP, c.ClientIP()); err != nil {
		return err
	}
	q := c.Param("code")
	if q == "" {
		q = strings.TrimPrefix(c.Request.URL.Path, "/verificar/")
	}
	cert, err := s.certs.Lookup(c.Request.Context(), q)
	if errors.Is(err, fail.ErrNotFound) {
		v := verifyFormView{base: s.base(c, "verify.not_found_title"), Query: q, NotFound: true}
		return s.page(c, http.StatusNotFound, "verify_form", v)
	}
	if err != nil {
		return err
	}
	// Anonymous visitors (employers) all see the same page for a
	// certificate in its current state: render it once.
	_, hasSession := c.Request.Cookie(sessionCookie)
	_, hasFlash := c.Request.Cookie(flashCookie)
	anonymous := hasSession != nil && hasFlash != nil
	status := certificate.StatusOf(cert, s.now())
	revoked := ""
	if cert.RevokedAt != nil {
		revoked = strconv.FormatInt(cert.RevokedAt.UnixMilli(), 10)
	}
	key := strings.Join([]string{s.tr.pickLanguage(c.Request), c.Request.URL.Path, cert.ID, string(status), cert.ReplacedBy,
		revoked, cert.RevocationReason, s.now().In(s.zone).Format(time.DateOnly)}, "\x00")
	if anonymous {
		if page, ok := s.verifyPages.get(key); ok {
			c.Data(http.StatusOK, "text/html; charset=utf-8", page)
			return nil
		}
	}
	v, err := s.certView(c, "verify.page_title", cert)
	if err != nil {
		return err
	}
	page, err := s.views.render("verify", v)
	if err != nil {
		return err
	}
	if anonymous {
		s.verifyPages.put(key, page)
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", page)
	return nil
}

// certificateJSON is the API's answer; the field names are a contract.
type certificateJSON struct {
	ID               string           `json:"id"`
	Code             string           `json:"code"`
	HolderName       string           `json:"holder_name"`
	Certification    certificationRef `json:"certification"`
	IssuedAt         string           `json:"issued_at"`
	ExpiresAt        *string          `json:"expires_at"`
	Status           string           `json:"status"`
	RevokedAt        *string          `json:"revoked_at"`
	RevocationReason *string          `json:"revocation_reason"`
	ReplacedBy       *string          `json:"replaced_by,omitempty"`
	VerifyURL        string           `json:"verify_url"`
	Credential       json.RawMessage  `json:"credential"`
	Signature        string           `json:"signature"`
	KeyID            string           `json:"key_id"`
}

type certificationRef struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Version string `json:"version"`
}

// apiCertificate is GET /api/v1/certificates/{id-or-code}.
func (s *Server) apiCertificate(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Header("X-Robots-Tag", "noindex")
	if ok, wait := s.limits.lookupIP.allow(c.ClientIP()); !ok {
		c.Header("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		s.renderAPIError(c, errTooMany, "")
		return
	}
	cert, err := s.certs.Lookup(c.Request.Context(), c.Param("code"))
	if err != nil {
		s.renderAPIError(c, err, "api.certificate_not_found")
		return
	}
	out := certificateJSON{
		ID: cert.ID, Code: cert.Code, HolderName: cert.HolderName,
		Certification: certificationRef{ID: cert.TrackID, Title: cert.TrackTitle, Version: cert.TrackVersion},
		IssuedAt:      cert.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"),
		Status:        string(certificate.StatusOf(cert, s.now())),
		VerifyURL:     s.certs.VerifyURL(cert.Code),
		Credential:    json.RawMessage(cert.Credential), Signature: cert.Signature, KeyID: cert.KeyID,
	}
	if cert.ExpiresAt != nil {
		e := cert.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z")
		out.ExpiresAt = &e
	}
	if cert.RevokedAt != nil {
		r := cert.RevokedAt.UTC().Format("2006-01-02T15:04:05Z")
		out.RevokedAt, out.RevocationReason = &r, &cert.RevocationReason
	}
	if cert.ReplacedBy != "" {
		out.ReplacedBy = &cert.ReplacedBy
	}
	c.JSON(http.StatusOK, out)
}

// keys publishes the public keys that sign credentials.
func (s *Server) keys(c *gin.Context) {
	ks, err := s.certs.KeySet()
	if err != nil {
		s.renderAPIError(c, err, "")
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, ks)
}
