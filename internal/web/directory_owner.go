package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
	"mxcert/internal/directory"
	"mxcert/internal/directory/geo"
	"mxcert/internal/model"
)

// A certified person's listing in the directory: /cuenta/directorio shows
// and takes the form, /cuenta/directorio/publicar publishes or withdraws
// it, /cuenta/directorio/borrar deletes it after a confirmation. The
// form works without JavaScript: choosing the state posts the form back
// (action=estado) to list that state's municipalities, keeping what was
// typed.

type listingFormView struct {
	base
	Form     formView
	Selected map[string]bool // "service:redes", "mode:taller", "language:es", "municipio:20067"
	Listing  *model.Listing  // nil before the first save
	Cert     *model.Certificate
	// NoCertificate: the person holds no valid certificate now.
	NoCertificate bool
	States        []*geo.State
	Municipios    []*geo.Municipio // of the chosen state
	Lists         *content.Directory
	PublicURL     string // the listing's page, once visible
	Notice        string // the privacy notice's version
}

// contactFields are the listing's contact fields, in form order.
var contactFields = []string{"whatsapp", "phone", "email", "website"}

func (s *Server) listingPage(c *gin.Context) error {
	if c.Request.Method == http.MethodPost {
		return s.saveListing(c)
	}
	u := currentUser(c)
	v := s.newListingForm(c)
	l, err := s.directory.Mine(c.Request.Context(), u.ID)
	switch {
	case errors.Is(err, directory.ErrNoListing):
		// A first listing: the state of the registration, Spanish.
		for _, st := range v.States {
			if st.Name == u.State || st.OfficialName == u.State {
				v.Form.Values["state"] = st.Key
			}
		}
		v.Selected["language:es"] = true
	case err != nil:
		return err
	default:
		v.Listing = l
		fillListingForm(&v, l)
	}
	return s.renderListingForm(c, http.StatusOK, v)
}

func (s *Server) newListingForm(c *gin.Context) listingFormView {
	return listingFormView{base: s.base(c, "listing.title"), Form: newForm(), Selected: map[string]bool{},
		States: s.directory.Geo().States, Lists: s.directory.Lists(), Notice: directory.NoticeVersion}
}

func fillListingForm(v *listingFormView, l *model.Listing) {
	f := v.Form.Values
	f["consent"] = boolValue(l.NoticeVersion == directory.NoticeVersion)
	f["business_name"], f["state"], f["description"] = l.BusinessName, l.State, l.Description
	for name, c := range map[string]model.Contact{"whatsapp": l.WhatsApp, "phone": l.Phone, "email": l.Email, "website": l.Website} {
		f[name], f["show_"+name] = c.Value, boolValue(c.Show)
	}
	for kind, ids := range map[string][]string{"service": l.Services, "mode": l.Modes, "language": l.Languages, "municipio": l.Municipios} {
		for _, id := range ids {
			v.Selected[kind+":"+id] = true
		}
	}
}

func boolValue(b bool) string {
	if b {
		return "1"
	}
	return ""
}

func (s *Server) renderListingForm(c *gin.Context, status int, v listingFormView) error {
	ctx := c.Request.Context()
	u := currentUser(c)
	cert, err := s.directory.Certificate(ctx, u.ID)
	switch {
	case errors.Is(err, directory.ErrNoCertificate):
		v.NoCertificate = true
	case err != nil:
		return err
	}
	v.Cert = cert
	if v.Listing == nil {
		if v.Listing, err = s.directory.Mine(ctx, u.ID); err != nil && !errors.Is(err, directory.ErrNoListing) {
			return err
		}
	}
	if v.Listing != nil && v.Listing.Published && !v.Listing.Hidden() && cert != nil {
		v.PublicURL = s.directory.ListingPath(v.Listing.ID, v.Listing.State, cert.HolderName, v.Listing.BusinessName)
	}
	if st := s.directory.Geo().State(v.Form.Values["state"]); st != nil {
		v.Municipios = st.Municipios
	}
	v.report(v.Form, "consent", "business_name", "state", "municipios", "services", "modes", "languages", "description",
		"whatsapp", "phone", "email", "website", "contact#whatsapp")
	c.Header("Cache-Control", "no-store")
	return s.page(c, status, "listing_form", v)
}

