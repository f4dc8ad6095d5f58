// Package archivecache keeps finished HTTP responses of the public archive
// in memory: the bytes of the body, a gzip copy made once, and every header
// value built in advance, so that serving one is a map lookup and a write.
// The cache is bounded in bytes (CLOCK eviction, an approximation of LRU),
// and is kept in step with the database by Watch.
package archivecache

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"strconv"
	"time"
)

// Entry is one finished response. It is immutable once made, and shared by
// every request that it answers, header value slices included: net/http
// only reads them, and Set or Add on a response header replaces or grows a
// slice of length = capacity, never writes into it.
type Entry struct {
	status   int
	fixed    []field // sent with every answer, 304 included
	ctype    []string
	modified time.Time // zero: no Last-Modified
	plain    variant
	gz       *variant // nil when gzip would not make it smaller
	size     int64    // bytes held, for the cache's bound
}

type field struct {
	key  string // canonical
	vals []string
}

type variant struct {
	body   []byte
	etag   string   // quoted; "" when the status is not 200
	etagV  []string // {etag}
	length []string // {len(body)}
	cork   bool     // header and body outgrow net/http's buffer: see cork.go
}

var (
	gzipValue = []string{"gzip"}
	varyValue = []string{"Accept-Encoding"}
)

// Response describes an answer to cache.
type Response struct {
	Status      int
	ContentType string
	// Header holds the other headers (policies, Cache-Control). Validators,
	// Content-Length, Content-Encoding and Vary are added here.
	Header   http.Header
	Body     []byte
	Modified time.Time // Last-Modified; zero for none
}

// minGzip is the size under which gzip is not worth a second copy.
const minGzip = 512

// NewEntry builds the entry of r: for a 200, a strong ETag from the body's
// SHA-256 (a different one for the gzip copy, as RFC 9110 §8.8.3 asks of
// another content coding) and, when compress is set, a gzip copy if it is
// smaller by a tenth. (Compressing at the best level costs about a
// millisecond for 23 KB: worth it once for a cached entry, not for every
// request.)
func NewEntry(r Response, compress bool) *Entry {
	e := &Entry{status: r.Status, ctype: []string{r.ContentType}, modified: r.Modified}
	for k, vs := range r.Header {
		e.fixed = append(e.fixed, field{key: textproto.CanonicalMIMEHeaderKey(k), vals: append([]string(nil), vs...)[:len(vs):len(vs)]})
	}
	e.fixed = append(e.fixed, field{key: "Vary", vals: varyValue})
	if !r.Modified.IsZero() {
		e.fixed = append(e.fixed, field{key: "Last-Modified", vals: []string{r.Modified.UTC().Format(http.TimeFormat)}})
	}
	var tag string
	if r.Status == http.StatusOK {
		sum := sha256.Sum256(r.Body)
		tag = hex.EncodeToString(sum[:12])
	}
	body := r.Body
	if cap(body)-len(body) > len(body)/16 { // a grown buffer: keep only the bytes
		body = bytes.Clone(body)
	}
	e.plain = newVariant(body, tag, "")
	head := e.headerBytes()
	e.plain.cork = len(body)+head > connBuffer
	if compress && len(r.Body) >= minGzip {
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression) // the level is valid
		_, _ = zw.Write(r.Body)                                // a bytes.Buffer does not fail
		_ = zw.Close()
		if b.Len() < len(r.Body)-len(r.Body)/10 {
			v := newVariant(bytes.Clone(b.Bytes()), tag, "-gz")
			v.cork = len(v.body)+head > connBuffer
			e.gz = &v
		}
	}
	// The bodies and header values, and about 1 KB for the structures
	// around them (entry, node, map slot, slices, strings).
	e.size = int64(cap(e.plain.body)) + 1024
	if e.gz != nil {
		e.size += int64(cap(e.gz.body))
	}
	for _, f := range e.fixed {
		for _, v := range f.vals {
			e.size += int64(len(f.key) + len(v))
		}
	}
	return e
}

// connBuffer is the size of net/http's buffer on each connection (4 KiB):
// a response larger than that leaves in two writes.
const connBuffer = 4 << 10

