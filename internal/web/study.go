package web

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path"
	"path/filepath"
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
	// Next marks the one domain the practice hub suggests, the only
	// primary button of its list.
	Next bool
}

func (s *Server) trackPage(c *gin.Context) error {
	_, t, err := s.track(c)
	if err != nil {
		return err
	}
	v := trackView{base: s.base(c, "track.title", "Title", t.Title), Track: t}
	v.StudyMinutes, v.StudyHours = t.StudyMinutes(), t.StudyHours()
	if v.User != nil {
		if v.Standing, v.Progress, err = s.standing(c, v.base, t, onTrack); err != nil {
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

// imageTypes are the files the content may serve, by extension. SVG can
// carry script: lint holds every SVG in images/ to shapes and text (see
// content.checkSVG), and the CSP below forbids script and loading anything
// even when someone opens the file directly.
var imageTypes = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".svg": true}

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
	f, st, err := openContentImage(s.cfg.ContentDir, t.ID, clean)
	if err != nil {
		// Missing, a link, or a name the system refuses (a NUL byte, too
		// long, a file used as a folder): either way there is no image to
		// serve, and the visitor chose the name. The log keeps the odd cases.
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("content image", slog.String("path", clean), slog.Any("err", err))
		}
		return errNotFound
	}
	defer f.Close()
	c.Header("Content-Type", imageContentType(clean))
	c.Header("Cache-Control", "public, max-age=86400")
	// An image opened directly is a document of its own: it may load nothing.
	c.Header("Content-Security-Policy", "default-src 'none'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; sandbox")
	http.ServeContent(c.Writer, c.Request, clean, st.ModTime(), f)
	return nil
}

// errLink is a content path that is, or goes through, a symbolic link.
var errLink = errors.New("the content path is a symbolic link")

// openContentImage opens rel (images/…) of a track for reading, confined
// to the track's folder by os.Root and refusing every symbolic link on
// the way: a link such as images/x.png → ../questions/bank.md stays
// inside the content folder, and following it would serve the exam bank.
// lint refuses links too; this holds for a link made after the content
// was checked.
func openContentImage(contentDir, track, rel string) (*os.File, fs.FileInfo, error) {
	root, err := os.OpenRoot(filepath.Join(contentDir, track))
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	dir := path.Dir(rel)
	for d := dir; d != "." && d != "/"; d = path.Dir(d) {
		st, err := root.Lstat(d)
		if err != nil {
			return nil, nil, err
		}
		if st.Mode()&fs.ModeSymlink != 0 || !st.IsDir() {
			return nil, nil, fmt.Errorf("%s: %w", d, errLink)
		}
	}
	// os.Root follows links that stay inside it, so the file itself is
	// checked with Lstat, and the file opened must be the one checked (a
	// link swapped in between is refused).
	lst, err := root.Lstat(rel)
	if err != nil {
		return nil, nil, err
	}
	if lst.Mode()&fs.ModeSymlink != 0 || !lst.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: %w", rel, errLink)
	}
	f, err := root.Open(rel)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil || !os.SameFile(lst, st) {
		return nil, nil, errors.Join(fmt.Errorf("%s: %w", rel, errLink), err, f.Close())
	}
	return f, st, nil
}

// imageContentType names an image's type without consulting the system's
// MIME tables, which differ between machines.
func imageContentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	default:
		return "image/jpeg"
	}
}

type referenceView struct {
	base
	Track *content.Track
	Page  *content.Page
}

// referencePage shows a reference page of the track, such as the
// technical sheet that the modules and questions follow.
func (s *Server) referencePage(c *gin.Context) error {
	_, t, err := s.track(c)
	if err != nil {
		return err
	}
	p := t.Page(c.Param("slug"))
	if p == nil {
		return errNotFound
	}
	return s.page(c, http.StatusOK, "reference", referenceView{base: s.base(c, "reference.title", "Title", p.Title), Track: t, Page: p})
}
