package account

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	ownerIP    = "192.0.2.10"
	attackerIP = "198.51.100.66"
)

// wrongTries types n wrong passwords for email from ip, each refused as a
// bad password (not yet as a lockout).
func (e *env) wrongTries(t *testing.T, email, ip string, n int) {
	t.Helper()
	for i := range n {
		if _, err := e.svc.Authenticate(context.Background(), email, fmt.Sprintf("intento %d", i), ip); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("wrong try %d from %s: %v, want ErrBadCredentials", i+1, ip, err)
		}
	}
}

// lockedFor is how long ip must still wait to sign in to email, 0 if it
// may try now (and then it does, with the right password).
func (e *env) lockedFor(t *testing.T, email, ip string) time.Duration {
	t.Helper()
	_, err := e.svc.Authenticate(context.Background(), email, goodPassword, ip)
	var locked *LockedOutError
	if errors.As(err, &locked) {
		return locked.RetryAfter
	}
	if err != nil && !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("sign-in from %s: %v", ip, err)
	}
	return 0
}

// Five wrong passwords from one address make that address wait, and only
// that one: the owner signs in from another at once.
func TestOwnerGetsInAfterAnotherSourceFails(t *testing.T) {
	e := newEnv(t)
	ana := e.register(t, "Ana López", "ana@ejemplo.mx")
	e.wrongTries(t, "ana@ejemplo.mx", attackerIP, freeFailures)

	if wait := e.lockedFor(t, "ANA@ejemplo.mx", attackerIP); wait != firstLockout {
		t.Errorf("the attacker's address waits %v, want %v (even with the right password)", wait, firstLockout)
	}
	u, err := e.svc.Authenticate(context.Background(), "ana@ejemplo.mx", goodPassword, ownerIP)
	if err != nil || u.ID != ana.ID {
		t.Fatalf("the owner from another address: %+v, %v", u, err)
	}
	// The owner's own mistakes are counted apart from the attacker's.
	e.wrongTries(t, "ana@ejemplo.mx", ownerIP, freeFailures-1)
	if wait := e.lockedFor(t, "ana@ejemplo.mx", ownerIP); wait != 0 {
		t.Errorf("the owner waits %v after %d mistakes of her own", wait, freeFailures-1)
	}
}

// Each failure after the free ones doubles the wait, up to maxLockout; the
// right password forgets them all.
func TestLockoutGrowsWithEachFailure(t *testing.T) {
	e := newEnv(t)
	e.register(t, "Ana López", "ana@ejemplo.mx")
	e.wrongTries(t, "ana@ejemplo.mx", attackerIP, freeFailures)
	want := firstLockout
	for range 8 {
		if wait := e.lockedFor(t, "ana@ejemplo.mx", attackerIP); wait != want {
			t.Fatalf("wait %v, want %v", wait, want)
		}
		e.clock.Advance(want / 2)
		if wait := e.lockedFor(t, "ana@ejemplo.mx", attackerIP); wait != want/2 {
			t.Fatalf("halfway through: wait %v, want %v", wait, want/2)
		}
		e.clock.Advance(want / 2)
		e.wrongTries(t, "ana@ejemplo.mx", attackerIP, 1)
		want = min(2*want, maxLockout)
	}
	if want != maxLockout {
		t.Fatalf("the test never reached the longest wait: %v", want)
	}
	e.clock.Advance(maxLockout)
	if wait := e.lockedFor(t, "ana@ejemplo.mx", attackerIP); wait != 0 { // the right password
		t.Fatalf("after the longest wait: %v", wait)
	}
	e.wrongTries(t, "ana@ejemplo.mx", attackerIP, freeFailures-1)
	if wait := e.lockedFor(t, "ana@ejemplo.mx", attackerIP); wait != 0 {
		t.Errorf("a sign-in did not forget the earlier failures: wait %v", wait)
	}
}

// Failures are forgotten a day after the last one.
func TestFailuresAreForgotten(t *testing.T) {
	e := newEnv(t)
	e.register(t, "Ana López", "ana@ejemplo.mx")
	e.wrongTries(t, "ana@ejemplo.mx", attackerIP, freeFailures-1)
	e.clock.Advance(forgetAfter + time.Second)
	e.wrongTries(t, "ana@ejemplo.mx", attackerIP, freeFailures-1)
	if n := len(e.svc.lockout.entries); n != 1 {
		t.Errorf("%d entries in the lockout table, want 1", n)
	}
}

