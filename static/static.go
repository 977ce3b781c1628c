// Package static embeds the site's CSS, JavaScript and images. They are
// served under content-hash URLs with long caching (see internal/web).
package static

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css js img
var FS embed.FS
