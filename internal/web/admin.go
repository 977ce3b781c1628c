package web

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/admin"
	"mxcert/internal/content"
	"mxcert/internal/exam"
	"mxcert/internal/model"
)

type adminView struct {
	base
	Totals          model.Totals
	PassRate        int
	PassLow         int // the pass rate's 95 % interval, in whole percent
	PassHigh        int
	PeopleFinished  int // people who finished at least one exam
	PeoplePassed    int // of them, those who passed at least one
	PeopleRate      int // percent
	Quality         []qualityRow
	MinAttempts     int // attempts KR-20 needs before it is shown
	Weeks           []weekRow
	WeeklyChart     any
	States          []admin.StateFigures
	StateChart      any
	ContentVersion  string
	BankVersion     string // empty: the exam pools are the content's own
	ContentLoaded   time.Time
	ContentWarnings []content.Finding
	Tracks          int
	Directory       *directoryFigures // the directory in numbers (admin_directory.go)
}

// qualityRow is what a track's scores are worth, with the numbers written
// as the dashboard shows them.
type qualityRow struct {
	admin.TrackQuality
	PassRate, PassLow, PassHigh int    // percent
	KR20                        string // two decimals
	SEM                         string // questions, one decimal
	SEMPoints                   string // percentage points, one decimal
	// NearLow and NearHigh are the whole scores within one SEM of the pass
	// mark: who lands there passed or failed by less than the exam can
	// tell apart.
	NearLow, NearHigh int
}

func newQualityRow(q admin.TrackQuality) qualityRow {
	row := qualityRow{TrackQuality: q}
	row.PassRate = int(q.PassRate() * 100)
	row.PassLow, row.PassHigh = percentRange(q.PassLow, q.PassHigh)
	if r := q.Reliability; r.Enough() {
		row.KR20 = fmt.Sprintf("%.2f", r.KR20)
		row.SEM = fmt.Sprintf("%.1f", r.SEM)
		row.SEMPoints = fmt.Sprintf("%.1f", r.SEMPercent())
		pass := float64(q.Track.Rules.PassPercent)
		row.NearLow = max(int(math.Ceil(pass-r.SEMPercent())), 0)
		row.NearHigh = min(int(math.Floor(pass+r.SEMPercent())), 100)
	}
	return row
}

// percentRange writes an interval of shares in whole percent, widened
// outwards: rounding never makes it look narrower than it is.
func percentRange(lo, hi float64) (int, int) {
	return int(math.Floor(lo*100 + 1e-9)), int(math.Ceil(hi*100 - 1e-9))
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
	v := adminView{base: s.base(c, "admin.title"), Totals: d.Totals, PassRate: d.PassRate, States: d.States, MinAttempts: exam.MinReliabilityAttempts}
	v.PassLow, v.PassHigh = percentRange(d.PassLow, d.PassHigh)
	v.PeopleFinished, v.PeoplePassed, v.PeopleRate = d.PeopleFinished, d.PeoplePassed, d.PeopleRate
	for _, q := range d.Quality {
		v.Quality = append(v.Quality, newQualityRow(q))
	}
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
	var rows []hbarRow
	for _, st := range d.States {
		label := st.State
		if label == "" {
			label = v.T("admin.no_state")
		}
		rows = append(rows, hbarRow{label, []int{st.Candidates, st.Certified}})
	}
	v.StateChart = hbarChart("estados", v.T("admin.chart_states"), []hbarSeries{{v.T("admin.series_candidates"), "s1"}, {v.T("admin.series_certified"), "s2"}}, rows)
	if v.Directory, err = s.directoryFigures(c, v.base); err != nil {
		return err
	}
	cat := s.cat()
	v.ContentVersion, v.BankVersion, v.ContentLoaded, v.Tracks = cat.Version, cat.BankVersion, cat.LoadedAt, len(cat.Tracks)
	if s.contentReport != nil {
		v.ContentWarnings = s.contentReport().Warnings()
	}
	return s.page(c, http.StatusOK, "admin", v)
}