func TestLockoutSources(t *testing.T) {
	for _, tc := range []struct {
		name          string
		failing, next string
		shared        bool
	}{
		{"the same IPv4 address", "198.51.100.66", "198.51.100.66", true},
		{"another IPv4 address", "198.51.100.66", "198.51.100.67", false},
		{"an IPv4 address written as IPv6", "198.51.100.66", "::ffff:198.51.100.66", true},
		{"the same IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff::99", true},
		{"another IPv6 /64", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.register(t, "Ana López", "ana@ejemplo.mx")
			e.wrongTries(t, "ana@ejemplo.mx", tc.failing, freeFailures)
			if locked := e.lockedFor(t, "ana@ejemplo.mx", tc.next) > 0; locked != tc.shared {
				t.Errorf("after failures from %s, %s locked: %v, want %v", tc.failing, tc.next, locked, tc.shared)
			}
		})
	}
}

// An unknown e-mail is locked like a known one: the lockout does not tell
// whether an account exists.
func TestUnknownEmailsAreLockedAlike(t *testing.T) {
	e := newEnv(t)
	e.wrongTries(t, "nadie@ejemplo.mx", attackerIP, freeFailures)
	if wait := e.lockedFor(t, "nadie@ejemplo.mx", attackerIP); wait != firstLockout {
		t.Errorf("wait %v, want %v", wait, firstLockout)
	}
}

// A burst of guesses sent at once is checked no more than the free
// failures allow: the checks under way count before they are answered.
func TestBurstOfGuessesIsCountedBeforeItIsAnswered(t *testing.T) {
	e := newEnv(t)
	e.register(t, "Ana López", "ana@ejemplo.mx")
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		checked, other int
	)
	for i := range 40 {
		wg.Go(func() {
			_, err := e.svc.Authenticate(context.Background(), "ana@ejemplo.mx", fmt.Sprintf("intento %d", i), attackerIP)
			var locked *LockedOutError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrBadCredentials):
				checked++
			case !errors.As(err, &locked):
				other++
				t.Errorf("unexpected: %v", err)
			}
		})
	}
	wg.Wait()
	if checked > freeFailures || checked == 0 {
		t.Errorf("%d of 40 guesses sent at once were checked, want 1 to %d", checked, freeFailures)
	}
}

// Addresses longer than any account's never reach the lockout table nor
// the hash: a flood of them costs nothing.
func TestLongEmailsAreRefusedBeforeTheLockout(t *testing.T) {
	e := newEnvWith(t, Config{Hash: cheapHash, HashMemory: 3 * int64(cheapHash.Memory) << 10, HashWait: time.Millisecond})
	release, err := e.svc.hasher.acquire(context.Background(), cheapHash.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer release() // while it is held, anything that hashes says ErrBusy
	long := strings.Repeat("a", 60<<10) + "@ejemplo.mx"
	for i := range 1000 {
		if _, err := e.svc.Authenticate(context.Background(), fmt.Sprint(i, long), "intento", fmt.Sprintf("10.0.%d.%d", i/250, i%250)); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("sign-in %d with a 60 KB e-mail: %v, want ErrBadCredentials", i, err)
		}
	}
	if n := len(e.svc.lockout.entries); n != 0 {
		t.Errorf("%d entries in the lockout table", n)
	}
	at254 := strings.Repeat("a", EmailMax-len("@ejemplo.mx")) + "@ejemplo.mx"
	if _, err := e.svc.Authenticate(context.Background(), at254, "intento", attackerIP); !errors.Is(err, ErrBusy) {
		t.Errorf("an e-mail of exactly %d bytes: %v, want it checked (ErrBusy while the hash is held)", EmailMax, err)
	}
}

// However many sources fail, the table stays under maxLockoutKeys, and
// keys that are locked are the last to go.
func TestLockoutTableStaysBounded(t *testing.T) {
	e := newEnv(t)
	l := e.svc.lockout
	key := func(i int) [sha256.Size]byte {
		var k [sha256.Size]byte
		binary.BigEndian.PutUint64(k[:], uint64(i)) // #nosec G115 -- a test counter
		return k
	}
	locked := key(-1)
	for range freeFailures {
		if _, ok := l.begin(locked); !ok {
			t.Fatal("refused before the free failures were used")
		}
		l.end(locked, checkFailed)
	}
	for i := range maxLockoutKeys + maxLockoutKeys/2 {
		if _, ok := l.begin(key(i)); !ok {
			t.Fatalf("key %d refused", i)
		}
		l.end(key(i), checkFailed)
		if len(l.entries) > maxLockoutKeys {
			t.Fatalf("%d entries after %d keys", len(l.entries), i+1)
		}
	}
	if _, ok := l.begin(locked); ok {
		t.Error("the locked key was forgotten to make room")
	}
}
