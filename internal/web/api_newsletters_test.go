package web

import (
	"context"
	"strings"
	"testing"
)

type newsletterOut struct {
	Slug      string   `json:"slug"`
	Name      string   `json:"name"`
	Schedule  string   `json:"schedule"`
	SendDelay string   `json:"send_delay"`
	Lists     []string `json:"lists"`
	AutoSend  bool     `json:"auto_send"`
	IsDefault bool     `json:"is_default"`
	FromEmail string   `json:"from_email"`
}

func TestAPINewsletters(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	if _, err := e.db.Pool.Exec(context.Background(), `INSERT INTO lists (slug, name) VALUES ('staff', 'Staff'), ('friends', 'Friends')`); err != nil {
		t.Fatal(err)
	}
	var n newsletterOut
	e.must(t, 201, "admin", "POST", "/api/v1/newsletters", `{"slug":"monthly","name":"Monthly","from_name":"The Team",
		"from_email":"news@example.org","reply_to":"team@example.org","schedule":"CRON_TZ=Europe/Berlin 0 17 * * TUE",
		"lists":["staff","friends"],"subject_template":"{{.Name}} {{.Number}}","auto_send":false,"send_delay":"16h"}`, &n)
	if n.Slug != "monthly" || n.SendDelay != "16h0m0s" || len(n.Lists) != 2 || n.Schedule != "CRON_TZ=Europe/Berlin 0 17 * * TUE" || n.IsDefault {
		t.Fatalf("created %+v", n)
	}
	var ns []newsletterOut
	e.must(t, 200, "contributor", "GET", "/api/v1/newsletters", nil, &ns)
	if len(ns) != 2 || ns[0].Slug != "weekly" || !ns[0].IsDefault || ns[0].Lists == nil {
		t.Fatalf("list %+v", ns)
	}
	e.must(t, 200, "admin", "PATCH", "/api/v1/newsletters/monthly", `{"send_delay":"90m","lists":["staff"],"auto_send":true,"is_default":true}`, &n)
	if n.SendDelay != "1h30m0s" || len(n.Lists) != 1 || !n.AutoSend || !n.IsDefault {
		t.Fatalf("patched %+v", n)
	}
	e.must(t, 200, "editor", "GET", "/api/v1/newsletters/weekly", nil, &n)
	if n.IsDefault {
		t.Fatal("two default newsletters")
	}

	for _, tc := range []struct {
		method, path, body string
		code               int
		msg                string
	}{
		{"POST", "/api/v1/newsletters", `{"slug":"monthly","name":"Again"}`, 409, "already exists"},
		{"POST", "/api/v1/newsletters", `{"slug":"Bad Slug","name":"x"}`, 400, "slug:"},
		{"POST", "/api/v1/newsletters", `{"slug":"x","name":"x","schedule":"every tuesday"}`, 400, "schedule:"},
		{"POST", "/api/v1/newsletters", `{"slug":"x","name":"x","schedule":"0 0 17 * * TUE"}`, 400, "schedule:"},
		{"POST", "/api/v1/newsletters", `{"slug":"x","name":"x","send_delay":"17 hours"}`, 400, "send_delay:"},
		{"POST", "/api/v1/newsletters", `{"slug":"x","name":"x","send_delay":"-1h"}`, 400, "send_delay:"},
		{"POST", "/api/v1/newsletters", `{"slug":"x","name":"x","lists":["ghost"]}`, 400, `unknown list "ghost"`},
		{"POST", "/api/v1/newsletters", `{"slug":"x","name":"x","from_email":"a@b.org\r\nBcc: c@d.org"}`, 400, "from_email:"},
		{"POST", "/api/v1/newsletters", `{"slug":"x","name":"x\r\nX-Evil: 1"}`, 400, "name:"},
		{"POST", "/api/v1/newsletters", `{"slug":"x","name":"x","last_number":9}`, 400, "unknown field"},
		{"PATCH", "/api/v1/newsletters/monthly", `{"slug":"renamed"}`, 400, "slug: cannot change"},
		{"PATCH", "/api/v1/newsletters/monthly", `{"schedule":"61 * * * *"}`, 400, "schedule:"},
		{"PATCH", "/api/v1/newsletters/monthly", `{"is_default":false}`, 400, "is_default:"},
		{"PATCH", "/api/v1/newsletters/monthly", `{"subject_template":"{{.Number"}`, 400, "subject_template:"},
		{"POST", "/api/v1/newsletters/weekly/sections", `{"slug":"a b","name":"x"}`, 400, "slug:"},
		{"POST", "/api/v1/newsletters/weekly/sections", `{"slug":"ab","name":""}`, 400, "name: required"},
		{"POST", "/api/v1/newsletters/nope/sections", `{"slug":"ab","name":"x"}`, 404, "newsletter not found"},
	} {
		code, out := e.call(t, "admin", tc.method, tc.path, tc.body)
		if code != tc.code || !strings.Contains(errorOf(t, out), tc.msg) {
			t.Errorf("%s %s %s = %d %s, want %d containing %q", tc.method, tc.path, tc.body, code, out, tc.code, tc.msg)
		}
	}
	e.must(t, 200, "admin", "GET", "/api/v1/newsletters/monthly", nil, &n)
	if n.SendDelay != "1h30m0s" || len(n.Lists) != 1 || n.Schedule != "CRON_TZ=Europe/Berlin 0 17 * * TUE" {
		t.Fatalf("refused patches changed %+v", n)
	}
	e.must(t, 200, "admin", "GET", "/api/v1/newsletters", nil, &ns)
	if len(ns) != 2 {
		t.Fatalf("refused creates stored newsletters: %d", len(ns))
	}
}

