// Package clocktest is time for tests: a fake clock that tests move by hand,
// so that deadlines, cool-downs, session timeouts and certificate dates are
// tested without sleeping, and a wait for an asynchronous effect that polls
// its condition until a deadline instead of sleeping a guessed while.
//
// Only tests import it.
package clocktest

import (
	"sync"
	"testing"
	"time"
)

// Start is where a Fake made by New begins: an afternoon in Mexico City
// (18:00 UTC is noon there), away from midnight in both zones so that a
// date does not change with the zone it is shown in.
var Start = time.Date(2026, 11, 28, 18, 0, 0, 0, time.UTC)

// Fake is a clock that moves only when told. It is safe for concurrent
// use: servers read it from their own goroutines while the test moves it.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a fake clock showing Start.
func New() *Fake { return At(Start) }

// At returns a fake clock showing t.
func At(t time.Time) *Fake { return &Fake{t: t} }

// Now is the clock's time; pass the method value (c.Now) where code takes
// a func() time.Time.
func (c *Fake) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d (backward if d is negative).
func (c *Fake) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set puts the clock at t.
func (c *Fake) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// pollEvery is how often WaitFor looks at its condition.
const pollEvery = 5 * time.Millisecond

// WaitFor waits until cond is true, checking it every few milliseconds,
// and fails the test if it is still false after timeout. what says what
// was awaited, for the failure message. Use it for effects that happen on
// another goroutine or in another process; give a timeout far beyond the
// usual wait, because a busy machine is slow, not wrong.
//
// It calls t.Fatalf, so it must run on the test's goroutine.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(pollEvery)
	}
}
