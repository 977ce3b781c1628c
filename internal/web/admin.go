package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
	"mxcert/internal/store"
)

type adminView struct {
	base
	Totals          store.Totals
	PassRate        int
	Weeks           []weekRow
	WeeklyChart     any
	States          []stateRow
	StateChart      any
	ContentVersion  string
	ContentLoaded   time.Time
	ContentWarnings []content.Finding
	Tracks          int
}

type weekRow struct {
	Label                      string
	Registered, Passed, Failed int
	Issued, Revoked            int
}

type stateRow struct {
	State      string
	Candidates int
	Certified  int
}

// adminHome is the foundation's dashboard: the programme in numbers, over
// the last 12 weeks and by state, and the content in use.
func (s *Server) adminHome(c *gin.Context) error {
	ctx := c.Request.Context()
	v := adminView{base: s.base(c, "admin.title")}
	var err error
	if v.Totals, err = s.store.Totals(ctx); err != nil {
		return err
	}
	if done := v.Totals.AttemptsPassed + v.Totals.AttemptsFailed; done > 0 {
		v.PassRate = v.Totals.AttemptsPassed * 100 / done
	}
	// Weeks start on Monday, in the foundation's time zone.
	now := s.now().In(s.zone)
	monday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, s.zone).AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
	start := monday.AddDate(0, 0, -7*11)
	events, err := s.store.EventsSince(ctx, start)
	if err != nil {
		return err
	}
	v.Weeks = make([]weekRow, 12)
	for i := range v.Weeks {
		d := start.AddDate(0, 0, 7*i)
		v.Weeks[i].Label = d.Format("02/01")
	}
	for _, e := range events {
		i := int(e.At.In(s.zone).Sub(start).Hours() / (24 * 7))
		if i < 0 || i >= 12 {
			continue
		}
		w := &v.Weeks[i]
		switch e.Kind {
		case "registered":
			w.Registered++
		case store.AttemptPassed:
			w.Passed++
		case store.AttemptFailed:
			w.Failed++
		case "issued":
			w.Issued++
		case "revoked":
			w.Revoked++
		}
	}
	var reg, pass, fail []bar
	for _, w := range v.Weeks {
		reg = append(reg, bar{w.Label, w.Registered})
		pass = append(pass, bar{w.Label, w.Passed})
		fail = append(fail, bar{w.Label, w.Failed})
	}
	v.WeeklyChart = barChart("semanas", v.T("admin.chart_weeks"), []series{
		{v.T("admin.series_registered"), "s1", reg}, {v.T("admin.series_passed"), "s2", pass}, {v.T("admin.series_failed"), "s3", fail},
	})
	for st, n := range v.Totals.CandidatesByState {
		v.States = append(v.States, stateRow{State: st, Candidates: n, Certified: v.Totals.CertifiedByState[st]})
	}
	slices.SortFunc(v.States, func(a, b stateRow) int { return b.Candidates - a.Candidates })
	var cand, cert []bar
	for _, st := range v.States {
		label := st.State
		if label == "" {
			label = "—"
		}
		cand = append(cand, bar{abbrevState(label), st.Candidates})
		cert = append(cert, bar{abbrevState(label), st.Certified})
	}
	v.StateChart = barChart("estados", v.T("admin.chart_states"), []series{{v.T("admin.series_candidates"), "s1", cand}, {v.T("admin.series_certified"), "s2", cert}})
	cat := s.cat()
	v.ContentVersion, v.ContentLoaded, v.Tracks = cat.Version, cat.LoadedAt, len(cat.Tracks)
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
