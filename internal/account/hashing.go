package account

import (
	"context"
	"time"

	"golang.org/x/sync/semaphore"

	"mxcert/internal/fail"
)

// Defaults of the hashing limits (Config).
const (
	// DefaultHashMemory is the memory all password hashing may use at
	// once: with OWASP's costs, four hashes at a time, which keep two
	// cores busy.
	DefaultHashMemory = 256 << 20 // bytes
	// DefaultHashWait is how long a request waits for its turn to hash
	// before it is told to come back later. A school lab signing in at
	// once waits well under it.
	DefaultHashWait = 3 * time.Second
)

// ErrBusy is a password check or hash that could not start within the
// wait because the hashing memory was all in use: the visitor is asked to
// try again shortly (a 503), the server does not run out of memory.
var ErrBusy = fail.New(fail.ErrUnavailable, "too many password checks at once")

// hasher runs Argon2id, which is memory-hard on purpose (19 MiB per hash
// with OWASP's costs), within a memory budget: each hash holds a share of
// the budget while it runs, and waits at most wait for one.
//
// A hash is counted at three times its memory, because Go gives its
// 19 MiB back only after a garbage collection: the collector lets the heap
// grow to twice what was live when it last ran (the running hashes), and
// hashes that start while it marks take fresh memory, up to as much again.
// Counted twice, a budget of 256 MiB let the flood test's server reach
// 393 MB; counted three times, it stays near the budget (docs/PERFORMANCE.md).
type hasher struct {
	params HashParams
	slots  *semaphore.Weighted
	budget int64 // KiB
	wait   time.Duration
}

func newHasher(params HashParams, memory int64, wait time.Duration) *hasher {
	if memory <= 0 {
		memory = DefaultHashMemory
	}
	if wait <= 0 {
		wait = DefaultHashWait
	}
	budget := max(memory>>10, 1)
	return &hasher{params: params, slots: semaphore.NewWeighted(budget), budget: budget, wait: wait}
}

// cost is the share of the budget a hash of memory KiB holds. A hash
// dearer than the whole budget runs alone.
func (h *hasher) cost(memory uint32) int64 {
	return min(3*int64(memory), h.budget)
}

// acquire waits for the share of a hash of memory KiB, at most h.wait and
// no longer than ctx lasts.
func (h *hasher) acquire(ctx context.Context, memory uint32) (release func(), err error) {
	n := h.cost(memory)
	wctx, cancel := context.WithTimeout(ctx, h.wait)
	defer cancel()
	if err := h.slots.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // the visitor left
		}
		return nil, ErrBusy
	}
	return func() { h.slots.Release(n) }, nil
}

// hash makes the stored form of a new password.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx, h.params.Memory)
	if err != nil {
		return "", err
	}
	defer release()
	return hashPassword(password, h.params)
}

// check compares a password with a stored hash, with the costs the hash
// records.
func (h *hasher) check(ctx context.Context, password, encoded string) (bool, error) {
	p, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	release, err := h.acquire(ctx, p.params.Memory)
	if err != nil {
		return false, err
	}
	defer release()
	return p.matches(password), nil
}
