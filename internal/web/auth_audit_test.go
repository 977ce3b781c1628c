package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mxcert/internal/admin"
	"mxcert/internal/model"
)

// auditOf returns the audit entries of an action, newest first.
func (e *testEnv) auditOf(t *testing.T, action model.Action) []model.AuditEntry {
	t.Helper()
	page, err := e.svc.Admin.Audit(context.Background(), admin.AuditQuery{Action: string(action)})
	if err != nil {
		t.Fatal(err)
	}
	return page.Entries
}

// Every authentication event is in the audit log with the account, the
// address and the time, and none holds a password or a session token.
func TestAuthenticationEventsAreAudited(t *testing.T) {
	env := newEnv(t)
	ana := env.client(t)
	ana.ip = "192.0.2.10"
	ana.register("Ana López", "ana@ejemplo.mx", goodPassword)
	found, err := env.svc.Admin.Search(context.Background(), "ana@ejemplo.mx")
	if err != nil || len(found) != 1 {
		t.Fatalf("search Ana: %+v, %v", found, err)
	}
	u := found[0].User
	attacker := env.client(t)
	attacker.ip = "198.51.100.66"
	var typed []string // every password typed, none of which may be logged
	for i := range 5 {
		pw := fmt.Sprintf("adivinanza número %d", i)
		typed = append(typed, pw)
		wantStatus(t, attacker.login("ana@ejemplo.mx", pw), http.StatusUnauthorized)
	}
	wantStatus(t, attacker.login("nadie@ejemplo.mx", "otra adivinanza"), http.StatusUnauthorized)
	typed = append(typed, "otra adivinanza")
	wantStatus(t, ana.post("/cuenta/contrasena", url.Values{"current": {"no me acuerdo bien"}, "new": {"otra frase muy segura"}}), http.StatusUnprocessableEntity)
	wantStatus(t, ana.post("/cuenta/contrasena", url.Values{"current": {goodPassword}, "new": {"otra frase muy segura"}}), http.StatusSeeOther)
	typed = append(typed, goodPassword, "no me acuerdo bien", "otra frase muy segura")
	token := ana.cookies[sessionCookie].Value
	wantStatus(t, ana.post("/salir", nil), http.StatusSeeOther)

	now := env.clock.Now()
	for _, tc := range []struct {
		action  model.Action
		n       int
		actor   int64 // 0: nobody proved who they were
		subject string
		detail  map[string]any // a subset of the newest entry's detail
	}{
		{model.ActionSignIn, 1, u.ID, "ana@ejemplo.mx", map[string]any{"ip": "192.0.2.10"}},
		{model.ActionSignInFailure, 6, 0, "unknown", map[string]any{"ip": "198.51.100.66"}},
		{model.ActionLockout, 1, 0, "ana@ejemplo.mx", map[string]any{"ip": "198.51.100.66", "user_id": float64(u.ID), "locked_seconds": 60.0}},
		{model.ActionPasswordChangeFailure, 1, u.ID, "ana@ejemplo.mx", map[string]any{"ip": "192.0.2.10"}},
		{model.ActionPasswordChange, 1, u.ID, "ana@ejemplo.mx", map[string]any{"ip": "192.0.2.10"}},
		{model.ActionSignOut, 1, u.ID, "ana@ejemplo.mx", map[string]any{"ip": "192.0.2.10"}},
	} {
		t.Run(string(tc.action), func(t *testing.T) {
			entries := env.auditOf(t, tc.action)
			if len(entries) != tc.n {
				t.Fatalf("%d entries, want %d: %+v", len(entries), tc.n, entries)
			}
			e := entries[0]
			if e.ActorID != tc.actor || e.Subject != tc.subject || !e.At.Equal(now) {
				t.Errorf("entry = %+v; want actor %d, subject %q, at %v", e, tc.actor, tc.subject, now)
			}
			for k, v := range tc.detail {
				if e.Detail[k] != v {
					t.Errorf("detail[%q] = %v, want %v (detail %v)", k, e.Detail[k], v, e.Detail)
				}
			}
		})
	}
	// The failures for Ana's account name it; the one for an unknown
	// e-mail names nothing that was typed.
	failures := env.auditOf(t, model.ActionSignInFailure)
	for _, e := range failures[1:] {
		if e.Subject != "ana@ejemplo.mx" || e.Detail["user_id"] != float64(u.ID) {
			t.Errorf("a failure for Ana's account: %+v", e)
		}
	}
	if _, ok := failures[0].Detail["user_id"]; ok || len(failures[0].Detail) != 1 {
		t.Errorf("the failure for an unknown e-mail: %+v", failures[0])
	}

	page, err := env.svc.Admin.Audit(context.Background(), admin.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		text := fmt.Sprint(e.Subject, e.Detail)
		for _, secret := range append(typed, token, "nadie@ejemplo.mx") {
			if strings.Contains(text, secret) {
				t.Errorf("%s entry holds %q: %s", e.Action, secret, text)
			}
		}
	}
}
