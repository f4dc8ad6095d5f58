// Package chart draws small bar and line charts as SVG on the server: no
// script, no style attribute (the admin's CSP allows only our stylesheet),
// colours from classes that /static/chart.css sets for light and dark mode.
// A chart scales with its container (viewBox, width 100%) and names itself
// with a <title> and a <desc>; the page puts the data table beside it.
package chart

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// Series is one set of values, one per label; Class picks its colour
// (s0…s5 in chart.css).
type Series struct {
	Name   string
	Class  string
	Values []int64
}

// Chart is what to draw. ID must be unique on the page (it links the
// <title> and <desc> to the image).
type Chart struct {
	ID     string
	Title  string
	Desc   string // a sentence a screen reader hears; the table has the figures
	Labels []string
	Series []Series
}

// The drawing area, in viewBox units.
const (
	width, height             = 640, 260
	left, right, top, bottom  = 48, 12, 12, 56
	plotW, plotH              = width - left - right, height - top - bottom
	gridLines                 = 4
	maxXLabels                = 8
	legendY                   = height - 12
	legendStep, legendSwatchW = 200, 12
)

// scale maps values lo…hi (lo ≤ 0 < hi) onto the plot's height.
type scale struct{ lo, hi int64 }

func (c Chart) scale() scale {
	lo, hi := c.extent()
	sc := scale{hi: niceMax(hi)}
	if lo < 0 {
		sc.lo = -niceMax(-lo)
	}
	return sc
}

// y is the vertical position of v.
func (sc scale) y(v int64) float64 {
	return top + plotH - float64(v-sc.lo)/float64(sc.hi-sc.lo)*plotH
}

// Bars draws the series as grouped bars from zero, one group per label.
func Bars(c Chart) template.HTML {
	var b strings.Builder
	sc := c.scale()
	open(&b, c, "bars")
	grid(&b, sc)
	n := len(c.Labels)
	if n > 0 && len(c.Series) > 0 {
		group := float64(plotW) / float64(n)
		barW := group * 0.8 / float64(len(c.Series))
		for si, s := range c.Series {
			fmt.Fprintf(&b, `<g class="%s">`, class(s, si))
			for i, v := range s.Values {
				if i >= n {
					break
				}
				y0, y1 := sc.y(0), sc.y(v)
				x := left + group*float64(i) + group*0.1 + barW*float64(si)
				fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s"><title>%s, %s: %d</title></rect>`,
					num(x), num(min(y0, y1)), num(barW), num(max(y0, y1)-min(y0, y1)), esc(c.Labels[i]), esc(s.Name), v)
			}
			b.WriteString(`</g>`)
		}
		xLabels(&b, c.Labels, func(i int) float64 { return left + group*(float64(i)+0.5) })
	}
	legend(&b, c.Series)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text written through esc
}

// Line draws each series as a line with a dot per value.
func Line(c Chart) template.HTML {
	var b strings.Builder
	sc := c.scale()
	open(&b, c, "line")
	grid(&b, sc)
	n := len(c.Labels)
	x := func(i int) float64 {
		if n == 1 {
			return left + plotW/2
		}
		return left + float64(plotW)*float64(i)/float64(n-1)
	}
	y := sc.y
	for si, s := range c.Series {
		fmt.Fprintf(&b, `<g class="%s">`, class(s, si))
		var pts []string
		for i, v := range s.Values {
			if i < n {
				pts = append(pts, num(x(i))+","+num(y(v)))
			}
		}
		fmt.Fprintf(&b, `<polyline points="%s"/>`, strings.Join(pts, " "))
		for i, v := range s.Values {
			if i < n {
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3"><title>%s, %s: %d</title></circle>`,
					num(x(i)), num(y(v)), esc(c.Labels[i]), esc(s.Name), v)
			}
		}
		b.WriteString(`</g>`)
	}
	xLabels(&b, c.Labels, x)
	legend(&b, c.Series)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func open(b *strings.Builder, c Chart, kind string) {
	id := esc(c.ID)
	fmt.Fprintf(b, `<svg class="chart chart-%s" id="%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="%s-title %s-desc" xmlns="http://www.w3.org/2000/svg">`,
		kind, id, width, height, id, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, esc(c.Title), id, esc(c.Desc))
}

// grid draws the horizontal lines with their values, lo to hi, and the
// zero line when it is not the bottom one.
func grid(b *strings.Builder, sc scale) {
	b.WriteString(`<g class="grid">`)
	for i := 0; i <= gridLines; i++ {
		v := sc.lo + (sc.hi-sc.lo)*int64(i)/gridLines
		y := sc.y(v)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%s" y2="%s"/><text x="%d" y="%s" text-anchor="end">%s</text>`,
			left, width-right, num(y), num(y), left-6, num(y+4), short(v))
	}
	if sc.lo < 0 {
		fmt.Fprintf(b, `<line class="zero" x1="%d" x2="%d" y1="%s" y2="%s"/>`, left, width-right, num(sc.y(0)), num(sc.y(0)))
	}
	b.WriteString(`</g>`)
}

// xLabels writes at most maxXLabels of the labels, evenly spaced.
func xLabels(b *strings.Builder, labels []string, x func(int) float64) {
	step := (len(labels) + maxXLabels - 1) / maxXLabels
	if step < 1 {
		step = 1
	}
	b.WriteString(`<g class="axis">`)
	for i := 0; i < len(labels); i += step {
		fmt.Fprintf(b, `<text x="%s" y="%d" text-anchor="middle">%s</text>`, num(x(i)), top+plotH+18, esc(labels[i]))
	}
	b.WriteString(`</g>`)
}

func legend(b *strings.Builder, series []Series) {
	b.WriteString(`<g class="legend">`)
	for i, s := range series {
		x := left + legendStep*i
		fmt.Fprintf(b, `<rect class="%s" x="%d" y="%d" width="%d" height="%d"/><text x="%d" y="%d">%s</text>`,
			class(s, i), x, legendY-10, legendSwatchW, legendSwatchW, x+legendSwatchW+4, legendY, esc(s.Name))
	}
	b.WriteString(`</g>`)
}

func class(s Series, i int) string {
	if s.Class != "" {
		return "series " + template.HTMLEscapeString(s.Class)
	}
	return "series s" + strconv.Itoa(i%6)
}

// extent is the lowest (at most 0) and highest value drawn.
func (c Chart) extent() (lo, hi int64) {
	for _, s := range c.Series {
		for _, v := range s.Values {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	return lo, hi
}

// niceMax rounds m up to 1, 2, 2.5 or 5 times a power of ten (at least 4,
// so the grid's quarters are whole numbers).
func niceMax(m int64) int64 {
	if m <= 4 {
		return 4
	}
	for p := int64(1); ; p *= 10 {
		for _, f := range []int64{10, 20, 25, 40, 50, 80, 100} {
			if f*p/10 >= m && (f*p/10)%4 == 0 {
				return f * p / 10
			}
		}
	}
}

// short writes 1200 as 1.2k and 3400000 as 3.4M.
func short(v int64) string {
	if v < 0 {
		return "−" + short(-v)
	}
	switch {
	case v >= 1_000_000:
		return strconv.FormatFloat(float64(v)/1e6, 'f', -1, 64) + "M"
	case v >= 10_000:
		return strconv.FormatFloat(float64(v)/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatInt(v, 10)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func esc(s string) string { return template.HTMLEscapeString(s) }
