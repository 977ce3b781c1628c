// Package templates embeds the site's HTML templates so that one mxcert
// binary runs anywhere; `mxcert serve --dev` reads them from disk instead.
package templates

import "embed"

// FS holds layout.html, the partials and one file per page.
//
//go:embed *.html
var FS embed.FS
