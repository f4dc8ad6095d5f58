package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// apiDoc is the served OpenAPI document, loaded into a schema compiler so
// that any of its schemas can be compiled by JSON pointer.
type apiDoc struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
}

func loadAPIDoc(t *testing.T, base string) *apiDoc {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET openapi.json = %d %v", resp.StatusCode, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v", doc["openapi"])
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("openapi.json", inst); err != nil {
		t.Fatal(err)
	}
	return &apiDoc{doc: doc, compiler: c}
}

// ops lists the documented operations as "METHOD /path".
func (d *apiDoc) ops() []string {
	var out []string
	for path, item := range d.doc["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// schema compiles the schema at a JSON pointer into the document.
func (d *apiDoc) schema(t *testing.T, pointer ...string) *jsonschema.Schema {
	t.Helper()
	var b strings.Builder
	for _, p := range pointer {
		p = strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1")
		b.WriteString("/" + url.PathEscape(p))
	}
	sch, err := d.compiler.Compile("openapi.json#" + b.String())
	if err != nil {
		t.Fatalf("schema %v: %v", pointer, err)
	}
	return sch
}

// The document and the route table name the same API routes, and every
// schema in the document compiles.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	s, _ := fullServer(t)
	ts := serve(t, s)
	d := loadAPIDoc(t, ts.URL)
	var routed []string
	for _, rt := range s.table {
		if rt.isAPI() {
			routed = append(routed, rt.Pattern)
		}
	}
	slices.Sort(routed)
	documented := d.ops()
	for _, p := range routed {
		if !slices.Contains(documented, p) {
			t.Errorf("%s is routed but not documented", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(routed, p) {
			t.Errorf("%s is documented but not routed", p)
		}
	}
	for name := range d.doc["components"].(map[string]any)["schemas"].(map[string]any) {
		d.schema(t, "components", "schemas", name)
	}
}

// openAPIFlow calls the API as its users do and checks each request body
// against the documented request schema and each answer against the
// documented schema for its status.
type openAPIFlow struct {
	t    *testing.T
	d    *apiDoc
	base string
	seen map[string]bool // operations exercised
}

// call sends body (JSON unless ctype says otherwise) to path as who, for
// the operation pattern, and returns the answer decoded into out (if set).
func (f *openAPIFlow) call(who, pattern, path string, body any, want int, out any) {
	t := f.t
	t.Helper()
	method, docPath, _ := strings.Cut(pattern, " ")
	op, ok := f.d.doc["paths"].(map[string]any)[docPath].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		t.Fatalf("%s: not documented", pattern)
	}
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string: // text/csv
		rd, ctype = strings.NewReader(b), "text/csv"
	default:
		raw, _ := json.Marshal(b)
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err := f.d.schema(t, "paths", docPath, strings.ToLower(method), "requestBody", "content", "application/json", "schema").Validate(inst); err != nil {
			t.Fatalf("%s: sample request %s does not fit the document: %v", pattern, raw, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, f.base+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("X-Test-User", who)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s as %s = %d, want %d: %s", method, path, who, resp.StatusCode, want, raw)
	}
	status := itoa(int64(resp.StatusCode))
	answer, ok := op["responses"].(map[string]any)[status].(map[string]any)
	if !ok {
		t.Fatalf("%s: status %s is not documented", pattern, status)
	}
	f.seen[pattern] = true
	content, _ := answer["content"].(map[string]any)
	if _, hasJSON := content["application/json"]; !hasJSON {
		if resp.StatusCode == http.StatusNoContent && len(raw) != 0 {
			t.Fatalf("%s: 204 with a body", pattern)
		}
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: answer is not JSON: %s", pattern, raw)
	}
	if err := f.d.schema(t, "paths", docPath, strings.ToLower(method), "responses", status, "content", "application/json", "schema").Validate(inst); err != nil {
		t.Fatalf("%s: answer %d does not fit the document: %v\n%s", pattern, resp.StatusCode, err, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// Sample requests and answers of every documented operation fit the
// document's schemas.
func TestOpenAPISamples(t *testing.T) {
	t.Parallel()
	s, db := fullServer(t)
	s.Compiler = compiler(t, db)
	users := map[string]*bulletin.User{}
	for _, role := range []string{admin, editor, contributor} {
		users[role] = mustUser(t, db, role+"@example.org", role)
	}
	ts := serveAs(t, s, func(r *http.Request) *bulletin.User { return users[r.Header.Get("X-Test-User")] })
	f := &openAPIFlow{t: t, d: loadAPIDoc(t, ts.URL), base: ts.URL, seen: map[string]bool{}}
	var id struct {
		ID     int64  `json:"id"`
		Number int    `json:"number"`
		Slug   string `json:"slug"`
	}
	f.call("", "GET /api/v1/openapi.json", "/api/v1/openapi.json", nil, 200, nil)

	// Accounts.
	f.call(admin, "POST /api/v1/users", "/api/v1/users", obj{"email": "new@example.org", "role": "contributor", "name": "New"}, 201, &id)
	user := "/api/v1/users/" + itoa(id.ID)
	f.call(admin, "POST /api/v1/users", "/api/v1/users", obj{"email": "not an address", "role": "editor"}, 400, nil)
	f.call(admin, "GET /api/v1/users", "/api/v1/users", nil, 200, nil)
	f.call(admin, "PATCH /api/v1/users/{id}", user, obj{"name": "Renamed", "role": "editor"}, 200, nil)
	f.call(admin, "PATCH /api/v1/users/{id}", "/api/v1/users/"+itoa(users[admin].ID), obj{"role": "editor"}, 422, nil)
	f.call(contributor, "POST /api/v1/tokens", "/api/v1/tokens", obj{"name": "laptop"}, 201, &id)
	f.call(contributor, "GET /api/v1/tokens", "/api/v1/tokens", nil, 200, nil)
	f.call(contributor, "DELETE /api/v1/tokens/{id}", "/api/v1/tokens/"+itoa(id.ID), nil, 204, nil)
	f.call(admin, "DELETE /api/v1/users/{id}", user, nil, 204, nil)

	// Newsletters and sections.
	f.call(admin, "POST /api/v1/newsletters", "/api/v1/newsletters", obj{"slug": "monthly", "name": "Monthly", "send_delay": "2h", "lists": []string{}}, 201, nil)
	f.call(contributor, "GET /api/v1/newsletters", "/api/v1/newsletters", nil, 200, nil)
	f.call(contributor, "GET /api/v1/newsletters/{nl}", "/api/v1/newsletters/monthly", nil, 200, nil)
	f.call(admin, "PATCH /api/v1/newsletters/{nl}", "/api/v1/newsletters/monthly", obj{"intro": "Hello", "slug": "renamed"}, 400, nil)
	f.call(admin, "PATCH /api/v1/newsletters/{nl}", "/api/v1/newsletters/monthly", obj{"intro": "Hello"}, 200, nil)
	f.call(admin, "PATCH /api/v1/newsletters/{nl}", "/api/v1/newsletters/monthly", obj{"logo_url": "https://example.org/l.png",
		"accent_color": "#1a4f9c", "org_name": "Parish Council", "org_address": "1 High Street\nLittle Town", "welcome_email": false}, 200, nil)
	f.call(admin, "PATCH /api/v1/newsletters/{nl}", "/api/v1/newsletters/monthly", obj{"logo_url": "http://example.org/l.png"}, 400, nil)
	f.call(admin, "POST /api/v1/newsletters/{nl}/sections", "/api/v1/newsletters/monthly/sections", obj{"slug": "news", "name": "News"}, 201, nil)
	f.call(contributor, "GET /api/v1/newsletters/{nl}/sections", "/api/v1/newsletters/monthly/sections", nil, 200, nil)
	f.call(admin, "PATCH /api/v1/newsletters/{nl}/sections/{slug}", "/api/v1/newsletters/monthly/sections/news", obj{"name": "The news"}, 200, nil)

	// Items, then an issue made of one.
	f.call(contributor, "POST /api/v1/items", "/api/v1/items", obj{"title": "Gone soon", "newsletter": "monthly"}, 201, &id)
	f.call(contributor, "DELETE /api/v1/items/{id}", "/api/v1/items/"+itoa(id.ID), nil, 204, nil)
	f.call(contributor, "POST /api/v1/items", "/api/v1/items", obj{"title": "Repair café", "body": "Bring a *toaster*.", "newsletter": "monthly", "section": "news"}, 201, &id)
	item := "/api/v1/items/" + itoa(id.ID)
	f.call(contributor, "GET /api/v1/items", "/api/v1/items?status=submitted", nil, 200, nil)
	f.call(contributor, "GET /api/v1/items", "/api/v1/items?status=published", nil, 400, nil)
	f.call(contributor, "GET /api/v1/items/{id}", item, nil, 200, nil)
	f.call(contributor, "GET /api/v1/items/{id}", "/api/v1/items/999999", nil, 404, nil)
	f.call(contributor, "PATCH /api/v1/items/{id}", item, obj{"title": "Repair cafe on Saturday"}, 200, nil)
	f.call(editor, "POST /api/v1/items/{id}/reject", item+"/reject", obj{"note": "Needs a date"}, 200, nil)
	f.call(editor, "POST /api/v1/items/{id}/approve", item+"/approve", nil, 200, nil)
	issues := "/api/v1/newsletters/monthly/issues"
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues", issues, obj{"allow_empty": false}, 201, &id)
	issue := issues + "/" + itoa(int64(id.Number))
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues", issues, nil, 409, nil)
	f.call(editor, "GET /api/v1/newsletters/{nl}/issues", issues, nil, 200, nil)
	f.call(editor, "GET /api/v1/newsletters/{nl}/issues/{number}", issue, nil, 200, nil)
	f.call(editor, "GET /api/v1/newsletters/{nl}/issues/{number}/preview", issue+"/preview", nil, 200, nil)
	f.call(editor, "PATCH /api/v1/items/{id}", item, obj{"title": "Repair café on Saturday"}, 200, nil)
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues/{number}/render", issue+"/render", nil, 200, nil)
	f.call(editor, "GET /api/v1/newsletters/{nl}/issues/{number}/report", issue+"/report", nil, 200, nil)
	f.call(editor, "GET /api/v1/newsletters/{nl}/issues/{number}/report", issues+"/999/report", nil, 404, nil)
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues/{number}/send", issue+"/send", nil, 404, nil) // the stand-in sender knows no issue
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues/{number}/test", issue+"/test", obj{"email": "me@example.org"}, 404, nil)
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues/{number}/schedule", issue+"/schedule", obj{"at": time.Now().Add(-time.Hour).Format(time.RFC3339)}, 400, nil) // in the past
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues/{number}/schedule", issue+"/schedule", obj{"at": time.Now().Add(time.Hour).Format(time.RFC3339)}, 200, nil)
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues/{number}/unschedule", issue+"/unschedule", nil, 200, nil)
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues/{number}/cancel", issue+"/cancel", nil, 200, nil)
	f.call(editor, "POST /api/v1/newsletters/{nl}/issues/{number}/cancel", issue+"/cancel", nil, 422, nil)

	// Lists and subscribers.
	f.call(admin, "POST /api/v1/lists", "/api/v1/lists", obj{"slug": "readers", "name": "Readers", "double_optin": false}, 201, nil)
	f.call(admin, "GET /api/v1/lists", "/api/v1/lists", nil, 200, nil)
	f.call(admin, "GET /api/v1/lists/{list}", "/api/v1/lists/readers", nil, 200, nil)
	f.call(admin, "PATCH /api/v1/lists/{list}", "/api/v1/lists/readers", obj{"description": "Everyone"}, 200, nil)
	f.call(editor, "GET /api/v1/lists/{list}/growth", "/api/v1/lists/readers/growth?weeks=8", nil, 200, nil)
	f.call(editor, "GET /api/v1/lists/{list}/growth", "/api/v1/lists/readers/growth?weeks=0", nil, 400, nil)
	f.call(editor, "GET /api/v1/lists/{list}/growth", "/api/v1/lists/nope/growth", nil, 404, nil)
	f.call(admin, "POST /api/v1/lists/{list}/subscribers", "/api/v1/lists/readers/subscribers", obj{"email": "ann@example.org", "name": "Ann", "confirmed": true}, 201, nil)
	f.call(admin, "POST /api/v1/lists/{list}/subscribers/import", "/api/v1/lists/readers/subscribers/import", "email,name\nbob@example.org,Bob\nnot-an-address,X\n", 200, nil)
	f.call(admin, "GET /api/v1/lists/{list}/subscribers/export", "/api/v1/lists/readers/subscribers/export", nil, 200, nil)
	var found []struct {
		ID int64 `json:"id"`
	}
	f.call(admin, "GET /api/v1/subscribers", "/api/v1/subscribers?email=ann@example.org", nil, 200, &found)
	if len(found) != 1 {
		t.Fatalf("found %d subscribers", len(found))
	}
	f.call(admin, "DELETE /api/v1/subscribers/{id}", "/api/v1/subscribers/"+itoa(found[0].ID), nil, 204, nil)
	f.call(admin, "DELETE /api/v1/lists/{list}", "/api/v1/lists/readers", nil, 204, nil)

	for _, op := range f.d.ops() {
		if !f.seen[op] {
			t.Errorf("%s has no sample here", op)
		}
	}
}
