package mail

import (
	"time"

	"mxcert/internal/datefmt"
	"mxcert/internal/model"
)

// The notifications: what a person is told when something happens to
// their exam or their certificate. Each is one message in the person's
// language, queued in the transaction of the event. None ever carries a
// question or an answer of the exam.
const (
	KindExamPassed            = "exam-passed" // the result and the certificate it earned, in one message
	KindExamFailed            = "exam-failed"
	KindCertificateReissued   = "certificate-reissued" // the name corrected, the certificates issued again with it
	KindCertificateRevoked    = "certificate-revoked"
	KindCertificateReinstated = "certificate-reinstated"
	KindStoryDecided          = "story-decided" // the foundation approved or rejected a success story
)

// StoriesPath is a technician's page of their success stories (the web
// layer's /cuenta/directorio/casos), where each shows its status.
const StoriesPath = "/cuenta/directorio/casos"

// StoryDecided tells a technician that the foundation approved their
// success story, now public, or rejected it, and why.
func (c *Composer) StoryDecided(u *model.User, title string, approved bool, reason string) (*model.Mail, error) {
	return c.Compose(KindStoryDecided, model.UserLang(u.Lang), u.Email, struct {
		Name, Title, Reason, StoriesURL, PublicURL string
		Approved                                   bool
	}{u.Name, title, reason, c.site + StoriesPath, c.site + "/casos-de-exito", approved})
}

// In returns a copy of c that tells dates and times in zone (UTC unless
// set).
func (c *Composer) In(zone *time.Location) *Composer {
	cc := *c
	cc.zone = zone
	return &cc
}

// WithContact returns a copy of c whose messages give email as the
// foundation's address to write to; without one they name none.
func (c *Composer) WithContact(email string) *Composer {
	cc := *c
	cc.contact = email
	return &cc
}

// CertificateURL is the holder's page of a certificate, where, signed in,
// they download its PDF (the web layer's /certificados/ID).
func (c *Composer) CertificateURL(certID string) string {
	return c.site + "/certificados/" + certID
}

// ResultURL is the candidate's page of an exam result (the web layer's
// /examen/ID/resultado).
func (c *Composer) ResultURL(attemptID string) string {
	return c.site + "/examen/" + attemptID + "/resultado"
}

// result is what the two exam messages say of the score.
type result struct {
	Name, Track                        string
	Score, Total, Percent, PassPercent int
	ResultURL                          string
}

func (c *Composer) resultOf(u *model.User, a *model.Attempt) result {
	return result{Name: u.Name, Track: a.TrackTitle, Score: a.Score, Total: a.Total, Percent: a.Percent, PassPercent: a.PassPercent, ResultURL: c.ResultURL(a.ID)}
}

// certView is a certificate as messages show it.
type certView struct {
	Track, Code, VerifyURL, PageURL string
	Expires                         string // the last day it is valid; empty when it does not expire
}

func (c *Composer) certOf(lang string, cert *model.Certificate, verifyURL string) certView {
	v := certView{Track: cert.TrackTitle, Code: cert.Code, VerifyURL: verifyURL, PageURL: c.CertificateURL(cert.ID)}
	if cert.ExpiresAt != nil {
		v.Expires = c.date(lang, *cert.ExpiresAt)
	}
	return v
}

// ExamPassed is the message of a pass: the score and the certificate it
// earned, with its verification link (verifyURL) and where to download
// the PDF.
func (c *Composer) ExamPassed(u *model.User, a *model.Attempt, cert *model.Certificate, verifyURL string) (*model.Mail, error) {
	lang := model.UserLang(u.Lang)
	return c.Compose(KindExamPassed, lang, u.Email, struct {
		result
		Certificate certView
	}{c.resultOf(u, a), c.certOf(lang, cert, verifyURL)})
}

// ExamFailed is the message of a fail: the score and when the exam may be
// taken again (retakeAt; zero when at once).
func (c *Composer) ExamFailed(u *model.User, a *model.Attempt, retakeAt time.Time) (*model.Mail, error) {
	lang := model.UserLang(u.Lang)
	retake := ""
	if a.FinishedAt == nil || retakeAt.After(*a.FinishedAt) {
		retake = c.dateTime(lang, retakeAt)
	}
	return c.Compose(KindExamFailed, lang, u.Email, struct {
		result
		RetakeAt string
	}{c.resultOf(u, a), retake})
}

// Reissue is one certificate issued again under a corrected name.
type Reissue struct {
	Old, New  *model.Certificate
	VerifyURL string // the new certificate's
}

// CertificatesReissued tells a person that the foundation corrected their
// name and issued each of their certificates again with it: the old code
// and the new one, and the new verification link. With no certificates
// it only tells them of the correction.
func (c *Composer) CertificatesReissued(u *model.User, oldName string, reissued []Reissue) (*model.Mail, error) {
	lang := model.UserLang(u.Lang)
	type pair struct {
		OldCode string
		New     certView
	}
	pairs := make([]pair, len(reissued))
	for i, r := range reissued {
		pairs[i] = pair{r.Old.Code, c.certOf(lang, r.New, r.VerifyURL)}
	}
	return c.Compose(KindCertificateReissued, lang, u.Email, struct {
		Name, OldName string
		Certificates  []pair
	}{u.Name, oldName, pairs})
}

// CertificateRevoked tells the holder their certificate was revoked, why,
// what it means and whom to write to.
func (c *Composer) CertificateRevoked(u *model.User, cert *model.Certificate, reason, verifyURL string) (*model.Mail, error) {
	lang := model.UserLang(u.Lang)
	return c.Compose(KindCertificateRevoked, lang, u.Email, struct {
		Name, Reason, Contact string
		Certificate           certView
	}{u.Name, reason, c.contact, c.certOf(lang, cert, verifyURL)})
}

// CertificateReinstated tells the holder their revoked certificate is
// valid again.
func (c *Composer) CertificateReinstated(u *model.User, cert *model.Certificate, verifyURL string) (*model.Mail, error) {
	lang := model.UserLang(u.Lang)
	return c.Compose(KindCertificateReinstated, lang, u.Email, struct {
		Name        string
		Certificate certView
	}{u.Name, c.certOf(lang, cert, verifyURL)})
}

func (c *Composer) date(lang string, t time.Time) string {
	t = t.In(c.zone)
	if lang == model.LangEN {
		return datefmt.English(t)
	}
	return datefmt.Spanish(t)
}

// dateTime is a date and time of day with the zone it is told in, as
// people read it: "3 de diciembre de 2026, 14:05 h (hora del centro de
// México)".
func (c *Composer) dateTime(lang string, t time.Time) string {
	t = t.In(c.zone)
	zone := c.zone.String()
	if lang == model.LangEN {
		if zone == "America/Mexico_City" {
			zone = "Mexico City time"
		}
		return t.Format("January 2, 2006, 3:04 PM") + " (" + zone + ")"
	}
	if zone == "America/Mexico_City" {
		zone = "hora del centro de México"
	}
	return datefmt.Spanish(t) + ", " + t.Format("15:04") + " h (" + zone + ")"
}
