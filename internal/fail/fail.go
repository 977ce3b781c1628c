// Package fail names the kinds of failure that every layer of the platform
// speaks in: invalid, not found, conflict, forbidden, unavailable. A
// service's own errors are of one of these kinds, so the web layer maps any
// of them to a status, a page and a JSON reply in one place. It imports
// nothing of the project.
package fail

import "errors"

// The kinds of failure. Every error that a person can cause or be shown
// is of one of these kinds (errors.Is(err, ErrNotFound) holds for it), so
// that one table in the web layer turns any of them into a status, a page
// and a JSON reply, whatever service it came from. An error of no kind is
// a fault of ours: a 500, logged with its cause.
var (
	ErrInvalid     = errors.New("invalid")     // the input is not acceptable
	ErrNotFound    = errors.New("not found")   // no such thing, or not the caller's to see
	ErrConflict    = errors.New("conflict")    // the current state does not allow it
	ErrForbidden   = errors.New("forbidden")   // the caller may not do this
	ErrUnavailable = errors.New("unavailable") // busy or closing: try again later
)

// kindError is a named error of a kind: its own message, and errors.Is
// finds the kind through Unwrap.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// New returns a sentinel error with its own message that is of kind,
// one of the kinds above:
//
//	var ErrStale = fail.New(fail.ErrConflict, "the question changed after the page was shown")
func New(kind error, msg string) error { return &kindError{msg: msg, kind: kind} }

// KindOf is the kind of err, or nil when err is nil or of no kind.
func KindOf(err error) error {
	for _, k := range []error{ErrInvalid, ErrNotFound, ErrConflict, ErrForbidden, ErrUnavailable} {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}
