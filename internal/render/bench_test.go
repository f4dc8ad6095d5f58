package render_test

import (
	"testing"

	"bulletin/internal/bulletin"
)

// BenchmarkRender30 is the once-per-issue cost: templates plus premailer.
//
//	go test ./internal/render/ -run '^$' -bench . -benchmem
func BenchmarkRender30(b *testing.B) {
	r := mustRenderer(b)
	in := bigIssue(30)
	var size int
	for b.Loop() {
		out, err := r.Render(in)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out.HTML)
	}
	b.ReportMetric(float64(size), "html-bytes")
}

// BenchmarkPersonalise is the once-per-recipient cost of a 30-item issue.
func BenchmarkPersonalise(b *testing.B) {
	out, err := mustRenderer(b).Render(bigIssue(30))
	if err != nil {
		b.Fatal(err)
	}
	p := bulletin.NewPersonalizer(out.HTML, out.Text)
	v := bulletin.Personal{UnsubscribeURL: "https://b.example/unsubscribe/abcdefghijklmnopqrstuv",
		PreferencesURL: "https://b.example/preferences/abcdefghijklmnopqrstuv", Name: "Ana & Bo"}
	for b.Loop() {
		h, t := p.Apply(v)
		if len(h) == 0 || len(t) == 0 {
			b.Fatal("empty copy")
		}
	}
}
