package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"mxcert/internal/fail"
	"mxcert/internal/model"
)

// While the hashing memory is all in use, every use case that hashes
// waits a short while and then says the server is busy, for known and
// unknown e-mails alike; once memory is free again they all work.
func TestHashingWaitsForMemoryThenSaysBusy(t *testing.T) {
	// Room for exactly one hash, and a wait that cannot succeed while the
	// test holds that room.
	e := newEnvWith(t, Config{Hash: cheapHash, HashMemory: 3 * int64(cheapHash.Memory) << 10, HashWait: 10 * time.Millisecond})
	ctx := context.Background()
	u := e.register(t, "Ana López", "ana@ejemplo.mx")
	token := e.signIn(t, u, "")

	release, err := e.svc.hasher.acquire(ctx, cheapHash.Memory)
	if err != nil {
		t.Fatal(err)
	}
	uses := []struct {
		name string
		run  func() error
	}{
		{"sign-in", func() error {
			_, err := e.svc.Authenticate(ctx, "ana@ejemplo.mx", goodPassword, "192.0.2.10")
			return err
		}},
		{"sign-in with an unknown e-mail", func() error {
			_, err := e.svc.Authenticate(ctx, "nadie@ejemplo.mx", goodPassword, "192.0.2.10")
			return err
		}},
		{"registration", func() error {
			_, err := e.svc.Register(ctx, Registration{Name: "Luis Pérez", Email: "luis@ejemplo.mx", Password: goodPassword, State: "Oaxaca"})
			return err
		}},
		{"account made on the command line", func() error {
			_, err := e.svc.CreateUser(ctx, Registration{Name: "Rosa Pérez", Email: "rosa@mxos.mx", Password: goodPassword}, model.RoleAdmin)
			return err
		}},
		{"password change", func() error {
			_, err := e.svc.ChangePassword(ctx, u.ID, goodPassword, "otra frase larga y segura", token, "192.0.2.10")
			return err
		}},
	}
	for _, use := range uses {
		t.Run(use.name+" while busy", func(t *testing.T) {
			err := use.run()
			if !errors.Is(err, ErrBusy) || !errors.Is(err, fail.ErrUnavailable) {
				t.Errorf("err = %v, want ErrBusy (unavailable)", err)
			}
		})
	}
	if n, err := e.db.CountUsers(ctx, model.RoleCandidate); err != nil || n != 1 {
		t.Errorf("%d candidates after busy registrations, %v", n, err)
	}

	release()
	for _, use := range uses {
		t.Run(use.name+" once free", func(t *testing.T) {
			err := use.run()
			if use.name == "sign-in with an unknown e-mail" {
				if !errors.Is(err, ErrBadCredentials) {
					t.Errorf("err = %v, want ErrBadCredentials", err)
				}
				return
			}
			if err != nil {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// A visitor who leaves while waiting gets the context's error, not
// ErrBusy: nobody is left to tell.
func TestHashingWaitEndsWithTheRequest(t *testing.T) {
	e := newEnvWith(t, Config{Hash: cheapHash, HashMemory: 3 * int64(cheapHash.Memory) << 10, HashWait: time.Hour})
	e.register(t, "Ana López", "ana@ejemplo.mx")
	release, err := e.svc.hasher.acquire(context.Background(), cheapHash.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.svc.Authenticate(ctx, "ana@ejemplo.mx", goodPassword, "192.0.2.10"); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// A stored hash dearer than the whole budget (made with other costs, or a
// budget set too small) still runs, alone, instead of waiting forever.
func TestHashDearerThanTheBudgetRunsAlone(t *testing.T) {
	e := newEnvWith(t, Config{Hash: cheapHash, HashMemory: int64(cheapHash.Memory) << 10, HashWait: time.Hour})
	e.register(t, "Ana López", "ana@ejemplo.mx")
	if _, err := e.svc.Authenticate(context.Background(), "ana@ejemplo.mx", goodPassword, "192.0.2.10"); err != nil {
		t.Fatal(err)
	}
	if got := e.svc.hasher.cost(OWASPParams.Memory); got != e.svc.hasher.budget {
		t.Errorf("an OWASP hash costs %d KiB of a budget of %d KiB", got, e.svc.hasher.budget)
	}
}

// The default budget holds four hashes with OWASP's costs.
func TestDefaultBudget(t *testing.T) {
	h := newHasher(OWASPParams, 0, 0)
	if n := h.budget / h.cost(OWASPParams.Memory); n != 4 {
		t.Errorf("the default budget holds %d hashes with OWASP's costs, want 4", n)
	}
	if h.wait != DefaultHashWait {
		t.Errorf("wait %v, want %v", h.wait, DefaultHashWait)
	}
}
