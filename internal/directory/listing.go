package directory

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mxcert/internal/fail"
	"mxcert/internal/fold"
	"mxcert/internal/model"
	"mxcert/internal/store"
)

// Limits of a listing.
const (
	BusinessNameMax = 80
	DescriptionMax  = 600
	MunicipiosMax   = 30 // a listing serves its area, not a whole state
	EmailMax        = 254
	WebsiteMax      = 200
)

// Input is a listing as its owner fills it in.
type Input struct {
	Consent      bool // the person accepts the privacy notice
	BusinessName string
	State        string   // INEGI key of the entidad
	Municipios   []string // INEGI keys
	Services     []string
	Modes        []string
	Languages    []string
	Description  string
	WhatsApp     model.Contact
	Phone        model.Contact
	Email        model.Contact
	Website      model.Contact
}

// Problem names what is wrong with a field of a listing.
type Problem string

const (
	ProblemConsent          Problem = "consent"
	ProblemBusinessName     Problem = "business_name"
	ProblemState            Problem = "state"
	ProblemMunicipios       Problem = "municipios"
	ProblemMunicipiosMany   Problem = "municipios_many"
	ProblemServices         Problem = "services"
	ProblemModes            Problem = "modes"
	ProblemLanguages        Problem = "languages"
	ProblemDescription      Problem = "description"
	ProblemPhone            Problem = "phone"   // not a ten-digit Mexican number
	ProblemEmail            Problem = "email"   // not an address
	ProblemWebsite          Problem = "website" // not an https address
	ProblemShowEmpty        Problem = "show_empty"
	ProblemNoContact        Problem = "no_contact"
	ProblemUnknownTerm      Problem = "unknown_term"
	ProblemUnknownMunicipio Problem = "unknown_municipio"
)

// ValidationError lists the problems of a listing, by field: "consent",
// "business_name", "state", "municipios", "services", "modes",
// "languages", "description", "whatsapp", "phone", "email", "website",
// "contact".
type ValidationError struct {
	Fields map[string]Problem
}

func (e *ValidationError) Error() string {
	var parts []string
	for f, p := range e.Fields {
		parts = append(parts, f+": "+string(p))
	}
	slices.Sort(parts)
	return "invalid listing: " + strings.Join(parts, ", ")
}

// Unwrap makes a validation error of the kind fail.ErrInvalid.
func (e *ValidationError) Unwrap() error { return fail.ErrInvalid }

func (e *ValidationError) add(field string, p Problem) {
	if e.Fields == nil {
		e.Fields = map[string]Problem{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = p
	}
}

// Mine is the person's listing, or ErrNoListing.
func (s *Service) Mine(ctx context.Context, userID int64) (*model.Listing, error) {
	l, err := s.db.ListingByUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoListing
	}
	return l, err
}

// Certificate is the person's certificate that lets them appear in the
// directory now (the most recent valid one), or ErrNoCertificate.
func (s *Service) Certificate(ctx context.Context, userID int64) (*model.Certificate, error) {
	certs, err := s.db.UserCertificates(ctx, userID)
	if err != nil {
		return nil, err
	}
	if c := validNow(certs, s.now()); c != nil {
		return c, nil
	}
	return nil, ErrNoCertificate
}

// validNow is the most recently issued of certs that is valid at now.
func validNow(certs []*model.Certificate, now time.Time) *model.Certificate {
	var best *model.Certificate
	for _, c := range certs {
		if !c.Current() || (c.ExpiresAt != nil && !c.ExpiresAt.After(now)) {
			continue
		}
		if best == nil || c.IssuedAt.After(best.IssuedAt) {
			best = c
		}
	}
	return best
}

