package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
)

// The admin newsletter form sets the brand and the welcome switch; a bad
// logo or colour is refused with the field marked, the typed value kept
// and nothing saved.
func TestNewsletterBrandForm(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	ad := client(t)
	login(t, ad, base, "admin")
	_, _, body := get(t, ad, base+"/admin/newsletters/weekly")
	for _, want := range []string{`id="welcome_email" checked`, `id="logo_url"`, `id="accent_color"`, `id="org_name"`, `id="org_address"`} {
		if !strings.Contains(body, want) {
			t.Fatalf("the form lacks %s", want)
		}
	}
	form := url.Values{"name": {"Weekly update"}, "send_delay": {"0s"}, "logo_url": {"https://example.org/logo.png"},
		"accent_color": {"#FFD500"}, "org_name": {"Riverside Council"}, "org_address": {"1 High Street\r\nRiverside"}}
	if code, _, body := post(t, ad, base+"/admin/newsletters/weekly", form); code != http.StatusSeeOther {
		t.Fatalf("save = %d\n%s", code, body)
	}
	n, _ := db.FindNewsletterBySlug(ctx, "weekly")
	want := bulletin.Brand{LogoURL: "https://example.org/logo.png", AccentColor: "#ffd500", OrgName: "Riverside Council", OrgAddress: "1 High Street\nRiverside"}
	if n.Brand != want || n.WelcomeEmail {
		t.Fatalf("saved %+v welcome %v, want %+v and the welcome email off (box unticked)", n.Brand, n.WelcomeEmail, want)
	}
	if _, _, body := get(t, ad, base+"/admin/newsletters/weekly"); strings.Contains(body, `id="welcome_email" checked`) ||
		!strings.Contains(body, `value="#ffd500"`) {
		t.Fatal("the form does not show the saved settings")
	}

	for field, bad := range map[string]string{"logo_url": "http://example.org/logo.png", "accent_color": "yellow"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(field, bad)
		f.Set("org_name", "Changed")
		f.Set("welcome_email", "on")
		code, _, body := post(t, ad, base+"/admin/newsletters/weekly", f)
		if code != http.StatusBadRequest || !strings.Contains(body, `id="form-error"`) ||
			!strings.Contains(body, `id="`+field+`" name="`+field+`" value="`+bad+`"`) {
			t.Errorf("bad %s = %d, want 400 with the error and the typed value:\n%s", field, code, body)
		}
		if !strings.Contains(body, `name="`+field+`" value="`+bad+`" placeholder=`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("bad %s: field not marked invalid", field)
		}
		if after, _ := db.FindNewsletterBySlug(ctx, "weekly"); after.Brand != want || after.WelcomeEmail {
			t.Errorf("bad %s changed the newsletter: %+v", field, after.Brand)
		}
	}

	// A newsletter added in the admin sends welcome emails, as the column's
	// default says.
	if code, _, body := post(t, ad, base+"/admin/newsletters", url.Values{"slug": {"monthly"}, "name": {"Monthly"}}); code != http.StatusSeeOther {
		t.Fatalf("add = %d\n%s", code, body)
	}
	if n, err := db.FindNewsletterBySlug(ctx, "monthly"); err != nil || !n.WelcomeEmail {
		t.Fatalf("added newsletter %+v (%v): want the welcome email on", n, err)
	}
}

// Public pages carry the brand: the logo in the header, the accent's
// stylesheet, the organisation line in the footer. The archive's copy of
// a real compiled issue offers "Subscribe" where the sent one had the
// personal links, and names each "Read more" after its item.
func TestPublicPagesBranding(t *testing.T) {
	t.Parallel()
	s, db := fullServer(t)
	s.Compiler = compiler(t, db)
	ts := serve(t, s)
	ctx := context.Background()
	fixture.List(t, db, &bulletin.List{Slug: "readers", Name: "Readers", Public: true})
	logo, accent, org, addr := "https://example.org/logo.png", "#1a4f9c", "Riverside Council", "1 High Street\nRiverside"
	if _, err := db.UpdateNewsletter(ctx, "weekly", bulletin.NewsletterUpdate{LogoURL: &logo, AccentColor: &accent,
		OrgName: &org, OrgAddress: &addr}); err != nil {
		t.Fatal(err)
	}
	fixture.Item(t, db, &bulletin.Item{Title: "Ward budgets open", Body: "Propose a project.", URL: "https://example.org/budgets",
		Status: bulletin.ItemApproved})
	is, err := s.Compiler.Compile(ctx, "weekly", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, `UPDATE issues SET status = 'sent', sent_at = now() WHERE id = $1`, is.ID); err != nil {
		t.Fatal(err)
	}

	c := &http.Client{}
	for _, path := range []string{"/subscribe/readers", "/contribute/weekly", "/privacy/weekly", "/archive/weekly/", "/archive/weekly/1",
		"/archive/weekly/search?q=budgets"} {
		_, _, body := get(t, c, ts.URL+path)
		for _, want := range []string{`<img class="brand-logo" src="https://example.org/logo.png" alt=""`,
			`<link rel="stylesheet" href="/brand/weekly/style.css?c=1a4f9c">`, `<span class="brand-org">Riverside Council, 1 High Street, Riverside</span>`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
	}
	resp, err := c.Get(ts.URL + "/brand/weekly/style.css?c=1a4f9c")
	if err != nil {
		t.Fatal(err)
	}
	css, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(string(css), "header.site { background: #1a4f9c; color: #ffffff;") {
		t.Fatalf("brand style = %d %s:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), css)
	}
	if code, _, _ := get(t, c, ts.URL+"/brand/nosuch/style.css"); code != http.StatusNotFound {
		t.Errorf("style of an unknown newsletter = %d, want 404", code)
	}

	_, _, email := get(t, c, ts.URL+"/archive/weekly/1/email")
	for _, want := range []string{`>Subscribe</a> to get every issue by email.`, `href="http://localhost:8080/subscribe/readers"`,
		`aria-label="Read more: Ward budgets open"`, `<div role="main">`, `Riverside Council<br/>1 High Street, Riverside`,
		`href="http://localhost:8080/privacy/weekly"`} {
		if !strings.Contains(email, want) {
			t.Errorf("archived email lacks %s", want)
		}
	}
	for _, gone := range []string{">Unsubscribe</a>", "change your preferences", "__BULLETIN_"} {
		if strings.Contains(email, gone) {
			t.Errorf("archived email still has %q", gone)
		}
	}
}
