package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The web role serves the public archive from the real database.
func TestServeArchive(t *testing.T) {
	m, base := startMain(t, "web")
	_, err := m.DB.Pool.Exec(context.Background(), `WITH n AS (INSERT INTO newsletters (slug, name, is_default) VALUES ('weekly', 'Weekly update', true) RETURNING id)
		INSERT INTO issues (newsletter_id, number, status, subject, html, sent_at) SELECT id, 1, 'sent', 'Weekly update 1', '<p>Hi __BULLETIN_NAME__</p>', now() FROM n`)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/archive/weekly/" || !strings.Contains(string(body), "Weekly update 1") {
		t.Fatalf("GET / = %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
}
