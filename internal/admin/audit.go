package admin

import (
	"context"
	"strings"
	"time"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

// auditPage is how many entries one page of the audit log shows.
const auditPage = 100

// AuditQuery narrows the audit log.
type AuditQuery struct {
	Action string    // an exact action, or a prefix ending in "." ("certificate.")
	Person string    // part of the actor's name or e-mail, or of the subject
	From   time.Time // entries at or after this instant, when set
	To     time.Time // entries before this instant, when set
	Before int64     // the Next of the page before; 0 for the newest entries
}

func (q AuditQuery) filter(limit int) store.AuditFilter {
	return store.AuditFilter{Action: q.Action, Person: strings.TrimSpace(q.Person), From: q.From, To: q.To, Limit: limit, BeforeID: q.Before}
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
	entries, err := s.db.Audit(ctx, q.filter(auditPage+1))
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

// exportBatch is how many entries the export reads at a time.
const exportBatch = 500

// ExportAudit hands every entry that q selects to fn, newest first,
// from the page q.Before names to the oldest: the whole filtered log, not
// one page of it.
func (s *Service) ExportAudit(ctx context.Context, q AuditQuery, fn func(model.AuditEntry) error) error {
	for {
		entries, err := s.db.Audit(ctx, q.filter(exportBatch))
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := fn(e); err != nil {
				return err
			}
		}
		if len(entries) < exportBatch {
			return nil
		}
		q.Before = entries[len(entries)-1].ID
	}
}
