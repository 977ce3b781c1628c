package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/directory"
	"mxcert/internal/directory/geo"
	"mxcert/internal/model"
)

// The directory's success stories and moderation: /casos-de-exito (the
// approved stories, public), /cuenta/directorio/casos (a technician's own
// stories and the form to tell one), the «Reportar» form of every listing,
// and the foundation's console under /admin/directorio.

// moderationPages are the templates of these routes.
var moderationPages = []string{"stories", "listing_report", "listing_report_sent", "my_stories", "my_story_delete",
	"admin_directory", "admin_directory_listing", "admin_levels", "admin_level"}

// moderationLimits are the rate limits of stories and reports.
type moderationLimits struct {
	storyUser *limiter // stories submitted per account
	reportIP  *limiter // reports per visitor address
}

// moderationFlashes are the console's notices after a moderation action:
// they say what changed, with values (setFlashWith).
var moderationFlashes = map[string]bool{
	"moderation.flash_approved": true, "moderation.flash_rejected": true, "moderation.flash_dismissed": true,
	"moderation.flash_hidden": true, "moderation.flash_restored": true, "moderation.flash_level_set": true,
	"moderation.flash_level_none": true, "moderation.flash_level_created": true, "moderation.flash_level_saved": true,
	"moderation.flash_level_deleted": true,
}

// moderationNotices are the plain notices of the technician's pages.
var moderationNotices = map[string]bool{"moderation.flash_story_sent": true, "moderation.flash_story_deleted": true, "moderation.flash_no_listing": true}

func (s *Server) directoryModerationRoutes(pages, signedIn, admin, recent *gin.RouterGroup) error {
	for _, p := range moderationPages {
		if !s.views.has(p) {
			return fmt.Errorf("template %s.html is missing", p)
		}
	}
	s.modLimits = &moderationLimits{
		// Telling a story takes a while: ten posts in a sitting (mistakes
		// in the form included), then one every six minutes. At most
		// directory.PendingMax stories wait for the foundation anyway.
		storyUser: newLimiter(6*time.Minute, 10, s.now),
		// A visitor reports a listing or two; a flood is refused.
		reportIP: newLimiter(10*time.Minute, 5, s.now),
	}
	pages.GET("/casos-de-exito", s.handle(s.storiesPage))
	getPost(pages, "/directorio/:estado/:slug/reportar", s.handle(s.reportListing))
	pages.GET("/directorio/:estado/:slug/reportar/enviado", s.handle(s.reportSent))

	getPost(signedIn, "/cuenta/directorio/casos", s.handle(s.myStories))
	getPost(signedIn, "/cuenta/directorio/casos/:id/borrar", s.handle(s.deleteMyStory))

	admin.GET("/directorio", s.handle(s.adminDirectory))
	admin.GET("/directorio/anuncios", s.handle(s.adminFindListing))
	admin.GET("/directorio/anuncios/:id", s.handle(s.adminDirectoryListing))
	admin.POST("/directorio/anuncios/:id/nivel", s.handle(s.adminListingLevel))
	getPost(admin, "/directorio/casos/:id/aprobar", s.handle(s.adminApproveStory))
	getPost(admin, "/directorio/casos/:id/rechazar", s.handle(s.adminRejectStory))
	getPost(admin, "/directorio/reportes/:id/descartar", s.handle(s.adminDismissReport))
	getPost(recent, "/directorio/anuncios/:id/ocultar", s.handle(s.adminHideListing))
	getPost(recent, "/directorio/anuncios/:id/restablecer", s.handle(s.adminRestoreListing))
	getPost(admin, "/directorio/niveles", s.handle(s.adminLevels))
	getPost(admin, "/directorio/niveles/:id", s.handle(s.adminLevel))
	getPost(recent, "/directorio/niveles/:id/borrar", s.handle(s.adminDeleteLevel))
	return nil
}

// storyCard is a story as the pages show it.
type storyCard struct {
	model.Story
	Kind       string // the kind of client, in words
	StateName  string
	ListingURL string
	Name       string // the listing's business name, or its holder's
}

func (s *Server) storyCard(b base, st model.Story, ref *model.ListingRef) storyCard {
	c := storyCard{Story: st, Kind: b.T("moderation.kind_" + st.ClientKind)}
	if g := s.directory.Geo().State(st.State); g != nil {
		c.StateName = g.Name
	}
	if ref != nil {
		c.ListingURL = s.directory.ListingPath(ref.ID, ref.State, ref.HolderName, ref.BusinessName)
		c.Name = ref.HolderName
		if ref.BusinessName != "" {
			c.Name = ref.BusinessName
		}
	}
	return c
}

