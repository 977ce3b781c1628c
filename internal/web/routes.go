package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// routes registers every route of the site in one place. Public URLs are
// Spanish and stable; machine endpoints are English.
func (s *Server) routes() error {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	// Trailing slashes are handled in notFound, so that /admin/ does not
	// reveal /admin to visitors with a redirect.
	e.RedirectTrailingSlash = false
	if err := e.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return fmt.Errorf("trusted proxies: %w", err)
	}
	e.Use(s.recoverPanics, s.logRequests, s.securityHeaders, s.pathIsText)
	e.NoRoute(s.loadUser, s.notFound)
	e.NoMethod(s.loadUser, func(c *gin.Context) { s.renderError(c, errMethod) })

	e.GET("/healthz", s.healthz)
	e.GET("/.well-known/mxcert-keys.json", s.keys)
	e.GET("/api/v1/certificates/:code", s.apiCertificate)
	e.GET("/api/v1/directorio", s.apiDirectory)
	e.OPTIONS("/api/v1/directorio", s.apiDirectoryPreflight)
	e.GET("/sitemap.xml", s.sitemap)
	e.GET("/static/:hash/*path", s.assets.serve)
	e.HEAD("/static/:hash/*path", s.assets.serve)

	pages := e.Group("/", s.loadUser)
	pages.GET("/", s.handle(s.home))
	pages.GET("/registro", s.handle(s.registerForm))
	pages.POST("/registro", s.handle(s.register))
	pages.GET("/registro/enviado", s.handle(s.registerSent))
	pages.GET("/entrar", s.handle(s.loginForm))
	pages.POST("/entrar", s.handle(s.login))
	getPost(pages, "/entrar/codigo", s.handle(s.codePage))
	getPost(pages, "/entrar/recuperacion", s.handle(s.codePage))
	getPost(pages, "/entrar/activar", s.handle(s.enrolPage))
	pages.POST("/salir", s.handle(s.logout))
	pages.GET("/correo/verificar", s.handle(s.verifyEmail))
	pages.GET("/contrasena/olvide", s.handle(s.forgotForm))
	pages.POST("/contrasena/olvide", s.handle(s.forgot))
	pages.GET("/contrasena/nueva", s.handle(s.resetForm))
	pages.POST("/contrasena/nueva", s.handle(s.reset))
	pages.POST("/idioma", s.handle(s.setLanguage))

	pages.GET("/verificar", s.handle(s.verifyForm))
	pages.GET("/verificar/:code", s.handle(s.verifyPage))
	pages.GET("/certificaciones/:track", s.handle(s.trackPage))
	pages.GET("/certificaciones/:track/modulos/:slug", s.handle(s.modulePage))
	pages.GET("/certificaciones/:track/paginas/:slug", s.handle(s.referencePage))
	pages.GET("/certificaciones/:track/archivos/*path", s.handle(s.contentAsset))
	pages.GET("/directorio", s.handle(s.directorySearch))
	pages.GET("/directorio/:estado", s.handle(s.directoryState))
	pages.GET("/directorio/:estado/:slug", s.handle(s.directoryListing))
	pages.GET("/aviso-de-privacidad", s.handle(s.privacyNotice))

	signedIn := pages.Group("/", s.requireUser)
	signedIn.GET("/cuenta", s.handle(s.accountPage))
	signedIn.POST("/cuenta/contrasena", s.handle(s.changePassword))
	signedIn.POST("/cuenta/nombre", s.handle(s.changeName))
	signedIn.POST("/cuenta/correo", s.handle(s.changeEmail))
	signedIn.POST("/correo/reenviar", s.handle(s.resendVerification))
	signedIn.POST("/cuenta/sesiones/cerrar", s.handle(s.endSession))
	signedIn.POST("/cuenta/sesiones/cerrar-las-demas", s.handle(s.endOtherSessions))
	signedIn.POST("/certificaciones/:track/modulos/:slug/estudiado", s.handle(s.markStudied))
	signedIn.GET("/certificaciones/:track/practica", s.handle(s.practiceHub))
	signedIn.POST("/certificaciones/:track/practica", s.handle(s.startPractice))
	signedIn.GET("/practica/:id", s.handle(s.practiceItem))
	signedIn.POST("/practica/:id/pregunta/:pos", s.handle(s.answerPractice))
	signedIn.POST("/practica/:id/terminar", s.handle(s.finishPractice))
	signedIn.GET("/practica/:id/resultado", s.handle(s.practiceResult))
	signedIn.GET("/certificaciones/:track/examen", s.handle(s.examStart))
	signedIn.POST("/certificaciones/:track/examen", s.handle(s.examBegin))
	signedIn.GET("/examen/:id", s.handle(s.examItem))
	signedIn.POST("/examen/:id/respuesta", s.handle(s.examSave))
	signedIn.GET("/examen/:id/salir", s.handle(s.examLeave))
	signedIn.GET("/examen/:id/entregar", s.handle(s.examReview))
	signedIn.POST("/examen/:id/entregar", s.handle(s.examSubmit))
	signedIn.GET("/examen/:id/resultado", s.handle(s.examResult))
	signedIn.GET("/certificados/:id", s.handle(s.certificatePage))
	signedIn.GET("/certificados/:id/pdf", s.handle(s.certificatePDF))
	getPost(signedIn, "/cuenta/directorio", s.handle(s.listingPage))
	signedIn.POST("/cuenta/directorio/publicar", s.handle(s.publishListing))
	getPost(signedIn, "/cuenta/directorio/borrar", s.handle(s.deleteListing))

	// The console: administrators only, with a session that passed the
	// second factor; its sensitive actions also need the password or a
	// code typed in the last minutes (recent).
	admin := pages.Group("/admin", s.requireAdmin, s.requireSecondFactor)
	recent := admin.Group("", s.requireRecentCheck)
	admin.GET("", s.handle(s.adminHome))
	admin.GET("/candidatos", s.handle(s.adminCandidates))
	admin.GET("/candidatos/:id", s.handle(s.adminCandidate))
	getPost(admin, "/candidatos/:id/tiempo-adicional", s.handle(s.adminAccommodation))
	getPost(recent, "/candidatos/:id/nombre", s.handle(s.adminName))
	admin.GET("/duplicados", s.handle(s.adminDuplicates))
	getPost(recent, "/unir", s.handle(s.adminMerge))
	getPost(recent, "/candidatos/:id/restablecer-contrasena", s.handle(s.adminResetPassword))
	getPost(admin, "/intentos/:id/liberar-espera", s.handle(s.adminWaive))
	admin.GET("/intentos/:id", s.handle(s.adminAttempt))
	getPost(recent, "/intentos/:id/prorrogar", s.handle(s.adminExtend))
	getPost(recent, "/intentos/:id/cancelar", s.handle(s.adminCancel))
	admin.POST("/candidatos/:id/notas", s.handle(s.adminAddNote))
	admin.GET("/certificados/:id", s.handle(s.adminCertificate))
	getPost(recent, "/certificados/:id/revocar", s.handle(s.adminRevoke))
	getPost(recent, "/certificados/:id/restablecer", s.handle(s.adminReinstate))
	admin.GET("/preguntas", s.handle(s.adminItems))
	admin.GET("/exportar/intentos.csv", s.handle(s.adminExportAttempts))
	admin.GET("/exportar/certificados.csv", s.handle(s.adminExportCertificates))
	admin.GET("/bitacora", s.handle(s.adminAudit))
	getPost(recent, "/contenido/recargar", s.handle(s.adminReload))
	getPost(admin, "/confirmar", s.handle(s.adminRecheck))
	admin.GET("/seguridad", s.handle(s.adminSecurity))
	getPost(recent, "/seguridad/aplicacion", s.handle(s.adminReplaceAuthenticator))
	getPost(recent, "/seguridad/codigos", s.handle(s.adminNewRecoveryCodes))
	if err := s.directoryModerationRoutes(pages, signedIn, admin, recent); err != nil {
		return err
	}

	s.engine = e
	s.handler = s.crossOriginProtection(e)
	return nil
}

