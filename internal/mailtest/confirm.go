package mailtest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mxcert/internal/store"
)

// ConfirmAndSignIn does what a person does after registering: opens the
// confirmation link of the last message queued for email in db, then signs
// in. web keeps the cookies; site is the server's address.
func ConfirmAndSignIn(t testing.TB, web *http.Client, site string, db *store.DB, email, password string) {
	t.Helper()
	mails, err := db.MailTo(context.Background(), email)
	if err != nil || len(mails) == 0 {
		t.Fatalf("no mail queued for %s: %v", email, err)
	}
	link := ""
	for _, f := range strings.Fields(mails[len(mails)-1].Text) {
		if u, err := url.Parse(f); err == nil && u.Path == "/correo/verificar" {
			link = u.RequestURI()
		}
	}
	if link == "" {
		t.Fatalf("no confirmation link in %q", mails[len(mails)-1].Text)
	}
	resp, err := web.Get(site + link)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmation link: %d", resp.StatusCode)
	}
	resp, err = web.PostForm(site+"/entrar", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in %s: %d", email, resp.StatusCode)
	}
}
