package account

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// The sign-in lockout counts failed passwords per account and source
// (an IP address; for IPv6, its /64, which one subscriber holds whole), so
// that only the source that fails waits: the owner, signing in from
// anywhere else, is never locked out by someone else's guesses.
const (
	// freeFailures is how many wrong passwords a source may type for an
	// account before it waits.
	freeFailures = 5
	// firstLockout is the first wait; every failure after it doubles
	// the wait, up to maxLockout.
	firstLockout = time.Minute
	maxLockout   = time.Hour
	// forgetAfter is how long a source's failures are remembered
	// without a new one.
	forgetAfter = 24 * time.Hour
	// maxLockoutKeys bounds the table (about 80 bytes a key).
	maxLockoutKeys = 100_000
)

// LockedOutError is a sign-in refused before its password was checked:
// its source failed too often for that account. RetryAfter is how long it
// still has to wait.
type LockedOutError struct {
	RetryAfter time.Duration
}

func (e *LockedOutError) Error() string {
	return fmt.Sprintf("too many failed sign-ins from this source; try again in %v", e.RetryAfter)
}

// lockoutKey names an account (by its normalised e-mail, known or not:
// the lockout must not tell them apart) and a source, hashed so that
// every key has the same small size whatever was typed.
func lockoutKey(emailNorm, ip string) [sha256.Size]byte {
	return sha256.Sum256([]byte(emailNorm + "\x00" + sourceOf(ip)))
}

// sourceOf is the part of an address that one party holds: the whole
// IPv4 address, or the /64 of an IPv6 one.
func sourceOf(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			return p.String()
		}
	}
	return addr.String()
}

// lockout is the table of failures. Time comes from the service's clock.
type lockout struct {
	now       func() time.Time
	mu        sync.Mutex
	entries   map[[sha256.Size]byte]strikes
	lastSweep time.Time
}

// strikes are one account and source's recent failures.
type strikes struct {
	failures int32
	pending  int32 // checks under way: a burst of guesses counts before it is answered
	last     int64 // the latest failure, Unix nanoseconds
	until    int64 // no check before this, Unix nanoseconds
}

func newLockout(now func() time.Time) *lockout {
	return &lockout{now: now, entries: map[[sha256.Size]byte]strikes{}}
}

// begin asks to check a password for key. It says no, with how long to
// wait, while the key is locked, or while the checks under way could
// themselves use up the tries left. A yes must be followed by end.
func (l *lockout) begin(key [sha256.Size]byte) (time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.entries[key]
	if ok && st.pending == 0 && now.UnixNano()-st.last > int64(forgetAfter) {
		st = strikes{}
	}
	if wait := time.Duration(st.until - now.UnixNano()); wait > 0 {
		return wait, false
	}
	// The checks under way count as failures until they are answered:
	// a burst gets the free tries left, and after a lock, one at a time.
	if st.pending >= max(freeFailures-st.failures, 1) {
		return time.Second, false
	}
	if !ok {
		l.makeRoom(now)
	}
	st.pending++
	l.entries[key] = st
	return 0, true
}

// outcome is how a password check that began ended.
type outcome int

const (
	checkFailed    outcome = iota // a wrong password: counts
	checkSucceeded                // the right one: the failures are forgotten
	checkUndecided                // busy or broken: counts neither way
)

// end records how a check ended and returns the wait it starts, if any:
// after freeFailures failures, firstLockout, doubling with each further
// failure up to maxLockout.
func (l *lockout) end(key [sha256.Size]byte, o outcome) time.Duration {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.entries[key]
	if !ok {
		return 0 // evicted under pressure while the check ran
	}
	st.pending--
	var wait time.Duration
	switch o {
	case checkSucceeded:
		st.failures, st.until = 0, 0
	case checkFailed:
		st.failures++
		st.last = now.UnixNano()
		if st.failures >= freeFailures {
			wait = min(firstLockout<<min(st.failures-freeFailures, 6), maxLockout)
			st.until = now.Add(wait).UnixNano()
		}
	}
	if st.failures == 0 && st.pending == 0 {
		delete(l.entries, key)
	} else {
		l.entries[key] = st
	}
	return wait
}

// makeRoom keeps the table under maxLockoutKeys: it forgets what has
// expired once a minute, and when the table is full anyway (a flood from
// many sources), what is not locked, then a tenth at random.
func (l *lockout) makeRoom(now time.Time) {
	full := len(l.entries) >= maxLockoutKeys
	if !full && now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, st := range l.entries {
		if st.pending == 0 && now.UnixNano()-st.last > int64(forgetAfter) {
			delete(l.entries, k)
		}
	}
	if len(l.entries) < maxLockoutKeys {
		return
	}
	for k, st := range l.entries {
		if st.pending == 0 && st.until <= now.UnixNano() {
			delete(l.entries, k)
		}
	}
	n := maxLockoutKeys / 10
	for k := range l.entries {
		if len(l.entries) < maxLockoutKeys-n {
			break
		}
		delete(l.entries, k)
	}
}
