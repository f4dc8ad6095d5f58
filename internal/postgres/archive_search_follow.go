package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"bulletin/internal/bulletin"
)

// Without a follower, every search reads archive_version (with its parsed
// query) in one round trip, so it sees every change committed before it
// began. With one (FollowArchiveVersion), the version comes from the
// process's archive watch instead: LISTEN/NOTIFY on bulletin_archive with
// a version poll as the backstop (archivecache.Watch), the mechanism that
// keeps the archive's page cache in step. A search then makes no round
// trip while the archive is unchanged and its query was parsed before; a
// change shows in the first search after the watch has seen it, as it does
// on every cached archive page.

// searchQueryMemo bounds the parsed queries kept; when full it starts again.
const searchQueryMemo = 4096

// searchFollow is the version source and what is kept while it stands
// still. The zero value follows nothing.
type searchFollow struct {
	mu      sync.RWMutex
	version func() int64
	// websearch_to_tsquery's parse of each recent query: it depends on the
	// query's text and the 'english' configuration only, never on the
	// archive, so it is kept across versions.
	queries map[string]*parsedQuery
	// Newsletter rows by slug, each with the version it was read at.
	newsletters map[string]followedNewsletter
}

type parsedQuery struct {
	q           *tsQuery
	unsupported bool // a form the index does not evaluate: SQL runs it
}

type followedNewsletter struct {
	version int64
	nl      bulletin.ArchiveNewsletter
}

// FollowArchiveVersion makes search take the archive's version from
// version (a number that grows with every committed change the archive
// can show, 0 while unknown) instead of reading it for every search. main
// passes the version its archive watch keeps (archivecache.Cache.Version).
func (db *DB) FollowArchiveVersion(version func() int64) {
	db.search.follow.mu.Lock()
	defer db.search.follow.mu.Unlock()
	db.search.follow.version = version
}

// followed returns the followed version, or 0 when there is none yet.
func (f *searchFollow) followed() int64 {
	f.mu.RLock()
	v := f.version
	f.mu.RUnlock()
	if v == nil {
		return 0
	}
	return v()
}

func (f *searchFollow) query(q string) *parsedQuery {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.queries[q]
}

func (f *searchFollow) keepQuery(q string, p *parsedQuery) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.queries == nil || len(f.queries) >= searchQueryMemo {
		f.queries = map[string]*parsedQuery{}
	}
	f.queries[q] = p
}

// searchQuery returns q parsed and the archive version to search at: the
// followed one, or the database's read with the parse when nothing is
// followed yet. The query goes to PostgreSQL only when it was not parsed
// before or the version must be read.
func (db *DB) searchQuery(ctx context.Context, q string) (*parsedQuery, int64, error) {
	version := db.search.follow.followed()
	p := db.search.follow.query(q)
	if p != nil && version > 0 {
		return p, version, nil
	}
	var read int64
	var tsq string
	err := db.Pool.QueryRow(ctx, `SELECT (SELECT version FROM archive_version), websearch_to_tsquery('english', $1)::text`, q).
		Scan(&read, &tsq)
	if err != nil {
		return nil, 0, fmt.Errorf("archive search: %w", mapErr(err, "search"))
	}
	if p == nil {
		parsed, err := parseTSQuery(tsq)
		if err == nil {
			err = checkEvaluable(parsed.root, false)
		}
		switch {
		case errors.Is(err, errQueryUnsupported):
			p = &parsedQuery{unsupported: true}
		case err != nil:
			return nil, 0, fmt.Errorf("archive search: %q: %w", tsq, err)
		default:
			p = &parsedQuery{q: parsed}
		}
		db.search.follow.keepQuery(q, p)
	}
	return p, max(version, read), nil
}

// ArchiveSearchNewsletter is ArchiveNewsletter for search: while a
// followed version stands still, the row read at it is reused. A slug not
// found is not kept.
func (db *DB) ArchiveSearchNewsletter(ctx context.Context, slug string) (*bulletin.ArchiveNewsletter, error) {
	f := &db.search.follow
	version := f.followed()
	if version == 0 {
		return db.ArchiveNewsletter(ctx, slug)
	}
	f.mu.RLock()
	kept, ok := f.newsletters[slug]
	f.mu.RUnlock()
	if ok && kept.version == version {
		nl := kept.nl
		return &nl, nil
	}
	nl, err := db.ArchiveNewsletter(ctx, slug)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.newsletters == nil || len(f.newsletters) >= searchQueryMemo {
		f.newsletters = map[string]followedNewsletter{}
	}
	// Read after version was: at worst newer than its tag, and read again
	// at the next version.
	f.newsletters[slug] = followedNewsletter{version: version, nl: *nl}
	f.mu.Unlock()
	return nl, nil
}
