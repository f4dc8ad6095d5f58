package web

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/importjob"
)

// upload posts a CSV file the way the import form does.
func upload(t *testing.T, c *http.Client, u, csv string) (int, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("csv", "people.csv")
	fw.Write([]byte(csv))
	mw.Close()
	req, _ := http.NewRequest("POST", u, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestListImportShowsLineErrors(t *testing.T) {
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	ad := client(t)
	login(t, ad, base, "admin")
	if code, _, body := post(t, ad, base+"/admin/lists", url.Values{"slug": {"readers"}, "name": {"Readers"}, "double_optin": {"on"}}); code != 303 {
		t.Fatalf("create list = %d %s", code, body)
	}
	csv := "email,name\nann@example.org,Ann\nnot-an-address,Bob\ncleo@example.org,Cleo\n\"broken,quote\n"
	code, loc := upload(t, ad, base+"/admin/lists/readers/import", csv)
	if code != 303 || !strings.HasPrefix(loc, "/admin/imports/") {
		t.Fatalf("import = %d %q", code, loc)
	}
	// The import waits in the database until an import-jobs service runs it.
	if _, _, body := get(t, ad, base+loc); !strings.Contains(body, `id="import-running"`) {
		t.Fatalf("queued import page:\n%s", body)
	}
	jobs := &importjob.Service{Store: db, Log: slog.New(slog.DiscardHandler)}
	if ran, err := jobs.RunOnce(ctx); !ran || err != nil {
		t.Fatalf("import job ran %v: %v", ran, err)
	}
	_, _, body := get(t, ad, base+loc)
	if !strings.Contains(body, "<strong>2</strong> imported") || !strings.Contains(body, "<td>3</td>") || !strings.Contains(body, `id="import-errors"`) {
		t.Fatalf("import result lacks the counts or line 3's error:\n%s", body)
	}
	if subs, _ := db.FindSubscribers(ctx, "ann@example.org", 0, 1); len(subs) != 1 {
		t.Fatal("a good line was not imported")
	}
	// Another admin cannot read this import.
	mustUser(t, db, "admin2@example.org", bulletin.RoleAdmin)
	other := client(t)
	post(t, other, base+"/login", url.Values{"email": {"admin2@example.org"}, "password": {"secret-admin"}})
	if code, _, _ := get(t, other, base+loc); code != http.StatusNotFound {
		t.Fatalf("another admin's import = %d, want 404", code)
	}

	_, _, body = get(t, ad, base+"/admin/lists")
	if !strings.Contains(body, "2 active") && !strings.Contains(body, "2 pending") {
		t.Fatalf("lists page lacks the counts:\n%s", body)
	}

	// A form without a file is refused and stores nothing; a finished import's file is deleted.
	if code, _, body := post(t, ad, base+"/admin/lists/readers/import", url.Values{"csv": {"not a file"}}); code != http.StatusBadRequest || !strings.Contains(body, "choose a CSV file") {
		t.Errorf("import without a file = %d:\n%s", code, body)
	}
	var njobs, files int
	db.Pool.QueryRow(ctx, `SELECT count(*), (SELECT count(*) FROM pg_largeobject_metadata) FROM import_jobs`).Scan(&njobs, &files)
	if njobs != 1 || files != 0 {
		t.Errorf("%d import jobs and %d stored files after one finished import and one refused; want 1 and 0", njobs, files)
	}
}

func TestSubscriberSearchAddErase(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	if err := db.CreateList(ctx, &bulletin.List{Slug: "readers", Name: "Readers"}); err != nil {
		t.Fatal(err)
	}
	ad := client(t)
	login(t, ad, base, "admin")
	if code, _, _ := post(t, ad, base+"/admin/subscribers", url.Values{"email": {"no good"}, "list": {"readers"}, "confirmed": {"on"}}); code != http.StatusBadRequest {
		t.Fatalf("bad address = %d, want 400", code)
	}
	if subs, _ := db.FindSubscribers(ctx, "", 0, 10); len(subs) != 0 {
		t.Fatal("a refused address was stored")
	}
	code, loc, _ := post(t, ad, base+"/admin/subscribers", url.Values{"email": {"dora@example.org"}, "name": {"Dora"}, "list": {"readers"}, "confirmed": {"on"}})
	if code != 303 {
		t.Fatalf("add = %d", code)
	}
	_, _, body := get(t, ad, base+loc)
	if !strings.Contains(body, "dora@example.org") || !strings.Contains(body, "readers (active)") {
		t.Fatalf("search after adding:\n%s", body)
	}
	subs, _ := db.FindSubscribers(ctx, "dora@example.org", 0, 1)
	if code, _, _ = post(t, ad, base+"/admin/subscribers/"+itoa(subs[0].ID)+"/erase", nil); code != 303 {
		t.Fatalf("erase = %d", code)
	}
	if _, _, body = get(t, ad, base+"/admin/subscribers?email=dora@example.org"); !strings.Contains(body, "No subscriber matches") {
		t.Fatal("an erased subscriber is still found by address")
	}
}
