package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

func itemForm(title, body string) url.Values {
	return url.Values{"title": {title}, "body": {body}, "kind": {"article"}, "action": {"submit"}}
}

// A contributor previews and submits, sees their own items only; an editor
// approves, rejects with a note, and the contributor sees the outcome.
func TestContributeAndReview(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	ann := client(t)
	login(t, ann, base, "contributor")

	f := itemForm("Budget vote on Friday", "The **council** votes.<script>alert(1)</script>")
	f.Set("action", "preview")
	code, _, body := post(t, ann, base+"/contribute", f)
	if code != 200 || !strings.Contains(body, "<strong>council</strong>") || strings.Contains(body, "<script>alert") {
		t.Fatalf("preview = %d, want the sanitised HTML:\n%s", code, body)
	}
	if its, _ := db.FindItems(ctx, bulletin.ItemFilter{}); len(its) != 0 {
		t.Fatal("preview stored an item")
	}
	if code, loc, body := post(t, ann, base+"/contribute", itemForm("Budget vote on Friday", "The **council** votes.")); code != 303 || loc != "/contribute" {
		t.Fatalf("submit = %d %q %s", code, loc, body)
	}
	post(t, ann, base+"/contribute", itemForm("Library opens late", "Until 22:00."))
	if _, _, body = get(t, ann, base+"/contribute"); !strings.Contains(body, "Budget vote on Friday") || !strings.Contains(body, "was submitted for review") {
		t.Fatalf("contribute page lacks the new item or the thanks:\n%s", body)
	}

	// Another contributor sees none of them.
	mustUser(t, db, "bob@example.org", bulletin.RoleContributor)
	bob := client(t)
	code, _, _ = post(t, bob, base+"/login", url.Values{"email": {"bob@example.org"}, "password": {"secret-contributor"}})
	if code != 303 {
		t.Fatalf("bob login = %d", code)
	}
	if _, _, body := get(t, bob, base+"/contribute"); strings.Contains(body, "Budget vote") || !strings.Contains(body, "not submitted anything") {
		t.Fatal("a contributor sees another contributor's items")
	}

	ed := client(t)
	login(t, ed, base, "editor")
	_, _, body = get(t, ed, base+"/admin/items")
	if !strings.Contains(body, "Budget vote on Friday") || !strings.Contains(body, "contributor@example.org") {
		t.Fatalf("queue lacks the item:\n%s", body)
	}
	its, _ := db.FindItems(ctx, bulletin.ItemFilter{})
	budget, library := its[0], its[1]
	code, _, _ = post(t, ed, base+"/admin/items/"+strconv.FormatInt(budget.ID, 10)+"/approve", nil)
	if code != 303 {
		t.Fatalf("approve = %d", code)
	}
	code, _, _ = post(t, ed, base+"/admin/items/"+strconv.FormatInt(library.ID, 10)+"/reject", url.Values{"note": {"Not news for this week."}})
	if code != 303 {
		t.Fatalf("reject = %d", code)
	}
	_, _, body = get(t, ann, base+"/contribute")
	if !strings.Contains(body, "status-approved") || !strings.Contains(body, "Not news for this week.") {
		t.Fatalf("contributor does not see the review outcome:\n%s", body)
	}
	// Reviewing twice is refused with the store's reason, nothing changes.
	code, _, body = post(t, ed, base+"/admin/items/"+strconv.FormatInt(budget.ID, 10)+"/approve", nil)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "already approved") {
		t.Fatalf("second approve = %d", code)
	}
}

func TestItemEditAndMove(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateSection(ctx, "weekly", &bulletin.Section{Slug: "events", Name: "Events"}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, title := range []string{"First", "Second", "Third"} {
		it := &bulletin.Item{Title: title, Body: "text"}
		if err := db.CreateItem(ctx, it); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, strconv.FormatInt(it.ID, 10))
	}
	ed := client(t)
	login(t, ed, base, "editor")
	order := func() string {
		its, err := db.FindItems(ctx, bulletin.ItemFilter{Section: "-"})
		if err != nil {
			t.Fatal(err)
		}
		var ts []string
		for _, it := range its {
			ts = append(ts, it.Title)
		}
		return strings.Join(ts, ",")
	}
	post(t, ed, base+"/admin/items/"+ids[2]+"/move", url.Values{"dir": {"up"}})
	if got := order(); got != "First,Third,Second" {
		t.Fatalf("after moving Third up: %s", got)
	}
	post(t, ed, base+"/admin/items/"+ids[0]+"/move", url.Values{"dir": {"down"}})
	if got := order(); got != "Third,First,Second" {
		t.Fatalf("after moving First down: %s", got)
	}
	post(t, ed, base+"/admin/items/"+ids[1]+"/move", url.Values{"section": {"events"}})
	if got := order(); got != "Third,First" {
		t.Fatalf("after moving Second to Events: %s", got)
	}
	if _, _, body := get(t, ed, base+"/admin/items?section=events"); !strings.Contains(body, "Second") || strings.Contains(body, ">Third<") {
		t.Fatal("section filter does not show exactly the Events items")
	}

	// Edit: an empty title is refused with the reason and keeps the typed body.
	code, _, body := post(t, ed, base+"/admin/items/"+ids[0]+"/edit", url.Values{"title": {""}, "body": {"changed"}, "kind": {"article"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "Enter the title.") || !strings.Contains(body, "changed") {
		t.Fatalf("empty title = %d", code)
	}
	if it, _ := db.FindItemByID(ctx, mustInt(t, ids[0])); it.Body != "text" {
		t.Fatal("a refused edit changed the item")
	}
	code, _, _ = post(t, ed, base+"/admin/items/"+ids[0]+"/edit", url.Values{"title": {"First, edited"}, "body": {"changed"}, "kind": {"article"}, "section": {"events"}})
	if it, _ := db.FindItemByID(ctx, mustInt(t, ids[0])); code != 303 || it.Title != "First, edited" || it.Section != "events" {
		t.Fatalf("edit = %d, item %+v", code, it)
	}
}

func mustInt(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