// saveListing takes the form: with action=estado it only shows the chosen
// state's municipalities; otherwise it saves.
func (s *Server) saveListing(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	u := currentUser(c)
	v := s.newListingForm(c)
	form := c.Request.PostForm
	in := directory.Input{
		Consent: form.Get("consent") == "1", BusinessName: form.Get("business_name"), State: form.Get("state"),
		Municipios: form["municipios"], Services: form["services"], Modes: form["modes"], Languages: form["languages"],
		Description: form.Get("description"),
	}
	contacts := map[string]*model.Contact{"whatsapp": &in.WhatsApp, "phone": &in.Phone, "email": &in.Email, "website": &in.Website}
	for _, name := range contactFields {
		*contacts[name] = model.Contact{Value: form.Get(name), Show: form.Get("show_"+name) == "1"}
		v.Form.Values[name], v.Form.Values["show_"+name] = postValue(c, name), boolValue(contacts[name].Show)
	}
	v.Form.Values["consent"] = boolValue(in.Consent)
	v.Form.Values["business_name"], v.Form.Values["state"], v.Form.Values["description"] = in.BusinessName, in.State, in.Description
	for kind, ids := range map[string][]string{"service": in.Services, "mode": in.Modes, "language": in.Languages, "municipio": in.Municipios} {
		for _, id := range ids {
			v.Selected[kind+":"+id] = true
		}
	}
	if form.Get("action") == "estado" {
		return s.renderListingForm(c, http.StatusOK, v)
	}
	if err := s.limit(c, s.limits.listingUser, userKeyOf(u)); err != nil {
		return err
	}
	_, err := s.directory.Save(c.Request.Context(), u.ID, in)
	var ve *directory.ValidationError
	if errors.As(err, &ve) {
		for field, p := range ve.Fields {
			v.Form.Errors[field] = "listing.problem." + field + "_" + string(p)
		}
		return s.renderListingForm(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, "flash.listing_saved")
	return redirect(c, "/cuenta/directorio")
}

// publishListing publishes (publicar=1) or withdraws the listing.
func (s *Server) publishListing(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	u := currentUser(c)
	if err := s.limit(c, s.limits.listingUser, userKeyOf(u)); err != nil {
		return err
	}
	publish := postValue(c, "publicar") == "1"
	if err := s.directory.SetPublished(c.Request.Context(), u.ID, publish); err != nil {
		return err
	}
	s.setFlash(c, map[bool]string{true: "flash.listing_published", false: "flash.listing_unpublished"}[publish])
	return redirect(c, "/cuenta/directorio")
}

type listingDeleteView struct {
	base
	Listing *model.Listing
}

// deleteListing asks for confirmation (GET) and deletes (POST).
func (s *Server) deleteListing(c *gin.Context) error {
	u := currentUser(c)
	l, err := s.directory.Mine(c.Request.Context(), u.ID)
	if err != nil {
		return err
	}
	if c.Request.Method != http.MethodPost {
		c.Header("Cache-Control", "no-store")
		return s.page(c, http.StatusOK, "listing_delete", listingDeleteView{base: s.base(c, "listing.delete_title"), Listing: l})
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.limit(c, s.limits.listingUser, userKeyOf(u)); err != nil {
		return err
	}
	if err := s.directory.Delete(c.Request.Context(), u.ID); err != nil {
		return err
	}
	s.setFlash(c, "flash.listing_deleted")
	return redirect(c, "/cuenta")
}

// userKeyOf is an account's key in the rate limits.
func userKeyOf(u *model.User) string { return strconv.FormatInt(u.ID, 10) }

// directoryStanding says whether the signed-in person may appear in the
// directory now and whether they have a listing.
func (s *Server) directoryStanding(c *gin.Context) (canList, hasListing bool, err error) {
	ctx, u := c.Request.Context(), currentUser(c)
	_, err = s.directory.Certificate(ctx, u.ID)
	switch {
	case err == nil:
		canList = true
	case !errors.Is(err, directory.ErrNoCertificate):
		return false, false, err
	}
	_, err = s.directory.Mine(ctx, u.ID)
	switch {
	case err == nil:
		hasListing = true
	case !errors.Is(err, directory.ErrNoListing):
		return false, false, err
	}
	return canList, hasListing, nil
}
