package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"mxcert/internal/certificate"
	"mxcert/internal/fail"
	"mxcert/internal/model"
)

func (s *Server) adminCert(c *gin.Context) (*model.Certificate, error) {
	cert, err := s.certs.ByID(c.Request.Context(), c.Param("id"))
	return cert, err
}

type adminCertificateView struct {
	certificateView
	Candidate *model.User
}

func (s *Server) adminCertificate(c *gin.Context) error {
	cert, err := s.adminCert(c)
	if err != nil {
		return err
	}
	u, err := s.admin.User(c.Request.Context(), cert.UserID)
	if err != nil {
		return err
	}
	v, err := s.certView(c, "cert.title", cert)
	if err != nil {
		return err
	}
	return s.page(c, http.StatusOK, "admin_certificate", adminCertificateView{certificateView: v, Candidate: u})
}

// adminRevoke: GET asks for the reason, POST revokes. The reason is shown on
// the public verification page.
func (s *Server) adminRevoke(c *gin.Context) error {
	cert, err := s.adminCert(c)
	if err != nil {
		return err
	}
	back := "/admin/certificados/" + cert.ID
	v := adminConfirmView{base: s.base(c, "admin.revoke_title"), Action: c.Request.URL.Path, Back: back, Field: "reason", Submit: "admin.revoke_submit", Danger: true}
	v.Heading = v.T("admin.revoke_heading", "Code", cert.Code, "Name", cert.HolderName)
	v.Lead = v.T("admin.revoke_lead")
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v.Value = postValue(c, "motivo")
	if v.Value == "" || len(v.Value) > 500 {
		v.Invalid = "admin.reason_required"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	}
	_, err = s.certs.Revoke(c.Request.Context(), currentUser(c).ID, cert.ID, v.Value)
	if errors.Is(err, certificate.ErrNoChange) {
		v.Error = "admin.no_change"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	s.setFlashWith(c, "flash.cert_revoked", "Code", cert.Code, "Name", cert.HolderName)
	return redirect(c, back)
}

// adminReinstate: GET asks, POST makes a revoked certificate valid again.
func (s *Server) adminReinstate(c *gin.Context) error {
	cert, err := s.adminCert(c)
	if err != nil {
		return err
	}
	back := "/admin/certificados/" + cert.ID
	v := adminConfirmView{base: s.base(c, "admin.reinstate_title"), Action: c.Request.URL.Path, Back: back, Submit: "admin.reinstate_submit"}
	v.Heading = v.T("admin.reinstate_heading", "Code", cert.Code, "Name", cert.HolderName)
	v.Lead = v.T("admin.reinstate_lead")
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	_, err = s.certs.Reinstate(c.Request.Context(), currentUser(c).ID, cert.ID)
	switch {
	case errors.Is(err, certificate.ErrNoChange):
		v.Error = "admin.no_change"
		return s.confirmPage(c, http.StatusConflict, v)
	case errors.Is(err, fail.ErrConflict):
		v.Error = "admin.reinstate_conflict"
		return s.confirmPage(c, http.StatusConflict, v)
	case err != nil:
		return err
	}
	s.setFlashWith(c, "flash.cert_reinstated", "Code", cert.Code, "Name", cert.HolderName)
	return redirect(c, back)
}

// adminReload: GET shows the content in use, POST does what SIGHUP does:
// validate, then swap, or show the findings and keep the current content.
func (s *Server) adminReload(c *gin.Context) error {
	cat := s.cat()
	v := adminConfirmView{base: s.base(c, "admin.reload_title"), Action: c.Request.URL.Path, Back: "/admin", Submit: "admin.reload_submit"}
	v.Heading = v.T("admin.reload_heading")
	if cat.BankVersion != "" {
		v.Lead = v.T("admin.reload_lead_bank", "Version", cat.Version, "Bank", cat.BankVersion, "Date", v.DateTime(cat.LoadedAt))
	} else {
		v.Lead = v.T("admin.reload_lead", "Version", cat.Version, "Date", v.DateTime(cat.LoadedAt))
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if s.reload == nil {
		return errNotFound
	}
	report, err := s.reload(currentUser(c).ID)
	if err != nil {
		v.Error = "admin.reload_refused"
		for _, f := range report.Errors() {
			v.Findings = append(v.Findings, f.String())
		}
		if len(v.Findings) == 0 {
			v.Findings = []string{err.Error()}
		}
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	}
	s.setFlashWith(c, "flash.content_reloaded_version", "Version", s.cat().Version)
	return redirect(c, "/admin")
}
