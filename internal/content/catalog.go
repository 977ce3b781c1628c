// Package content turns the foundation's Markdown tree (certification tracks,
// study modules and question banks) into an immutable, validated Catalog, and
// explains every mistake it finds as a Finding with a file and a line.
//
// It knows nothing of HTTP or SQL. A Catalog is never modified after Load
// returns, so handlers share it without locks and a reload swaps it whole.
package content

import (
	"html/template"
	"time"

	"mxcert/internal/exam/quality"
)

// Catalog is every certification track found in a content directory.
type Catalog struct {
	Tracks  []*Track // sorted by ID
	Version string   // git commit or content hash; see Version
	// BankVersion is the version of the separate exam bank the exam pools
	// were read from (LoadDirWithBank), empty when they are the content's
	// own and Version covers them.
	BankVersion string
	LoadedAt    time.Time
	// Directory is the public directory's services, modes and languages
	// (directorio/servicios.yaml); empty, never nil, without that folder.
	Directory *Directory
}

// Versions are the versions of what an attempt is built from.
type Versions struct {
	Content string
	Bank    string // empty: the exam pools are part of the content
}

// Versions returns the catalog's content and bank versions.
func (c *Catalog) Versions() Versions { return Versions{Content: c.Version, Bank: c.BankVersion} }

// Track returns the track with the given id, or nil.
func (c *Catalog) Track(id string) *Track {
	for _, t := range c.Tracks {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// Track is one certification: its rules, description, modules and banks.
type Track struct {
	ID              string // folder name
	Title           string
	Version         string
	Language        string
	DescriptionHTML template.HTML
	SummaryHTML     template.HTML // the description's first paragraph
	Rules           ExamRules
	Certificate     CertificateRules

	Modules           []*Module   // in file-name order
	Pages             []*Page     // reference pages, in file-name order
	ExamQuestions     []*Question // exam pool, in file then source order
	PracticeQuestions []*Question // practice pool, never served in an exam

	byID       map[string]*Question
	thresholds quality.Thresholds // of the item-quality checks
	quality    quality.Analysis
}

// ExamRules are the timed exam's rules from certification.md.
type ExamRules struct {
	Duration    time.Duration
	Questions   int
	PassPercent int
	RetakeAfter time.Duration
	Blueprint   []DomainCount // in the order the file lists them
}

// DomainCount is one blueprint line: how many questions a domain contributes.
type DomainCount struct {
	Domain string
	Count  int
}

// CertificateRules are the rules for certificates of a track.
type CertificateRules struct {
	ValidForMonths int // 0: does not expire
}

// Module is a study module.
type Module struct {
	Slug       string // stable URL name: the file name without its order prefix
	File       string // path relative to the content directory
	Title      string
	Domain     string
	Objectives []string
	Minutes    int
	HTML       template.HTML
	Sections   []Section // its level-2 headings, for the table of contents
	Words      int
}

// Pool says which bank a question belongs to.
type Pool string

const (
	ExamPool     Pool = "exam"
	PracticePool Pool = "practice"
)

// Question is one item of a bank. Its ID is stable forever: attempts and
// statistics refer to it.
type Question struct {
	ID              string
	Domain          string
	Pool            Pool
	File            string
	Line            int
	StemHTML        template.HTML
	StemText        string // plain text of the stem, for search and checks
	Options         []Option
	ExplanationHTML template.HTML
	// Group is the question's enemy group ("" for none): an exam never
	// serves two questions of one group.
	Group string
	// MultiSelect marks a "select all that apply" question even when it
	// has a single correct option ({varias} in its heading).
	MultiSelect bool
	// FromBank says the question was read from the separate bank folder:
	// File is then relative to the bank, not to the content.
	FromBank bool

	check quality.Item // the question as the item-quality rules read it
}

// Place is where the question is written, "file:line", with files of the
// separate bank folder written BANK/…, as lint prints them.
func (q *Question) Place() string {
	return Finding{File: q.File, Line: q.Line, Bank: q.FromBank}.Place()
}

// Option is one answer option of a question.
type Option struct {
	HTML    template.HTML
	Text    string
	Correct bool
	Line    int
}

// Multiple reports whether the question is "select all that apply"
// (scored all-or-nothing): marked so, or with more than one correct option.
func (q *Question) Multiple() bool {
	if q.MultiSelect {
		return true
	}
	n := 0
	for _, o := range q.Options {
		if o.Correct {
			n++
		}
	}
	return n > 1
}

// Question returns the question of this track with the given id, from either
// pool, or nil.
func (t *Track) Question(id string) *Question { return t.byID[id] }

// Module returns the module with the given slug, or nil.
func (t *Track) Module(slug string) *Module {
	for _, m := range t.Modules {
		if m.Slug == slug {
			return m
		}
	}
	return nil
}

// Domains lists the blueprint's domains in order.
func (t *Track) Domains() []string {
	out := make([]string, len(t.Rules.Blueprint))
	for i, d := range t.Rules.Blueprint {
		out[i] = d.Domain
	}
	return out
}

// Pool returns the questions of one pool and domain, in source order.
func (t *Track) Pool(pool Pool, domain string) []*Question {
	src := t.ExamQuestions
	if pool == PracticePool {
		src = t.PracticeQuestions
	}
	var out []*Question
	for _, q := range src {
		if q.Domain == domain {
			out = append(out, q)
		}
	}
	return out
}

// ModulesFor returns the modules that teach a domain.
func (t *Track) ModulesFor(domain string) []*Module {
	var out []*Module
	for _, m := range t.Modules {
		if m.Domain == domain {
			out = append(out, m)
		}
	}
	return out
}

// StudyMinutes is the estimated study time of the whole track: the sum
// of its modules' minutes.
func (t *Track) StudyMinutes() int {
	n := 0
	for _, m := range t.Modules {
		n += m.Minutes
	}
	return n
}

// StudyHours is StudyMinutes in whole hours, rounded up: a track of 35
// minutes is announced as an hour of study, never as none.
func (t *Track) StudyHours() int { return (t.StudyMinutes() + 59) / 60 }

// DomainTitle is how people read a domain's name: the title of the first
// module that teaches it, or the id when no module does.
func (t *Track) DomainTitle(domain string) string {
	if ms := t.ModulesFor(domain); len(ms) > 0 {
		return ms[0].Title
	}
	return domain
}
