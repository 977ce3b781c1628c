package certificate

import (
	"context"
	"errors"
	"strings"
	"testing"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

func mailTo(t *testing.T, s *Service, to string) []*model.Mail {
	t.Helper()
	ms, err := s.db.MailTo(context.Background(), to)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func wantParts(t *testing.T, m *model.Mail, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(m.Subject+"\n"+m.Text, s) {
			t.Errorf("message %q lacks %q:\n%s", m.Subject, s, m.Text)
		}
	}
	if m.HTML == "" {
		t.Errorf("message %q has no HTML part", m.Subject)
	}
}

// Each change to a certificate tells its holder once, in the transaction
// of the change, in their language: the issue (with the pass), a
// revocation with its reason and whom to write to, a reinstatement, and a
// name correction with the old and new codes. A refused change tells
// nobody.
func TestHoldersAreTold(t *testing.T) {
	ctx := context.Background()
	certs, u, a, _ := passedCandidate(t)
	cert, err := certs.ByAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	ms := mailTo(t, certs, u.Email)
	if len(ms) != 1 {
		t.Fatalf("%d messages after the pass, want 1", len(ms))
	}
	wantParts(t, ms[0], "Aprobaste", cert.Code, certs.VerifyURL(cert.Code), "https://certificacion.example/certificados/"+cert.ID)

	if _, err := certs.Revoke(ctx, 0, cert.Code, "Otra persona presentó el examen."); err != nil {
		t.Fatal(err)
	}
	if _, err := certs.Revoke(ctx, 0, cert.Code, "otra vez"); !errors.Is(err, ErrNoChange) {
		t.Fatalf("revoking twice: %v", err)
	}
	ms = mailTo(t, certs, u.Email)
	if len(ms) != 2 {
		t.Fatalf("%d messages after a revocation and a refused one, want 2", len(ms))
	}
	wantParts(t, ms[1], "revocado", cert.Code, "Motivo: Otra persona presentó el examen.", certs.VerifyURL(cert.Code), "certificacion@mxos.example")

	if _, err := certs.Reinstate(ctx, 0, cert.Code); err != nil {
		t.Fatal(err)
	}
	ms = mailTo(t, certs, u.Email)
	if len(ms) != 3 {
		t.Fatalf("%d messages after the reinstatement, want 3", len(ms))
	}
	wantParts(t, ms[2], "vuelve a ser válido", cert.Code, certs.VerifyURL(cert.Code))

	// The holder reads the site in English now.
	if err := certs.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetLang(u.ID, model.LangEN) }); err != nil {
		t.Fatal(err)
	}
	reissued, err := certs.CorrectName(ctx, 0, u.ID, "José Núñez")
	if err != nil || len(reissued) != 1 {
		t.Fatalf("CorrectName: %v %v", reissued, err)
	}
	if _, err := certs.CorrectName(ctx, 0, u.ID, "José Núñez"); !errors.Is(err, ErrNoChange) {
		t.Fatalf("the same name again: %v", err)
	}
	ms = mailTo(t, certs, u.Email)
	if len(ms) != 4 {
		t.Fatalf("%d messages after the name correction, want 4", len(ms))
	}
	fresh := reissued[0]
	wantParts(t, ms[3], "We corrected your name", `said "Jose Nunez" and now says "José Núñez"`,
		"Old code: "+cert.Code, "New code: "+fresh.Code, certs.VerifyURL(fresh.Code), "https://certificacion.example/certificados/"+fresh.ID)
	if !strings.Contains(ms[3].HTML, `<html lang="en">`) {
		t.Error("the correction's HTML is not in English")
	}
}
