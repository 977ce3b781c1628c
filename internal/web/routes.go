package web

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes registers every route of the site in one place.
func (s *Server) routes() error {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = true
	if err := e.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	e.Use(s.recoverPanics, s.logRequests, securityHeaders)
	e.NoRoute(func(c *gin.Context) { s.renderError(c, errNotFound) })
	e.NoMethod(func(c *gin.Context) { s.renderError(c, errMethod) })

	e.GET("/", s.handle(s.home))
	e.HEAD("/", s.handle(s.home))
	e.GET("/healthz", s.healthz)
	e.GET("/static/:hash/*path", s.assets.serve)
	e.HEAD("/static/:hash/*path", s.assets.serve)

	s.engine = e
	return nil
}

// handlerFunc is a handler that returns its error instead of writing it;
// handle turns the error into the right status page.
type handlerFunc func(c *gin.Context) error

func (s *Server) handle(h handlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			s.renderError(c, err)
		}
	}
}

func (s *Server) healthz(c *gin.Context) {
	cat := s.cat()
	if cat == nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"status": "ok", "content_version": cat.Version, "tracks": len(cat.Tracks)})
}
