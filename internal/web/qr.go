package web

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// qrImage is a QR code drawn as an inline SVG: the side of its viewBox in
// modules, and one path of its dark modules. In the page itself it needs
// no second request and is never cached apart from the page; that matters
// for an authenticator's QR code, which carries its secret.
type qrImage struct {
	Size int
	Path string
}

func newQR(text string) (qrImage, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return qrImage{}, fmt.Errorf("QR code: %w", err)
	}
	bits := q.Bitmap() // with the quiet zone around it
	var b strings.Builder
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start) // a run of dark modules
		}
	}
	return qrImage{Size: len(bits), Path: b.String()}, nil
}