// crossOriginProtection refuses state-changing requests that a browser
// sends from another site (CSRF), using Sec-Fetch-Site and Origin. Every
// state change is a POST, so GETs need no protection.
func (s *Server) crossOriginProtection(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	if s.cfg.BaseURL != "" {
		// Behind a proxy that rewrites Host, the public origin is still ours.
		_ = cop.AddTrustedOrigin(s.cfg.BaseURL) // an invalid base URL only loses this convenience
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.securityHeaderValues(w.Header())
		s.writeErrorPage(w, r, errForbidden)
	}))
	return cop.Handler(h)
}

// getPost registers a page that shows a form (GET) and takes it (POST) at
// the same address: admin actions ask for confirmation, then act.
func getPost(g *gin.RouterGroup, path string, h gin.HandlerFunc) {
	g.GET(path, h)
	g.POST(path, h)
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

// healthz tells a load balancer and an operator whether this process can
// serve: content loaded and the database answering. The content version
// lets an operator see that every replica serves the same content.
func (s *Server) healthz(c *gin.Context) {
	cat := s.cat()
	c.Header("Cache-Control", "no-store")
	if cat == nil {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	body := gin.H{"status": "ok", "content_version": cat.Version, "tracks": len(cat.Tracks)}
	if s.database != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		name, err := s.database(ctx)
		body["database"] = name
		if err != nil {
			s.log.Warn("health check: the database does not answer", slog.String("error", err.Error()))
			body["status"] = "unavailable"
			c.JSON(http.StatusServiceUnavailable, body)
			return
		}
	}
	c.JSON(http.StatusOK, body)
}

// pathIsText answers 404 for a path that is not valid UTF-8 text or holds
// a NUL: no page, id, slug or code has one, and PostgreSQL refuses such
// text outright, so it must never reach a look-up.
func (s *Server) pathIsText(c *gin.Context) {
	if p := c.Request.URL.Path; !utf8.ValidString(p) || strings.ContainsRune(p, 0) {
		s.notFound(c)
		c.Abort()
	}
}

// notFound answers unknown paths. A path with a trailing slash is sent to
// the same path without it, except in the admin area, which stays hidden.
func (s *Server) notFound(c *gin.Context) {
	p := c.Request.URL.Path
	switch {
	case strings.HasPrefix(p, "/api/"):
		s.renderAPIError(c, errNotFound, "api.not_found")
		return
	case strings.HasPrefix(p, "/verificar/"):
		// A code with slashes in it is still a code that does not exist.
		s.handle(s.verifyPage)(c)
		return
	}
	if (c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead) && len(p) > 1 && strings.HasSuffix(p, "/") && !strings.HasPrefix(p, "/admin") {
		c.Redirect(http.StatusMovedPermanently, localPath(strings.TrimRight(p, "/")))
		return
	}
	s.renderError(c, errNotFound)
}
