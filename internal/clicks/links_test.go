package clicks

import (
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

const base = "https://b.example"

func TestLinksNumberedOnceAndKeptOnRerender(t *testing.T) {
	html := `<p><a href="https://x.example/1">1</a><a href='https://x.example/2'>2</a><a href="https://x.example/1">1</a>` +
		`<a href="mailto:a@b.example">m</a><a href="` + base + `/archive/w/1">w</a><a href="` + bulletin.PlaceholderUnsubscribeURL + `">u</a>` +
		`<a name="top">no href</a><AREA HREF="https://x.example/3"></p>`
	text := "see https://x.example/1, and https://x.example/4."
	items := []bulletin.Item{{ID: 7, URL: "https://x.example/2"}, {ID: 8, BodyHTML: `<a href="https://x.example/3">`}}
	links := Links(html, text, base, nil, items)
	want := []Link{{1, "https://x.example/1", 0}, {2, "https://x.example/2", 7}, {3, "https://x.example/3", 8}, {4, "https://x.example/4", 0}}
	if len(links) != len(want) {
		t.Fatalf("links %v, want %v", links, want)
	}
	for i := range want {
		if links[i] != want[i] {
			t.Errorf("link %d = %v, want %v", i, links[i], want[i])
		}
	}
	// A re-render where link 1 is gone and a new one came: the others keep
	// their numbers, the new one comes after the highest.
	keep := map[string]int{}
	for _, l := range links {
		keep[l.URL] = l.No
	}
	again := Links(`<a href="https://x.example/5">5</a><a href="https://x.example/3">3</a>`, "", base, keep, nil)
	if len(again) != 2 || again[0] != (Link{5, "https://x.example/5", 0}) || again[1].No != 3 {
		t.Errorf("re-render numbering %v", again)
	}

	h, tx := Rewrite(html, text, base, 42, links)
	for _, s := range []string{`href="https://b.example/r/42/1"`, `href="https://b.example/r/42/2"`, `HREF="https://b.example/r/42/3"`,
		`href="mailto:a@b.example"`, `href="` + base + `/archive/w/1"`, bulletin.PlaceholderUnsubscribeURL, `<a name="top">`} {
		if !strings.Contains(h, s) {
			t.Errorf("rewritten HTML lacks %s:\n%s", s, h)
		}
	}
	if tx != "see https://b.example/r/42/1, and https://b.example/r/42/4." {
		t.Errorf("rewritten text %q", tx)
	}
}

func TestRewriteWithoutLinksKeepsEveryByte(t *testing.T) {
	doc := "<!DOCTYPE html>\n<html><head><style>a{color:red}</style><!-- c --></head><body class=x>" +
		"<p>Hi " + bulletin.PlaceholderName + " &amp; <b>all</b></p><a href=\"mailto:x@y.example\">m</a><br/></body></html>\n"
	if h, _ := Rewrite(doc, "", base, 1, nil); h != doc {
		t.Errorf("changed:\n%s\nwant\n%s", h, doc)
	}
	if WithPixel("<body>x</body>", PixelURL(base, 9)) != `<body>x<img src="https://b.example/o/9.gif" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0"></body>` {
		t.Error("pixel not placed before </body>")
	}
}

func TestCounterTakeIsExact(t *testing.T) {
	var c Counter
	done := make(chan struct{})
	var taken int64
	go func() {
		defer close(done)
		for range 50 {
			for _, x := range c.Take() {
				taken += x.N
			}
		}
	}()
	for i := range 10000 {
		c.Add(Key{1, 1 + i%3}, 1)
	}
	<-done
	for _, x := range c.Take() {
		taken += x.N
	}
	if taken != 10000 {
		t.Errorf("taken %d, want 10000", taken)
	}
}
