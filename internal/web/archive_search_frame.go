package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/internal/bulletin"
)

// A result page is the layout and the search template around a few
// per-search values: the query, the counts, the hits and the pager's
// links. The template is run once per newsletter and page shape with
// placeholders for those values, and each search then writes the pieces
// between them and its own values, escaped as the template escapes them in
// their place. A frame is used only after it reproduced the template's own
// page exactly, for the search that made it and for a probe query full of
// characters that are escaped; otherwise (or for a 400 or the empty form)
// the template runs as before.

// Placeholders: letters and digits only, which no escaper changes. The
// numbers stand for Total, Page and First.
const (
	frameQuery    = "zqBulletinQueryQz"
	frameHits     = "zqBulletinHitsQz"
	framePrevURL  = "zqBulletinPrevQz"
	frameNextURL  = "zqBulletinNextQz"
	frameFirstURL = "zqBulletinFirstQz"
	frameTotal    = 918273641
	framePage     = 918273642
	frameFirst    = 918273643
)

type frameSlot uint8

const (
	slotQuery frameSlot = iota
	slotHits
	slotPrevURL
	slotNextURL
	slotFirstURL
	slotTotal
	slotPage
	slotFirst
)

var frameMarks = [...]string{
	slotQuery: frameQuery, slotHits: frameHits, slotPrevURL: framePrevURL, slotNextURL: frameNextURL, slotFirstURL: frameFirstURL,
	slotTotal: strconv.Itoa(frameTotal), slotPage: strconv.Itoa(framePage), slotFirst: strconv.Itoa(frameFirst),
}

// archiveSearchFrames holds the frames made so far; the zero value is ready.
type archiveSearchFrames struct {
	mu     sync.RWMutex
	frames map[archiveFrameKey]*archiveFrame
}

// archiveFrameKey is everything a frame's fixed text comes from: the
// newsletter row as read (so any change to it makes a new frame) and which
// of the template's branches the page takes.
type archiveFrameKey struct {
	nl                           bulletin.ArchiveNewsletter
	hits, later, one, prev, next bool
}

// archiveFrame is pieces[0], slots[0], pieces[1], … pieces[len(slots)].
// A nil frame (stored as such) means the frame did not reproduce the page.
type archiveFrame struct {
	pieces []string
	slots  []frameSlot
	size   int // of the pieces
}

const archiveMaxFrames = 256

func frameKeyOf(nl *bulletin.ArchiveNewsletter, d *archiveSearchData) archiveFrameKey {
	return archiveFrameKey{nl: *nl, hits: d.Hits != "" || len(d.hits) > 0, later: d.Page > 1, one: d.Total == 1, prev: d.PrevURL != "", next: d.NextURL != ""}
}

// searchResultPage renders the result page of d (a search that ran).
func (a *archive) searchResultPage(nl *bulletin.ArchiveNewsletter, d *archiveSearchData) (archivecache.Response, error) {
	key := frameKeyOf(nl, d)
	f := &a.searchFrames
	f.mu.RLock()
	fr, ok := f.frames[key]
	f.mu.RUnlock()
	if !ok {
		var err error
		if fr, err = a.makeFrame(nl, d); err != nil {
			return archivecache.Response{}, err
		}
		f.mu.Lock()
		if f.frames == nil || len(f.frames) >= archiveMaxFrames {
			f.frames = map[archiveFrameKey]*archiveFrame{}
		}
		f.frames[key] = fr
		f.mu.Unlock()
	}
	if fr == nil {
		return a.pageResponse(http.StatusOK, "archive/search.html", archiveSearchTitle(nl, d.Query), d.withHits(), archivePageCache, time.Time{})
	}
	return archivecache.Response{Status: http.StatusOK, ContentType: "text/html; charset=utf-8",
		Header: archivePublicHeader(archivePageCache), Body: fr.write(d)}, nil
}

