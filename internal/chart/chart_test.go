package chart

import (
	"encoding/xml"
	"strings"
	"testing"
)

func sample() Chart {
	return Chart{ID: "g1", Title: "Growth of <readers>", Desc: "Per week",
		Labels: []string{"2026-11-02", "2026-11-09", "2026-11-16"},
		Series: []Series{{Name: "Confirmed", Values: []int64{3, 0, 7}}, {Name: "Left & gone", Values: []int64{1, 2, 0}}}}
}

// TestBarsAndLine: well-formed SVG that scales (viewBox, width 100%),
// named by <title>, with one mark per value, text escaped and no style
// attribute for the CSP to refuse.
func TestBarsAndLine(t *testing.T) {
	for name, svg := range map[string]string{"bars": string(Bars(sample())), "line": string(Line(sample()))} {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("%s: not well-formed: %v\n%s", name, err, svg)
		}
		for _, want := range []string{`viewBox="0 0 640 260"`, `width="100%"`, `<title id="g1-title">Growth of &lt;readers&gt;</title>`,
			`aria-labelledby="g1-title g1-desc"`, `Left &amp; gone`, `2026-11-16, Confirmed: 7`} {
			if !strings.Contains(svg, want) {
				t.Errorf("%s: no %s in\n%s", name, want, svg)
			}
		}
		if strings.Contains(svg, "style=") || strings.Contains(svg, "<script") {
			t.Errorf("%s: style attribute or script in %s", name, svg)
		}
	}
	if n := strings.Count(string(Bars(sample())), "<rect x="); n != 6 {
		t.Errorf("%d bars, want 6", n)
	}
	if n := strings.Count(string(Line(sample())), "<circle"); n != 6 {
		t.Errorf("%d dots, want 6", n)
	}
}

func TestNiceMax(t *testing.T) {
	for m, want := range map[int64]int64{0: 4, 3: 4, 5: 8, 13: 20, 21: 40, 81: 100, 101: 200, 9_999_999: 10_000_000} {
		if got := niceMax(m); got != want {
			t.Errorf("niceMax(%d) = %d, want %d", m, got, want)
		}
	}
}

func TestEmptyChart(t *testing.T) {
	svg := string(Bars(Chart{ID: "e", Title: "Nothing yet"}))
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil || !strings.Contains(svg, "Nothing yet") {
		t.Errorf("empty chart %v: %s", err, svg)
	}
}

// TestNegative: values below zero (an active total that fell) are drawn
// below a zero line, inside the plot.
func TestNegative(t *testing.T) {
	c := Chart{ID: "n", Title: "Net", Labels: []string{"a", "b"}, Series: []Series{{Name: "Net", Values: []int64{-3, 5}}}}
	sc := c.scale()
	if sc.lo != -4 || sc.hi != 8 {
		t.Errorf("scale %+v, want -4…8", sc)
	}
	if y := sc.y(-3); y > top+plotH || y < top {
		t.Errorf("-3 drawn at %v, outside %d…%d", y, top, top+plotH)
	}
	svg := string(Bars(c))
	if !strings.Contains(svg, `class="zero"`) || !strings.Contains(svg, "−4") {
		t.Errorf("no zero line or negative label: %s", svg)
	}
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
		t.Error(err)
	}
}
