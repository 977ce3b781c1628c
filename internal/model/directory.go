package model

import "time"

// The kinds of a listing's terms, ids from the content's
// directorio/servicios.yaml.
const (
	TermService  = "service"
	TermMode     = "mode"
	TermLanguage = "language"
)

// Contact is one way of reaching a technician: the value given and
// whether the person chose to show it.
type Contact struct {
	Value string
	Show  bool
}

// Listing is a technician's entry in the directory, as its owner sees
// and edits it.
type Listing struct {
	ID            int64
	UserID        int64
	ConsentAt     time.Time
	NoticeVersion string
	BusinessName  string
	State         string   // INEGI key of the entidad
	Municipios    []string // INEGI keys, in catalogue order
	Services      []string
	Modes         []string
	Languages     []string
	Description   string
	WhatsApp      Contact
	Phone         Contact
	Email         Contact
	Website       Contact
	Published     bool
	HiddenAt      *time.Time // hidden by the foundation
	HiddenReason  string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Hidden reports whether the foundation hid the listing.
func (l *Listing) Hidden() bool { return l.HiddenAt != nil }

// PublicListing is a listing as visitors see it: only while it is
// published, not hidden and its owner's certificate is valid now, with
// the name and the certificate of that moment and only the contact the
// person chose to show (a value not shown is empty here).
type PublicListing struct {
	ID           int64
	HolderName   string // from the certificate in force
	BusinessName string
	State        string
	Municipios   []string
	Services     []string
	Modes        []string
	Languages    []string
	Description  string
	WhatsApp     string
	Phone        string
	Email        string
	Website      string
	UpdatedAt    time.Time
	Certificate  ListingCertificate
	PartnerLevel string // the partner programme's level, "" for none
}

// ListingCertificate is what a listing shows of its owner's certificate:
// enough to link to its public verification page.
type ListingCertificate struct {
	ID         string
	Code       string
	TrackTitle string
	IssuedAt   time.Time
	ExpiresAt  *time.Time
}

// ListingRef names a visible listing: enough for a link to its page.
type ListingRef struct {
	ID           int64
	State        string
	HolderName   string
	BusinessName string
	UpdatedAt    time.Time
}
