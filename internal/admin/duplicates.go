package admin

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"mxcert/internal/fold"
	"mxcert/internal/model"
)

// duplicatesPage is how many groups one page of the duplicates report
// shows.
const duplicatesPage = 20

// NameKey is the form in which two spellings of one legal name meet:
// without accents, in lower case, with runs of spaces folded. "José
// Núñez" and "jose  NUNEZ" have one key.
func NameKey(name string) string {
	return strings.Join(fold.Words(name), " ")
}

// EmailKey is the form in which the addresses of one mailbox meet: lower
// case, without a "+tag" in the local part, and for Gmail without dots
// and with googlemail.com read as gmail.com. An address without "@" is
// its own key.
func EmailKey(email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email
	}
	local, domain := email[:at], email[at+1:]
	if plus := strings.IndexByte(local, '+'); plus > 0 {
		local = local[:plus]
	}
	if domain == "gmail.com" || domain == "googlemail.com" {
		domain = "gmail.com"
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// DuplicateGroup is a set of accounts that are likely one person: each is
// linked to another of the group by the same name and state, or by
// addresses of one mailbox.
type DuplicateGroup struct {
	Accounts  []DuplicateAccount // oldest first
	SameName  bool               // linked by name and state
	SameEmail bool               // linked by e-mail
}

// DuplicateAccount is one account of a group, with what it holds.
type DuplicateAccount struct {
	model.User
	Activity model.Activity
}

// Duplicates is one page of the report.
type Duplicates struct {
	Groups []DuplicateGroup
	Total  int // groups in the whole report
	Page   int // 1-based
	Pages  int
}

// Duplicates finds the groups of open candidate accounts that are likely
// one person, newest registration first, and returns page (1-based) of
// them with each account's activity. Accounts with no state do not meet
// by name: a name alone is too common to suggest one person.
//
// It reads every open candidate's name, state and e-mail: the keys are
// computed here, not in SQL, because SQLite folds neither accents nor
// Gmail's dots. That is one pass over the accounts per view of an
// administrators' page, and only one page of groups is read further.
func (s *Service) Duplicates(ctx context.Context, page int) (*Duplicates, error) {
	var users []model.User
	if err := s.db.OpenCandidates(ctx, func(u model.User) error { users = append(users, u); return nil }); err != nil {
		return nil, err
	}
	groups := groupDuplicates(users)
	d := &Duplicates{Total: len(groups), Pages: max(1, (len(groups)+duplicatesPage-1)/duplicatesPage)}
	d.Page = min(max(page, 1), d.Pages)
	start := (d.Page - 1) * duplicatesPage
	d.Groups = groups[start:min(start+duplicatesPage, len(groups))]
	var ids []int64
	for _, g := range d.Groups {
		for _, a := range g.Accounts {
			ids = append(ids, a.ID)
		}
	}
	act, err := s.db.Activity(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, g := range d.Groups {
		for i := range g.Accounts {
			g.Accounts[i].Activity = act[g.Accounts[i].ID]
		}
	}
	return d, nil
}

// groupDuplicates links accounts that share a name-and-state key or an
// e-mail key, and returns the groups of two or more: accounts oldest
// first, groups by their newest account, newest first.
func groupDuplicates(users []model.User) []DuplicateGroup {
	parent := make([]int, len(users))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	byName, byEmail := map[string]int{}, map[string]int{}
	nameLinked, emailLinked := make([]bool, len(users)), make([]bool, len(users))
	link := func(seen map[string]int, key string, i int, linked []bool) {
		j, ok := seen[key]
		if !ok {
			seen[key] = i
			return
		}
		linked[i], linked[j] = true, true
		parent[find(i)] = find(j)
	}
	for i, u := range users {
		if u.State != "" {
			link(byName, NameKey(u.Name)+"\x00"+u.State, i, nameLinked)
		}
		link(byEmail, EmailKey(u.EmailNorm), i, emailLinked)
	}
	members := map[int][]int{}
	for i := range users {
		members[find(i)] = append(members[find(i)], i)
	}
	var out []DuplicateGroup
	for _, idx := range members {
		if len(idx) < 2 {
			continue
		}
		var g DuplicateGroup
		for _, i := range idx {
			g.Accounts = append(g.Accounts, DuplicateAccount{User: users[i]})
			g.SameName = g.SameName || nameLinked[i]
			g.SameEmail = g.SameEmail || emailLinked[i]
		}
		slices.SortFunc(g.Accounts, func(a, b DuplicateAccount) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b DuplicateGroup) int {
		na, nb := a.Accounts[len(a.Accounts)-1], b.Accounts[len(b.Accounts)-1]
		if c := nb.CreatedAt.Compare(na.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(nb.ID, na.ID)
	})
	return out
}