func TestAPISections(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	type sec struct {
		Slug     string `json:"slug"`
		Name     string `json:"name"`
		Position int    `json:"position"`
	}
	for _, b := range []string{`{"slug":"news","name":"In the news"}`, `{"slug":"events","name":"Events"}`, `{"slug":"budgets","name":"Community Budgets","position":1}`} {
		e.must(t, 201, "admin", "POST", "/api/v1/newsletters/weekly/sections", b, nil)
	}
	var s sec
	e.must(t, 200, "admin", "PATCH", "/api/v1/newsletters/weekly/sections/events", `{"position":1,"name":"Events near you"}`, &s)
	if s.Position != 1 || s.Name != "Events near you" {
		t.Fatalf("patched %+v", s)
	}
	var ss []sec
	e.must(t, 200, "contributor", "GET", "/api/v1/newsletters/weekly/sections", nil, &ss)
	var got []string
	for i, s := range ss {
		if s.Position != i+1 {
			t.Errorf("section %s at position %d, want %d", s.Slug, s.Position, i+1)
		}
		got = append(got, s.Slug)
	}
	if strings.Join(got, ",") != "events,budgets,news" {
		t.Fatalf("order %v", got)
	}
	e.must(t, 409, "admin", "POST", "/api/v1/newsletters/weekly/sections", `{"slug":"news","name":"Again"}`, nil)
	e.must(t, 400, "admin", "PATCH", "/api/v1/newsletters/weekly/sections/news", `{"slug":"renamed"}`, nil)
}

// The brand and the welcome switch go through the API, and a refused brand
// changes nothing.
func TestAPINewsletterBrand(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	type brandOut struct {
		LogoURL      string `json:"logo_url"`
		AccentColor  string `json:"accent_color"`
		OrgName      string `json:"org_name"`
		OrgAddress   string `json:"org_address"`
		WelcomeEmail bool   `json:"welcome_email"`
	}
	var b brandOut
	e.must(t, 201, "admin", "POST", "/api/v1/newsletters", `{"slug":"brand","name":"Brand"}`, &b)
	if !b.WelcomeEmail || b.LogoURL != "" || b.AccentColor != "" {
		t.Fatalf("new newsletter %+v: want the welcome email on and no brand", b)
	}
	e.must(t, 200, "admin", "PATCH", "/api/v1/newsletters/brand", `{"logo_url":"https://example.org/logo.png",
		"accent_color":"#1A4F9C","org_name":"Parish Council","org_address":"1 High Street\nLittle Town","welcome_email":false}`, &b)
	want := brandOut{LogoURL: "https://example.org/logo.png", AccentColor: "#1a4f9c", OrgName: "Parish Council",
		OrgAddress: "1 High Street\nLittle Town"}
	if b != want {
		t.Fatalf("patched %+v, want %+v", b, want)
	}
	for _, tc := range []struct{ body, msg string }{
		{`{"logo_url":"http://example.org/logo.png","org_name":"Changed"}`, "logo_url: must start with https://"},
		{`{"logo_url":"javascript:alert(1)"}`, "logo_url:"},
		{`{"accent_color":"blue","org_name":"Changed"}`, `accent_color: "blue" is not a colour`},
		{`{"org_name":"Parish\nCouncil"}`, "org_name:"},
		{`{"welcome_email":"no"}`, "welcome_email"},
	} {
		code, out := e.call(t, "admin", "PATCH", "/api/v1/newsletters/brand", tc.body)
		if code != 400 || !strings.Contains(errorOf(t, out), tc.msg) {
			t.Errorf("PATCH %s = %d %s, want 400 containing %q", tc.body, code, out, tc.msg)
		}
	}
	e.must(t, 200, "admin", "GET", "/api/v1/newsletters/brand", nil, &b)
	if b != want {
		t.Fatalf("refused patches changed the newsletter: %+v", b)
	}
}
