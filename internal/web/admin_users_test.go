package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestUsersAndTokens(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	ad := client(t)
	login(t, ad, base, "admin")

	before, _ := db.FindUsers(ctx)
	code, _, body := post(t, ad, base+"/admin/users", url.Values{"email": {"not an address"}, "role": {"editor"}, "password": {"long-enough-pw"}})
	if code != http.StatusBadRequest || !strings.Contains(body, `id="form-error"`) || !strings.Contains(body, "not an address") {
		t.Fatalf("bad email = %d", code)
	}
	if after, _ := db.FindUsers(ctx); len(after) != len(before) {
		t.Fatal("a refused user was added")
	}
	if code, _, _ = post(t, ad, base+"/admin/users", url.Values{"email": {"new@example.org"}, "role": {"editor"}, "password": {"long-enough-pw"}}); code != 303 {
		t.Fatalf("add user = %d", code)
	}
	u, err := db.FindUserByEmail(ctx, "new@example.org")
	if err != nil || u.Role != "editor" {
		t.Fatalf("new user: %+v %v", u, err)
	}
	uid := strconv.FormatInt(u.ID, 10)

	_, _, body = post(t, ad, base+"/admin/users/"+uid+"/tokens", url.Values{"name": {"script"}})
	m := regexp.MustCompile(`<pre class="wrap">([^<]+)</pre>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("token not shown:\n%s", body)
	}
	api := func() int {
		req, _ := http.NewRequest("GET", base+"/api/v1/items", nil)
		req.Header.Set("Authorization", "Bearer "+m[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := api(); code != 200 {
		t.Fatalf("API with the new token = %d", code)
	}
	if _, _, body = get(t, ad, base+"/admin/users/"+uid); strings.Contains(body, m[1]) {
		t.Fatal("the token is shown again after creation")
	}
	toks, _ := db.FindTokens(ctx, u.ID)
	// Revoking through another user's URL is refused.
	if code, _, _ = post(t, ad, base+"/admin/users/1/tokens/"+strconv.FormatInt(toks[0].ID, 10)+"/revoke", nil); code != http.StatusNotFound {
		t.Fatalf("revoke via another user = %d, want 404", code)
	}
	post(t, ad, base+"/admin/users/"+uid+"/tokens/"+strconv.FormatInt(toks[0].ID, 10)+"/revoke", nil)
	if code := api(); code != http.StatusUnauthorized {
		t.Fatalf("API with a revoked token = %d", code)
	}

	// An admin cannot demote or delete themself.
	me, _ := db.FindUserByEmail(ctx, "admin@example.org")
	mid := strconv.FormatInt(me.ID, 10)
	if code, _, _ = post(t, ad, base+"/admin/users/"+mid, url.Values{"role": {"editor"}}); code != http.StatusUnprocessableEntity {
		t.Fatalf("self-demotion = %d", code)
	}
	if code, _, _ = post(t, ad, base+"/admin/users/"+mid+"/delete", nil); code != http.StatusUnprocessableEntity {
		t.Fatalf("self-deletion = %d", code)
	}
	if code, _, _ = post(t, ad, base+"/admin/users/"+uid+"/delete", nil); code != 303 {
		t.Fatalf("delete = %d", code)
	}
	if _, err := db.FindUserByID(ctx, u.ID); err == nil {
		t.Fatal("deleted user still there")
	}
}
