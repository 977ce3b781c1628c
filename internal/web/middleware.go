package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// securityHeaders sets the headers every response carries: a CSP without
// inline script, no framing, no MIME sniffing, a strict referrer policy and
// an isolated browsing context.
func (s *Server) securityHeaders(c *gin.Context) {
	s.securityHeaderValues(c.Writer.Header())
	c.Next()
}

// permissionsPolicy turns off the browser features the site never uses,
// so that nothing injected into a page could use them either.
const permissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), serial=(), midi=()"

func (s *Server) securityHeaderValues(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Permissions-Policy", permissionsPolicy)
	if s.secure {
		// Served over HTTPS: browsers must never come back over plain HTTP
		// (a year, the usual minimum for preload lists).
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

func (s *Server) logRequests(c *gin.Context) {
	if !s.log.Enabled(c.Request.Context(), slog.LevelInfo) {
		c.Next() // the attributes below cost more than the handler on hot paths
		return
	}
	start := time.Now()
	c.Next()
	s.log.Info("request",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("took", time.Since(start)),
		slog.String("ip", c.ClientIP()))
}

// recoverPanics turns a panic into the 500 page; the stack goes to the log,
// never to the visitor.
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			s.renderError(c, fmt.Errorf("panic: %v", r))
		}
	}()
	c.Next()
}
