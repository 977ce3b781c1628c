package clocktest

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFakeMovesOnlyWhenTold(t *testing.T) {
	c := New()
	if !c.Now().Equal(Start) {
		t.Fatalf("New().Now() = %v, want %v", c.Now(), Start)
	}
	c.Advance(90 * time.Minute)
	if want := Start.Add(90 * time.Minute); !c.Now().Equal(want) {
		t.Errorf("after Advance: %v, want %v", c.Now(), want)
	}
	c.Advance(-time.Hour)
	if want := Start.Add(30 * time.Minute); !c.Now().Equal(want) {
		t.Errorf("after a negative Advance: %v, want %v", c.Now(), want)
	}
	later := time.Date(2027, 1, 6, 9, 30, 0, 0, time.UTC)
	c.Set(later)
	if !c.Now().Equal(later) {
		t.Errorf("after Set: %v, want %v", c.Now(), later)
	}
	if got := At(later).Now(); !got.Equal(later) {
		t.Errorf("At(%v).Now() = %v", later, got)
	}
}

// The race detector checks that readers on other goroutines may use the
// clock while the test moves it.
func TestFakeIsSafeForConcurrentUse(t *testing.T) {
	c := New()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				c.Now()
			}
		})
	}
	for range 1000 {
		c.Advance(time.Second)
	}
	wg.Wait()
	if want := Start.Add(1000 * time.Second); !c.Now().Equal(want) {
		t.Errorf("after 1000 one-second steps: %v, want %v", c.Now(), want)
	}
}

func TestWaitForReturnsOnceTheConditionHolds(t *testing.T) {
	var n atomic.Int32
	go func() {
		for range 3 {
			n.Add(1)
		}
	}()
	WaitFor(t, time.Minute, "three increments", func() bool { return n.Load() == 3 })
}

// recorder is a testing.TB whose Fatalf records the message and stops the
// goroutine, as the real one does.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestWaitForFailsAtTheDeadline(t *testing.T) {
	r := &recorder{TB: t}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		WaitFor(r, 30*time.Millisecond, "a condition that never holds", func() bool { return false })
	}()
	<-done
	if want := "waited 30ms for a condition that never holds"; r.msg != want {
		t.Errorf("failure message %q, want %q", r.msg, want)
	}
	if waited := time.Since(start); waited < 30*time.Millisecond {
		t.Errorf("gave up after %v, before the deadline", waited)
	}
}
