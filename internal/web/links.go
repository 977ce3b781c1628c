package web

import (
	"net/url"
	"strings"

	"mxcert/internal/content"
)

// ContentLinkURL maps a file of a track to the URL the site serves it at.
// Modules become module pages; every other file (images) is served by the
// track's asset route.
func ContentLinkURL(track, rel string) string {
	base := "/certificaciones/" + url.PathEscape(track)
	switch {
	case rel == "certification.md":
		return base
	case strings.HasPrefix(rel, "modules/") && strings.HasSuffix(rel, ".md"):
		return base + "/modulos/" + url.PathEscape(content.ModuleSlug(rel))
	case strings.HasPrefix(rel, "pages/") && strings.HasSuffix(rel, ".md"):
		return base + "/paginas/" + url.PathEscape(strings.TrimSuffix(strings.TrimPrefix(rel, "pages/"), ".md"))
	case strings.HasPrefix(rel, "practice/"):
		return base + "/practica"
	default:
		return base + "/archivos/" + (&url.URL{Path: rel}).EscapedPath()
	}
}
