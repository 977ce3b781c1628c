package model

import "time"

// StoryStatus is where a success story is in its moderation.
type StoryStatus string

const (
	StoryPending  StoryStatus = "pending"
	StoryApproved StoryStatus = "approved" // shown while its listing is visible
	StoryRejected StoryStatus = "rejected" // with a reason its author reads
)

// ClientKinds are the kinds of client a success story may name, in the
// order forms list them.
var ClientKinds = []string{"hogar", "pyme", "escuela", "gobierno", "organizacion"}

// Story is a technician's success story («caso de éxito»).
type Story struct {
	ID         int64
	ListingID  int64
	Title      string
	ClientKind string // one of ClientKinds
	State      string // INEGI key of the entidad
	Work       string // what was done, plain text
	Result     string // the result, plain text
	Status     StoryStatus
	Reason     string // why it was rejected
	DecidedAt  *time.Time
	CreatedAt  time.Time
}

// PublicStory is an approved story with the listing it belongs to, as
// visitors see it.
type PublicStory struct {
	Story
	Listing ListingRef
}

// ReportReasons are the reasons a visitor may give when reporting a
// listing, in the order the form lists them.
var ReportReasons = []string{"datos_falsos", "no_es_la_persona", "trato_indebido", "contenido_inapropiado", "otro"}

// ReportStatus is where a visitor's report is.
type ReportStatus string

const (
	ReportOpen      ReportStatus = "open"
	ReportDismissed ReportStatus = "dismissed" // nothing to do
	ReportActioned  ReportStatus = "actioned"  // the listing was hidden
)

// Report is a visitor's report of a listing. Nothing in it says who made
// it.
type Report struct {
	ID        int64
	ListingID int64
	Reason    string // one of ReportReasons
	Details   string
	Status    ReportStatus
	CreatedAt time.Time
}

// PartnerLevel is a level of the foundation's partner programme.
type PartnerLevel struct {
	ID          int64
	Name        string
	Description string
	Position    int
	Listings    int // how many listings have it
}

// ModerationListing is a listing as the foundation's console shows it:
// whatever its state, with its owner's name and whether it is visible.
type ModerationListing struct {
	ID           int64
	UserID       int64
	HolderName   string // the owner's account name
	BusinessName string
	State        string
	Published    bool
	Visible      bool // shown to the public at this moment
	HiddenAt     *time.Time
	HiddenReason string
	PartnerLevel int64 // 0: none
	OpenReports  int
}

// MissedSearch is a search that found nothing, counted over a window.
type MissedSearch struct {
	Query     string // folded words
	State     string // INEGI key
	Municipio string // INEGI key
	Service   string // service id
	Count     int
}

// TermCount is a term (a service) and how many visible listings offer it.
type TermCount struct {
	Term  string
	Count int
}
