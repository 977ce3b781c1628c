package admin

import (
	"context"
	"strings"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

// auditPage is how many entries one page of the audit log shows.
const auditPage = 100

// AuditQuery narrows the audit log.
type AuditQuery struct {
	Action string // an exact action, or a prefix ending in "." ("certificate.")
	Person string // part of the actor's name or e-mail, or of the subject
	Before int64  // the Next of the page before; 0 for the newest entries
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Entries []model.AuditEntry
	Actions []string // every action in the log, for the filter
	Next    int64    // where the following page starts; 0 on the last page
}

// Audit reads one page of the audit log.
func (s *Service) Audit(ctx context.Context, q AuditQuery) (*AuditPage, error) {
	// One entry more than a page tells whether another page follows, so
	// the last page never offers an empty one after it.
	entries, err := s.db.Audit(ctx, store.AuditFilter{Action: q.Action, Person: strings.TrimSpace(q.Person), Limit: auditPage + 1, BeforeID: q.Before})
	if err != nil {
		return nil, err
	}
	p := &AuditPage{Entries: entries}
	if len(entries) > auditPage {
		p.Entries = entries[:auditPage]
		p.Next = p.Entries[auditPage-1].ID
	}
	if p.Actions, err = s.db.AuditActions(ctx); err != nil {
		return nil, err
	}
	return p, nil
}