// Save creates or updates the person's listing. It needs a certificate
// valid now and consent to the privacy notice; a new listing starts
// unpublished. The audit entry names the listing, never its contents.
func (s *Service) Save(ctx context.Context, userID int64, in Input) (*model.Listing, error) {
	l, err := s.validate(in)
	if err != nil {
		return nil, err
	}
	l.UserID = userID
	err = s.db.Transact(ctx, func(tx *store.Tx) error {
		certs, err := tx.UserCertificates(userID)
		if err != nil {
			return err
		}
		if validNow(certs, tx.Now) == nil {
			return ErrNoCertificate
		}
		prev, err := tx.ListingByUser(userID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			prev = nil
		case err != nil:
			return err
		}
		l.ConsentAt, l.NoticeVersion = tx.Now, NoticeVersion
		if prev != nil && prev.NoticeVersion == NoticeVersion {
			l.ConsentAt = prev.ConsentAt // consent given once per version of the notice
		}
		if err := tx.SaveListing(l, s.textKey(l)); err != nil {
			return err
		}
		action := model.ActionListingUpdate
		if prev == nil {
			action = model.ActionListingCreate
		}
		return tx.Audit(userID, action, listingSubject(l.ID), map[string]any{"listing": l.ID})
	})
	if err != nil {
		return nil, err
	}
	return s.Mine(ctx, userID)
}

// SetPublished publishes (with a certificate valid now) or unpublishes
// the person's listing.
func (s *Service) SetPublished(ctx context.Context, userID int64, published bool) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		l, err := tx.ListingByUser(userID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoListing
		}
		if err != nil {
			return err
		}
		if published {
			certs, err := tx.UserCertificates(userID)
			if err != nil {
				return err
			}
			if validNow(certs, tx.Now) == nil {
				return ErrNoCertificate
			}
		}
		if err := tx.SetListingPublished(userID, published); err != nil {
			return err
		}
		action := model.ActionListingUnpublish
		if published {
			action = model.ActionListingPublish
		}
		return tx.Audit(userID, action, listingSubject(l.ID), map[string]any{"listing": l.ID})
	})
}

// Delete removes the person's listing and everything in it. The audit
// entry keeps only that a listing with that id was deleted.
func (s *Service) Delete(ctx context.Context, userID int64) error {
	return s.db.Transact(ctx, func(tx *store.Tx) error {
		id, err := tx.DeleteListing(userID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoListing
		}
		if err != nil {
			return err
		}
		return tx.Audit(userID, model.ActionListingDelete, listingSubject(id), map[string]any{"listing": id})
	})
}

func listingSubject(id int64) string { return fmt.Sprintf("listing:%d", id) }

// textKey is the folded text a search matches besides the holder's
// name: business name, state, municipalities and description, one per
// line so that a word never spans two of them.
func (s *Service) textKey(l *model.Listing) string {
	parts := []string{fold.Text(l.BusinessName)}
	if st := s.geo.State(l.State); st != nil {
		parts = append(parts, fold.Text(st.Name+" "+st.OfficialName))
	}
	for _, key := range l.Municipios {
		if m := s.geo.Municipio(key); m != nil {
			parts = append(parts, fold.Text(m.Name))
		}
	}
	parts = append(parts, fold.Text(l.Description))
	return strings.Join(parts, "\n")
}

var nonDigits = regexp.MustCompile(`[^0-9]`)

// PhoneNumber reads a Mexican phone number as people write it ("55 1234
// 5678", "(951) 123-45-67", "+52 1 55 …") and returns its ten digits, or
// false.
func PhoneNumber(s string) (string, bool) {
	if strings.ContainsFunc(s, func(r rune) bool {
		return !unicode.IsDigit(r) && !strings.ContainsRune(" +-().", r)
	}) {
		return "", false
	}
	d := nonDigits.ReplaceAllString(s, "")
	switch {
	case len(d) == 13 && strings.HasPrefix(d, "521"): // the old mobile prefix
		d = d[3:]
	case len(d) == 12 && strings.HasPrefix(d, "52"):
		d = d[2:]
	}
	if len(d) != 10 || d[0] == '0' {
		return "", false
	}
	return d, true
}

