package web

import (
	"net/http"
	"strconv"

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

// issue loads the newsletter and sent issue of the path, answering 404
// itself for either, and for unsent issues exactly as for missing ones.
func (a *archive) issue(w http.ResponseWriter, r *http.Request) (*bulletin.ArchiveNewsletter, *bulletin.ArchiveIssue, bool) {
	nl, ok := a.newsletter(w, r)
	if !ok {
		return nil, nil, false
	}
	raw := r.PathValue("number")
	n, ok := archiveNumber(raw)
	if !ok {
		a.notFound(w, r, nl, "Page not found", "“"+raw+"” is not an issue number or a page of the "+nl.Name+" archive.")
		return nil, nil, false
	}
	is, err := a.store.ArchiveIssue(r.Context(), nl.ID, n)
	if err != nil {
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			a.notFound(w, r, nl, "Issue "+raw+" not found",
				"Issue "+raw+" of "+nl.Name+" is not in the archive. Issues appear here once they have been sent.")
			return nil, nil, false
		}
		a.fail(w, r, err)
		return nil, nil, false
	}
	return nl, is, true
}

// handleIssue shows one sent issue: a small header around the email.
func (a *archive) handleIssue(w http.ResponseWriter, r *http.Request) {
	nl, is, ok := a.issue(w, r)
	if !ok {
		return
	}
	nav := archiveNavFor(nl)
	// The header links to the next issue, so the page changes when it is sent.
	modified := is.SentAt
	if is.Next > 0 && is.NextSentAt.After(modified) {
		modified = is.NextSentAt
	}
	archiveHeaders(w)
	if archiveNotModified(w, r, a.etag("issue", is.ID, is.SentAt.UnixNano(), is.Prev, is.Next, nav.SubscribeURL), modified, "public, max-age=300") {
		return
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
	a.render(w, r, http.StatusOK, "archive/issue.html", data.Issue.Subject, data)
}

// handleEmail serves the stored HTML as sent, with neutral values in place
// of the personal ones, under the sandboxing email policy.
func (a *archive) handleEmail(w http.ResponseWriter, r *http.Request) {
	nl, is, ok := a.issue(w, r)
	if !ok {
		return
	}
	neutral := a.neutralURL(nl)
	h := w.Header()
	h.Set("Content-Security-Policy", archiveEmailCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex") // search engines should index the framed page instead
	if archiveNotModified(w, r, a.etag("email", is.ID, is.SentAt.UnixNano(), neutral), is.SentAt, "public, max-age=3600") {
		return
	}
	body := archiveTargetTop(archiveNeutralize(is.HTML, neutral))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(body))
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