// makeFrame runs the template with placeholders and checks the frame
// against the template's page of d and of a probe; nil when it differs.
func (a *archive) makeFrame(nl *bulletin.ArchiveNewsletter, d *archiveSearchData) (*archiveFrame, error) {
	ph := *d
	ph.Query, ph.Nav.Query, ph.hits = frameQuery, frameQuery, nil
	if d.Hits != "" || len(d.hits) > 0 {
		ph.Hits = frameHits
	}
	ph.Total, ph.First = frameTotal, frameFirst
	if d.Total == 1 {
		ph.Total = 1 // "result": a count of one is part of the shape
	}
	if d.Page > 1 {
		ph.Page = framePage
	}
	ph.FirstURL = frameFirstURL
	if d.PrevURL != "" {
		ph.PrevURL = framePrevURL
	}
	if d.NextURL != "" {
		ph.NextURL = frameNextURL
	}
	res, err := a.pageResponse(http.StatusOK, "archive/search.html", archiveSearchTitle(nl, frameQuery), ph, archivePageCache, time.Time{})
	if err != nil {
		return nil, err
	}
	fr := splitFrame(string(res.Body))
	probe := *d
	q := `probe <&> "quoted" 'single' + é ` + "\u2028"
	probe.Query, probe.Nav.Query = q, q
	if d.Total != 1 {
		probe.Total = d.Total + 1000
	}
	probe.First, probe.Page = d.First+10, d.Page
	if d.Page > 1 {
		probe.Page = d.Page + 1
	}
	probe.FirstURL = archiveSearchURL(d.Nav.SearchURL, q, 1)
	if d.PrevURL != "" {
		probe.PrevURL = archiveSearchURL(d.Nav.SearchURL, q, 2)
	}
	if d.NextURL != "" {
		probe.NextURL = archiveSearchURL(d.Nav.SearchURL, q, 3)
	}
	for _, c := range []*archiveSearchData{d, &probe} {
		want, err := a.pageResponse(http.StatusOK, "archive/search.html", archiveSearchTitle(nl, c.Query), c.withHits(), archivePageCache, time.Time{})
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(fr.write(c), want.Body) {
			return nil, nil
		}
	}
	return fr, nil
}

// splitFrame cuts a page rendered with placeholders at each of them.
func splitFrame(page string) *archiveFrame {
	fr := &archiveFrame{}
	for {
		at, slot := -1, frameSlot(0)
		for s, m := range frameMarks {
			if i := strings.Index(page, m); i >= 0 && (at < 0 || i < at) {
				at, slot = i, frameSlot(s)
			}
		}
		if at < 0 {
			break
		}
		fr.pieces = append(fr.pieces, page[:at])
		fr.slots = append(fr.slots, slot)
		page = page[at+len(frameMarks[slot]):]
	}
	fr.pieces = append(fr.pieces, page)
	for _, p := range fr.pieces {
		fr.size += len(p)
	}
	return fr
}

// write is the page of d.
func (fr *archiveFrame) write(d *archiveSearchData) []byte {
	var b bytes.Buffer
	b.Grow(fr.size + len(d.Hits) + 1000*len(d.hits))
	for i, s := range fr.slots {
		b.WriteString(fr.pieces[i])
		switch s {
		case slotQuery:
			archiveWriteTemplateText(&b, d.Query)
		case slotHits:
			b.WriteString(string(d.Hits))
			archiveWriteHits(&b, d.hits)
		case slotPrevURL:
			archiveWriteURLAttr(&b, d.PrevURL)
		case slotNextURL:
			archiveWriteURLAttr(&b, d.NextURL)
		case slotFirstURL:
			archiveWriteURLAttr(&b, d.FirstURL)
		case slotTotal:
			b.WriteString(strconv.Itoa(d.Total))
		case slotPage:
			b.WriteString(strconv.Itoa(d.Page))
		case slotFirst:
			b.WriteString(strconv.Itoa(d.First))
		}
	}
	b.WriteString(fr.pieces[len(fr.pieces)-1])
	return b.Bytes()
}
