package directory

import (
	"fmt"
	"strconv"
	"strings"

	"mxcert/internal/directory/geo"
)

// The directory's public addresses. A listing's address is its state's
// slug and a slug made of its name and its id: /directorio/oaxaca/
// taller-lopez-17. The name part is for people; the id finds the
// listing, so a corrected name or a move to another state changes the
// address, and the old one still resolves (the page sends the visitor on
// to the new one).
const (
	PathPrefix = "/directorio"
)

// StatePath is the address of a state's page.
func StatePath(st *geo.State) string { return PathPrefix + "/" + st.Slug }

// ListingSlug is the last part of a listing's address: the business
// name, or the holder's name, as a slug, then the id.
func ListingSlug(id int64, holderName, businessName string) string {
	name := geo.Slug(businessName)
	if name == "" {
		name = geo.Slug(holderName)
	}
	if len(name) > 60 {
		name = strings.TrimRight(name[:60], "-")
	}
	if name == "" {
		return strconv.FormatInt(id, 10)
	}
	return fmt.Sprintf("%s-%d", name, id)
}

// ListingPath is the address of a listing's page.
func (s *Service) ListingPath(id int64, stateKey, holderName, businessName string) string {
	st := s.geo.State(stateKey)
	if st == nil {
		return PathPrefix
	}
	return StatePath(st) + "/" + ListingSlug(id, holderName, businessName)
}

// ListingID reads the id at the end of a listing slug, or false.
func ListingID(slug string) (int64, bool) {
	i := strings.LastIndexByte(slug, '-')
	id, err := strconv.ParseInt(slug[i+1:], 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != slug[i+1:] {
		return 0, false
	}
	return id, true
}
