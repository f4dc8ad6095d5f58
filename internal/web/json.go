package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"bulletin/internal/bulletin"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// decodeJSON reads one JSON object into v: at most MaxRequestLen bytes,
// valid UTF-8, no unknown fields, nothing after it. Errors are EINVALID or
// ETOOLARGE with a message fit for the client.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return bulletin.Errorf(bulletin.EINVALID, "Content-Type must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, bulletin.MaxRequestLen))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return bulletin.Errorf(bulletin.ETOOLARGE, "request body is larger than %d bytes", bulletin.MaxRequestLen)
	} else if err != nil {
		return bulletin.Errorf(bulletin.EINVALID, "reading request body: %v", err)
	}
	if !utf8.Valid(body) {
		return bulletin.Errorf(bulletin.EINVALID, "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bulletin.Errorf(bulletin.EINVALID, "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return bulletin.Errorf(bulletin.EINVALID, "invalid JSON: more than one value")
	}
	return nil
}

// answer writes v with status, or err when there is one: the last line of
// most API handlers. A 204 has no body.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	switch {
	case err != nil:
		s.apiError(w, r, err)
	case status == http.StatusNoContent:
		w.WriteHeader(status)
	default:
		writeJSON(w, status, v)
	}
}
