package mail

import (
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

// Every account message renders from the shipped templates in both
// languages, as text and HTML, with its links to the site.
func TestAccountMessages(t *testing.T) {
	c := NewComposer(Templates, "https://certificacion.example/")
	for _, lang := range []string{"es", "en"} {
		for _, tc := range []struct {
			name  string
			make  func() (*model.Mail, error)
			links []string
		}{
			{"verify", wrap(c.VerifyEmail(lang, "ana@ejemplo.mx", "Ana Núñez", "tok", 48*time.Hour)), []string{"https://certificacion.example/correo/verificar?t=tok", "48"}},
			{"new address", wrap(c.ConfirmNewEmail(lang, "nueva@ejemplo.mx", "Ana Núñez", "tok", 48*time.Hour)), []string{"https://certificacion.example/correo/verificar?t=tok", "nueva@ejemplo.mx"}},
			{"address changed", wrap(c.EmailChanged(lang, "ana@ejemplo.mx", "Ana Núñez", "nueva@ejemplo.mx")), []string{"nueva@ejemplo.mx"}},
			{"reset", wrap(c.PasswordReset(lang, "ana@ejemplo.mx", "Ana Núñez", "tok", 30*time.Minute)), []string{"https://certificacion.example/contrasena/nueva?t=tok", "30", "https://certificacion.example/contrasena/olvide"}},
			{"password changed", wrap(c.PasswordChanged(lang, "ana@ejemplo.mx", "Ana Núñez")), []string{"https://certificacion.example/entrar", "https://certificacion.example/contrasena/olvide"}},
			{"account exists", wrap(c.AccountExists(lang, "ana@ejemplo.mx")), []string{"https://certificacion.example/entrar", "https://certificacion.example/contrasena/olvide"}},
		} {
			t.Run(lang+" "+tc.name, func(t *testing.T) {
				m, err := tc.make()
				if err != nil {
					t.Fatal(err)
				}
				subject, text, html := m.Subject, m.Text, m.HTML
				if subject == "" || html == "" {
					t.Errorf("subject %q, HTML %d bytes", subject, len(html))
				}
				for _, l := range tc.links {
					if !strings.Contains(text, l) {
						t.Errorf("text lacks %q:\n%s", l, text)
					}
				}
				if lang == "es" && !strings.Contains(subject+text, "Certificación") {
					t.Errorf("the Spanish message lacks accents: %q", subject)
				}
			})
		}
	}
}

// wrap defers a composed message to its subtest.
func wrap(m *model.Mail, err error) func() (*model.Mail, error) {
	return func() (*model.Mail, error) { return m, err }
}
