package fail

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	stale := New(ErrConflict, "the question changed after the page was shown")
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"nil", nil, nil},
		{"a fault of ours", errors.New("disk full"), nil},
		{"a kind itself", ErrNotFound, ErrNotFound},
		{"a named error of a kind", stale, ErrConflict},
		{"wrapped with context", fmt.Errorf("save answer 3 of attempt x: %w", stale), ErrConflict},
		{"joined with a fault", errors.Join(fmt.Errorf("lookup: %w", ErrNotFound), errors.New("log failed")), ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := KindOf(tc.err); got != tc.want {
				t.Errorf("KindOf(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if stale.Error() != "the question changed after the page was shown" {
		t.Errorf("a named error keeps its own message: %q", stale)
	}
}
