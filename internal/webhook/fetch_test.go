package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// HTTPFetcher against a real TLS server on loopback: 200 gives the body
// (capped), anything else and redirects are errors.
func TestHTTPFetcher(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cert.pem":
			w.Write([]byte("-----BEGIN CERTIFICATE-----"))
		case "/big":
			w.Write([]byte(strings.Repeat("x", maxFetchBytes+100)))
		case "/redirect":
			http.Redirect(w, r, "/cert.pem", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	fetch := HTTPFetcher(srv.Client())
	ctx := context.Background()
	if b, err := fetch(ctx, srv.URL+"/cert.pem"); err != nil || string(b) != "-----BEGIN CERTIFICATE-----" {
		t.Errorf("cert: %q, %v", b, err)
	}
	if b, err := fetch(ctx, srv.URL+"/big"); err != nil || len(b) != maxFetchBytes {
		t.Errorf("big: %d bytes, %v", len(b), err)
	}
	for _, path := range []string{"/redirect", "/missing"} {
		if b, err := fetch(ctx, srv.URL+path); err == nil {
			t.Errorf("%s: fetched %q", path, b)
		}
	}
}
