package account

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"mxcert/internal/model"
)

func (e *env) signIn(t *testing.T, u *model.User, previous string) string {
	t.Helper()
	token, err := e.svc.StartSession(context.Background(), u.ID, previous, "Mozilla/5.0 (Android 14)", "192.0.2.10")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// signedIn reports whether the token resolves to u; any error other than
// ErrNoSession fails the test.
func (e *env) signedIn(t *testing.T, token string, u *model.User) bool {
	t.Helper()
	got, err := e.svc.Resolve(context.Background(), token)
	if errors.Is(err, ErrNoSession) {
		return false
	}
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if got.ID != u.ID {
		t.Fatalf("the token resolves to account %d, want %d", got.ID, u.ID)
	}
	return true
}

func (e *env) sessions(t *testing.T, u *model.User) int {
	t.Helper()
	n, err := e.db.CountUserSessions(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSessionTokens(t *testing.T) {
	e := newEnv(t)
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	first := e.signIn(t, u, "")
	if len(first) < 40 {
		t.Errorf("token %q is too short to guess-proof", first)
	}
	if !e.signedIn(t, first, u) {
		t.Fatal("a new session does not resolve")
	}
	// Signing in again from the same browser renews the token: the old
	// one (which someone may have planted) stops working.
	second := e.signIn(t, u, first)
	if second == first || e.signedIn(t, first, u) || !e.signedIn(t, second, u) {
		t.Errorf("sign-in did not renew the token")
	}
	for _, tc := range []struct{ name, token string }{
		{"empty", ""},
		{"forged", strings.Repeat("A", len(second))},
		{"oversized", second + strings.Repeat("x", 100)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if u, err := e.svc.Resolve(context.Background(), tc.token); !errors.Is(err, ErrNoSession) || u != nil {
				t.Errorf("Resolve = %+v, %v; want ErrNoSession", u, err)
			}
		})
	}
	if err := e.svc.SignOut(context.Background(), second, "192.0.2.10"); err != nil {
		t.Fatal(err)
	}
	if e.signedIn(t, second, u) || e.sessions(t, u) != 0 {
		t.Error("signing out left the session")
	}
}

// Activity keeps a session alive; IdleTimeout without it ends the session.
func TestSessionIdleTimeout(t *testing.T) {
	e := newEnv(t)
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	token := e.signIn(t, u, "")
	start := e.clock.Now()
	for range 4 { // six hours of activity, never idle for long
		e.clock.Advance(IdleTimeout - 30*time.Minute)
		if !e.signedIn(t, token, u) {
			t.Fatalf("an active session ended after %v", e.clock.Now().Sub(start))
		}
	}
	e.clock.Advance(IdleTimeout) // exactly the limit: still alive
	if !e.signedIn(t, token, u) {
		t.Fatal("the session ended at exactly IdleTimeout")
	}
	e.clock.Advance(IdleTimeout + time.Second)
	if e.signedIn(t, token, u) {
		t.Fatal("the session survived longer than IdleTimeout idle")
	}
	if n := e.sessions(t, u); n != 0 {
		t.Errorf("%d sessions left after the idle one ended", n)
	}
}

// However active, a session ends AbsoluteTimeout after sign-in.
func TestSessionAbsoluteTimeout(t *testing.T) {
	e := newEnv(t)
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	token := e.signIn(t, u, "")
	step := IdleTimeout - time.Minute
	elapsed := time.Duration(0)
	for elapsed+step <= AbsoluteTimeout {
		e.clock.Advance(step)
		elapsed += step
		if !e.signedIn(t, token, u) {
			t.Fatalf("an active session ended after %v, before AbsoluteTimeout", elapsed)
		}
	}
	e.clock.Advance(AbsoluteTimeout - elapsed) // exactly the limit: still alive
	if !e.signedIn(t, token, u) {
		t.Fatal("the session ended at exactly AbsoluteTimeout")
	}
	e.clock.Advance(time.Minute)
	if e.signedIn(t, token, u) {
		t.Fatal("an active session outlived AbsoluteTimeout")
	}
	// Signing in again starts a new session with a new limit.
	if fresh := e.signIn(t, u, token); !e.signedIn(t, fresh, u) {
		t.Error("a new sign-in after the limit does not work")
	}
}

// Sweep removes sessions that ended while nobody came back to them.
func TestSweepRemovesExpiredSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	e.signIn(t, u, "") // abandoned
	e.clock.Advance(IdleTimeout / 2)
	live := e.signIn(t, u, "")
	e.clock.Advance(IdleTimeout/2 + time.Minute) // the first is idle past the limit, the second is not
	n, err := e.svc.Sweep(ctx)
	if err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 removed", n, err)
	}
	if !e.signedIn(t, live, u) || e.sessions(t, u) != 1 {
		t.Error("Sweep removed a live session")
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := e.register(t, "Luis Pérez", "luis@ejemplo.mx")
	phone := e.signIn(t, u, "")
	laptop := e.signIn(t, u, "")
	const next = "otra frase larga y segura"

	for _, tc := range []struct {
		name, current, next string
		want                map[string]Problem
	}{
		{"wrong current password", "no es la contraseña", next, map[string]Problem{"current": PasswordWrong}},
		{"new one too short", goodPassword, "corta", map[string]Problem{"new": PasswordShort}},
		{"new one common", goodPassword, "Contraseña123", map[string]Problem{"new": PasswordCommon}},
		{"new one is the e-mail", goodPassword, "luis@ejemplo.mx", map[string]Problem{"new": PasswordPersonal}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.svc.ChangePassword(ctx, u.ID, tc.current, tc.next, laptop, "192.0.2.10")
			if got := problems(t, err); !maps.Equal(got, tc.want) {
				t.Errorf("problems %v, want %v", got, tc.want)
			}
			if !e.signedIn(t, phone, u) || !e.signedIn(t, laptop, u) {
				t.Error("a refused change ended a session")
			}
		})
	}
	if _, err := e.svc.Authenticate(ctx, "luis@ejemplo.mx", goodPassword, "192.0.2.10"); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}

	// The change, from the laptop: the phone (perhaps a thief's) is signed out.
	e.clock.Advance(time.Hour)
	if err := e.svc.ChangePassword(ctx, u.ID, goodPassword, next, laptop, "192.0.2.10"); err != nil {
		t.Fatal(err)
	}
	if e.signedIn(t, phone, u) {
		t.Error("the other session survived the password change")
	}
	if !e.signedIn(t, laptop, u) {
		t.Error("the session that made the change was ended")
	}
	if _, err := e.svc.Authenticate(ctx, "luis@ejemplo.mx", goodPassword, "192.0.2.10"); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("the old password still works: %v", err)
	}
	if got, err := e.svc.Authenticate(ctx, "luis@ejemplo.mx", next, "192.0.2.10"); err != nil || got.ID != u.ID {
		t.Errorf("the new password does not work: %+v, %v", got, err)
	}
	if stored, _ := e.db.UserByID(ctx, u.ID); !stored.PasswordChangedAt.Equal(e.clock.Now()) {
		t.Errorf("password changed at %v, want %v", stored.PasswordChangedAt, e.clock.Now())
	}
	entries := e.audit(t, "user.password_change")
	if len(entries) != 1 || entries[0].ActorID != u.ID || entries[0].Detail["other_sessions_ended"] != 1.0 {
		t.Errorf("user.password_change audit = %+v", entries)
	}
}
