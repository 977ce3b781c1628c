package admin

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mxcert/internal/model"
	"mxcert/internal/store"
)

func TestAudit(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	staff := &model.User{Email: "admin@mxos.mx", EmailNorm: "admin@mxos.mx", Name: "Admin Fundación", PasswordHash: "x", Role: model.RoleAdmin}
	err := e.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateUser(staff); err != nil {
			return err
		}
		for i := range 150 {
			if err := tx.Audit(staff.ID, "certificate.revoke", fmt.Sprintf("cert-%03d", i), map[string]any{"reason": "prueba"}); err != nil {
				return err
			}
			if err := tx.Audit(0, "content.reload", fmt.Sprintf("v%03d", i), nil); err != nil {
				return err
			}
		}
		return tx.Audit(staff.ID, "certificate.reinstate", "cert-007", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		q     AuditQuery
		pages []int // entries on each page, following Next
	}{
		{"everything", AuditQuery{}, []int{100, 100, 100, 1}},
		{"one action", AuditQuery{Action: "certificate.revoke"}, []int{100, 50}},
		{"actions by prefix", AuditQuery{Action: "certificate."}, []int{100, 51}},
		{"exactly a page", AuditQuery{Action: "content.reload", Person: "v0"}, []int{100}},
		{"by the actor's name", AuditQuery{Person: " fundación "}, []int{100, 51}},
		{"by subject", AuditQuery{Person: "cert-007"}, []int{2}},
		{"an underscore matches itself only", AuditQuery{Action: "content_reload"}, []int{0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			var got []int
			seen := map[int64]bool{}
			for range 10 {
				p, err := e.svc.Audit(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, len(p.Entries))
				for i, entry := range p.Entries {
					if seen[entry.ID] {
						t.Errorf("entry %d on two pages", entry.ID)
					}
					seen[entry.ID] = true
					if i > 0 && entry.ID >= p.Entries[i-1].ID {
						t.Errorf("entries not newest first: %d after %d", entry.ID, p.Entries[i-1].ID)
					}
				}
				if len(p.Actions) != 3 {
					t.Errorf("actions for the filter = %v", p.Actions)
				}
				if p.Next == 0 {
					break
				}
				q.Before = p.Next
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.pages) {
				t.Errorf("pages of %v, want %v", got, tc.pages)
			}
		})
	}
}

// The log narrows to a range of instants, and the export hands over
// every entry of the filter, past the size of a page and of a batch.
func TestAuditDatesAndExport(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e.clock.Set(start)
	for day := range 3 {
		err := e.db.Transact(ctx, func(tx *store.Tx) error {
			for i := range 300 {
				if err := tx.Audit(0, model.ActionContentReload, fmt.Sprintf("d%d-%03d", day, i), nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(24 * time.Hour)
	}
	count := func(q AuditQuery) (page, all int) {
		t.Helper()
		p, err := e.svc.Audit(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		last := int64(1 << 62)
		err = e.svc.ExportAudit(ctx, q, func(entry model.AuditEntry) error {
			if entry.ID >= last {
				t.Errorf("export not newest first: %d after %d", entry.ID, last)
			}
			last = entry.ID
			all++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Entries), all
	}
	for _, tc := range []struct {
		name      string
		q         AuditQuery
		page, all int
	}{
		{"everything", AuditQuery{}, 100, 900},
		{"from the second day", AuditQuery{From: start.Add(time.Hour)}, 100, 600},
		{"before the second day", AuditQuery{To: start.Add(time.Hour)}, 100, 300},
		{"the second day only", AuditQuery{From: start.Add(time.Hour), To: start.Add(25 * time.Hour)}, 100, 300},
		{"from is inclusive", AuditQuery{From: start, To: start.Add(time.Millisecond)}, 100, 300},
		{"an empty range", AuditQuery{From: start.Add(time.Hour), To: start.Add(2 * time.Hour)}, 0, 0},
		{"dates and a person", AuditQuery{From: start.Add(time.Hour), Person: "d2-00"}, 10, 10},
	} {
		if page, all := count(tc.q); page != tc.page || all != tc.all {
			t.Errorf("%s: %d on the page, %d exported; want %d and %d", tc.name, page, all, tc.page, tc.all)
		}
	}
}
