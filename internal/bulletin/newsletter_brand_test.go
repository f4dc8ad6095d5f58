package bulletin

import (
	"fmt"
	"math"
	"testing"
)

func TestContrastRatio(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#767676", "#ffffff", 4.54},
		{"#777777", "#ffffff", 4.48},
		{"red", "#ffffff", 0},
	} {
		if got := ContrastRatio(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("ContrastRatio(%s, %s) = %.2f, want %.2f", c.a, c.b, got, c.want)
		}
	}
}

// Every accent, however light or dark, gets a text colour that reads at
// WCAG AA (4.5:1) on it.
func TestAccentTextAlwaysReadable(t *testing.T) {
	worst := 21.0
	for v := 0; v < 1<<24; v += 0x010305 {
		b := Brand{AccentColor: fmt.Sprintf("#%06x", v)}
		if r := ContrastRatio(b.AccentColor, b.AccentText()); r < worst {
			worst = r
		}
	}
	if worst < 4.5 {
		t.Fatalf("worst accent text contrast %.2f, want at least 4.5", worst)
	}
	if (Brand{}).AccentText() != "" {
		t.Fatal("no accent must give no text colour")
	}
	if got := (Brand{AccentColor: "#ffff00"}).AccentText(); got != AccentTextDark {
		t.Fatalf("yellow accent: text %s, want dark", got)
	}
	if got := (Brand{AccentColor: "#1a4f9c"}).AccentText(); got != AccentTextLight {
		t.Fatalf("blue accent: text %s, want light", got)
	}
}

func TestOrgLine(t *testing.T) {
	b := Brand{OrgName: " Parish Council ", OrgAddress: "1 High Street\r\n\nLittle Town  \nAB1 2CD"}
	if got, want := b.OrgLine(), "Parish Council, 1 High Street, Little Town, AB1 2CD"; got != want {
		t.Fatalf("OrgLine = %q, want %q", got, want)
	}
	if (Brand{}).OrgLine() != "" {
		t.Fatal("empty brand must give no org line")
	}
}
