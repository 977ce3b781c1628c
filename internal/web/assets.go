package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// assets serves the static files under URLs that carry a hash of their
// bytes (/static/<hash>/css/site.css), so browsers may cache them for a year
// and a new release is fetched at once. In dev mode the hash is "dev" and
// nothing is cached.
type assets struct {
	fsys   fs.FS
	dev    bool
	hashes map[string]string // file → first 10 hex digits of its SHA-256
}

func newAssets(fsys fs.FS, dev bool) (*assets, error) {
	a := &assets{fsys: fsys, dev: dev, hashes: map[string]string{}}
	if dev {
		return a, nil
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		a.hashes[p] = hex.EncodeToString(sum[:])[:10]
		return nil
	})
	return a, err
}

// url is the template function "static": the cacheable URL of a file.
func (a *assets) url(file string) string {
	h := "dev"
	if !a.dev {
		h = a.hashes[file]
	}
	return "/static/" + h + "/" + file
}

func (a *assets) serve(c *gin.Context) {
	file := strings.TrimPrefix(path.Clean(c.Param("path")), "/")
	if file == "" || file == "." || strings.HasPrefix(file, "..") || strings.HasSuffix(file, ".go") {
		c.Status(http.StatusNotFound)
		return
	}
	data, err := fs.ReadFile(a.fsys, file)
	if err != nil {
		c.Status(http.StatusNotFound)
		return
	}
	switch {
	case a.dev:
		c.Header("Cache-Control", "no-cache")
	case c.Param("hash") == a.hashes[file]:
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	default:
		// An old page asking for an older hash gets today's file, briefly cached.
		c.Header("Cache-Control", "public, max-age=300")
	}
	ctype := mime.TypeByExtension(path.Ext(file))
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	c.Data(http.StatusOK, ctype, data)
}
