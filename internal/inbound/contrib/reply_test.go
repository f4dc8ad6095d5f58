package contrib

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"bulletin/templates"
)

func mustTemplates(t *testing.T) *Templates {
	t.Helper()
	tm, err := LoadTemplates(templates.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func TestAckAccepted(t *testing.T) {
	r, err := Ack(mustTemplates(t), AckInput{
		To: "ann@example.org", MessageID: "<abc@example.org>", Newsletter: "Platform Weekly",
		Title: "A faster cache", ItemURL: "https://bulletin.example/contribute#item-7", Attachments: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Header["Auto-Submitted"] != "auto-replied" || r.Header["In-Reply-To"] != "<abc@example.org>" || r.To != "ann@example.org" {
		t.Errorf("header %v to %q", r.Header, r.To)
	}
	if r.Subject != "Received: A faster cache" {
		t.Errorf("subject %q", r.Subject)
	}
	for _, want := range []string{"Platform Weekly", "https://bulletin.example/contribute#item-7", "2 files were left out", "automatic reply"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.Text)
		}
	}
	if strings.Contains(r.Text, "unverified") || r.HTML != "" {
		t.Errorf("unexpected unverified note or HTML:\n%s\n%s", r.Text, r.HTML)
	}
}

func TestAckRefusedAndUnverified(t *testing.T) {
	tm := mustTemplates(t)
	r, err := Ack(tm, AckInput{To: "ann@example.org", Newsletter: "Weekly", Reason: "The subject line (the item's title) is empty, and it is required.", Attachments: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Not accepted: your contribution to Weekly" || !strings.Contains(r.Text, "is empty, and it is required") ||
		!strings.Contains(r.Text, "nothing\nwas stored") || !strings.Contains(r.Text, "1 file was left out") || r.Header["Auto-Submitted"] != "auto-replied" {
		t.Errorf("refusal %q:\n%s", r.Subject, r.Text)
	}
	if _, ok := r.Header["In-Reply-To"]; ok {
		t.Error("In-Reply-To without a Message-ID")
	}
	r, err = Ack(tm, AckInput{To: "ann@example.org", Newsletter: "Weekly", Title: "T", ItemURL: "https://b.example/contribute", Unverified: true})
	if err != nil || !strings.Contains(r.Text, "unverified sender") || strings.Contains(r.Text, "left out") {
		t.Errorf("unverified: %v\n%s", err, r.Text)
	}
}

func TestUnknownSenderReply(t *testing.T) {
	r, err := UnknownSenderReply(mustTemplates(t), UnknownInput{
		To: "stranger@example.net", MessageID: "x@y", Newsletter: "Weekly", Contact: "editors@bulletin.example", LoginURL: "https://bulletin.example/login",
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Header["Auto-Submitted"] != "auto-replied" || r.Header["References"] != "<x@y>" || r.Subject != "About your message to Weekly" {
		t.Errorf("header %v subject %q", r.Header, r.Subject)
	}
	for _, want := range []string{"stranger@example.net", "editors@bulletin.example", "https://bulletin.example/login", "has been kept"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, r.Text)
		}
	}
}

// A subject from a hostile message cannot add header lines, and a broken
// Message-ID is left out rather than copied.
func TestReplyHeaderSafety(t *testing.T) {
	r, err := Ack(mustTemplates(t), AckInput{To: "a@example.org", MessageID: "bad id\r\nBcc: x@evil.example", Newsletter: "W",
		Title: "Hi\r\nBcc: victim@example.org " + strings.Repeat("long ", 100), Reason: "r"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(r.Subject, "\r\n") || len([]rune(r.Subject)) > 200 {
		t.Errorf("subject %q", r.Subject)
	}
	if _, ok := r.Header["In-Reply-To"]; ok {
		t.Errorf("unsafe Message-ID copied: %v", r.Header)
	}
}

// overlay writes files into a folder and returns templates.Overlay of it,
// the way BULLETIN_TEMPLATES_DIR overrides the built-in templates.
func overlay(t *testing.T, files map[string]string) fs.FS {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return templates.Overlay(dir)
}

// Overrides work file by file, an HTML version is picked up when present,
// and a broken override is refused at load time.
func TestTemplateOverrides(t *testing.T) {
	tm, err := LoadTemplates(overlay(t, map[string]string{
		"email/contribution_ack.txt.tmpl":  `{{define "subject"}}Thanks!{{end}}Got {{.Title}}.`,
		"email/contribution_ack.html.tmpl": `<p>Got <b>{{.Title}}</b></p>`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Ack(tm, AckInput{To: "a@example.org", Title: "<script>", ItemURL: "u"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Thanks!" || r.Text != "Got <script>.\n" || r.HTML != "<p>Got <b>&lt;script&gt;</b></p>" {
		t.Errorf("override: %q %q %q", r.Subject, r.Text, r.HTML)
	}
	if r, err := UnknownSenderReply(tm, UnknownInput{To: "a@example.org", Newsletter: "W"}); err != nil || r.HTML != "" || !strings.Contains(r.Text, "contributor") {
		t.Errorf("built-in unknown reply: %v %+v", err, r)
	}

	for name, files := range map[string]map[string]string{
		"syntax error": {"email/contribution_refused.txt.tmpl": `{{define "subject"}}x{{end}}{{.Title`},
		"no subject":   {"email/contribution_refused.txt.tmpl": `Got it.`},
		"broken HTML":  {"email/contribution_unknown.html.tmpl": `<p>{{if}}</p>`},
	} {
		if _, err := LoadTemplates(overlay(t, files)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := LoadTemplates(fstest.MapFS{}); err == nil {
		t.Error("missing templates: loaded")
	}
}
