package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/templates"
)

// archiveProcess is one serve process's web side: its own pool, cache and
// watcher, against the shared database.
type archiveProcess struct {
	db    *postgres.DB
	cache *archivecache.Cache
	url   string
}

// startArchiveProcess starts a web server with a cache kept in step with
// the database at dsn by src (the pool itself when src is nil), polling
// every `every`. It returns once the cache has read the version.
func startArchiveProcess(t *testing.T, dsn string, tmpl fsDir, src func(*postgres.DB) archivecache.Source, every time.Duration) archiveProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	db, err := postgres.Open(ctx, dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	p := archiveProcess{db: db, cache: archivecache.New(8 << 20)}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &Server{Health: db, Archive: db, ArchiveCache: p.cache, Templates: templates.Builtin(), BaseURL: "http://localhost:8080", Log: log}
	if tmpl != "" {
		srv.Templates = templates.Overlay(string(tmpl))
	}
	h, err := srv.Handler()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	p.url = ts.URL
	var source archivecache.Source = db
	if src != nil {
		source = src(db)
	}
	done := make(chan error, 1)
	go func() { done <- archivecache.Watch(ctx, source, p.cache, every, log) }()
	t.Cleanup(func() {
		ts.Close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watch: %v", err)
		}
		db.Close()
	})
	if err := p.cache.WaitVersion(ctx, 1); err != nil {
		t.Fatal(err)
	}
	return p
}

type fsDir string

// archiveSynced waits until every process's cache has applied the
// database's current archive version: the signal that NOTIFY (or the poll)
// arrived.
func archiveSynced(t *testing.T, db *postgres.DB, ps ...archiveProcess) {
	t.Helper()
	v, err := db.ArchiveVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range ps {
		if err := p.cache.WaitVersion(ctx, v); err != nil {
			t.Fatalf("cache did not reach version %d (at %d): %v", v, p.cache.Version(), err)
		}
	}
}

