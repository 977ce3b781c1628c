// Package directory is the public directory of certified technicians:
// listings (a person's opt-in entry, with consent to the privacy notice),
// the service taxonomy of the content and INEGI's municipalities (geo),
// search with its fair order (relevance, then a daily rotation), and the
// foundation's hiding of a listing. A listing is shown only while its
// owner's certificate is valid at the moment of the request: the store
// decides that at read time, so a revocation hides it at once.
package directory

import (
	"time"

	"mxcert/internal/content"
	"mxcert/internal/directory/geo"
	"mxcert/internal/fail"
	"mxcert/internal/mail"
	"mxcert/internal/store"
)

// NoticeVersion is the version of the directory's privacy notice (the
// page /aviso-de-privacidad). Change it when the notice changes in
// substance: a listing saved under an older one asks for consent again.
const NoticeVersion = "2026-01"

// Errors the web layer turns into pages.
var (
	// ErrNoCertificate: only a person whose certificate is valid now may
	// publish or edit a listing.
	ErrNoCertificate = fail.New(fail.ErrForbidden, "a valid certificate is needed to appear in the directory")
	ErrNoListing     = fail.New(fail.ErrNotFound, "no listing")
)

// Service is the directory's use cases.
type Service struct {
	db      *store.DB
	now     func() time.Time
	zone    *time.Location // the day of the rotation is the day here
	catalog func() *content.Catalog
	geo     *geo.Catalogue
	mail    *mail.Composer // nil: no messages (see NotifyWith)
}

// NotifyWith makes the service tell a technician by e-mail when the
// foundation approves or rejects one of their success stories, composed
// by c and queued in the transaction of the decision. Without it no
// message is queued.
func (s *Service) NotifyWith(c *mail.Composer) { s.mail = c }

// New returns the service. zone is where a day starts and ends for the
// daily rotation (America/Mexico_City).
func New(db *store.DB, now func() time.Time, zone *time.Location, catalog func() *content.Catalog) (*Service, error) {
	g, err := geo.Load()
	if err != nil {
		return nil, err
	}
	return &Service{db: db, now: now, zone: zone, catalog: catalog, geo: g}, nil
}

// Geo is INEGI's catalogue of states and municipalities.
func (s *Service) Geo() *geo.Catalogue { return s.geo }

// Lists are the content's services, modes and languages (empty lists
// when the content has no directorio/ folder).
func (s *Service) Lists() *content.Directory {
	if c := s.catalog(); c != nil && c.Directory != nil {
		return c.Directory
	}
	return &content.Directory{}
}
