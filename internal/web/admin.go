package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/admin"
	"mxcert/internal/content"
	"mxcert/internal/model"
)

type adminView struct {
	base
	Totals          model.Totals
	PassRate        int
	Weeks           []weekRow
	WeeklyChart     any
	States          []admin.StateFigures
	StateChart      any
	ContentVersion  string
	BankVersion     string // empty: the exam pools are the content's own
	ContentLoaded   time.Time
	ContentWarnings []content.Finding
	Tracks          int
}

// weekRow is a week of the dashboard with the label its chart and table
// show.
type weekRow struct {
	admin.Week
	Label string
}

// adminHome is the foundation's dashboard: the programme in numbers, over
// the last 12 weeks and by state, and the content in use.
func (s *Server) adminHome(c *gin.Context) error {
	d, err := s.admin.Dashboard(c.Request.Context())
	if err != nil {
		return err
	}
	v := adminView{base: s.base(c, "admin.title"), Totals: d.Totals, PassRate: d.PassRate, States: d.States}
	var reg, pass, fail []bar
	for _, w := range d.Weeks {
		row := weekRow{Week: w, Label: w.Start.In(s.zone).Format("02/01")}
		v.Weeks = append(v.Weeks, row)
		reg = append(reg, bar{row.Label, w.Registered})
		pass = append(pass, bar{row.Label, w.Passed})
		fail = append(fail, bar{row.Label, w.Failed})
	}
	v.WeeklyChart = barChart("semanas", v.T("admin.chart_weeks"), []series{
		{v.T("admin.series_registered"), "s1", reg}, {v.T("admin.series_passed"), "s2", pass}, {v.T("admin.series_failed"), "s3", fail},
	})
	var cand, cert []bar
	for _, st := range d.States {
		label := st.State
		if label == "" {
			label = "—"
		}
		cand = append(cand, bar{abbrevState(label), st.Candidates})
		cert = append(cert, bar{abbrevState(label), st.Certified})
	}
	v.StateChart = barChart("estados", v.T("admin.chart_states"), []series{{v.T("admin.series_candidates"), "s1", cand}, {v.T("admin.series_certified"), "s2", cert}})
	cat := s.cat()
	v.ContentVersion, v.BankVersion, v.ContentLoaded, v.Tracks = cat.Version, cat.BankVersion, cat.LoadedAt, len(cat.Tracks)
	if s.contentReport != nil {
		v.ContentWarnings = s.contentReport().Warnings()
	}
	return s.page(c, http.StatusOK, "admin", v)
}

// abbrevState shortens a state's name for a chart label.
func abbrevState(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return s
	}
	return string(r[:5]) + "."
}
