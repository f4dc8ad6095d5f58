package postgres

import (
	"errors"
	"slices"
	"testing"
)

func TestParseTSQuery(t *testing.T) {
	for in, want := range map[string][]string{
		``:                               nil,
		`'budget'`:                       {"budget"},
		`'street' <-> 'light' & !'park'`: {"street", "light", "park"},
		`( 'a' | 'b' ) & 'a' <2> 'c'`:    {"a", "b", "c"},
		`'it''s' | 'back\\slash'`:        {"it's", `back\slash`},
		`'x' <-> 'y' <-> 'z' | !( 'x' )`: {"x", "y", "z"},
		`'street-light' <-> 'street' <-> 'light'`: {"street-light", "street", "light"},
	} {
		q, err := parseTSQuery(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if !slices.Equal(q.lexemes, want) || (q.root == nil) != (want == nil) {
			t.Errorf("%s: lexemes %q, want %q", in, q.lexemes, want)
		}
		if err := checkEvaluable(q.root, false); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
	for _, in := range []string{`'a':*`, `'a':AB & 'b'`} {
		if _, err := parseTSQuery(in); !errors.Is(err, errQueryUnsupported) {
			t.Errorf("%s: err = %v, want unsupported", in, err)
		}
	}
	for _, in := range []string{`'a' <-> ( 'b' | 'c' )`, `'a' <-> !'b'`} {
		q, err := parseTSQuery(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if err := checkEvaluable(q.root, false); !errors.Is(err, errQueryUnsupported) {
			t.Errorf("%s: err = %v, want unsupported (SQL does it)", in, err)
		}
	}
	for _, in := range []string{`'a`, `'a' &`, `( 'a'`, `'a' <x> 'b'`, `'a' 'b'`, `&`} {
		if _, err := parseTSQuery(in); err == nil || errors.Is(err, errQueryUnsupported) {
			t.Errorf("%s: err = %v, want a parse error", in, err)
		}
	}
}

func TestPhraseMatching(t *testing.T) {
	q, err := parseTSQuery(`'old' <-> 'mill' <2> 'wheel'`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		old, mill, wheel []uint16
		want             bool
	}{
		{[]uint16{3}, []uint16{4}, []uint16{6}, true},
		{[]uint16{3, 9}, []uint16{10}, []uint16{12}, true},
		{[]uint16{3}, []uint16{4}, []uint16{5}, false}, // wheel one word too early
		{[]uint16{4}, []uint16{3}, []uint16{5}, false}, // out of order
		{[]uint16{3}, nil, []uint16{6}, false},
	} {
		pos := [][]uint16{c.old, c.mill, c.wheel}
		if got := matches(q.root, pos); got != c.want {
			t.Errorf("old %v mill %v wheel %v: %v, want %v", c.old, c.mill, c.wheel, got, c.want)
		}
	}
}
