package web

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a set of token buckets, one per key (an IP address or an
// account), with eviction of idle keys so memory stays bounded. Time comes
// from an injectable clock so tests can move it.
type limiter struct {
	every time.Duration // one token is added this often
	burst int
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxKeys bounds the table; past it, idle keys are swept at once.
const maxKeys = 100_000

func newLimiter(every time.Duration, burst int, now func() time.Time) *limiter {
	return &limiter{every: every, burst: burst, now: now, buckets: map[string]*bucket{}}
}

// allow takes a token for key. When none is left it reports how long until
// the next one.
func (l *limiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute {
		l.sweep(now)
	}
	if len(l.buckets) >= maxKeys {
		// Many distinct addresses at once (a crowd or an attack): sweep at
		// most once a second, and if every bucket is still in use, forget
		// a tenth of them at random rather than scan the table on every
		// request.
		if now.Sub(l.lastSweep) > time.Second {
			l.sweep(now)
		}
		if len(l.buckets) >= maxKeys {
			n := maxKeys / 10
			for k := range l.buckets {
				delete(l.buckets, k)
				if n--; n == 0 {
					break
				}
			}
		}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops buckets idle long enough to be full again: forgetting them
// changes nothing.
func (l *limiter) sweep(now time.Time) {
	full := l.every * time.Duration(l.burst)
	for k, b := range l.buckets {
		if now.Sub(b.seen) > full {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}

// limits are the site's rate limits.
type limits struct {
	// Sign-in attempts per IP address. Failures per account and address
	// are the accounts service's lockout, which only the address that
	// fails waits for.
	loginIP    *limiter
	registerIP *limiter // new accounts per IP address
	lookupIP   *limiter // public certificate look-ups per IP address
	// The current-password check of a password change, per account and
	// per IP address: each one is a slow hash, and a stolen session must
	// not be a way to guess the password at the server's pace.
	passwordUser *limiter
	passwordIP   *limiter
	practiceUser *limiter // practice sessions started per candidate
	// New confirmation links, per account and per IP address: each one is
	// a message to a mailbox.
	verifyUser *limiter
	verifyIP   *limiter
	// «¿Olvidaste tu contraseña?» and the new-password form per IP
	// address; and reset links per address asked for, so that nobody can
	// fill a mailbox with them (past it, the same neutral page, no mail).
	resetIP    *limiter
	resetEmail *limiter
	// The directory's searches, state and listing pages and its API, per
	// IP address: generous for people, a wall for scrapers.
	directoryIP *limiter
	// Listing edits (save, publish, delete) per account.
	listingUser *limiter
}

func newLimits(now func() time.Time) *limits {
	return &limits{
		// A school lab or an internet café shares one address: generous.
		loginIP:      newLimiter(6*time.Second, 20, now),
		registerIP:   newLimiter(3*time.Minute, 10, now),
		lookupIP:     newLimiter(time.Second, 30, now),
		passwordUser: newLimiter(time.Minute, 5, now),
		passwordIP:   newLimiter(30*time.Second, 10, now),
		// Starting practice writes a session and its questions: a person
		// studying starts a few an hour; a script starting hundreds is
		// slowed to one every half minute.
		practiceUser: newLimiter(30*time.Second, 20, now),
		verifyUser:   newLimiter(10*time.Minute, 3, now),
		verifyIP:     newLimiter(time.Minute, 10, now),
		resetIP:      newLimiter(30*time.Second, 10, now),
		resetEmail:   newLimiter(10*time.Minute, 3, now),
		// A person browsing reads a few pages a minute; a shared address
		// (a school) gets a burst of 60 and then two a second.
		directoryIP: newLimiter(500*time.Millisecond, 60, now),
		// Editing a listing: a few saves in a sitting, then one a minute.
		listingUser: newLimiter(time.Minute, 10, now),
	}
}
