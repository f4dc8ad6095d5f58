package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"bulletin/internal/bulletin"
)

func TestNewsletterSettings(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	ctx := context.Background()
	if _, err := db.EnsureDefaultNewsletter(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateList(ctx, &bulletin.List{Slug: "readers", Name: "Readers"}); err != nil {
		t.Fatal(err)
	}
	ad := client(t)
	login(t, ad, base, "admin")
	if _, _, body := get(t, ad, base+"/admin/newsletters/weekly"); !strings.Contains(body, `name="list" value="readers"`) {
		t.Fatal("the newsletter form does not offer the lists as checkboxes")
	}
	form := url.Values{"name": {"Weekly update"}, "from_name": {"Town Hall"}, "from_email": {"news@example.org"},
		"schedule": {"CRON_TZ=Europe/Berlin 0 17 * * TUE"}, "send_delay": {"16h"}, "lists_checkboxes": {"1"}, "list": {"readers"}}
	if code, _, body := post(t, ad, base+"/admin/newsletters/weekly", form); code != 303 {
		t.Fatalf("save = %d\n%s", code, body)
	}
	n, _ := db.FindNewsletterBySlug(ctx, "weekly")
	if n.Schedule != "CRON_TZ=Europe/Berlin 0 17 * * TUE" || n.SendDelay != 16*time.Hour || n.FromEmail != "news@example.org" ||
		len(n.Lists) != 1 || n.Lists[0] != "readers" {
		t.Fatalf("saved newsletter: %+v", n)
	}
	_, _, body := get(t, ad, base+"/admin/newsletters")
	if !strings.Contains(body, "17:00 CET") || !strings.Contains(body, "sends 16h0m0s after compiling") {
		t.Fatalf("newsletters page lacks the next runs in Berlin time or the policy:\n%s", body)
	}

	for field, bad := range map[string]string{"schedule": "0 17 * *", "send_delay": "soon", "from_email": "nobody"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set(field, bad)
		code, _, body := post(t, ad, base+"/admin/newsletters/weekly", f)
		if code != http.StatusBadRequest || !strings.Contains(body, `id="form-error"`) {
			t.Errorf("bad %s = %d", field, code)
		}
		if after, _ := db.FindNewsletterBySlug(ctx, "weekly"); after.Schedule != n.Schedule || after.FromEmail != n.FromEmail || after.SendDelay != n.SendDelay {
			t.Errorf("bad %s changed the newsletter", field)
		}
	}
}
