package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"mxcert/internal/store"
)

type adminView struct {
	base
	Candidates     int
	Admins         int
	ContentVersion string
	ContentLoaded  string
	Tracks         int
}

// adminHome is the console's entry page. The full console (statistics,
// candidates, item analysis) is built on top of it.
func (s *Server) adminHome(c *gin.Context) error {
	ctx := c.Request.Context()
	v := adminView{base: s.base(c, "admin.title")}
	var err error
	if v.Candidates, err = s.store.CountUsers(ctx, store.RoleCandidate); err != nil {
		return err
	}
	if v.Admins, err = s.store.CountUsers(ctx, store.RoleAdmin); err != nil {
		return err
	}
	cat := s.cat()
	v.ContentVersion, v.Tracks = cat.Version, len(cat.Tracks)
	v.ContentLoaded = v.DateTime(cat.LoadedAt)
	return s.page(c, http.StatusOK, "admin", v)
}
