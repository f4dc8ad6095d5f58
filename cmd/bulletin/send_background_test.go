package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/fixture"
)

// In a web process, POST …/send answers 202 and the process's own fan-out
// service creates the deliveries the first chunk left (the answer's not
// waiting for them is shown in internal/delivery, where the fan-out can be
// held back); the issue's progress says fanning_out until it is done.
func TestAPISendFansOutInTheBackground(t *testing.T) {
	m, base := startMain(t, "web")
	ctx := context.Background()
	if !slices.ContainsFunc(m.services, func(s service) bool { return s.name == "fan-out" }) {
		t.Fatal("no fan-out service in a web process")
	}
	const n = 2500
	fixture.List(t, m.DB, &bulletin.List{Slug: "main"})
	fixture.Readers(t, m.DB, "main", n)
	is := fixture.Issue(t, m.DB, "")
	nl := fixture.Newsletter(t, m.DB)
	admin := fixture.User(t, m.DB, "admin@example.org", bulletin.RoleAdmin)
	tok, _, err := m.DB.CreateToken(ctx, admin.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("%s/api/v1/newsletters/%s/issues/%d", base, nl.Slug, is.Number)
	call := func(method, url string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, url, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	if code, body := call("POST", url+"/send"); code != http.StatusAccepted || body["status"] != bulletin.IssueSending {
		t.Fatalf("send: %d %v", code, body)
	}
	var last map[string]any
	fixture.WaitFor(t, "the background fan-out", func() bool {
		_, last = call("GET", url)
		p, _ := last["progress"].(map[string]any)
		return p != nil && p["fanning_out"] == false && p["total"] == float64(n)
	})
	var count int
	if err := m.DB.Pool.QueryRow(ctx, `SELECT count(DISTINCT subscriber_id) FROM deliveries WHERE issue_id = $1`, is.ID).Scan(&count); err != nil || count != n {
		t.Fatalf("%d subscribers with a delivery (%v), want %d; last progress %v", count, err, n, last["progress"])
	}
}
