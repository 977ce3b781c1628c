package mail

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden messages in testdata/golden")

// notification is one message of each kind, from fixed records.
type notification struct {
	kind    string
	compose func(c *Composer, u *model.User) (*model.Mail, error)
}

func notifications() []notification {
	finished := time.Date(2026, 11, 28, 18, 30, 0, 0, time.UTC)
	expires := time.Date(2029, 11, 28, 18, 30, 0, 0, time.UTC)
	a := &model.Attempt{ID: "a1b2c3", TrackTitle: "Soporte técnico básico", Total: 40, Score: 34, Percent: 85, PassPercent: 70, FinishedAt: &finished}
	failed := *a
	failed.Score, failed.Percent = 22, 55
	cert := &model.Certificate{ID: "c-new", Code: "MXS-7K2P-9QRT-4WXZ", TrackTitle: a.TrackTitle, ExpiresAt: &expires}
	old := &model.Certificate{ID: "c-old", Code: "MXS-AAAA-BBBB-CCCC", TrackTitle: a.TrackTitle}
	verify := "https://certificacion.example/verificar/" + cert.Code
	return []notification{
		{KindExamPassed, func(c *Composer, u *model.User) (*model.Mail, error) { return c.ExamPassed(u, a, cert, verify) }},
		{KindExamFailed, func(c *Composer, u *model.User) (*model.Mail, error) {
			return c.ExamFailed(u, &failed, finished.Add(24*time.Hour))
		}},
		{KindExamFailed + "-no-wait", func(c *Composer, u *model.User) (*model.Mail, error) { return c.ExamFailed(u, &failed, finished) }},
		{KindCertificateReissued, func(c *Composer, u *model.User) (*model.Mail, error) {
			return c.CertificatesReissued(u, "Jose Nunez", []Reissue{{Old: old, New: cert, VerifyURL: verify}})
		}},
		{KindCertificateReissued + "-none", func(c *Composer, u *model.User) (*model.Mail, error) {
			return c.CertificatesReissued(u, "Jose Nunez", nil)
		}},
		{KindCertificateRevoked, func(c *Composer, u *model.User) (*model.Mail, error) {
			return c.CertificateRevoked(u, cert, "Se comprobó que otra persona presentó el examen <por él>.", verify)
		}},
		{KindCertificateRevoked + "-no-contact", func(c *Composer, u *model.User) (*model.Mail, error) {
			return c.WithContact("").CertificateRevoked(u, cert, "Suplantación.", verify)
		}},
		{KindCertificateReinstated, func(c *Composer, u *model.User) (*model.Mail, error) { return c.CertificateReinstated(u, cert, verify) }},
	}
}

// Every notification renders in both languages, plain text and HTML, as
// the golden files in testdata/golden say (go test -run TestNotifications
// -update rewrites them; read the diff).
func TestNotifications(t *testing.T) {
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	c := NewComposer(Templates, "https://certificacion.example/").In(zone).WithContact("certificacion@mxos.example")
	for _, n := range notifications() {
		for _, lang := range []string{model.LangES, model.LangEN} {
			t.Run(n.kind+"."+lang, func(t *testing.T) {
				u := &model.User{Email: "jose@ejemplo.mx", Name: "José Núñez", Lang: lang}
				m, err := n.compose(c, u)
				if err != nil {
					t.Fatal(err)
				}
				if m.To != u.Email || m.Subject == "" || m.Text == "" || m.HTML == "" {
					t.Fatalf("message lacks a part: %+v", m)
				}
				wantLang := map[string]string{"es": `<html lang="es-MX">`, "en": `<html lang="en">`}[lang]
				if !strings.Contains(m.HTML, wantLang) {
					t.Errorf("the HTML is not in the %s layout", lang)
				}
				for _, part := range []string{m.Subject, m.Text, m.HTML} {
					if strings.Contains(part, "<no value>") || strings.Contains(part, "{{") {
						t.Errorf("unfilled template in:\n%s", part)
					}
				}
				got := "Subject: " + m.Subject + "\n\n" + m.Text + "\n----- HTML -----\n" + m.HTML
				golden(t, filepath.Join("testdata", "golden", n.kind+"."+lang+".txt"), got)
			})
		}
	}
}

// Every kind has a plain-text and an HTML template in both languages, and
// the English ones differ from the Spanish (none was left untranslated).
func TestNotificationTemplatesComplete(t *testing.T) {
	for _, kind := range []string{KindExamPassed, KindExamFailed, KindCertificateReissued, KindCertificateRevoked, KindCertificateReinstated} {
		for _, ext := range []string{".txt", ".html"} {
			es, errES := Templates.ReadFile("templates/" + kind + ".es" + ext)
			en, errEN := Templates.ReadFile("templates/" + kind + ".en" + ext)
			if errES != nil || errEN != nil {
				t.Errorf("%s%s: %v %v", kind, ext, errES, errEN)
				continue
			}
			if string(es) == string(en) {
				t.Errorf("%s%s: the English template is the Spanish one", kind, ext)
			}
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (run with -update and read the diff):\n%s", path, got)
	}
}
