package web

import (
	"regexp"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
)

// navMarks returns each nav link's href with its aria-current value.
var navMarkRE = regexp.MustCompile(`<a href="([^"]+)"(?: id="settings-link")?(?: aria-current="(page|true)")?>`)

func navMarks(body string) map[string]string {
	m := map[string]string{}
	for _, g := range navMarkRE.FindAllStringSubmatch(body, -1) {
		if g[2] != "" {
			m[g[1]] = g[2]
		}
	}
	return m
}

// The admin nav marks the link to the page shown with aria-current="page",
// and the link to the section of a deeper page with aria-current="true";
// nothing else is marked.
func TestAdminNavMarksCurrentPage(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	nl := fixture.Newsletter(t, db)
	it := fixture.Item(t, db, &bulletin.Item{NewsletterID: nl.ID, Title: "Park clean-up"})
	c := client(t)
	login(t, c, base, "admin")
	for path, want := range map[string]map[string]string{
		"/admin/":                               {"/admin/": "page"},
		"/admin/items":                          {"/admin/items": "page"},
		"/admin/items/" + itoa(it.ID) + "/edit": {"/admin/items": "true"},
		"/admin/users/invite":                   {"/admin/users": "true"},
		"/admin/settings":                       {"/admin/settings": "page"},
		"/admin/lists":                          {"/admin/lists": "page"},
	} {
		code, _, body := get(t, c, base+path)
		if code != 200 {
			t.Fatalf("%s: %d", path, code)
		}
		got := navMarks(body)
		if len(got) != len(want) {
			t.Errorf("%s: marked %v, want %v", path, got, want)
		}
		for href, v := range want {
			if got[href] != v {
				t.Errorf("%s: %s has aria-current=%q, want %q", path, href, got[href], v)
			}
		}
	}
}

// The archive's nav marks Archive on the index and Search on the search
// page, and nothing on an issue.
func TestArchiveNavMarksCurrentPage(t *testing.T) {
	t.Parallel()
	f := newArchiveFixture(t)
	seedArchive(f, "")
	s := wired(f.db)
	s.Archive = f.db
	base := serve(t, s).URL
	for path, want := range map[string]map[string]string{
		"/archive/weekly/":              {"/archive/weekly/": "page"},
		"/archive/weekly/search?q=vote": {"/archive/weekly/search": "page"},
		"/archive/weekly/1":             {},
	} {
		code, body, _ := getBody(t, base+path)
		if code != 200 {
			t.Fatalf("%s: %d", path, code)
		}
		if got := navMarks(body); len(got) != len(want) || (len(want) > 0 && got[firstKey(want)] != want[firstKey(want)]) {
			t.Errorf("%s: marked %v, want %v", path, got, want)
		}
	}
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}
