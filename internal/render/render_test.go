package render_test

import (
	"bytes"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"bulletin/internal/bulletin"
	"bulletin/internal/render"
	"bulletin/templates"
)

var styleRE = regexp.MustCompile(`(?s)<style([^>]*)>(.*?)</style>`)

// After inlining, the only CSS left in <style> blocks is what cannot be
// inlined: media queries, plus the Outlook.com rules kept on purpose.
func TestInlinedHTMLKeepsOnlyMediaQueries(t *testing.T) {
	out, err := mustRenderer(t).Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	// Outlook's conditional comments may carry their own <style>.
	html := regexp.MustCompile(`(?s)<!--.*?-->`).ReplaceAllString(out.HTML, "")
	blocks := styleRE.FindAllStringSubmatch(html, -1)
	if len(blocks) == 0 {
		t.Fatal("no <style> left: the media queries were lost")
	}
	var media int
	for _, b := range blocks {
		attrs, css := b[1], strings.TrimSpace(b[2])
		if strings.Contains(attrs, `data-premailer="ignore"`) {
			for _, rule := range strings.Split(css, "}") {
				if r := strings.TrimSpace(rule); r != "" && !strings.HasPrefix(r, "[data-og") {
					t.Errorf("ignored block holds a rule other than Outlook.com's: %q", r)
				}
			}
			continue
		}
		for css != "" {
			if !strings.HasPrefix(css, "@media") {
				t.Fatalf("a plain rule survived inlining: %.80q", css)
			}
			media++
			css = strings.TrimSpace(css[matchingBrace(t, css)+1:])
		}
	}
	if media != 2 {
		t.Errorf("found %d @media blocks, want 2 (mobile and dark mode)", media)
	}
	if !strings.Contains(out.HTML, `class="container" width="600"`) || !strings.Contains(out.HTML, "width:600px") {
		t.Error("the 600 px container lost its width attribute or inline style")
	}
	if !strings.Contains(out.HTML, `<meta name="color-scheme" content="light dark"/>`) {
		t.Error("dark-mode meta missing")
	}
	if !strings.Contains(out.HTML, "<!--[if mso]>") {
		t.Error("the Outlook ghost table was lost")
	}
}

func matchingBrace(t *testing.T, css string) int {
	depth := 0
	for i, c := range css {
		switch c {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return i
			}
		}
	}
	t.Fatalf("unbalanced CSS: %.80q", css)
	return 0
}

// Every item has a name= and id= anchor and a highlight linking to it.
func TestEveryItemHasItsAnchor(t *testing.T) {
	in := bigIssue(30)
	out, err := mustRenderer(t).Render(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in.Items {
		a := "item-" + strconv.Itoa(i+1)
		if !strings.Contains(out.HTML, `<a id="`+a+`" name="`+a+`"`) {
			t.Errorf("item %d has no anchor", i+1)
		}
		if strings.Count(out.HTML, `href="#`+a+`"`) != 1 {
			t.Errorf("item %d has no highlight linking to it", i+1)
		}
		if !strings.Contains(out.Text, strconv.Itoa(i+1)+". "+in.Items[i].Title) {
			t.Errorf("text part lacks numbered item %d", i+1)
		}
	}
}

// Contributed HTML is sanitised again here; titles are escaped.
func TestContributionsCannotInjectMarkup(t *testing.T) {
	out, err := mustRenderer(t).Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.HTML, "<script") || strings.Contains(out.HTML, "alert(1)") {
		t.Error("a script from an item body reached the HTML")
	}
	if strings.Contains(out.HTML, "<on Saturday>") {
		t.Error("a title was not escaped")
	}
}

