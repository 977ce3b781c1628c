package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"mxcert/internal/admin"
	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/model"
)

type adminItemsView struct {
	base
	Track    *content.Track
	Tracks   []*content.Track
	Items    []admin.Item
	Sort     string
	Desc     bool
	Min      int
	Flagged  int
	Attempts int
	Started  int
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

// adminItems is the item analysis of a track's exam bank, as a page or a
// CSV download.
func (s *Server) adminItems(c *gin.Context) error {
	cat := s.cat()
	t := cat.Track(c.Query("certificacion"))
	if t == nil && len(cat.Tracks) > 0 {
		t = cat.Tracks[0]
	}
	if t == nil {
		return errNotFound
	}
	v := adminItemsView{base: s.base(c, "admin.items_title"), Track: t, Tracks: cat.Tracks, Min: exam.MinResponses, Sort: c.Query("orden"), Desc: c.Query("dir") == "desc"}
	order, ok := itemOrders[v.Sort]
	if !ok {
		v.Sort, order = "", admin.BankOrder
	}
	a, err := s.admin.ItemAnalysis(c.Request.Context(), t, order, v.Desc)
	if err != nil {
		return err
	}
	if c.Query("formato") == "csv" {
		return writeCSV(c, "preguntas-"+t.ID+".csv", a.Export)
	}
	v.Items, v.Attempts, v.Started, v.Flagged = a.Items, a.Attempts, a.Started, a.Flagged
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

type adminAuditView struct {
	base
	Entries []model.AuditEntry
	Actions []string
	Action  string
	Person  string
	Next    int64
}

// adminAudit lists the audit log, filterable by action and person.
func (s *Server) adminAudit(c *gin.Context) error {
	v := adminAuditView{base: s.base(c, "admin.audit_title"), Action: c.Query("accion"), Person: strings.TrimSpace(c.Query("persona"))}
	before, err := strconv.ParseInt(c.Query("antes"), 10, 64)
	if err != nil {
		before = 0 // not a number: the newest entries
	}
	p, err := s.admin.Audit(c.Request.Context(), admin.AuditQuery{Action: v.Action, Person: v.Person, Before: before})
	if err != nil {
		return err
	}
	v.Entries, v.Actions, v.Next = p.Entries, p.Actions, p.Next
	return s.page(c, http.StatusOK, "admin_audit", v)
}
