package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/internal/bulletin"
)

// ArchiveStore is what the public archive reads. Every method sees sent
// issues only; an unsent issue is ENOTFOUND like a missing one.
type ArchiveStore interface {
	ArchiveDefaultSlug(ctx context.Context) (string, error)
	ArchiveNewsletter(ctx context.Context, slug string) (*bulletin.ArchiveNewsletter, error)
	ArchiveLatest(ctx context.Context, newsletterID int64, limit, offset int) ([]bulletin.ArchiveIssue, error)
	ArchiveMonths(ctx context.Context, newsletterID int64, tz string) ([]bulletin.ArchiveMonth, error)
	ArchiveMonthIssues(ctx context.Context, newsletterID int64, from, to time.Time) ([]bulletin.ArchiveIssue, error)
	ArchiveIssue(ctx context.Context, newsletterID int64, number int) (*bulletin.ArchiveIssue, error)
	ArchiveSearch(ctx context.Context, newsletterID int64, q string, limit, offset int) (*bulletin.SearchResult, error)
}

// archive serves the public archive: pages rendered from sent issues, the
// stored email HTML, the Atom feed and search.
type archive struct {
	s     *Server
	store ArchiveStore
	// cache holds finished responses (nil: each request builds its own).
	// Templates and base URL are read once, when the process starts, and
	// the cache lives in the process: a deployment with new ones starts
	// with an empty cache, and the ETags (hashes of the bytes) change.
	cache *archivecache.Cache
	// searchFrames are result pages with their per-search parts left out
	// (archive_search_frame.go).
	searchFrames archiveSearchFrames
}

const (
	archiveLatestN   = 10
	archiveFeedN     = 20
	archiveSearchN   = 10
	archiveMaxPage   = 100
	archivePageCache = "public, max-age=60"
)

// newArchive returns the archive's handlers, or nil when there is no store.
func (s *Server) newArchive() *archive {
	if s.Archive == nil {
		return nil
	}
	return &archive{s: s, store: s.Archive, cache: s.ArchiveCache}
}

// handleRoot sends visitors to the default newsletter's archive.
func (a *archive) handleRoot(w http.ResponseWriter, r *http.Request) {
	slug, err := a.store.ArchiveDefaultSlug(r.Context())
	if err != nil {
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			a.notFound(w, r, nil, "Nothing here yet", "No newsletter has been set up on this site yet.")
			return
		}
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, archivePath(slug), http.StatusFound)
}

// handleUnknown answers any other path under a newsletter's archive with a
// 404 that leads back into it. A month path without its final slash is
// redirected, as the mux would have done without this catch-all.
func (a *archive) handleUnknown(w http.ResponseWriter, r *http.Request) {
	nl, ok := a.newsletter(w, r)
	if !ok {
		return
	}
	rest := r.PathValue("rest")
	if y, m, ok := strings.Cut(rest, "/"); ok && len(y) == 4 && len(m) == 2 && !strings.Contains(m, "/") {
		http.Redirect(w, r, archivePath(nl.Slug)+rest+"/", http.StatusMovedPermanently)
		return
	}
	a.notFound(w, r, nl, "Page not found", "There is no page “"+rest+"” in the "+nl.Name+" archive.")
}

// newsletter loads the {nl} of the path, answering 404 itself when unknown.
func (a *archive) newsletter(w http.ResponseWriter, r *http.Request) (*bulletin.ArchiveNewsletter, bool) {
	slug := r.PathValue("nl")
	nl, err := a.store.ArchiveNewsletter(r.Context(), slug)
	if err != nil {
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			a.notFound(w, r, nil, "Newsletter not found",
				"There is no newsletter called “"+slug+"” here. Check the address, or start from the home page.")
			return nil, false
		}
		a.fail(w, r, err)
		return nil, false
	}
	return nl, true
}

// archiveLocation is the newsletter's time zone (its schedule's CRON_TZ), in which
// dates and months are shown; UTC when it has none or it is unknown here.
func archiveLocation(nl *bulletin.ArchiveNewsletter) *time.Location {
	for _, f := range strings.Fields(nl.Schedule) {
		name, ok := strings.CutPrefix(f, "CRON_TZ=")
		if !ok {
			name, ok = strings.CutPrefix(f, "TZ=")
		}
		if ok {
			if loc, err := time.LoadLocation(name); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}

func archivePath(slug string) string { return "/archive/" + slug + "/" }

// fail logs an unexpected error once and answers a plain 500.
func (a *archive) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.s.Log.Error("archive request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	archiveHeaders(w)
	http.Error(w, "Something went wrong on our side. Please try again later.", http.StatusInternalServerError)
}
