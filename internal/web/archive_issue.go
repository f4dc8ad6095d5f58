package web

import (
	"net/http"
	"strconv"

	"bulletin/internal/archivecache"
	"bulletin/internal/bulletin"
)

// The issue page frames the stored email, served by its own route in a
// sandboxed iframe rather than inline through srcdoc: a srcdoc document
// inherits the page's Content-Security-Policy, so either the email's inline
// styles would be blocked or every archive page would have to allow inline
// styles; with its own URL the email gets its own, stricter policy (the CSP
// sandbox holds even when that URL is opened directly), its in-page
// "#highlight" links work, and it is cached on its own validators.

// archiveNumber parses the {number} of the path; only a canonical positive
// decimal is an issue number.
func archiveNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0 && strconv.Itoa(n) == s
}

// loadIssue loads the newsletter and sent issue of the path; either
// missing, or the issue unsent, gives the 404 response instead.
func (a *archive) loadIssue(r *http.Request) (*bulletin.ArchiveNewsletter, *bulletin.ArchiveIssue, *archivecache.Response, error) {
	nl, res, err := a.loadNewsletter(r)
	if res != nil || err != nil {
		return nil, nil, res, err
	}
	raw := r.PathValue("number")
	n, ok := archiveNumber(raw)
	if !ok {
		res, _, err := a.notFoundResponse(r.Context(), nl, "Page not found", "“"+raw+"” is not an issue number or a page of the "+nl.Name+" archive.")
		return nil, nil, &res, err
	}
	is, err := a.store.ArchiveIssue(r.Context(), nl.ID, n)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
		res, _, err := a.notFoundResponse(r.Context(), nl, "Issue "+raw+" not found",
			"Issue "+raw+" of "+nl.Name+" is not in the archive. Issues appear here once they have been sent.")
		return nil, nil, &res, err
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return nl, is, nil, nil
}

// handleIssue shows one sent issue: a small header around the email.
func (a *archive) handleIssue(w http.ResponseWriter, r *http.Request) {
	if e := a.hit(r); e != nil {
		e.Serve(w, r)
		return
	}
	a.miss(w, r, a.buildIssue)
}

func (a *archive) buildIssue(r *http.Request) (archivecache.Response, bool, error) {
	nl, is, res, err := a.loadIssue(r)
	if res != nil || err != nil {
		return archiveAnswer(res), false, err
	}
	nav := archiveNavFor(nl)
	// The header links to the next issue, so the page changes when it is sent.
	modified := is.SentAt
	if is.Next > 0 && is.NextSentAt.After(modified) {
		modified = is.NextSentAt
	}
	data := struct {
		Nav      archiveNav
		Issue    archiveIssueView
		EmailURL string
		PrevURL  string
		NextURL  string
		Prev     int
		Next     int
	}{Nav: nav, Issue: archiveIssueViewOf(nl, archiveLocation(nl), *is), EmailURL: archiveIssuePath(nl.Slug, is.Number) + "/email", Prev: is.Prev, Next: is.Next}
	if is.Prev > 0 {
		data.PrevURL = archiveIssuePath(nl.Slug, is.Prev)
	}
	if is.Next > 0 {
		data.NextURL = archiveIssuePath(nl.Slug, is.Next)
	}
	page, err := a.pageResponse(http.StatusOK, "archive/issue.html", data.Issue.Subject, data, "public, max-age=300", modified)
	return page, err == nil, err
}

// handleEmail serves the stored HTML as sent, with neutral values in place
// of the personal ones, under the sandboxing email policy.
func (a *archive) handleEmail(w http.ResponseWriter, r *http.Request) {
	if e := a.hit(r); e != nil {
		e.Serve(w, r)
		return
	}
	a.miss(w, r, a.buildEmail)
}

func (a *archive) buildEmail(r *http.Request) (archivecache.Response, bool, error) {
	nl, is, res, err := a.loadIssue(r)
	if res != nil || err != nil {
		return archiveAnswer(res), false, err
	}
	// The personal footer ("Unsubscribe", "change your preferences") gives
	// way to the public one ("Subscribe") the email carries for this copy.
	subscribe := ""
	if nav := archiveNavFor(nl); nav.SubscribeURL != "" {
		subscribe = a.s.BaseURL + nav.SubscribeURL
	}
	body := archiveTargetTop(archiveNeutralize(bulletin.PublicCopy(is.HTML, subscribe), a.neutralURL(nl)))
	return archivecache.Response{
		Status: http.StatusOK, ContentType: "text/html; charset=utf-8", Body: []byte(body), Modified: is.SentAt,
		Header: http.Header{
			"Content-Security-Policy": {archiveEmailCSP},
			"X-Content-Type-Options":  {"nosniff"},
			"Referrer-Policy":         {"no-referrer"},
			"X-Robots-Tag":            {"noindex"}, // search engines should index the framed page instead
			"Cache-Control":           {"public, max-age=3600"},
		},
	}, true, nil
}

// neutralURL replaces the personal unsubscribe and preferences links: the
// subscribe page when the newsletter has a public list, else the archive.
func (a *archive) neutralURL(nl *bulletin.ArchiveNewsletter) string {
	nav := archiveNavFor(nl)
	if nav.SubscribeURL != "" {
		return a.s.BaseURL + nav.SubscribeURL
	}
	return a.s.BaseURL + nav.IndexURL
}

// archiveNeutralize fills the personal placeholders of a stored issue with
// values that belong to no one, through the same Personalizer that sends it
// (so the escaping is the same); no name gives the neutral greeting.
func archiveNeutralize(stored, link string) string {
	out, _ := bulletin.NewPersonalizer(stored, "").Apply(bulletin.Personal{UnsubscribeURL: link, PreferencesURL: link})
	return out
}
