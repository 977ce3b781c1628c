// Package admin owns what the foundation's console reads: the dashboard's
// figures, candidate search and a candidate's record, the item analysis
// of the exam bank, the exports and the audit log. It reads through
// internal/store and computes with internal/exam; the web layer renders
// what it returns and holds none of these rules.
package admin

import (
	"time"

	"mxcert/internal/attempt"
	"mxcert/internal/content"
	"mxcert/internal/store"
)

// Service answers the console's questions.
type Service struct {
	db       *store.DB
	catalog  func() *content.Catalog
	attempts *attempt.Service
	now      func() time.Time
	zone     *time.Location // where the foundation's weeks begin and end
}

// New returns the console's service. attempts scores stored attempts the
// way their candidates saw them; zone is the foundation's time zone.
func New(db *store.DB, catalog func() *content.Catalog, attempts *attempt.Service, now func() time.Time, zone *time.Location) *Service {
	return &Service{db: db, catalog: catalog, attempts: attempts, now: now, zone: zone}
}
