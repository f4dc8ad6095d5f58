package web

import (
	"bytes"
	"encoding/json"
	"fmt"
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
// an unknown page (404); a bad query or body is a bad request (400), in
// JSON under /api/. Handlers then only see text. The body is read here up
// to maxEdgeBody and put back as it was, so each handler still applies its
// own limit; a longer body is left to those limits, which are all smaller.
// Multipart uploads (CSV imports) are checked by their importer.
func (s *Server) validInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if textProblem(r.URL.Path) != "" || textProblem(r.URL.RawPath) != "" {
			s.edgeRefuse(w, r, bulletin.Errorf(bulletin.ENOTFOUND, "not found"))
			return
		}
		if msg := checkQuery(r.URL.RawQuery); msg != "" {
			s.edgeRefuse(w, r, bulletin.Errorf(bulletin.EINVALID, "%s", msg))
			return
		}
		kind := bodyKind(r)
		if kind == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxEdgeBody+1))
		if err != nil {
			s.edgeRefuse(w, r, bulletin.Errorf(bulletin.EINVALID, "could not read the request body"))
			return
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
		if len(body) <= maxEdgeBody {
			if msg := checkBody(kind, body); msg != "" {
				s.edgeRefuse(w, r, bulletin.Errorf(bulletin.EINVALID, "%s", msg))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// edgeRefuse answers as the route would: JSON for the API, text otherwise.
func (s *Server) edgeRefuse(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, r, err)
		return
	}
	http.Error(w, bulletin.ErrorMessage(err), statusOf(err))
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
		return "request body is not valid UTF-8"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	field := "request body"
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		str, ok := tok.(string)
		if !ok {
			continue
		}
		if p := textProblem(str); p != "" {
			return field + ": " + p
		}
		field = str // a key names the value after it; a value's name is harmless
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
		if p := textProblem(k); p != "" {
			return "a parameter's name: " + p
		}
		for _, v := range vs {
			if p := textProblem(v); p != "" {
				return fmt.Sprintf("%s: %s", k, p)
			}
		}
	}
	return ""
}

// textProblem says why s is not text we accept, or "".
func textProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "must not contain NUL bytes"
	}
	return ""
}
