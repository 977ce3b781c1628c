package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// bar is one bar of a chart.
type bar struct {
	Label string
	Value int
}

// series is a set of bars drawn side by side in each group.
type series struct {
	Name  string
	Class string // CSS class giving its colour
	Bars  []bar
}

// barChart draws grouped bars as an inline SVG, server-side: no script, no
// chart library. The SVG is an image to assistive technology, named by its
// title; the same numbers are always given as a table next to it.
func barChart(id, title string, ss []series) template.HTML {
	if len(ss) == 0 || len(ss[0].Bars) == 0 {
		return ""
	}
	const w, h, left, bottom, top = 640.0, 220.0, 36.0, 34.0, 12.0
	groups := len(ss[0].Bars)
	maxV := 2
	for _, s := range ss {
		for _, b := range s.Bars {
			maxV = max(maxV, b.Value)
		}
	}
	maxV += maxV % 2 // an even top keeps the middle grid line a whole number
	plotW, plotH := w-left-8, h-bottom-top
	gw := plotW / float64(groups)
	bw := min((gw-6)/float64(len(ss)), 28)
	pad := (gw - bw*float64(len(ss))) / 2 // centre each group's bars
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-title" preserveAspectRatio="xMidYMid meet">`, w, h, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, html.EscapeString(title))
	// Grid: zero, half and maximum.
	for _, f := range []float64{0, 0.5, 1} {
		y := top + plotH*(1-f)
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, left, w-8, y, y)
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="end">%d</text>`, left-4, y+4, int(float64(maxV)*f))
	}
	for g := range groups {
		x0 := left + float64(g)*gw + pad
		for si, s := range ss {
			v := s.Bars[g].Value
			bh := plotH * float64(v) / float64(maxV)
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, s.Class, x0+float64(si)*bw, top+plotH-bh, bw-1, bh)
		}
		if groups <= 12 || g%2 == 0 {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, left+float64(g)*gw+gw/2, h-bottom+16, html.EscapeString(ss[0].Bars[g].Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec G203 -- every text is escaped above; numbers are formatted
}
