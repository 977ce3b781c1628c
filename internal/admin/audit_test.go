package admin

import (
	"context"
	"fmt"
	"testing"

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