// headerBytes estimates the size of the response header: the entry's
// fields, the ones Serve adds, and 1 KB for the status line, Date and the
// headers set before Serve (the security policy). An estimate on the large
// side costs a needless cork, two system calls; one on the small side
// leaves a response just over the buffer uncorked.
func (e *Entry) headerBytes() int {
	n := 1024 + len("Content-Type: \r\n") + len(e.ctype[0]) + len("Content-Length: 000000\r\nEtag: \"\"\r\nContent-Encoding: gzip\r\n") + 40
	for _, f := range e.fixed {
		for _, v := range f.vals {
			n += len(f.key) + len(v) + 4
		}
	}
	return n
}

func newVariant(body []byte, tag, suffix string) variant {
	v := variant{body: body, length: []string{strconv.Itoa(len(body))}}
	if tag != "" {
		v.etag = `"` + tag + suffix + `"`
		v.etagV = []string{v.etag}
	}
	return v
}

// Status is the entry's HTTP status.
func (e *Entry) Status() int { return e.status }

// Size is the memory the entry holds, as counted against the cache's bound.
func (e *Entry) Size() int64 { return e.size }

// Serve writes the entry for r: the gzip copy when r accepts it, 304 when
// r's validators match, no body for HEAD. Header keys are stored
// canonical, so they are assigned to the map without canonicalising.
func (e *Entry) Serve(w http.ResponseWriter, r *http.Request) {
	v := &e.plain
	h := w.Header()
	if e.gz != nil && acceptsGzip(r.Header["Accept-Encoding"]) {
		v = e.gz
		h["Content-Encoding"] = gzipValue
	}
	for i := range e.fixed {
		h[e.fixed[i].key] = e.fixed[i].vals
	}
	if v.etag != "" {
		h["Etag"] = v.etagV
		if notModified(r, v.etag, e.modified) {
			delete(h, "Content-Encoding")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h["Content-Type"] = e.ctype
	h["Content-Length"] = v.length
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead && (!v.cork || !writeCorked(w, r, v.body)) {
		_, _ = w.Write(v.body)
	}
}

// notModified applies If-None-Match, else If-Modified-Since (RFC 9110
// §13.2.2).
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header["If-None-Match"]; len(inm) > 0 {
		for _, list := range inm {
			if etagListHas(list, etag) {
				return true
			}
		}
		return false
	}
	ims := r.Header["If-Modified-Since"]
	if len(ims) == 0 || modified.IsZero() {
		return false
	}
	t, err := http.ParseTime(ims[0])
	return err == nil && !modified.Truncate(time.Second).After(t)
}

// etagListHas is the weak comparison of an If-None-Match list with etag.
func etagListHas(list, etag string) bool {
	for len(list) > 0 {
		var t string
		t, list = nextToken(list, ',')
		if len(t) > 2 && t[0] == 'W' && t[1] == '/' {
			t = t[2:]
		}
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip: listed
// (or "*") with a q-value above zero.
func acceptsGzip(values []string) bool {
	for _, list := range values {
		for len(list) > 0 {
			var item string
			item, list = nextToken(list, ',')
			coding, params := nextToken(item, ';')
			if !equalFold(coding, "gzip") && !equalFold(coding, "x-gzip") && coding != "*" {
				continue
			}
			return !qZero(params)
		}
	}
	return false
}

// qZero reports whether parameters ";q=0", ";q=0.0" … set a zero weight.
func qZero(params string) bool {
	for len(params) > 0 {
		var p string
		p, params = nextToken(params, ';')
		if len(p) < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=' {
			continue
		}
		for _, c := range []byte(p[2:]) {
			if c != '0' && c != '.' {
				return false
			}
		}
		return true
	}
	return false
}

// nextToken splits s at the first sep, trimming spaces and tabs.
func nextToken(s string, sep byte) (tok, rest string) {
	i := 0
	for i < len(s) && s[i] != sep {
		i++
	}
	tok = s[:i]
	if i < len(s) {
		rest = s[i+1:]
	}
	for len(tok) > 0 && (tok[0] == ' ' || tok[0] == '\t') {
		tok = tok[1:]
	}
	for len(tok) > 0 && (tok[len(tok)-1] == ' ' || tok[len(tok)-1] == '\t') {
		tok = tok[:len(tok)-1]
	}
	return tok, rest
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}
