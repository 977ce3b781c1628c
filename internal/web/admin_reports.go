package web

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/certificate"
	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/store"
)

// itemRow is one question of the item analysis.
type itemRow struct {
	exam.ItemStat
	Domain  string
	File    string
	Line    int
	Source  string // link to the file in the foundation's repository, if configured
	Retired bool   // no longer in the bank
	Stem    string
}

// FacilityText and DiscriminationText format the indices; "—" when undefined.
func (r itemRow) FacilityText() string { return fmt.Sprintf("%.2f", r.Facility) }

// DiscriminationText is the point-biserial with two decimals.
func (r itemRow) DiscriminationText() string {
	if math.IsNaN(r.Discrimination) {
		return "—"
	}
	return fmt.Sprintf("%.2f", r.Discrimination)
}

type adminItemsView struct {
	base
	Track    *content.Track
	Tracks   []*content.Track
	Items    []itemRow
	Sort     string
	Desc     bool
	Min      int
	Flagged  int
	Attempts int
}

// itemAnalysis computes the statistics of every exam question of a track
// from its finished attempts.
func (s *Server) itemAnalysis(c *gin.Context, t *content.Track) ([]itemRow, int, error) {
	var responses []exam.Response
	attempts := map[string]bool{}
	err := s.store.ItemResponses(c.Request.Context(), t.ID, func(r store.ItemResponse) error {
		attempts[r.AttemptID] = true
		responses = append(responses, exam.Response{AttemptID: r.AttemptID, QuestionID: r.QuestionID, Options: r.Options, Key: r.Key, Answer: r.Answer, Correct: r.Correct, Score: r.Score})
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	stats := exam.ItemStats(responses)
	byID := map[string]exam.ItemStat{}
	for _, st := range stats {
		byID[st.QuestionID] = st
	}
	var rows []itemRow
	seen := map[string]bool{}
	for _, q := range t.ExamQuestions { // every question of the bank, served or not
		st, ok := byID[q.ID]
		if !ok {
			st = exam.ItemStat{QuestionID: q.ID, Discrimination: math.NaN()}
		}
		rows = append(rows, itemRow{ItemStat: st, Domain: t.DomainTitle(q.Domain), File: q.File, Line: q.Line, Source: s.sourceURL(q.File, q.Line), Stem: truncate(q.StemText, 140)})
		seen[q.ID] = true
	}
	for _, st := range stats { // served in the past, since removed from the bank
		if !seen[st.QuestionID] {
			rows = append(rows, itemRow{ItemStat: st, Retired: true})
		}
	}
	return rows, len(attempts), nil
}

func (s *Server) sourceURL(file string, line int) string {
	if s.cfg.ContentSourceURL == "" {
		return ""
	}
	return strings.TrimRight(s.cfg.ContentSourceURL, "/") + "/" + file + "#L" + strconv.Itoa(line)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

var itemSorts = map[string]func(a, b itemRow) int{
	"pregunta":  func(a, b itemRow) int { return cmp.Compare(a.QuestionID, b.QuestionID) },
	"servida":   func(a, b itemRow) int { return cmp.Compare(a.Served, b.Served) },
	"facilidad": func(a, b itemRow) int { return cmp.Compare(a.Facility, b.Facility) },
	"discriminacion": func(a, b itemRow) int {
		return cmp.Compare(nanLow(a.Discrimination), nanLow(b.Discrimination))
	},
	"alertas": func(a, b itemRow) int { return cmp.Compare(len(a.Flags), len(b.Flags)) },
}

func nanLow(f float64) float64 {
	if math.IsNaN(f) {
		return -2
	}
	return f
}

func (s *Server) adminItems(c *gin.Context) error {
	cat := s.cat()
	t := cat.Track(c.Query("certificacion"))
	if t == nil && len(cat.Tracks) > 0 {
		t = cat.Tracks[0]
	}
	if t == nil {
		return errNotFound
	}
	rows, attempts, err := s.itemAnalysis(c, t)
	if err != nil {
		return err
	}
	v := adminItemsView{base: s.base(c, "admin.items_title"), Track: t, Tracks: cat.Tracks, Min: exam.MinResponses, Attempts: attempts, Sort: c.Query("orden"), Desc: c.Query("dir") == "desc"}
	if sortFn, ok := itemSorts[v.Sort]; ok {
		slices.SortStableFunc(rows, func(a, b itemRow) int {
			if v.Desc {
				return sortFn(b, a)
			}
			return sortFn(a, b)
		})
	} else {
		v.Sort = ""
	}
	for _, r := range rows {
		if len(r.Flags) > 0 {
			v.Flagged++
		}
	}
	v.Items = rows
	if c.Query("formato") == "csv" {
		return s.itemsCSV(c, t, rows)
	}
	return s.page(c, http.StatusOK, "admin_items", v)
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

// writeCSV sends a CSV download: UTF-8 with a byte-order mark so that
// spreadsheets show accents correctly.
func writeCSV(c *gin.Context, name string, header []string, rows func(emit func([]string) error) error) error {
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if _, err := c.Writer.WriteString("\uFEFF"); err != nil {
		return err
	}
	w := csv.NewWriter(c.Writer)
	if err := w.Write(header); err != nil {
		return err
	}
	err := rows(func(cells []string) error {
		for i := range cells {
			cells[i] = csvSafe(cells[i])
		}
		return w.Write(cells)
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

func (s *Server) itemsCSV(c *gin.Context, t *content.Track, rows []itemRow) error {
	return writeCSV(c, "preguntas-"+t.ID+".csv",
		[]string{"pregunta", "dominio", "archivo", "linea", "servida", "correctas", "facilidad", "discriminacion", "alertas", "opciones"},
		func(emit func([]string) error) error {
			for _, r := range rows {
				var opts []string
				for _, o := range r.Options {
					mark := ""
					if o.Correct {
						mark = "*"
					}
					opts = append(opts, fmt.Sprintf("%s%s: %.2f", mark, o.HTML, o.Share))
				}
				if err := emit([]string{r.QuestionID, r.Domain, r.File, strconv.Itoa(r.Line), strconv.Itoa(r.Served), strconv.Itoa(r.Correct),
					r.FacilityText(), r.DiscriminationText(), strings.Join(r.Flags, " "), strings.Join(opts, " | ")}); err != nil {
					return err
				}
			}
			return nil
		})
}

func csvTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// adminExportAttempts downloads every attempt as CSV.
func (s *Server) adminExportAttempts(c *gin.Context) error {
	return writeCSV(c, "intentos.csv",
		[]string{"intento", "correo", "nombre", "estado_republica", "certificacion", "version_contenido", "inicio", "fin", "estado", "motivo_fin", "aciertos", "total", "porcentaje", "minutos_adicionales"},
		func(emit func([]string) error) error {
			return s.store.ExportAttempts(c.Request.Context(), func(e store.ExportAttempt) error {
				started := e.StartedAt
				return emit([]string{e.ID, e.Email, e.HolderName, e.State, e.TrackID, e.ContentVersion, csvTime(&started), csvTime(e.FinishedAt),
					e.Status, e.FinishReason, strconv.Itoa(e.Score), strconv.Itoa(e.Total), strconv.Itoa(e.Percent), strconv.Itoa(e.ExtraMinutes)})
			})
		})
}

// adminExportCertificates downloads every certificate as CSV.
func (s *Server) adminExportCertificates(c *gin.Context) error {
	now := s.now()
	return writeCSV(c, "certificados.csv",
		[]string{"id", "codigo", "titular", "certificacion", "version_temario", "emitido", "vence", "estado", "revocado", "motivo", "reemplazado_por"},
		func(emit func([]string) error) error {
			return s.store.ExportCertificates(c.Request.Context(), func(ct *store.Certificate) error {
				issued := ct.IssuedAt
				return emit([]string{ct.ID, ct.Code, ct.HolderName, ct.TrackTitle, ct.TrackVersion, csvTime(&issued), csvTime(ct.ExpiresAt),
					string(certificate.StatusOf(ct, now)), csvTime(ct.RevokedAt), ct.RevocationReason, ct.ReplacedBy})
			})
		})
}

type adminAuditView struct {
	base
	Entries []store.AuditEntry
	Actions []string
	Action  string
	Person  string
	Next    int64
}

// adminAudit lists the audit log, filterable by action and person.
func (s *Server) adminAudit(c *gin.Context) error {
	v := adminAuditView{base: s.base(c, "admin.audit_title"), Action: c.Query("accion"), Person: strings.TrimSpace(c.Query("persona"))}
	before, _ := strconv.ParseInt(c.Query("antes"), 10, 64) // not a number: the first page
	var err error
	if v.Entries, err = s.store.Audit(c.Request.Context(), store.AuditFilter{Action: v.Action, Person: v.Person, Limit: 100, BeforeID: before}); err != nil {
		return err
	}
	if v.Actions, err = s.store.AuditActions(c.Request.Context()); err != nil {
		return err
	}
	if len(v.Entries) == 100 {
		v.Next = v.Entries[len(v.Entries)-1].ID
	}
	return s.page(c, http.StatusOK, "admin_audit", v)
}
