package content

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity says whether a finding blocks the content (Error) or only asks an
// editor to take a look (Warning).
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "aviso"
	}
	return "error"
}

// Finding is one problem in the content, located at a file (slash-separated,
// relative to the content directory, or to the bank directory when Bank is
// set) and a 1-based line.
type Finding struct {
	Severity Severity
	File     string
	Line     int
	Message  string
	Bank     bool // the file is in the separate bank folder (--bank)
	// Detail quotes the bank (a word, a command) so that an editor finds
	// the problem at once. It may show exam content, so only mxcert lint
	// prints it: String leaves it out, and logs and pages use String or
	// Message.
	Detail string
}

// BankPrefix is written before the files of the separate bank folder, so
// that "BANK/x/questions/a.md" and the content's "x/questions/a.md" are
// never confused; BANK stands for the folder given with --bank.
const BankPrefix = "BANK/"

// Place is "path:line", the path with BankPrefix for a file of the bank.
func (f Finding) Place() string {
	file := f.File
	if f.Bank {
		file = BankPrefix + file
	}
	return fmt.Sprintf("%s:%d", file, f.Line)
}

// String formats the finding as "path:line: severity: message", the form
// editors and their CI read.
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Place(), f.Severity, f.Message)
}

// Report collects the findings of one load, in a stable order.
type Report struct {
	Findings []Finding
}

func (r *Report) add(sev Severity, file string, line int, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	r.Findings = append(r.Findings, Finding{Severity: sev, File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// withDetail sets the detail of the finding just added.
func (r *Report) withDetail(detail string) {
	r.Findings[len(r.Findings)-1].Detail = detail
}

func (r *Report) errorf(file string, line int, format string, args ...any) {
	r.add(Error, file, line, format, args...)
}

func (r *Report) warnf(file string, line int, format string, args ...any) {
	r.add(Warning, file, line, format, args...)
}

// Errors returns the findings that block the content.
func (r Report) Errors() []Finding { return r.filter(Error) }

// Warnings returns the findings that do not block the content.
func (r Report) Warnings() []Finding { return r.filter(Warning) }

// HasErrors reports whether any finding is an error.
func (r Report) HasErrors() bool { return len(r.Errors()) > 0 }

func (r Report) filter(sev Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == sev {
			out = append(out, f)
		}
	}
	return out
}

func (r *Report) sort() {
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(compareBool(a.Bank, b.Bank), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Severity, b.Severity), cmp.Compare(a.Message, b.Message))
	})
}

// compareBool orders false before true: the content's findings before the
// bank's.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func (r *Report) hasErrorsIn(file string) bool {
	for _, f := range r.Findings {
		if f.File == file && f.Severity == Error {
			return true
		}
	}
	return false
}
