package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The admin switches set what the newsletter counts, and the public privacy
// page says so; an unknown newsletter changes nothing.
func TestCountingSwitchesAndPrivacyPage(t *testing.T) {
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	anon := client(t)
	_, _, body := get(t, anon, base+"/privacy/weekly")
	if !strings.Contains(body, "Link clicks, on.") || !strings.Contains(body, "Opens, off.") {
		t.Fatalf("privacy page with the defaults:\n%s", body)
	}
	ad := client(t)
	login(t, ad, base, "admin")
	if _, _, body := get(t, ad, base+"/admin/newsletters/weekly"); !strings.Contains(body, `id="count_clicks" checked`) ||
		!strings.Contains(body, "Apple Mail Privacy Protection") {
		t.Fatalf("newsletter page lacks the switches or the warning:\n%s", body)
	}
	if code, _, body := post(t, ad, base+"/admin/newsletters/weekly/counting", url.Values{"count_opens": {"on"}}); code != http.StatusSeeOther {
		t.Fatalf("save counting = %d\n%s", code, body)
	}
	c, err := db.FindCounting(ctx, "weekly")
	if err != nil || c.Clicks || !c.Opens {
		t.Fatalf("saved counting %+v (%v), want clicks off, opens on", c, err)
	}
	_, _, body = get(t, anon, base+"/privacy/weekly")
	if !strings.Contains(body, "Link clicks, off.") || !strings.Contains(body, "Opens, on.") || !strings.Contains(body, "unreliable") {
		t.Fatalf("privacy page after the switch:\n%s", body)
	}
	if code, _, _ := post(t, ad, base+"/admin/newsletters/nope/counting", url.Values{"count_clicks": {"on"}}); code != http.StatusNotFound {
		t.Errorf("unknown newsletter = %d, want 404", code)
	}
	if code, _, _ := get(t, anon, base+"/privacy/nope"); code != http.StatusNotFound {
		t.Errorf("privacy of an unknown newsletter = %d, want 404", code)
	}
	if after, _ := db.FindCounting(ctx, "weekly"); after != c {
		t.Errorf("a refused request changed the switches: %+v", after)
	}
}
