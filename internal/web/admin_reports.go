package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mxcert/internal/admin"
	"mxcert/internal/content"
	"mxcert/internal/exam"
)

type adminItemsView struct {
	base
	Track    *content.Track
	Tracks   []*content.Track
	Items    []admin.Item
	Domains  []itemDomain
	Flags    []string // the alert filter's values
	Domain   string   // the domain filtered on, "" for all
	Flag     string   // the alert filtered on, "" for all
	Sort     string
	Desc     bool
	Page     int
	Pages    int
	Total    int // questions that pass the filter
	Min      int
	Flagged  int
	Attempts int
	Started  int
}

type itemDomain struct{ ID, Title string }

// itemsPerPage is how many questions one page of the analysis shows.
const itemsPerPage = 25

// itemFlags are the alert filter's values, in the order offered.
var itemFlags = []string{admin.FlagAny, exam.FlagLowDiscrim, exam.FlagTooHard, exam.FlagTooEasy, exam.FlagDeadDistract, admin.FlagFew}

// Link is the analysis's address with the current track, filters, order
// and page, changed by the name/value pairs in kv; a change of filter or
// order goes back to the first page.
func (v adminItemsView) Link(kv ...string) string {
	q := map[string]string{"certificacion": v.Track.ID, "dominio": v.Domain, "alerta": v.Flag, "orden": v.Sort, "pagina": ""}
	if v.Sort != "" && v.Desc {
		q["dir"] = "desc"
	}
	if v.Page > 1 {
		q["pagina"] = strconv.Itoa(v.Page)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] != "pagina" {
			q["pagina"] = ""
		}
		q[kv[i]] = kv[i+1]
	}
	return "/admin/preguntas?" + urlValues("certificacion", q["certificacion"], "dominio", q["dominio"], "alerta", q["alerta"],
		"orden", q["orden"], "dir", q["dir"], "pagina", q["pagina"], "formato", q["formato"])
}

// SortLink is a column heading's link: ascending first, descending when
// the column is already sorted ascending.
func (v adminItemsView) SortLink(col string) string {
	dir := "asc"
	if v.Sort == col && !v.Desc {
		dir = "desc"
	}
	return v.Link("orden", col, "dir", dir)
}

// itemOrders are the item analysis's orders by their names in the URL,
// which are also the columns' message ids.
var itemOrders = map[string]admin.ItemOrder{
	"pregunta":       admin.ByQuestion,
	"servida":        admin.ByServed,
	"facilidad":      admin.ByFacility,
	"discriminacion": admin.ByDiscrimination,
	"alertas":        admin.ByFlags,
	"exposicion":     admin.ByExposure,
}

// adminItems is the item analysis of a track's exam bank, filtered by
// domain and alert, a page at a time, or every filtered question as a CSV
// download.
func (s *Server) adminItems(c *gin.Context) error {
	cat := s.cat()
	t := cat.Track(c.Query("certificacion"))
	if t == nil && len(cat.Tracks) > 0 {
		t = cat.Tracks[0]
	}
	if t == nil {
		return errNotFound
	}
	v := adminItemsView{base: s.base(c, "admin.items_title"), Track: t, Tracks: cat.Tracks, Min: exam.MinResponses, Sort: c.Query("orden"), Desc: c.Query("dir") == "desc", Flags: itemFlags}
	order, ok := itemOrders[v.Sort]
	if !ok {
		v.Sort, v.Desc, order = "", false, admin.BankOrder
	}
	for _, d := range t.Domains() {
		v.Domains = append(v.Domains, itemDomain{ID: d, Title: t.DomainTitle(d)})
		if d == c.Query("dominio") {
			v.Domain = d
		}
	}
	if f := c.Query("alerta"); slices.Contains(itemFlags, f) {
		v.Flag = f
	}
	a, err := s.admin.ItemAnalysis(c.Request.Context(), t, order, v.Desc)
	if err != nil {
		return err
	}
	filter := admin.ItemFilter{Domain: v.Domain, Flag: v.Flag}
	if c.Query("formato") == "csv" {
		return writeCSV(c, "preguntas-"+t.ID+".csv", a.Select(filter).Export)
	}
	filter.PerPage = itemsPerPage
	filter.Page, _ = strconv.Atoi(c.Query("pagina"))
	sel := a.Select(filter)
	v.Items, v.Total, v.Page, v.Pages = sel.Items, sel.Total, sel.Page, sel.Pages
	v.Attempts, v.Started, v.Flagged = a.Attempts, a.Started, a.Flagged
	return s.page(c, http.StatusOK, "admin_items", v)
}

// contentSource links a question's file and line to the foundation's
// repository (inBank: the bank's repository), when the site is configured
// with its address.
func (s *Server) contentSource(file string, line int, inBank bool) string {
	base := s.cfg.ContentSourceURL
	if inBank {
		base = s.cfg.BankSourceURL
	}
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + "/" + file + "#L" + strconv.Itoa(line)
}

// csvSafe neutralises a cell that a spreadsheet would run as a formula
// (OWASP's CSV injection advice): a leading =, +, -, @, tab or carriage
// return gets a single quote in front.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCSV sends a CSV download of the rows that rows emits, the first
// being the header: UTF-8 with a byte-order mark so that spreadsheets show
// accents correctly. Every cell passes through csvSafe here, where the
// file is written, so that no export can forget it and the services keep
// handing over the true values.
func writeCSV(c *gin.Context, name string, rows func(emit func([]string) error) error) error {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if _, err := c.Writer.WriteString("\uFEFF"); err != nil {
		return err
	}
	w := csv.NewWriter(c.Writer)
	err := rows(func(cells []string) error {
		safe := make([]string, len(cells))
		for i, cell := range cells {
			safe[i] = csvSafe(cell)
		}
		return w.Write(safe)
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// adminExportAttempts downloads every attempt as CSV.
func (s *Server) adminExportAttempts(c *gin.Context) error {
	return writeCSV(c, "intentos.csv", func(emit func([]string) error) error {
		return s.admin.ExportAttempts(c.Request.Context(), emit)
	})
}

// adminExportCertificates downloads every certificate as CSV.
func (s *Server) adminExportCertificates(c *gin.Context) error {
	return writeCSV(c, "certificados.csv", func(emit func([]string) error) error {
		return s.admin.ExportCertificates(c.Request.Context(), emit)
	})
}