// seededArchiveDB makes a database with the seeded archive that the
// processes of a test share, and returns its URL and a connection to it.
func seededArchiveDB(t *testing.T) (string, *postgres.DB) {
	t.Helper()
	dsn := pgtest.NewURL(t)
	setup, err := postgres.Open(context.Background(), dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(setup.Close)
	seedArchive(archiveFixture{t: t, db: setup}, "http://127.0.0.1:9")
	return dsn, setup
}

func TestArchiveCacheTwoProcesses(t *testing.T) {
	t.Parallel()
	dsn, setup := seededArchiveDB(t)
	f := archiveFixture{t: t, db: setup}
	a := startArchiveProcess(t, dsn, "", nil, time.Hour)
	b := startArchiveProcess(t, dsn, "", nil, time.Hour)
	procs := []archiveProcess{a, b}

	// Fill both caches, and check the second fetch is a hit.
	paths := []string{"/archive/weekly/5", "/archive/weekly/5/email", "/archive/weekly/", "/archive/weekly/2026/11/", "/archive/weekly/feed.atom"}
	for _, p := range procs {
		for _, path := range paths {
			if r := archiveFetch(t, "GET", p.url+path); r.status != 200 {
				t.Fatalf("%s = %d", path, r.status)
			}
		}
		before := p.cache.Stats()
		for _, path := range paths {
			archiveFetch(t, "GET", p.url+path)
		}
		if after := p.cache.Stats(); after.Misses != before.Misses || after.Entries != len(paths) {
			t.Fatalf("second round: %+v then %+v, want %d entries and no new miss", before, after, len(paths))
		}
		if r := archiveFetch(t, "GET", p.url+"/archive/weekly/5"); strings.Contains(r.body, `rel="next"`) {
			t.Fatalf("issue 5 has a next link before issue 7 was sent")
		}
	}

	// Issue 7 (sending) finishes through the sender's own query: its
	// "next" link appears on issue 5 in both processes, and it is listed.
	if _, err := setup.FinishIssues(context.Background()); err != nil {
		t.Fatal(err)
	}
	archiveSynced(t, setup, procs...)
	for i, p := range procs {
		archiveContains(t, "issue 5 after 7 was sent", archiveFetch(t, "GET", p.url+"/archive/weekly/5").body, `rel="next" href="/archive/weekly/7"`)
		archiveContains(t, "index after 7 was sent", archiveFetch(t, "GET", p.url+"/archive/weekly/").body, `href="/archive/weekly/7"`)
		archiveContains(t, "feed after 7 was sent", archiveFetch(t, "GET", p.url+"/archive/weekly/feed.atom").body, "weekly/7</id>")
		if r := archiveFetch(t, "GET", p.url+"/archive/weekly/7/email"); r.status != 200 || !strings.Contains(r.body, "sending secret") {
			t.Errorf("process %d: issue 7's email = %d", i, r.status)
		}
	}

	// A sent issue withdrawn (cancelled by hand in SQL: the service itself
	// cancels only drafts and scheduled issues) disappears everywhere.
	f.exec(`UPDATE issues SET status = 'cancelled' WHERE number = 7 AND newsletter_id = (SELECT id FROM newsletters WHERE slug = 'weekly')`)
	archiveSynced(t, setup, procs...)
	for _, p := range procs {
		for _, path := range []string{"/archive/weekly/7", "/archive/weekly/7/email"} {
			if r := archiveFetch(t, "GET", p.url+path); r.status != http.StatusNotFound {
				t.Errorf("%s after cancelling = %d", path, r.status)
			}
		}
		archiveLacks(t, "issue 5 after 7 was cancelled", archiveFetch(t, "GET", p.url+"/archive/weekly/5").body, `rel="next"`)
		archiveLacks(t, "index after 7 was cancelled", archiveFetch(t, "GET", p.url+"/archive/weekly/").body, `href="/archive/weekly/7"`)
	}

	// Stored HTML replaced (a re-render of a sent issue, by hand) and a
	// renamed newsletter show at once too.
	f.exec(`UPDATE issues SET html = '<p>rewritten</p>' WHERE number = 5 AND newsletter_id = (SELECT id FROM newsletters WHERE slug = 'weekly')`)
	f.exec(`UPDATE newsletters SET name = 'Renamed weekly' WHERE slug = 'weekly'`)
	archiveSynced(t, setup, procs...)
	for _, p := range procs {
		archiveContains(t, "email after rewrite", archiveFetch(t, "GET", p.url+"/archive/weekly/5/email").body, "rewritten")
		archiveContains(t, "index after rename", archiveFetch(t, "GET", p.url+"/archive/weekly/").body, "Renamed weekly")
	}

	// Changes nothing on the archive shows (a draft edited, a sent issue's
	// bookkeeping) leave the version, and so the caches, alone.
	v0, _ := setup.ArchiveVersion(context.Background())
	f.exec(`UPDATE issues SET html = '<p>draft edit</p>', updated_at = now() WHERE number = 3`)
	f.exec(`UPDATE issues SET updated_at = now() WHERE number = 5`)
	if v1, _ := setup.ArchiveVersion(context.Background()); v1 != v0 {
		t.Errorf("archive version went from %d to %d on changes the archive does not show", v0, v1)
	}
}

// silentSource never announces a change: only the version poll can catch
// one, as when notifications are lost.
type silentSource struct{ db *postgres.DB }

func (s silentSource) ArchiveVersion(ctx context.Context) (int64, error) {
	return s.db.ArchiveVersion(ctx)
}

func (s silentSource) ListenArchive(ctx context.Context, _ func()) error {
	<-ctx.Done()
	return nil
}

func TestArchiveCacheVersionPollCatchesMissedNotifications(t *testing.T) {
	t.Parallel()
	dsn, setup := seededArchiveDB(t)
	p := startArchiveProcess(t, dsn, "", func(db *postgres.DB) archivecache.Source { return silentSource{db} }, 20*time.Millisecond)
	archiveLacks(t, "issue 5", archiveFetch(t, "GET", p.url+"/archive/weekly/5").body, `rel="next"`)
	if _, err := setup.FinishIssues(context.Background()); err != nil {
		t.Fatal(err)
	}
	archiveSynced(t, setup, p)
	archiveContains(t, "issue 5 after 7 was sent", archiveFetch(t, "GET", p.url+"/archive/weekly/5").body, `rel="next" href="/archive/weekly/7"`)
}

// Templates and the base URL are read when a process starts, and the cache
// lives in the process: a new deployment (here a second server on a
// changed template folder) serves the new pages at once, and the old ETag
// no longer matches.
func TestArchiveCacheTemplateChange(t *testing.T) {
	t.Parallel()
	dsn, _ := seededArchiveDB(t)
	dir := t.TempDir()
	page, err := os.ReadFile("../../templates/web/archive/issue.html")
	if err != nil {
		t.Fatal(err)
	}
	write := func(marker string) {
		if err := os.MkdirAll(filepath.Join(dir, "web", "archive"), 0o755); err != nil {
			t.Fatal(err)
		}
		changed := strings.Replace(string(page), `{{define "content"}}`, `{{define "content"}}<p class="marker">`+marker+`</p>`, 1)
		if changed == string(page) {
			t.Fatal("issue.html has no content block to mark")
		}
		if err := os.WriteFile(filepath.Join(dir, "web", "archive", "issue.html"), []byte(changed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("first deployment")
	old := startArchiveProcess(t, dsn, fsDir(dir), nil, time.Hour)
	first := archiveFetch(t, "GET", old.url+"/archive/weekly/5")
	archiveContains(t, "first deployment", first.body, "first deployment")

	write("second deployment")
	renewed := startArchiveProcess(t, dsn, fsDir(dir), nil, time.Hour)
	r := archiveFetch(t, "GET", renewed.url+"/archive/weekly/5", "If-None-Match", first.header.Get("ETag"))
	if r.status != 200 || !strings.Contains(r.body, "second deployment") || r.header.Get("ETag") == first.header.Get("ETag") {
		t.Errorf("new deployment with the old ETag = %d, ETag %q", r.status, r.header.Get("ETag"))
	}
}

// A hit, answered before the middleware and the mux, is the response the
// routes gave on the miss that stored it: same status, headers and bytes,
// plain and gzip, GET and HEAD.
func TestArchiveCacheHitSameAsMiss(t *testing.T) {
	t.Parallel()
	dsn, _ := seededArchiveDB(t)
	p := startArchiveProcess(t, dsn, "", nil, time.Hour)
	for _, path := range []string{"/archive/weekly/5", "/archive/weekly/5/email", "/archive/weekly/", "/archive/weekly/2026/11/",
		"/archive/weekly/feed.atom", "/archive/weekly/search?q=budget", "/archive/weekly/search"} {
		for _, h := range [][]string{{"Accept-Encoding", "identity"}, {"Accept-Encoding", "gzip"}} {
			for _, method := range []string{"GET", "HEAD"} {
				before := p.cache.Stats().Misses
				miss := archiveFetch(t, method, p.url+path, h...)
				hit := archiveFetch(t, method, p.url+path, h...)
				if st := p.cache.Stats(); st.Misses > before+1 {
					t.Errorf("%s %s %v: %d misses for two requests", method, path, h, st.Misses-before)
				}
				miss.header.Del("Date")
				hit.header.Del("Date")
				if miss.status != 200 || hit.status != 200 || miss.body != hit.body || fmt.Sprint(miss.header) != fmt.Sprint(hit.header) {
					t.Errorf("%s %s %v: miss %d %v\nhit %d %v", method, path, h, miss.status, miss.header, hit.status, hit.header)
				}
			}
		}
	}
}
