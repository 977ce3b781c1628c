package exam

import "mxcert/internal/content"

// Result is the score of a finished attempt or simulacro.
type Result struct {
	Correct     int
	Total       int
	Percent     int // rounded down: 69.9 % does not pass a 70 % mark
	Passed      bool
	PassPercent int
	Domains     []DomainResult // in blueprint order
}

// DomainResult is the score within one domain.
type DomainResult struct {
	Domain  string
	Correct int
	Total   int
}

// MinDomainItems is the fewest questions of a domain whose result is read
// as a measurement. With fewer, one answer moves the domain's percentage
// by a quarter or more (one of 4 is 25 points), and chance alone often
// decides it: the result still points to what to study, but it is
// labelled indicative. The exam's pass or fail rests on the total.
const MinDomainItems = 5

// Indicative reports whether the domain had too few questions (fewer than
// MinDomainItems) for its result to be more than a pointer.
func (d DomainResult) Indicative() bool { return d.Total < MinDomainItems }

// AnyIndicative reports whether any of the rows is indicative.
func AnyIndicative(rows []DomainRow) bool {
	for _, r := range rows {
		if r.Indicative() {
			return true
		}
	}
	return false
}

// Percent of the domain's questions answered correctly.
func (d DomainResult) Percent() int {
	if d.Total == 0 {
		return 0
	}
	return d.Correct * 100 / d.Total
}

// Score scores items against answers (answers[i] belongs to items[i]; nil
// is unanswered, which is wrong). One point per question.
func Score(items []Item, answers [][]int, passPercent int, domainOrder []string) Result {
	res := Result{Total: len(items), PassPercent: passPercent}
	byDomain := map[string]*DomainResult{}
	for _, d := range domainOrder {
		res.Domains = append(res.Domains, DomainResult{Domain: d})
	}
	for i := range res.Domains {
		byDomain[res.Domains[i].Domain] = &res.Domains[i]
	}
	for i, it := range items {
		d := byDomain[it.Domain]
		if d == nil {
			res.Domains = append(res.Domains, DomainResult{Domain: it.Domain})
			// re-point the map: append may have moved the slice
			for j := range res.Domains {
				byDomain[res.Domains[j].Domain] = &res.Domains[j]
			}
			d = byDomain[it.Domain]
		}
		d.Total++
		if i < len(answers) && it.Correct(answers[i]) {
			d.Correct++
			res.Correct++
		}
	}
	if res.Total > 0 {
		res.Percent = res.Correct * 100 / res.Total
	}
	res.Passed = res.Total > 0 && res.Correct*100 >= passPercent*res.Total
	return res
}

// DomainRow is one domain of a result as people read it: the domain's
// title, and the module that teaches it, which is where to study after a
// weak score.
type DomainRow struct {
	DomainResult
	Title  string
	Module *content.Module // nil when no module teaches the domain
}

// DomainRows lists the domains that had questions, in the result's order,
// with their titles and modules in t. t is nil when the track has since
// left the content: the domain's id stands in for its title then.
func (r Result) DomainRows(t *content.Track) []DomainRow {
	var rows []DomainRow
	for _, d := range r.Domains {
		if d.Total == 0 {
			continue
		}
		row := DomainRow{DomainResult: d, Title: d.Domain}
		if t != nil {
			row.Title = t.DomainTitle(d.Domain)
			if ms := t.ModulesFor(d.Domain); len(ms) > 0 {
				row.Module = ms[0]
			}
		}
		rows = append(rows, row)
	}
	return rows
}
