package render

import "bulletin/internal/bulletin"

// ForCompile adapts r to the compile stage's Render (compile.Compiler{
// Render: r.ForCompile(baseURL)}); links are made absolute with baseURL.
func (r *Renderer) ForCompile(baseURL string) func(bulletin.Draft) (bulletin.Rendered, error) {
	return func(d bulletin.Draft) (bulletin.Rendered, error) {
		out, err := r.Render(FromDomain(d.Newsletter, d.Number, d.Date, d.Sections, d.Items, baseURL))
		return bulletin.Rendered{Subject: out.Subject, Preheader: out.Preheader, HTML: out.HTML, Text: out.Text}, err
	}
}