type storiesView struct {
	base
	Results          *directory.StoryResults
	Cards            []storyCard
	States           []*geo.State
	Kinds            []string
	State, Kind      string
	PrevURL, NextURL string
}

// storiesPage is /casos-de-exito: the approved stories of visible
// listings, newest first, filtered by state and kind of client.
func (s *Server) storiesPage(c *gin.Context) error {
	if err := s.limit(c, s.limits.directoryIP, c.ClientIP()); err != nil {
		return err
	}
	v := storiesView{base: s.base(c, "moderation.stories_title"), States: s.directory.Geo().States, Kinds: model.ClientKinds,
		State: c.Query("estado"), Kind: c.Query("cliente")}
	status := http.StatusOK
	page, err := pageNumber(c.Query("pagina"))
	if err == nil {
		v.Results, err = s.directory.PublicStories(c.Request.Context(), directory.StoryQuery{State: v.State, ClientKind: v.Kind, Page: page})
	}
	switch {
	case errors.Is(err, directory.ErrUnknownKind):
		v.fail("cliente", "moderation.bad_kind")
		status = http.StatusBadRequest
	case err != nil:
		msg, ok := filterMessage(err)
		if !ok {
			return err
		}
		v.fail("", msg)
		status = http.StatusBadRequest
	}
	if v.Results != nil {
		for _, st := range v.Results.Stories {
			v.Cards = append(v.Cards, s.storyCard(v.base, st.Story, &st.Listing))
		}
		link := func(n int) string {
			q := c.Request.URL.Query()
			q.Del("pagina")
			if n > 1 {
				q.Set("pagina", strconv.Itoa(n))
			}
			return (&url.URL{Path: c.Request.URL.Path, RawQuery: q.Encode()}).String()
		}
		if v.Results.Page > 1 {
			v.PrevURL = link(v.Results.Page - 1)
		}
		if v.Results.Page < v.Results.Pages {
			v.NextURL = link(v.Results.Page + 1)
		}
	}
	c.Header("Cache-Control", "no-store")
	return s.page(c, status, "stories", v)
}

// listingStories are the approved stories of a visible listing, for its
// page.
func (s *Server) listingStories(c *gin.Context, b base, l *model.PublicListing) ([]storyCard, error) {
	stories, err := s.directory.ListingStories(c.Request.Context(), l.ID)
	if err != nil {
		return nil, err
	}
	var out []storyCard
	for _, st := range stories {
		out = append(out, s.storyCard(b, st, nil))
	}
	return out, nil
}

type reportView struct {
	base
	Form    formView
	Name    string
	Listing string // the listing's address
	Reasons []string
}

// visibleListing is the visible listing of a /directorio/:estado/:slug
// address, or a 404.
func (s *Server) visibleListing(c *gin.Context) (*model.PublicListing, string, error) {
	id, ok := directory.ListingID(c.Param("slug"))
	if !ok {
		return nil, "", errNotFound
	}
	l, err := s.directory.Listing(c.Request.Context(), id)
	if err != nil {
		return nil, "", err
	}
	return l, s.directory.ListingPath(l.ID, l.State, l.HolderName, l.BusinessName), nil
}

