package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mxcert/internal/directory"
	"mxcert/internal/model"
)

// The foundation's moderation of the directory: the queue (pending
// stories, open reports, hidden listings), a listing's page with its
// partner level, hiding and restoring, and the partner levels' table.
// Every action confirms (GET) then acts (POST), is audited, and its notice
// says what changed.

type queueStory struct {
	storyCard
	Listing *model.ModerationListing
}

type queueReport struct {
	model.Report
	Reason  string // in words
	Listing *model.ModerationListing
}

type adminDirectoryView struct {
	base
	Stories []queueStory
	Reports []queueReport
	Hidden  []*model.ModerationListing
}

// adminDirectory is the moderation queue.
func (s *Server) adminDirectory(c *gin.Context) error {
	ctx := c.Request.Context()
	v := adminDirectoryView{base: s.base(c, "moderation.queue_title")}
	stories, err := s.directory.PendingStories(ctx)
	if err != nil {
		return err
	}
	reports, err := s.directory.OpenReports(ctx)
	if err != nil {
		return err
	}
	var ids []int64
	for _, st := range stories {
		ids = append(ids, st.ListingID)
	}
	for _, r := range reports {
		ids = append(ids, r.ListingID)
	}
	listings, err := s.directory.ModerationListings(ctx, ids)
	if err != nil {
		return err
	}
	for _, st := range stories {
		v.Stories = append(v.Stories, queueStory{storyCard: s.storyCard(v.base, st.Story, nil), Listing: listings[st.ListingID]})
	}
	for _, r := range reports {
		v.Reports = append(v.Reports, queueReport{Report: r, Reason: v.T("moderation.reason_" + r.Reason), Listing: listings[r.ListingID]})
	}
	if v.Hidden, err = s.directory.HiddenListings(ctx); err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return s.page(c, http.StatusOK, "admin_directory", v)
}

// adminFindListing opens a listing's console page by its number
// (?anuncio=17, or the end of its public address).
func (s *Server) adminFindListing(c *gin.Context) error {
	q := strings.TrimSpace(c.Query("anuncio"))
	if i := strings.LastIndexByte(q, '/'); i >= 0 {
		q = q[i+1:]
	}
	id, ok := directory.ListingID(q)
	if !ok {
		s.setFlash(c, "moderation.flash_no_listing")
		return redirect(c, "/admin/directorio")
	}
	return redirect(c, "/admin/directorio/anuncios/"+strconv.FormatInt(id, 10))
}

func (s *Server) adminListing(c *gin.Context) (*model.ModerationListing, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, errNotFound
	}
	return s.directory.ModerationListing(c.Request.Context(), id)
}

// listingName is how the console names a listing: its business name, or
// its holder's, and its number.
func listingName(l *model.ModerationListing) string {
	name := l.HolderName
	if l.BusinessName != "" {
		name = l.BusinessName
	}
	return name + " (#" + strconv.FormatInt(l.ID, 10) + ")"
}

type adminDirectoryListingView struct {
	base
	Listing   *model.ModerationListing
	Name      string
	StateName string
	PublicURL string
	Levels    []model.PartnerLevel
	Stories   []storyCard
}

// adminDirectoryListing is a listing as the foundation sees it: whether
// it is visible, hidden (and why), its stories, and its partner level.
func (s *Server) adminDirectoryListing(c *gin.Context) error {
	l, err := s.adminListing(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	v := adminDirectoryListingView{base: s.base(c, "moderation.listing_title", "Name", listingName(l)), Listing: l, Name: listingName(l)}
	if st := s.directory.Geo().State(l.State); st != nil {
		v.StateName = st.Name
	}
	if l.Visible {
		if p, err := s.directory.Listing(ctx, l.ID); err == nil {
			v.PublicURL = s.directory.ListingPath(p.ID, p.State, p.HolderName, p.BusinessName)
		}
	}
	if v.Levels, err = s.directory.Levels(ctx); err != nil {
		return err
	}
	stories, err := s.directory.MyStories(ctx, l.UserID)
	if err != nil {
		return err
	}
	for _, st := range stories {
		v.Stories = append(v.Stories, s.storyCard(v.base, st, nil))
	}
	c.Header("Cache-Control", "no-store")
	return s.page(c, http.StatusOK, "admin_directory_listing", v)
}

// adminListingLevel marks a listing with a partner level, or none.
func (s *Server) adminListingLevel(c *gin.Context) error {
	l, err := s.adminListing(c)
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	level, err := strconv.ParseInt(postValue(c, "nivel"), 10, 64)
	if err != nil || level < 0 {
		return errBadRequest
	}
	_, after, err := s.directory.SetListingLevel(c.Request.Context(), currentUser(c).ID, l.ID, level)
	if err != nil {
		return err
	}
	if after == "" {
		s.setFlashWith(c, "moderation.flash_level_none", "Listing", listingName(l))
	} else {
		s.setFlashWith(c, "moderation.flash_level_set", "Listing", listingName(l), "Level", after)
	}
	return redirect(c, "/admin/directorio/anuncios/"+strconv.FormatInt(l.ID, 10))
}

func (s *Server) adminStory(c *gin.Context) (*model.Story, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, errNotFound
	}
	return s.directory.Story(c.Request.Context(), id)
}

