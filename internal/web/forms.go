package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"mxcert/internal/account"
)

// maxBody is the largest request body accepted: forms and autosaves are a
// few kilobytes.
const maxBody = 64 << 10

// parseForm reads a posted form: a body over maxBody is a 413, anything
// unreadable or not UTF-8 is a 400.
func parseForm(c *gin.Context) error {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBody)
	if err := c.Request.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errTooLarge
		}
		return errBadRequest
	}
	for _, vs := range c.Request.PostForm {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return errBadRequest
			}
		}
	}
	return nil
}

// formView is the state of a form shown again after a mistake: the values
// typed (never passwords) and a message id per field.
type formView struct {
	Values map[string]string
	Errors map[string]string
}

func newForm() formView { return formView{Values: map[string]string{}, Errors: map[string]string{}} }

// Value is what the person typed in a field.
func (f formView) Value(field string) string { return f.Values[field] }

// Error is the message id of a field's problem, or "".
func (f formView) Error(field string) string { return f.Errors[field] }

// HasErrors reports whether any field has a problem.
func (f formView) HasErrors() bool { return len(f.Errors) > 0 }

// fieldErrors turns the account package's problems into message ids.
func fieldErrors(err error, f formView) bool {
	var ve *account.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for field, p := range ve.Fields {
		f.Errors[field] = "problem." + string(p)
	}
	return true
}

// problem is one error as the error summary lists it.
type problem struct {
	Field   string // id of the input it is about, for the summary's link; "" for the whole form
	Message string // already translated
}

// report adds f's errors to the page's error summary in the order the
// fields appear on the page. Each field is its form key, or "key#input-id"
// when the input's id differs from the key (a page with two forms).
func (b *base) report(f formView, fields ...string) {
	for _, field := range fields {
		key, id, found := strings.Cut(field, "#")
		if !found {
			id = key
		}
		if msg := f.Error(key); msg != "" {
			b.fail(id, msg)
		}
	}
}

// fail adds one problem to the page's error summary: field is the id of
// the input it is about ("" if none), msgID and kv its message.
func (b *base) fail(field, msgID string, kv ...any) {
	b.Problems = append(b.Problems, problem{Field: field, Message: b.T(msgID, kv...)})
}

func postValue(c *gin.Context, key string) string {
	return strings.TrimSpace(c.Request.PostForm.Get(key))
}
