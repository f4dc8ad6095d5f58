package bulletin

import (
	"math"
	"strconv"
	"strings"
)

// Brand is how a newsletter presents itself in its email and on its public
// pages. Every field is optional; content.PrepareBrand validates them.
type Brand struct {
	LogoURL     string `json:"logo_url" db:"logo_url"`         // https only
	AccentColor string `json:"accent_color" db:"accent_color"` // "#rrggbb", lower case
	OrgName     string `json:"org_name" db:"org_name"`
	OrgAddress  string `json:"org_address" db:"org_address"` // postal address; lines kept
}

// Accent text colours: whichever contrasts more with the accent is used for
// text on it, so any accent reads at 4.5:1 or better (WCAG AA).
const (
	AccentTextLight = "#ffffff"
	AccentTextDark  = "#000000" // with a softer black some mid tones fall below 4.5:1
)

// AccentText is the colour for text set on the accent; "" when there is no
// accent.
func (b Brand) AccentText() string {
	if b.AccentColor == "" {
		return ""
	}
	if ContrastRatio(b.AccentColor, AccentTextLight) >= ContrastRatio(b.AccentColor, AccentTextDark) {
		return AccentTextLight
	}
	return AccentTextDark
}

// OrgLines is the organisation line: the name, then each address line.
func (b Brand) OrgLines() []string {
	var out []string
	if s := strings.TrimSpace(b.OrgName); s != "" {
		out = append(out, s)
	}
	return append(out, b.AddressLines()...)
}

// AddressLines are the non-blank lines of the postal address.
func (b Brand) AddressLines() []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(b.OrgAddress, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// OrgLine is OrgLines on one line, as the text email and page footers show it.
func (b Brand) OrgLine() string { return strings.Join(b.OrgLines(), ", ") }

// ContrastRatio is the WCAG 2 contrast ratio of two "#rrggbb" colours,
// from 1 to 21; 0 when either is not such a colour.
func ContrastRatio(a, b string) float64 {
	la, ok1 := luminance(a)
	lb, ok2 := luminance(b)
	if !ok1 || !ok2 {
		return 0
	}
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG relative luminance of "#rrggbb".
func luminance(c string) (float64, bool) {
	if len(c) != 7 || c[0] != '#' {
		return 0, false
	}
	v, err := strconv.ParseUint(c[1:], 16, 32)
	if err != nil {
		return 0, false
	}
	channel := func(x uint64) float64 {
		s := float64(x) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	r, g, bl := channel(v>>16&0xff), channel(v>>8&0xff), channel(v&0xff)
	return 0.2126*r + 0.7152*g + 0.0722*bl, true
}
