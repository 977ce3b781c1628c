package web

import (
	"errors"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
	"mxcert/internal/study"
)

// track returns the track named in the URL.
func (s *Server) track(c *gin.Context) (*content.Catalog, *content.Track, error) {
	cat := s.cat()
	t := cat.Track(c.Param("track"))
	if t == nil {
		return nil, nil, errNotFound
	}
	return cat, t, nil
}

type trackView struct {
	base
	Track        *content.Track
	Progress     study.Progress
	Studied      int
	Next         study.Step
	Standing     standingCard // signed in: where the candidate stands
	Domains      []domainRow
	StudyMinutes int
	StudyHours   int
}

type domainRow struct {
	ID, Title string
	Module    *content.Module
	Answered  int
	Percent   int
	Practice  int // practice questions available
}

func (s *Server) trackPage(c *gin.Context) error {
	_, t, err := s.track(c)
	if err != nil {
		return err
	}
	v := trackView{base: s.base(c, "track.title", "Title", t.Title), Track: t}
	v.StudyMinutes, v.StudyHours = t.StudyMinutes(), t.StudyHours()
	if v.User != nil {
		if v.Standing, v.Progress, err = s.standing(c, v.base, t, "track"); err != nil {
			return err
		}
		v.Studied = v.Progress.StudiedCount(t)
		v.Next = study.NextStep(t, v.Progress)
	}
	v.Domains = practiceRows(t, v.Progress)
	return s.page(c, http.StatusOK, "track", v)
}

// practiceRows are the track's domains with the candidate's practice
// record in each (empty for a visitor), for the track and practice pages.
func practiceRows(t *content.Track, p study.Progress) []domainRow {
	var rows []domainRow
	for _, d := range t.Domains() {
		row := domainRow{ID: d, Title: t.DomainTitle(d), Practice: len(t.Pool(content.PracticePool, d))}
		if ms := t.ModulesFor(d); len(ms) > 0 {
			row.Module = ms[0]
		}
		a := p.Accuracy[d]
		row.Answered, row.Percent = a.Answered, a.Percent()
		rows = append(rows, row)
	}
	return rows
}

type moduleView struct {
	base
	Track       *content.Track
	Module      *content.Module
	Prev, Next  *content.Module
	Number      int
	Studied     bool
	StudiedAt   time.Time
	DomainTitle string
}

func (s *Server) modulePage(c *gin.Context) error {
	_, t, err := s.track(c)
	if err != nil {
		return err
	}
	v := moduleView{Track: t}
	for i, m := range t.Modules {
		if m.Slug == c.Param("slug") {
			v.Module, v.Number = m, i+1
			if i > 0 {
				v.Prev = t.Modules[i-1]
			}
			if i+1 < len(t.Modules) {
				v.Next = t.Modules[i+1]
			}
		}
	}
	if v.Module == nil {
		return errNotFound
	}
	v.base = s.base(c, "module.title", "Title", v.Module.Title)
	v.DomainTitle = t.DomainTitle(v.Module.Domain)
	if u := v.User; u != nil {
		p, err := s.study.Progress(c.Request.Context(), u.ID, t)
		if err != nil {
			return err
		}
		v.StudiedAt, v.Studied = p.Studied[v.Module.Slug]
	}
	return s.page(c, http.StatusOK, "module", v)
}

// markStudied saves (or removes) the candidate's "studied" mark.
func (s *Server) markStudied(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	_, t, err := s.track(c)
	if err != nil {
		return err
	}
	m := t.Module(c.Param("slug"))
	if m == nil {
		return errNotFound
	}
	studied := c.Request.PostForm.Get("estudiado") != "0"
	if err := s.study.SetStudied(c.Request.Context(), currentUser(c).ID, t, m, studied); err != nil {
		return err
	}
	return redirect(c, moduleURL(t, m))
}

func moduleURL(t *content.Track, m *content.Module) string {
	return ContentLinkURL(t.ID, strings.TrimPrefix(m.File, t.ID+"/"))
}

// imageTypes are the files the content may serve, by extension.
// SVG is left out: it can carry script.
var imageTypes = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true}

// contentAsset serves a track's images. Only files under the track's
// images/ folder, of an image type, are served: no Markdown (the exam bank
// must stay private) and nothing outside the track.
func (s *Server) contentAsset(c *gin.Context) error {
	_, t, err := s.track(c)
	if err != nil {
		return err
	}
	rel := strings.TrimPrefix(c.Param("path"), "/")
	clean := path.Clean(rel)
	if clean != rel || !strings.HasPrefix(clean, "images/") || !fs.ValidPath(clean) || !imageTypes[strings.ToLower(path.Ext(clean))] {
		return errNotFound
	}
	fsys := os.DirFS(s.cfg.ContentDir)
	f, err := fsys.Open(t.ID + "/" + clean)
	if err != nil {
		// Missing, or a name the system refuses (a NUL byte, too long, a
		// file used as a folder): either way there is no image to serve,
		// and the visitor chose the name. The log keeps the odd cases.
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("content image", slog.String("path", clean), slog.Any("err", err))
		}
		return errNotFound
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return errNotFound
	}
	rs, ok := f.(interface {
		Read([]byte) (int, error)
		Seek(int64, int) (int64, error)
	})
	if !ok {
		return errNotFound
	}
	c.Header("Content-Type", mime.TypeByExtension(path.Ext(clean)))
	c.Header("Cache-Control", "public, max-age=86400")
	// An image opened directly is a document of its own: it may load nothing.
	c.Header("Content-Security-Policy", "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox")
	http.ServeContent(c.Writer, c.Request, clean, st.ModTime(), rs)
	return nil
}
