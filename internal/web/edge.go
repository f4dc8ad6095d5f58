package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"bulletin/internal/bulletin"
)

// validInput refuses, once for every route, requests whose path, query,
// form or JSON values hold a NUL byte or invalid UTF-8: PostgreSQL cannot
// store either in text, and no page or API field wants them. A bad path is
// an unknown page (404); a bad query or body is a bad request (400).
// Handlers then only see text. The body is read here up to maxEdgeBody and
// put back as it was, so each handler still applies its own limit; a
// longer body is left to those limits, which are all smaller. Multipart
// uploads (CSV imports) are checked by their importer.
func (s *Server) validInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !cleanText(r.URL.Path) || !cleanText(r.URL.RawPath) {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		if msg := checkQuery(r.URL.RawQuery); msg != "" {
			http.Error(w, "bad query: "+msg, http.StatusBadRequest)
			return
		}
		kind := bodyKind(r)
		if kind == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxEdgeBody+1))
		if err != nil {
			http.Error(w, "could not read the request body", http.StatusBadRequest)
			return
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		if len(body) <= maxEdgeBody {
			if msg := checkBody(kind, body); msg != "" {
				http.Error(w, "bad request body: "+msg, http.StatusBadRequest)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// maxEdgeBody is the most of a body validInput reads: the largest limit
// of any form or JSON handler (bulletin.MaxRequestLen).
const maxEdgeBody = bulletin.MaxRequestLen

// bodyKind is "form" or "json" for the bodies validInput checks, else "".
func bodyKind(r *http.Request) string {
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return ""
	}
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch strings.ToLower(strings.TrimSpace(ct)) {
	case "application/x-www-form-urlencoded":
		return "form"
	case "application/json", "":
		return "json" // the API reads a body without Content-Type as JSON
	}
	return ""
}

// checkBody says what is wrong with an urlencoded or JSON body, or "".
// Malformed JSON is left to the handler, which names the error.
func checkBody(kind string, body []byte) string {
	if kind == "form" {
		return checkQuery(string(body))
	}
	if !utf8.Valid(body) {
		return "not valid UTF-8"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if str, ok := tok.(string); ok && strings.IndexByte(str, 0) >= 0 {
			return "a string holds a NUL character"
		}
	}
}

// checkQuery parses a query string or urlencoded form and says what is
// wrong with it, or "".
func checkQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, _ := url.ParseQuery(raw) // malformed pairs are skipped here and by every handler alike
	for k, vs := range q {
		if !cleanValues(k, vs) {
			return "a parameter holds a NUL byte or invalid UTF-8"
		}
	}
	return ""
}

func cleanValues(k string, vs []string) bool {
	if !cleanText(k) {
		return false
	}
	for _, v := range vs {
		if !cleanText(v) {
			return false
		}
	}
	return true
}

// cleanText reports whether s is valid UTF-8 without NUL bytes.
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
