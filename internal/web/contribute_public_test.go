package web

import (
	"net/http"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
	"bulletin/internal/inbound"
	"bulletin/internal/pgtest"
)

// The email footer's "Contribute an item" leads to a public page that says
// how to contribute: by email when inbound mail is set up, and the form
// for account holders. No login wall.
func TestContributeInfoIsPublic(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	nl := fixture.Newsletter(t, db)
	for _, domain := range []string{"", "in.example.org"} {
		s := wired(db)
		if domain != "" {
			s.ContributeAddress = inbound.Addresses{Domain: domain}.Contribute
		}
		base := serve(t, s).URL
		c := client(t)
		code, _, body := get(t, c, base+"/contribute/"+nl.Slug)
		if code >= 500 || !strings.Contains(body, "Contribute to "+nl.Name) ||
			!strings.Contains(body, `href="/contribute?newsletter=`+nl.Slug+`"`) || !strings.Contains(body, `href="/archive/`+nl.Slug+`/"`) {
			t.Fatalf("contribute page (domain %q) = %d:\n%s", domain, code, body)
		}
		if !strings.Contains(body, `id="brand">`+nl.Name+`<`) || strings.Contains(body, "Sent with Bulletin") {
			t.Errorf("contribute page does not carry the newsletter's name in place of the software's:\n%s", body)
		}
		hasMail := strings.Contains(body, "mailto:contribute@in.example.org")
		if hasMail != (domain != "") {
			t.Errorf("domain %q: page offers the contribution address: %v", domain, hasMail)
		}
		if code, _, _ = get(t, c, base+"/contribute/no-such"); code != http.StatusNotFound {
			t.Errorf("unknown newsletter = %d, want 404", code)
		}
	}
}

// Subscriber pages (and their "link not found" answers) carry the newsletter's name and a link to its archive,
// not the software's name.
func TestPublicPagesCarryNewsletterName(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	nl := fixture.Newsletter(t, db)
	fixture.List(t, db, &bulletin.List{Slug: "main", Name: "Main"})
	sub := fixture.Subscriber(t, db, "main", "reader@example.org")
	base := serve(t, wired(db)).URL
	c := client(t)
	for _, path := range []string{"/subscribe/main", "/unsubscribe/" + sub.Token, "/preferences/" + sub.Token} {
		code, _, body := get(t, c, base+path)
		if code >= 500 || !strings.Contains(body, `href="/archive/`+nl.Slug+`/" id="brand">`+nl.Name+`<`) ||
			strings.Contains(body, "Sent with Bulletin") {
			t.Errorf("%s = %d, without the newsletter's name and archive link:\n%s", path, code, body)
		}
	}
}