// Website checks an address to show as a link: https only, with a host
// name, no user or password in it.
func Website(s string) (string, bool) {
	if len(s) > WebsiteMax || strings.ContainsAny(s, " \t\r\n\"'<>") {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil || !strings.Contains(u.Hostname(), ".") || u.Opaque != "" {
		return "", false
	}
	return u.String(), true
}

func emailAddress(s string) (string, bool) {
	if len(s) > EmailMax {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", false
	}
	_, domain, _ := strings.Cut(s, "@")
	return s, strings.Contains(domain, ".")
}

// validate turns the input into a listing or says what is wrong.
func (s *Service) validate(in Input) (*model.Listing, error) {
	v := &ValidationError{}
	lists := s.Lists()
	l := &model.Listing{
		BusinessName: strings.TrimSpace(in.BusinessName),
		Description:  strings.TrimSpace(strings.ReplaceAll(in.Description, "\r\n", "\n")),
	}
	if !in.Consent {
		v.add("consent", ProblemConsent)
	}
	if utf8.RuneCountInString(l.BusinessName) > BusinessNameMax || !plain(l.BusinessName, false) {
		v.add("business_name", ProblemBusinessName)
	}
	if utf8.RuneCountInString(l.Description) > DescriptionMax || !plain(l.Description, true) {
		v.add("description", ProblemDescription)
	}
	st := s.geo.State(in.State)
	if st == nil || in.State == "" {
		v.add("state", ProblemState)
	} else {
		l.State = st.Key
		for _, key := range in.Municipios {
			if m := s.geo.Municipio(key); m == nil || m.State != st {
				v.add("municipios", ProblemUnknownMunicipio)
			} else if !slices.Contains(l.Municipios, key) {
				l.Municipios = append(l.Municipios, key)
			}
		}
		switch {
		case len(l.Municipios) == 0:
			v.add("municipios", ProblemMunicipios)
		case len(l.Municipios) > MunicipiosMax:
			v.add("municipios", ProblemMunicipiosMany)
		}
		slices.Sort(l.Municipios)
	}
	terms := func(field string, ids []string, known func(string) bool, none Problem) []string {
		var out []string
		for _, id := range ids {
			if !known(id) {
				v.add(field, ProblemUnknownTerm)
			} else if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		if len(out) == 0 {
			v.add(field, none)
		}
		return out
	}
	l.Services = terms("services", in.Services, func(id string) bool { return lists.Service(id) != nil }, ProblemServices)
	l.Modes = terms("modes", in.Modes, func(id string) bool { return lists.Mode(id) != nil }, ProblemModes)
	l.Languages = terms("languages", in.Languages, func(id string) bool { return lists.Language(id) != nil }, ProblemLanguages)

	contact := func(field string, c model.Contact, check func(string) (string, bool), bad Problem) model.Contact {
		c.Value = strings.TrimSpace(c.Value)
		if c.Value == "" {
			if c.Show {
				v.add(field, ProblemShowEmpty)
			}
			return c
		}
		value, ok := check(c.Value)
		if !ok {
			v.add(field, bad)
			return c
		}
		c.Value = value
		return c
	}
	l.WhatsApp = contact("whatsapp", in.WhatsApp, PhoneNumber, ProblemPhone)
	l.Phone = contact("phone", in.Phone, PhoneNumber, ProblemPhone)
	l.Email = contact("email", in.Email, emailAddress, ProblemEmail)
	l.Website = contact("website", in.Website, Website, ProblemWebsite)
	if !l.WhatsApp.Show && !l.Phone.Show && !l.Email.Show && !l.Website.Show {
		v.add("contact", ProblemNoContact)
	}
	if len(v.Fields) > 0 {
		return nil, v
	}
	return l, nil
}

// plain reports whether s is plain text: no control characters (line
// breaks only where multiline allows them).
func plain(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\n' && multiline {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	return true
}
