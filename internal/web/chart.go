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

// hbarSeries names one series of a horizontal bar chart and the class
// that colours its bars.
type hbarSeries struct{ Name, Class string }

// hbarRow is one row of a horizontal bar chart: a label and one value per
// series, in the order of the series.
type hbarRow struct {
	Label  string
	Values []int
}

// hbarChart draws one row per label, in the order given, with the full
// label as text above or beside its bars: unlike the labels of a column
// chart, a long name ("Baja California Sur") is never cut, at any width.
// Each bar is a small SVG stretched to its share of the largest value
// (attributes, not inline styles, so the page's CSP holds) and followed
// by its number. The names of the series are given by the legend and the
// table of the same numbers that goes with every chart.
func hbarChart(id, title string, series []hbarSeries, rows []hbarRow) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	maxV := 1
	for _, r := range rows {
		for _, v := range r.Values {
			maxV = max(maxV, v)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="hbars" aria-labelledby="%s-title"><figcaption id="%s-title" class="visually-hidden">%s</figcaption><ol class="hbar-rows">`, id, id, html.EscapeString(title))
	for _, r := range rows {
		fmt.Fprintf(&b, `<li><span class="hbar-label">%s</span><span class="hbar-bars">`, html.EscapeString(r.Label))
		for i, se := range series {
			if i >= len(r.Values) {
				break
			}
			v := r.Values[i]
			w := 100 * float64(v) / float64(maxV)
			fmt.Fprintf(&b, `<span class="hbar"><svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"><rect class="%s" width="%.2f" height="10"/></svg><span class="hbar-value"><span class="visually-hidden">%s: </span>%d</span></span>`,
				html.EscapeString(se.Class), w, html.EscapeString(se.Name), v)
		}
		b.WriteString(`</span></li>`)
	}
	b.WriteString(`</ol></figure>`)
	return template.HTML(b.String()) // #nosec G203 -- every text is escaped above; numbers are formatted
}
