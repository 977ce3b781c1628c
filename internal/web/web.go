// Package web is the HTTP face of MxOS Certificación: routes, handlers,
// middleware and page rendering. It holds no SQL and no scoring rules;
// every request calls one use case and renders its result.
package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"mxcert/internal/content"
)

// Config is what the web layer needs from the process configuration.
type Config struct {
	BaseURL        string   // public URL, e.g. https://certificacion.mxos.mx
	TrustedProxies []string // proxies whose X-Forwarded-For is believed; none by default
	Dev            bool     // templates and static files are re-read from disk
}

// Deps are the web layer's collaborators.
type Deps struct {
	Logger    *slog.Logger
	Catalog   func() *content.Catalog // the content in use; swapped whole on reload
	Templates fs.FS
	Static    fs.FS
}

// Server holds the handlers' dependencies and the configured router.
type Server struct {
	cfg    Config
	log    *slog.Logger
	cat    func() *content.Catalog
	views  *views
	assets *assets
	engine *gin.Engine
}

// New builds the router. It fails if a template does not parse or a route
// names a page that does not exist.
func New(cfg Config, deps Deps) (*Server, error) {
	s := &Server{cfg: cfg, log: deps.Logger, cat: deps.Catalog}
	var err error
	if s.assets, err = newAssets(deps.Static, cfg.Dev); err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	if s.views, err = newViews(deps.Templates, s.funcs(), cfg.Dev); err != nil {
		return nil, err
	}
	for _, page := range []string{"home", "error"} {
		if !s.views.has(page) {
			return nil, fmt.Errorf("template %s.html is missing", page)
		}
	}
	if err := s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the complete HTTP handler, middleware included.
func (s *Server) Handler() http.Handler { return s.engine }

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"static":  func(file string) string { return s.assets.url(file) },
		"minutes": func(d time.Duration) int { return int(d.Minutes()) },
	}
}
