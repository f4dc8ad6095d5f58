package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// pages holds every web page template, each parsed together with
// web/layout.html at start-up so that a broken template stops the service
// at boot, not at the first request.
type pages struct {
	byName map[string]*template.Template
}

// pageFuncs are the helpers every page template may use.
var pageFuncs = template.FuncMap{
	"add":        func(a, b int) int { return a + b },
	"errorField": errorField,
	"humanError": humanError,
	"invalid":    invalidAttrs,
}

// loadPages parses web/layout.html with each other web/**/*.html file. A
// page is named by its path under web/, e.g. "archive/issue.html".
func loadPages(fsys fs.FS) (*pages, error) {
	layout, err := fs.ReadFile(fsys, "web/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	err = fs.WalkDir(fsys, "web", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(name) != ".html" || name == "web/layout.html" || strings.HasSuffix(name, ".part.html") {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		t, err := template.New("layout.html").Funcs(pageFuncs).Parse(string(layout))
		if err != nil {
			return fmt.Errorf("web/layout.html: %w", err)
		}
		if _, err := t.New(name).Parse(string(body)); err != nil {
			return fmt.Errorf("%s: %w", name, err) // the error names the line
		}
		// Partials (name.part.html) in the page's folder are shared by its
		// pages. (A leading "_" would be dropped by go:embed.)
		partials, _ := fs.Glob(fsys, path.Join(path.Dir(name), "*.part.html"))
		for _, pn := range partials {
			pb, err := fs.ReadFile(fsys, pn)
			if err != nil {
				return err
			}
			if _, err := t.New(pn).Parse(string(pb)); err != nil {
				return fmt.Errorf("%s: %w", pn, err)
			}
		}
		p.byName[strings.TrimPrefix(name, "web/")] = t
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web templates: %w", err)
	}
	return p, nil
}

// Page is what every page template receives; Data is the page's own.
type Page struct {
	Title string
	User  any // *bulletin.User when logged in
	Data  any
	Brand *Brand // public pages: the newsletter they speak for (public_brand.go)
}

// page renders the named page inside the layout. Rendering goes to a buffer
// first so that a template error becomes a clean 500, not half a page.
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, name string, p Page) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.Log.Error("unknown page template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if status >= 400 && !strings.HasPrefix(p.Title, "Error: ") {
		p.Title = "Error: " + p.Title // said first by screen readers, seen in the tab
	}
	if u := currentUser(r); u != nil && p.User == nil {
		p.User = u
	}
	if p.Brand == nil && isPublicPage(name) {
		p.Brand = s.publicBrand(r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.Log.Error("render page", "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