// reportListing shows (GET) and takes (POST) a visitor's report of a
// listing. No account needed; rate-limited per address.
func (s *Server) reportListing(c *gin.Context) error {
	if err := s.limit(c, s.limits.directoryIP, c.ClientIP()); err != nil {
		return err
	}
	l, path, err := s.visibleListing(c)
	if err != nil {
		return err
	}
	name := l.HolderName
	if l.BusinessName != "" {
		name = l.BusinessName
	}
	v := reportView{base: s.base(c, "moderation.report_title", "Name", name), Form: newForm(), Name: name, Listing: path, Reasons: model.ReportReasons}
	c.Header("Cache-Control", "no-store")
	if c.Request.Method != http.MethodPost {
		return s.page(c, http.StatusOK, "listing_report", v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v.Form.Values["reason"], v.Form.Values["details"] = postValue(c, "reason"), c.Request.PostForm.Get("details")
	if err := s.limit(c, s.modLimits.reportIP, c.ClientIP()); err != nil {
		return err
	}
	_, err = s.directory.Report(c.Request.Context(), l.ID, v.Form.Values["reason"], v.Form.Values["details"])
	switch {
	case errors.Is(err, directory.ErrReportReason):
		v.Form.Errors["reason"] = "moderation.report_reason_required"
	case errors.Is(err, directory.ErrReportDetails):
		v.Form.Errors["details"] = "moderation.report_details_long"
	case err != nil:
		return err
	default:
		return redirect(c, path+"/reportar/enviado")
	}
	v.report(v.Form, "reason", "details")
	return s.page(c, http.StatusUnprocessableEntity, "listing_report", v)
}

// reportSent thanks the visitor.
func (s *Server) reportSent(c *gin.Context) error {
	_, path, err := s.visibleListing(c)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return s.page(c, http.StatusOK, "listing_report_sent", reportView{base: s.base(c, "moderation.report_sent_title"), Listing: path})
}

type myStoriesView struct {
	base
	Form    formView
	Stories []storyCard
	States  []*geo.State
	Kinds   []string
	// CanTell: the person's listing is visible now.
	CanTell bool
}

// myStories lists the person's stories with their status (GET) and takes
// a new one (POST).
func (s *Server) myStories(c *gin.Context) error {
	ctx, u := c.Request.Context(), currentUser(c)
	v := myStoriesView{base: s.base(c, "moderation.my_title"), Form: newForm(), States: s.directory.Geo().States, Kinds: model.ClientKinds}
	status := http.StatusOK
	if c.Request.Method == http.MethodPost {
		if err := parseForm(c); err != nil {
			return err
		}
		f := c.Request.PostForm
		in := directory.StoryInput{Title: f.Get("title"), ClientKind: f.Get("client_kind"), State: f.Get("state"), Work: f.Get("work"), Result: f.Get("result")}
		v.Form.Values = map[string]string{"title": in.Title, "client_kind": in.ClientKind, "state": in.State, "work": in.Work, "result": in.Result}
		if err := s.limit(c, s.modLimits.storyUser, userKeyOf(u)); err != nil {
			return err
		}
		_, err := s.directory.SubmitStory(ctx, u.ID, in)
		var ve *directory.ValidationError
		switch {
		case errors.As(err, &ve):
			for field := range ve.Fields {
				v.Form.Errors[field] = "moderation.problem_" + field
			}
			status = http.StatusUnprocessableEntity
		case errors.Is(err, directory.ErrTooManyPending):
			v.fail("", "moderation.too_many_pending", "Count", directory.PendingMax)
			status = http.StatusConflict
		case err != nil:
			return err
		default:
			s.setFlash(c, "moderation.flash_story_sent")
			return redirect(c, "/cuenta/directorio/casos")
		}
	} else if l, err := s.directory.Mine(ctx, u.ID); err == nil {
		v.Form.Values["state"] = l.State
	}
	v.CanTell = s.ownListingVisible(c)
	stories, err := s.directory.MyStories(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, st := range stories {
		v.Stories = append(v.Stories, s.storyCard(v.base, st, nil))
	}
	v.report(v.Form, "title", "client_kind", "state", "work", "result")
	c.Header("Cache-Control", "no-store")
	return s.page(c, status, "my_stories", v)
}

// ownListingVisible reports whether the signed-in person's listing is
// shown to the public now.
func (s *Server) ownListingVisible(c *gin.Context) bool {
	l, err := s.directory.Mine(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		return false
	}
	_, err = s.directory.Listing(c.Request.Context(), l.ID)
	return err == nil
}

type myStoryDeleteView struct {
	base
	Story storyCard
}

// deleteMyStory asks (GET) and deletes (POST) one of the person's stories.
func (s *Server) deleteMyStory(c *gin.Context) error {
	u := currentUser(c)
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	st, err := s.directory.MyStory(c.Request.Context(), u.ID, id)
	if err != nil {
		return err
	}
	if c.Request.Method != http.MethodPost {
		c.Header("Cache-Control", "no-store")
		b := s.base(c, "moderation.delete_title")
		return s.page(c, http.StatusOK, "my_story_delete", myStoryDeleteView{base: b, Story: s.storyCard(b, *st, nil)})
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.directory.DeleteStory(c.Request.Context(), u.ID, id); err != nil {
		return err
	}
	s.setFlash(c, "moderation.flash_story_deleted")
	return redirect(c, "/cuenta/directorio/casos")
}