// Two personalised copies differ only where the personal values go.
func TestPersonalisedCopiesDifferOnlyInPersonalParts(t *testing.T) {
	out, err := mustRenderer(t).Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	p := bulletin.NewPersonalizer(out.HTML, out.Text)
	a := bulletin.Personal{UnsubscribeURL: "https://b.example/unsubscribe/AAAA", PreferencesURL: "https://b.example/preferences/AAAA", Name: "Xavier Quill"}
	b := bulletin.Personal{UnsubscribeURL: "https://b.example/unsubscribe/BBBB", PreferencesURL: "https://b.example/preferences/BBBB", Name: "Bo & <Co>"}
	ha, ta := p.Apply(a)
	hb, tb := p.Apply(b)
	if ha == hb || ta == tb {
		t.Fatal("two recipients got identical copies")
	}
	// Mapping each copy's personal values back to placeholders must give
	// the stored snapshot exactly: nothing else differs.
	back := func(s string, v bulletin.Personal, escape func(string) string) string {
		return strings.NewReplacer(escape(v.UnsubscribeURL), bulletin.PlaceholderUnsubscribeURL,
			escape(v.PreferencesURL), bulletin.PlaceholderPreferencesURL, escape(v.Name), bulletin.PlaceholderName).Replace(s)
	}
	same := func(s string) string { return s }
	if back(ha, a, same) != out.HTML || back(hb, b, htmlEscape) != out.HTML {
		t.Error("HTML copies differ outside the personal parts")
	}
	if back(ta, a, same) != out.Text || back(tb, b, same) != out.Text {
		t.Error("text copies differ outside the personal parts")
	}
	if !strings.Contains(hb, "Hi Bo &amp; &lt;Co&gt;,") || !strings.Contains(tb, "Hi Bo & <Co>,") {
		t.Error("name not escaped for its context")
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// BULLETIN_TEMPLATES_DIR replaces one file and keeps the others built in.
func TestTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "email"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "email", "subject.txt"), []byte("[{{.Name}}] No. {{.Number}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := render.New(templates.Overlay(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	if out.Subject != "[Weekly update] No. 61" {
		t.Errorf("subject = %q, want the override's", out.Subject)
	}
	if !strings.Contains(out.HTML, "Weekly update 61 — 18 November 2026") {
		t.Error("the built-in HTML template was not used for the file the override lacks")
	}
}

// A template that does not parse stops start-up, naming file and line.
func TestBrokenTemplateReportsFileAndLine(t *testing.T) {
	base := templates.Builtin()
	html, err := fs.ReadFile(base, render.FileHTML)
	if err != nil {
		t.Fatal(err)
	}
	text, err := fs.ReadFile(base, render.FileText)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]fstest.MapFS{
		"email/issue.html:4:": {render.FileHTML: {Data: []byte("<p>\n\n{{if .Title}}unclosed\n")}, render.FileText: {Data: text}, render.FileSubject: {Data: []byte("s")}},
		"email/issue.txt:2:":  {render.FileHTML: {Data: html}, render.FileText: {Data: []byte("ok\n{{.Nope}")}, render.FileSubject: {Data: []byte("s")}},
		"email/issue.txt:1:":  {render.FileHTML: {Data: html}, render.FileText: {Data: []byte("{{.NoSuchField}}")}, render.FileSubject: {Data: []byte("s")}},
	}
	for want, fsys := range cases {
		_, err := render.New(fsys, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want it to name %s", err, want)
		}
	}
}

// A bad subject template is an EINVALID error naming the problem.
func TestParseSubjectRejectsBadTemplates(t *testing.T) {
	for _, src := range []string{"{{.Name", "{{.Unknown}}", "{{template \"x\"}}"} {
		if _, err := render.ParseSubject(src); bulletin.ErrorCode(err) != bulletin.EINVALID {
			t.Errorf("ParseSubject(%q) = %v, want EINVALID", src, err)
		}
	}
	in := fixture()
	in.SubjectTemplate = "{{.Name}}\r\nBcc: x@example.org #{{.Number}}"
	s, err := mustRenderer(t).Subject(in)
	if err != nil || strings.ContainsAny(s, "\r\n") {
		t.Errorf("subject %q, %v: want one line", s, err)
	}
}

// An issue whose HTML passes 90 KB logs a warning.
func TestLargeIssueWarns(t *testing.T) {
	var logs bytes.Buffer
	r, err := render.New(templates.Builtin(), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render(bigIssue(30)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "WARN") {
		t.Fatalf("a 30-item issue warned: %s", logs.String())
	}
	out, err := r.Render(bigIssue(120))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.HTML) <= render.MaxHTMLSize || !strings.Contains(logs.String(), "Gmail clips") {
		t.Errorf("%d bytes, logs %q: want a warning above %d", len(out.HTML), logs.String(), render.MaxHTMLSize)
	}
}
