package web

import (
	"bytes"
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"bulletin/internal/archivecache"
	"bulletin/internal/bulletin"
)

// handleSearch runs ?q= over the items of sent issues, ten hits a page.
// Result pages are cached like the other pages, under the path and raw
// query, and dropped with them whenever the archive changes: a burst of
// readers searching the same words costs one query.
func (a *archive) handleSearch(w http.ResponseWriter, r *http.Request) {
	if a.cache == nil {
		a.miss(w, r, a.buildSearch)
		return
	}
	if e := a.cache.GetQuery(r.URL.Path, r.URL.RawQuery); e != nil {
		e.Serve(w, r)
		return
	}
	a.missKey(w, r, r.URL.Path+"?"+r.URL.RawQuery, a.buildSearch)
}

// archiveSearchMemory is what a store with an in-process search index
// offers beyond ArchiveStore: the newsletter row kept while the archive is
// unchanged, and hits whose snippets have their white space collapsed
// already, as archiveSnippet wants them. Search uses it when the store
// has it.
type archiveSearchMemory interface {
	ArchiveSearchNewsletter(ctx context.Context, slug string) (*bulletin.ArchiveNewsletter, error)
	ArchiveSearchFlat(ctx context.Context, newsletterID int64, q string, limit, offset int) (*bulletin.SearchResult, error)
}

// searchNewsletter is loadNewsletter from the store's search memory when
// it has one; an unknown newsletter, or an error, takes loadNewsletter's
// way (its 404 page, or a logged failure).
func (a *archive) searchNewsletter(r *http.Request) (*bulletin.ArchiveNewsletter, *archivecache.Response, error) {
	if m, ok := a.store.(archiveSearchMemory); ok {
		if nl, err := m.ArchiveSearchNewsletter(r.Context(), r.PathValue("nl")); err == nil {
			return nl, nil, nil
		}
	}
	return a.loadNewsletter(r)
}

// search runs q; flat says the snippets' white space is collapsed.
func (a *archive) search(ctx context.Context, newsletterID int64, q string, limit, offset int) (res *bulletin.SearchResult, flat bool, err error) {
	if m, ok := a.store.(archiveSearchMemory); ok {
		res, err = m.ArchiveSearchFlat(ctx, newsletterID, q, limit, offset)
		return res, true, err
	}
	res, err = a.store.ArchiveSearch(ctx, newsletterID, q, limit, offset)
	return res, false, err
}

func (a *archive) buildSearch(r *http.Request) (archivecache.Response, bool, error) {
	nl, res, err := a.searchNewsletter(r)
	if res != nil || err != nil {
		return archiveAnswer(res), false, err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := archiveSearchPage(r.URL.Query().Get("page"))
	if err == nil {
		err = archiveCheckQuery(q)
	}
	data := archiveSearchData{Nav: archiveNavFor(nl), Query: q, Page: page}
	data.Nav.Query = q
	data.Nav.Current = "search"
	if err != nil {
		data.Error = bulletin.ErrorMessage(err)
		page, err := a.pageResponse(http.StatusBadRequest, "archive/search.html", "Search "+nl.Name, data, "no-cache", time.Time{})
		return page, false, err
	}
	if q != "" {
		res, flat, err := a.search(r.Context(), nl.ID, q, archiveSearchN, (page-1)*archiveSearchN)
		if err != nil {
			return archivecache.Response{}, false, err
		}
		data.Searched, data.Total, data.First = true, res.Total, (page-1)*archiveSearchN+1
		loc := archiveLocation(nl)
		hits := make([]archiveHit, 0, len(res.Hits))
		for _, h := range res.Hits {
			iv := archiveIssueViewOf(nl, loc, bulletin.ArchiveIssue{Number: h.Number, Subject: h.Subject, SentAt: h.SentAt})
			snippet := h.Snippet
			if !flat {
				snippet = bulletin.CollapseSpace(snippet)
			}
			hv := archiveHit{Title: h.Title, Snippet: archiveSnippetFlat(snippet), Issue: iv, URL: iv.URL}
			if h.Ordinal > 0 {
				hv.URL += "#item-" + strconv.Itoa(h.Ordinal)
			}
			hits = append(hits, hv)
		}
		data.hits = hits
		data.ResultWord = "results"
		if res.Total == 1 {
			data.ResultWord = "result"
		}
		data.FirstURL = archiveSearchURL(data.Nav.SearchURL, q, 1)
		if page > 1 && len(res.Hits) > 0 {
			data.PrevURL = archiveSearchURL(data.Nav.SearchURL, q, page-1)
		}
		if page*archiveSearchN < res.Total && page < archiveMaxPage {
			data.NextURL = archiveSearchURL(data.Nav.SearchURL, q, page+1)
		}
	}
	if q != "" {
		out, err := a.searchResultPage(nl, &data)
		return out, err == nil, err
	}
	out, err := a.pageResponse(http.StatusOK, "archive/search.html", "Search "+nl.Name, data, archivePageCache, time.Time{})
	return out, err == nil, err
}

// archiveSearchData is what the search template shows.
type archiveSearchData struct {
	Nav        archiveNav
	Query      string
	Error      string
	Searched   bool
	Total      int
	Page       int
	First      int
	Hits       template.HTML // archiveHitsHTML of hits, for the template
	PrevURL    string
	NextURL    string
	FirstURL   string
	ResultWord string
	hits       []archiveHit // written straight into a frame's page
}

// withHits returns d with Hits written, for the template.
func (d archiveSearchData) withHits() archiveSearchData {
	if d.Hits == "" && len(d.hits) > 0 {
		d.Hits = archiveHitsHTML(d.hits)
	}
	return d
}

// archiveSearchTitle is the title of the result page of q.
func archiveSearchTitle(nl *bulletin.ArchiveNewsletter, q string) string {
	return q + " – Search " + nl.Name
}

func archiveSearchPage(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > archiveMaxPage {
		return 1, bulletin.Errorf(bulletin.EINVALID, "page must be a number from 1 to %d", archiveMaxPage)
	}
	return n, nil
}

func archiveCheckQuery(q string) error {
	switch {
	case !utf8.ValidString(q):
		return bulletin.Errorf(bulletin.EINVALID, "the search text is not valid UTF-8")
	case len(q) > bulletin.MaxSearchLen:
		return bulletin.Errorf(bulletin.EINVALID, "the search text is longer than %d characters", bulletin.MaxSearchLen)
	case strings.ContainsFunc(q, archiveControl):
		return bulletin.Errorf(bulletin.EINVALID, "the search text contains a control character; type words only")
	}
	return nil
}

// archiveControl reports the characters a search may not hold: NUL, which
// PostgreSQL refuses in text, and the other C0 and C1 controls but tab and
// line breaks.
func archiveControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}

func archiveSearchURL(base, q string, page int) string {
	v := url.Values{"q": {q}}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return base + "?" + v.Encode()
}

// archiveMarked turns a store snippet into HTML: the text is escaped first, then
// the snippet markers become <mark> elements, balanced whatever the markers
// in the text were.
func archiveMarked(s string) template.HTML {
	var b bytes.Buffer
	archiveWriteMarked(&b, s)
	return template.HTML(b.String())
}
