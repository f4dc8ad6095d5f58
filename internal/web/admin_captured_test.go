package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"bulletin/internal/capture"
)

const capturedRaw = "From: Weekly <news@example.org>\r\n" +
	"To: ann@example.org\r\n" +
	"Subject: =?utf-8?q?Weekly_update_1=3A_caf=C3=A9?=\r\n" +
	"List-Unsubscribe: <https://news.example.org/unsubscribe/tok>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=b1\r\n\r\n" +
	"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
	"Hello caf=C3=A9 =\r\nreaders\r\n" +
	"--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
	"PGgxPkhlbGxvPC9oMT48c2NyaXB0PmFsZXJ0KDEpPC9z\r\nY3JpcHQ+\r\n" +
	"--b1--\r\n"

func TestCapturedViewer(t *testing.T) {
	t.Parallel()
	_, db, base := adminServer(t, "")
	m := &capture.Message{From: "news@example.org", To: []string{"ann@example.org"}, Subject: "Weekly update 1: café", Data: []byte(capturedRaw)}
	if err := db.SaveCapturedMessage(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	c := client(t)
	login(t, c, base, "editor")
	code, _, body := get(t, c, base+"/admin/captured/")
	if code != 200 || !strings.Contains(body, "Weekly update 1: café") || !strings.Contains(body, "ann@example.org") {
		t.Fatalf("list = %d %s", code, body)
	}
	id := strconv.FormatInt(m.ID, 10)
	code, _, body = get(t, c, base+"/admin/captured/"+id)
	if code != 200 || !strings.Contains(body, `sandbox="" src="/admin/captured/`+id+`/html"`) ||
		!strings.Contains(body, "Hello café readers") || !strings.Contains(body, "https://news.example.org/unsubscribe/tok") {
		t.Fatalf("message page = %d %s", code, body)
	}
	resp, err := c.Get(base + "/admin/captured/" + id + "/html")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox;") || !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("HTML part served with CSP %q; scripts in mail must not run", csp)
	}
	_, _, html := get(t, c, base+"/admin/captured/"+id+"/html")
	if html != "<h1>Hello</h1><script>alert(1)</script>" {
		t.Fatalf("html part = %q", html)
	}
	if code, _, _ := get(t, c, base+"/admin/captured/999999"); code != http.StatusNotFound {
		t.Fatalf("unknown message = %d, want 404", code)
	}
}
