package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// Every API route of this capability, as every role. Each case gets fresh
// items: {mine} (the contributor's, submitted), {theirs} (another
// contributor's) and {approved} (the contributor's, approved); {n} is the
// case number, for unique slugs.
func TestAPIRoutesByRole(t *testing.T) {
	t.Parallel()
	e := newAPIEnv(t)
	type route struct{ method, path, body string }
	type want struct{ anon, contributor, editor, admin int }
	cases := []struct {
		r route
		w want
	}{
		{route{"POST", "/api/v1/items", `{"title":"New"}`}, want{401, 201, 201, 201}},
		{route{"POST", "/api/v1/items", `{"title":"New","status":"approved"}`}, want{401, 403, 201, 201}},
		{route{"GET", "/api/v1/items", ""}, want{401, 200, 200, 200}},
		{route{"GET", "/api/v1/items/{mine}", ""}, want{401, 200, 200, 200}},
		{route{"GET", "/api/v1/items/{theirs}", ""}, want{401, 404, 200, 200}},
		{route{"GET", "/api/v1/items/999999", ""}, want{401, 404, 404, 404}},
		{route{"GET", "/api/v1/items/abc", ""}, want{401, 404, 404, 404}},
		{route{"PATCH", "/api/v1/items/{mine}", `{"title":"Edited"}`}, want{401, 200, 200, 200}},
		{route{"PATCH", "/api/v1/items/{theirs}", `{"title":"Edited"}`}, want{401, 404, 200, 200}},
		{route{"PATCH", "/api/v1/items/{approved}", `{"title":"Edited"}`}, want{401, 422, 200, 200}},
		{route{"PATCH", "/api/v1/items/{mine}", `{"position":1}`}, want{401, 403, 200, 200}},
		{route{"DELETE", "/api/v1/items/{mine}", ""}, want{401, 204, 204, 204}},
		{route{"DELETE", "/api/v1/items/{theirs}", ""}, want{401, 404, 204, 204}},
		{route{"DELETE", "/api/v1/items/{approved}", ""}, want{401, 422, 204, 204}},
		{route{"POST", "/api/v1/items/{mine}/approve", ""}, want{401, 403, 200, 200}},
		{route{"POST", "/api/v1/items/{approved}/approve", ""}, want{401, 403, 422, 422}},
		{route{"POST", "/api/v1/items/{mine}/reject", `{"note":"Off topic"}`}, want{401, 403, 200, 200}},
		{route{"POST", "/api/v1/items/{approved}/reject", ""}, want{401, 403, 200, 200}},
		{route{"POST", "/api/v1/items/999999/reject", ""}, want{401, 403, 404, 404}},
		{route{"GET", "/api/v1/newsletters", ""}, want{401, 200, 200, 200}},
		{route{"POST", "/api/v1/newsletters", `{"slug":"nl-{n}","name":"N"}`}, want{401, 403, 403, 201}},
		{route{"GET", "/api/v1/newsletters/weekly", ""}, want{401, 200, 200, 200}},
		{route{"GET", "/api/v1/newsletters/nope", ""}, want{401, 404, 404, 404}},
		{route{"PATCH", "/api/v1/newsletters/weekly", `{"name":"Weekly news"}`}, want{401, 403, 403, 200}},
		{route{"PATCH", "/api/v1/newsletters/nope", `{"name":"x"}`}, want{401, 403, 403, 404}},
		{route{"GET", "/api/v1/newsletters/weekly/sections", ""}, want{401, 200, 200, 200}},
		{route{"GET", "/api/v1/newsletters/nope/sections", ""}, want{401, 404, 404, 404}},
		{route{"POST", "/api/v1/newsletters/weekly/sections", `{"slug":"s-{n}","name":"S"}`}, want{401, 403, 403, 201}},
		{route{"PATCH", "/api/v1/newsletters/weekly/sections/fixed", `{"name":"Fixed {n}"}`}, want{401, 403, 403, 200}},
		{route{"PATCH", "/api/v1/newsletters/weekly/sections/ghost", `{"name":"x"}`}, want{401, 403, 403, 404}},
		{route{"GET", "/api/v1/users", ""}, want{401, 403, 403, 200}},
		{route{"POST", "/api/v1/users", `{"email":"u{n}@example.org","role":"contributor"}`}, want{401, 403, 403, 201}},
		{route{"PATCH", "/api/v1/users/{victim}", `{"name":"Renamed"}`}, want{401, 403, 403, 200}},
		{route{"PATCH", "/api/v1/users/999999", `{"name":"Renamed"}`}, want{401, 403, 403, 404}},
		{route{"DELETE", "/api/v1/users/{victim}", ""}, want{401, 403, 403, 204}},
		{route{"GET", "/api/v1/tokens", ""}, want{401, 200, 200, 200}},
		{route{"POST", "/api/v1/tokens", `{"name":"laptop"}`}, want{401, 201, 201, 201}},
		{route{"POST", "/api/v1/tokens", `{"name":"for other","email":"other@example.org"}`}, want{401, 403, 403, 201}},
		{route{"DELETE", "/api/v1/tokens/{othertoken}", ""}, want{401, 404, 404, 204}},
		{route{"DELETE", "/api/v1/tokens/999999", ""}, want{401, 404, 404, 404}},
	}
	e.must(t, 201, "admin", "POST", "/api/v1/newsletters/weekly/sections", `{"slug":"fixed","name":"Fixed"}`, nil)
	n := 0
	for _, c := range cases {
		for _, who := range []string{"", "contributor", "editor", "admin"} {
			n++
			mine, theirs, approved := e.item(t, "contributor", ""), e.item(t, "other", ""), e.item(t, "contributor", "approved")
			victim := &bulletin.User{Email: fmt.Sprintf("v%d@example.org", n), Role: "contributor"}
			if err := e.db.CreateUser(context.Background(), victim, ""); err != nil {
				t.Fatal(err)
			}
			_, tok, err := e.db.CreateToken(context.Background(), e.users["other"].ID, "other's")
			if err != nil {
				t.Fatal(err)
			}
			path := strings.NewReplacer("{mine}", fmt.Sprint(mine.ID), "{theirs}", fmt.Sprint(theirs.ID), "{approved}", fmt.Sprint(approved.ID),
				"{victim}", fmt.Sprint(victim.ID), "{othertoken}", fmt.Sprint(tok.ID)).Replace(c.r.path)
			var body any
			if c.r.body != "" {
				body = strings.ReplaceAll(c.r.body, "{n}", fmt.Sprint(n))
			}
			want := map[string]int{"": c.w.anon, "contributor": c.w.contributor, "editor": c.w.editor, "admin": c.w.admin}[who]
			code, out := e.call(t, who, c.r.method, path, body)
			if code != want {
				t.Errorf("%s %s %s as %q = %d %s, want %d", c.r.method, c.r.path, c.r.body, who, code, out, want)
			} else if code >= 400 {
				errorOf(t, out)
			}
		}
	}
}