// adminApproveStory: GET shows the story, POST publishes it.
func (s *Server) adminApproveStory(c *gin.Context) error {
	st, err := s.adminStory(c)
	if err != nil {
		return err
	}
	v := adminConfirmView{base: s.base(c, "moderation.approve_title"), Action: c.Request.URL.Path, Back: "/admin/directorio", Submit: "moderation.approve_submit"}
	v.Heading = v.T("moderation.approve_heading", "Title", st.Title)
	v.Lead = v.T("moderation.approve_lead")
	v.Excerpt = []string{st.Work, st.Result}
	if st.Status != model.StoryPending {
		v.Error = "moderation.already_decided"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	err = s.directory.ApproveStory(c.Request.Context(), currentUser(c).ID, st.ID)
	if errors.Is(err, directory.ErrDecided) {
		v.Error = "moderation.already_decided"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	s.setFlashWith(c, "moderation.flash_approved", "Title", st.Title)
	return redirect(c, "/admin/directorio")
}

// adminRejectStory: GET asks for the reason its author will read, POST
// rejects.
func (s *Server) adminRejectStory(c *gin.Context) error {
	st, err := s.adminStory(c)
	if err != nil {
		return err
	}
	v := adminConfirmView{base: s.base(c, "moderation.reject_title"), Action: c.Request.URL.Path, Back: "/admin/directorio", Field: "reason", Submit: "moderation.reject_submit", Danger: true}
	v.Heading = v.T("moderation.reject_heading", "Title", st.Title)
	v.Lead = v.T("moderation.reject_lead")
	if st.Status != model.StoryPending {
		v.Error = "moderation.already_decided"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v.Value = postValue(c, "motivo")
	err = s.directory.RejectStory(c.Request.Context(), currentUser(c).ID, st.ID, v.Value)
	switch {
	case errors.Is(err, directory.ErrNoReason):
		v.Invalid = "admin.reason_required"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	case errors.Is(err, directory.ErrDecided):
		v.Error = "moderation.already_decided"
		return s.confirmPage(c, http.StatusConflict, v)
	case err != nil:
		return err
	}
	s.setFlashWith(c, "moderation.flash_rejected", "Title", st.Title)
	return redirect(c, "/admin/directorio")
}

// adminDismissReport: GET shows the report, POST closes it with nothing
// to do.
func (s *Server) adminDismissReport(c *gin.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	r, err := s.directory.ReportByID(c.Request.Context(), id)
	if err != nil {
		return err
	}
	l, err := s.directory.ModerationListing(c.Request.Context(), r.ListingID)
	if err != nil {
		return err
	}
	v := adminConfirmView{base: s.base(c, "moderation.dismiss_title"), Action: c.Request.URL.Path, Back: "/admin/directorio", Submit: "moderation.dismiss_submit"}
	v.Heading = v.T("moderation.dismiss_heading", "Listing", listingName(l))
	v.Lead = v.T("moderation.dismiss_lead", "Reason", v.T("moderation.reason_"+r.Reason))
	if r.Details != "" {
		v.Excerpt = []string{r.Details}
	}
	if r.Status != model.ReportOpen {
		v.Error = "moderation.report_closed"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	err = s.directory.DismissReport(c.Request.Context(), currentUser(c).ID, r.ID)
	if errors.Is(err, directory.ErrReportClosed) {
		v.Error = "moderation.report_closed"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	s.setFlashWith(c, "moderation.flash_dismissed", "Listing", listingName(l))
	return redirect(c, "/admin/directorio")
}

// adminHideListing: GET asks for the reason, POST hides the listing from
// the public at once (search, its page, the API, its stories) and closes
// its open reports.
func (s *Server) adminHideListing(c *gin.Context) error {
	l, err := s.adminListing(c)
	if err != nil {
		return err
	}
	back := "/admin/directorio/anuncios/" + strconv.FormatInt(l.ID, 10)
	v := adminConfirmView{base: s.base(c, "moderation.hide_title"), Action: c.Request.URL.Path, Back: back, Field: "reason", Submit: "moderation.hide_submit", Danger: true}
	v.Heading = v.T("moderation.hide_heading", "Listing", listingName(l))
	v.Lead = v.T("moderation.hide_lead")
	if l.HiddenAt != nil {
		v.Error = "moderation.already_hidden"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	v.Value = postValue(c, "motivo")
	err = s.directory.Hide(c.Request.Context(), currentUser(c).ID, l.ID, v.Value)
	if errors.Is(err, directory.ErrNoReason) {
		v.Invalid = "admin.reason_required"
		return s.confirmPage(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	s.setFlashWith(c, "moderation.flash_hidden", "Listing", listingName(l))
	return redirect(c, back)
}

// adminRestoreListing: GET asks, POST shows the listing again.
func (s *Server) adminRestoreListing(c *gin.Context) error {
	l, err := s.adminListing(c)
	if err != nil {
		return err
	}
	back := "/admin/directorio/anuncios/" + strconv.FormatInt(l.ID, 10)
	v := adminConfirmView{base: s.base(c, "moderation.restore_title"), Action: c.Request.URL.Path, Back: back, Submit: "moderation.restore_submit"}
	v.Heading = v.T("moderation.restore_heading", "Listing", listingName(l))
	v.Lead = v.T("moderation.restore_lead", "Reason", l.HiddenReason)
	if l.HiddenAt == nil {
		v.Error = "moderation.not_hidden"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if err := s.directory.Restore(c.Request.Context(), currentUser(c).ID, l.ID); err != nil {
		return err
	}
	s.setFlashWith(c, "moderation.flash_restored", "Listing", listingName(l))
	return redirect(c, back)
}

type adminLevelsView struct {
	base
	Levels []model.PartnerLevel
	Form   formView
	Level  *model.PartnerLevel // the level edited (admin_level)
}

// levelMessages are the console's words for a refused level.
var levelMessages = map[error][2]string{
	directory.ErrLevelName:     {"name", "moderation.level_name_invalid"},
	directory.ErrLevelDesc:     {"description", "moderation.level_description_invalid"},
	directory.ErrLevelPosition: {"position", "moderation.level_position_invalid"},
	directory.ErrLevelTaken:    {"name", "moderation.level_name_taken"},
}

// levelForm reads the level's form into p and v.Form.
func levelForm(c *gin.Context, p *model.PartnerLevel, v *adminLevelsView) {
	p.Name, p.Description = postValue(c, "name"), postValue(c, "description")
	v.Form.Values["name"], v.Form.Values["description"], v.Form.Values["position"] = p.Name, p.Description, postValue(c, "position")
	n, err := strconv.Atoi(v.Form.Values["position"])
	if err != nil {
		n = -1 // refused with the range
	}
	p.Position = n
}

// levelRefused puts a refused level's problem on the form, or reports
// that err is another kind of error.
func levelRefused(v *adminLevelsView, err error) bool {
	for e, m := range levelMessages {
		if errors.Is(err, e) {
			v.Form.Errors[m[0]] = m[1]
			v.report(v.Form, "name", "description", "position")
			return true
		}
	}
	return false
}

// adminLevels lists the partner levels (GET) and creates one (POST).
func (s *Server) adminLevels(c *gin.Context) error {
	ctx := c.Request.Context()
	v := adminLevelsView{base: s.base(c, "moderation.levels_title"), Form: newForm()}
	var err error
	if v.Levels, err = s.directory.Levels(ctx); err != nil {
		return err
	}
	status := http.StatusOK
	if c.Request.Method == http.MethodPost {
		if err := parseForm(c); err != nil {
			return err
		}
		p := &model.PartnerLevel{}
		levelForm(c, p, &v)
		err := s.directory.SaveLevel(ctx, currentUser(c).ID, p)
		switch {
		case err == nil:
			s.setFlashWith(c, "moderation.flash_level_created", "Name", p.Name)
			return redirect(c, "/admin/directorio/niveles")
		case levelRefused(&v, err):
			status = http.StatusUnprocessableEntity
		default:
			return err
		}
	} else {
		v.Form.Values["position"] = strconv.Itoa(len(v.Levels) + 1)
	}
	c.Header("Cache-Control", "no-store")
	return s.page(c, status, "admin_levels", v)
}

func (s *Server) adminLevelParam(c *gin.Context) (*model.PartnerLevel, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, errNotFound
	}
	return s.directory.Level(c.Request.Context(), id)
}

// adminLevel edits a level (GET the form, POST saves): rename, describe,
// order.
func (s *Server) adminLevel(c *gin.Context) error {
	p, err := s.adminLevelParam(c)
	if err != nil {
		return err
	}
	v := adminLevelsView{base: s.base(c, "moderation.level_title", "Name", p.Name), Form: newForm(), Level: p}
	status := http.StatusOK
	if c.Request.Method == http.MethodPost {
		if err := parseForm(c); err != nil {
			return err
		}
		edit := &model.PartnerLevel{ID: p.ID}
		levelForm(c, edit, &v)
		err := s.directory.SaveLevel(c.Request.Context(), currentUser(c).ID, edit)
		switch {
		case err == nil:
			s.setFlashWith(c, "moderation.flash_level_saved", "Before", p.Name, "Name", edit.Name)
			return redirect(c, "/admin/directorio/niveles")
		case levelRefused(&v, err):
			status = http.StatusUnprocessableEntity
		default:
			return err
		}
	} else {
		v.Form.Values["name"], v.Form.Values["description"], v.Form.Values["position"] = p.Name, p.Description, strconv.Itoa(p.Position)
	}
	c.Header("Cache-Control", "no-store")
	return s.page(c, status, "admin_level", v)
}

// adminDeleteLevel: GET asks, POST deletes a level no listing has.
func (s *Server) adminDeleteLevel(c *gin.Context) error {
	p, err := s.adminLevelParam(c)
	if err != nil {
		return err
	}
	v := adminConfirmView{base: s.base(c, "moderation.level_delete_title"), Action: c.Request.URL.Path, Back: "/admin/directorio/niveles", Submit: "moderation.level_delete_submit", Danger: true}
	v.Heading = v.T("moderation.level_delete_heading", "Name", p.Name)
	v.Lead = v.T("moderation.level_delete_lead")
	if p.Listings > 0 {
		v.Error = "moderation.level_in_use"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if c.Request.Method == http.MethodGet {
		return s.confirmPage(c, http.StatusOK, v)
	}
	if err := parseForm(c); err != nil {
		return err
	}
	_, err = s.directory.DeleteLevel(c.Request.Context(), currentUser(c).ID, p.ID)
	if errors.Is(err, directory.ErrLevelInUse) {
		v.Error = "moderation.level_in_use"
		return s.confirmPage(c, http.StatusConflict, v)
	}
	if err != nil {
		return err
	}
	s.setFlashWith(c, "moderation.flash_level_deleted", "Name", p.Name)
	return redirect(c, "/admin/directorio/niveles")
}

// directoryFigures are the directory's numbers on the dashboard, with
// names in words.
type directoryFigures struct {
	*directory.Figures
	StateChart   any
	ServiceRows  []figureRow
	ServiceChart any
	Missed       []missedRow
}

type figureRow struct {
	Label string
	Count int
}

type missedRow struct {
	Query   string // "—" for none
	Filters string // in words
	Count   int
}

func (s *Server) directoryFigures(c *gin.Context, b base) (*directoryFigures, error) {
	f, err := s.directory.Figures(c.Request.Context())
	if err != nil {
		return nil, err
	}
	d := &directoryFigures{Figures: f}
	var rows []hbarRow
	for _, sc := range f.ByState {
		rows = append(rows, hbarRow{sc.State.Name, []int{sc.Count}})
	}
	d.StateChart = hbarChart("anuncios-estados", b.T("moderation.chart_states"), []hbarSeries{{b.T("moderation.series_listings"), "s2"}}, rows)
	rows = nil
	lists, g := s.directory.Lists(), s.directory.Geo()
	for _, t := range f.ByService {
		label := t.Term
		if term := lists.Service(t.Term); term != nil {
			label = term.Name.In(b.Lang)
		}
		d.ServiceRows = append(d.ServiceRows, figureRow{label, t.Count})
		rows = append(rows, hbarRow{label, []int{t.Count}})
	}
	d.ServiceChart = hbarChart("anuncios-servicios", b.T("moderation.chart_services"), []hbarSeries{{b.T("moderation.series_listings"), "s2"}}, rows)
	for _, m := range f.Missed {
		var filters []string
		if st := g.State(m.State); st != nil {
			filters = append(filters, st.Name)
		}
		if mu := g.Municipio(m.Municipio); mu != nil {
			filters = append(filters, mu.Name)
		}
		if term := lists.Service(m.Service); term != nil {
			filters = append(filters, term.Name.In(b.Lang))
		}
		row := missedRow{Query: m.Query, Filters: strings.Join(filters, " · "), Count: m.Count}
		if row.Query == "" {
			row.Query = "—"
		}
		if row.Filters == "" {
			row.Filters = "—"
		}
		d.Missed = append(d.Missed, row)
	}
	return d, nil
}
