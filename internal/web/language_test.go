package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"mxcert/internal/model"
)

// A person's e-mails are in the language they use the site in: the page's
// at registration, then the one they pick with the switch while signed
// in. A visitor's switch changes no account.
func TestPersonLanguage(t *testing.T) {
	env := newEnv(t)
	lang := func(email string) string {
		t.Helper()
		u, err := env.svc.DB.UserByEmail(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		return u.Lang
	}

	browser := env.client(t)
	browser.header.Set("Accept-Language", "en-US,en;q=0.9")
	browser.register("Ana López", "ana@ejemplo.mx", goodPassword)
	if got := lang("ana@ejemplo.mx"); got != model.LangEN {
		t.Errorf("registered from an English page: lang %q", got)
	}

	chose := env.client(t)
	chose.ip = "198.51.100.7"
	chose.header.Set("Accept-Language", "en-US,en;q=0.9")
	wantStatus(t, chose.post("/idioma", url.Values{"lang": {"es"}, "siguiente": {"/registro"}}), http.StatusSeeOther)
	chose.register("Luis Pérez", "luis@ejemplo.mx", goodPassword)
	if got := lang("luis@ejemplo.mx"); got != model.LangES {
		t.Errorf("registered after choosing Spanish over an English browser: lang %q", got)
	}

	wantStatus(t, chose.post("/idioma", url.Values{"lang": {"en"}, "siguiente": {"/cuenta"}}), http.StatusSeeOther)
	if got := lang("luis@ejemplo.mx"); got != model.LangEN {
		t.Errorf("after switching to English while signed in: lang %q", got)
	}
	wantStatus(t, chose.post("/salir", nil), http.StatusSeeOther)
	wantStatus(t, chose.post("/idioma", url.Values{"lang": {"es"}}), http.StatusSeeOther)
	if got := lang("luis@ejemplo.mx"); got != model.LangEN {
		t.Errorf("a signed-out switch changed the account: lang %q", got)
	}
}
