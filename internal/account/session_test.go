package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
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
			_, err := e.svc.ChangePassword(ctx, u.ID, tc.current, tc.next, laptop, "192.0.2.10")
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

	// The change, from the laptop: the phone (perhaps a thief's) is signed
	// out, and the laptop's session goes on under a new token, so that a
	// copy of its old cookie is worth nothing either.
	laptopID := e.currentSession(t, u, laptop).ID
	e.clock.Advance(time.Hour)
	fresh, err := e.svc.ChangePassword(ctx, u.ID, goodPassword, next, laptop, "192.0.2.10")
	if err != nil {
		t.Fatal(err)
	}
	if e.signedIn(t, phone, u) {
		t.Error("the other session survived the password change")
	}
	if fresh == laptop || e.signedIn(t, laptop, u) {
		t.Error("the token of the session that made the change was not replaced")
	}
	if !e.signedIn(t, fresh, u) {
		t.Fatal("the session that made the change was ended")
	}
	if got := e.currentSession(t, u, fresh); got.ID != laptopID || e.sessions(t, u) != 1 {
		t.Errorf("after the change: session %+v, %d sessions; want the laptop's (%s) alone", got, e.sessions(t, u), laptopID)
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

// currentSession is the open session that token names, as the account
// page lists it.
func (e *env) currentSession(t *testing.T, u *model.User, token string) OpenSession {
	t.Helper()
	list, err := e.svc.Sessions(context.Background(), u.ID, token)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Current {
			return s
		}
	}
	t.Fatalf("no current session among %+v", list)
	return OpenSession{}
}

// A person sees their open sessions, newest activity first, with the
// device and address, and ends any of them, or all but the one in use.
func TestOpenSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ana := e.register(t, "Ana López", "ana@ejemplo.mx")
	luis := e.register(t, "Luis Pérez", "luis@ejemplo.mx")
	start := func(ua, ip string) string {
		t.Helper()
		e.clock.Advance(time.Minute)
		token, err := e.svc.StartSession(ctx, ana.ID, "", ua, ip)
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	phone := start("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "192.0.2.10")
	laptop := start("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "198.51.100.20")
	cafe := start("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "203.0.113.5")
	luisToken := e.signIn(t, luis, "")
	e.clock.Advance(time.Hour)
	if !e.signedIn(t, phone, ana) { // activity: the phone is the most recent
		t.Fatal("the phone's session does not resolve")
	}

	list, err := e.svc.Sessions(ctx, ana.ID, laptop)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range list {
		got = append(got, fmt.Sprintf("%s en %s desde %s, actual %v", s.Device.Browser, s.Device.System, s.IP, s.Current))
	}
	want := []string{
		"Chrome en Android desde 192.0.2.10, actual false",
		"Edge en Windows desde 203.0.113.5, actual false",
		"Firefox en Linux desde 198.51.100.20, actual true",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("sessions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !list[0].LastSeenAt.Equal(e.clock.Now()) || list[0].ID == "" || list[0].ID == list[1].ID {
		t.Errorf("phone's session: %+v", list[0])
	}

	// The café's session is ended from the laptop; nobody else's can be.
	cafeID := list[1].ID
	if err := e.svc.EndSession(ctx, luis.ID, cafeID, "198.51.100.20"); !errors.Is(err, ErrUnknownSession) {
		t.Errorf("another account ending Ana's session: %v, want ErrUnknownSession", err)
	}
	for _, bad := range []string{"", "no-es-un-id", strings.Repeat("z", sessionIDLen)} {
		if err := e.svc.EndSession(ctx, ana.ID, bad, "198.51.100.20"); !errors.Is(err, ErrUnknownSession) {
			t.Errorf("ending session %q: %v, want ErrUnknownSession", bad, err)
		}
	}
	if err := e.svc.EndSession(ctx, ana.ID, cafeID, "198.51.100.20"); err != nil {
		t.Fatal(err)
	}
	if e.signedIn(t, cafe, ana) || !e.signedIn(t, phone, ana) || !e.signedIn(t, laptop, ana) || !e.signedIn(t, luisToken, luis) {
		t.Error("ending the café's session ended the wrong ones")
	}
	if err := e.svc.EndSession(ctx, ana.ID, cafeID, "198.51.100.20"); !errors.Is(err, ErrUnknownSession) {
		t.Errorf("ending it twice: %v", err)
	}

	// All the others, from the laptop.
	n, err := e.svc.EndOtherSessions(ctx, ana.ID, laptop, "198.51.100.20")
	if err != nil || n != 1 {
		t.Fatalf("EndOtherSessions = %d, %v; want the phone's", n, err)
	}
	if e.signedIn(t, phone, ana) || !e.signedIn(t, laptop, ana) || !e.signedIn(t, luisToken, luis) {
		t.Error("ending the other sessions ended the wrong ones")
	}
	if _, err := e.svc.EndOtherSessions(ctx, ana.ID, "", "198.51.100.20"); !errors.Is(err, ErrNoSession) {
		t.Errorf("without a session to keep: %v", err)
	}
	if !e.signedIn(t, laptop, ana) {
		t.Error("a call without a session to keep ended the laptop's")
	}

	entries := e.audit(t, "auth.sign_out")
	if len(entries) != 2 || entries[1].Detail["session"] != cafeID || entries[0].Detail["other_sessions_ended"] != 1.0 ||
		entries[0].Detail["ip"] != "198.51.100.20" || entries[0].ActorID != ana.ID {
		t.Errorf("auth.sign_out audit = %+v", entries)
	}
}

// Sessions that ended by themselves are not listed, even before the
// sweep removes them.
func TestExpiredSessionsAreNotListed(t *testing.T) {
	e := newEnv(t)
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	e.signIn(t, u, "")
	e.clock.Advance(IdleTimeout + time.Minute)
	live := e.signIn(t, u, "")
	list, err := e.svc.Sessions(context.Background(), u.ID, live)
	if err != nil || len(list) != 1 || !list[0].Current {
		t.Errorf("Sessions = %+v, %v; want the live one alone", list, err)
	}
}
