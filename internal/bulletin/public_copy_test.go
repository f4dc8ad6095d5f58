package bulletin

import "testing"

func TestPublicCopy(t *testing.T) {
	stored := `<p>a</p>` + MarkPersonalStart + `<p><a href="` + PlaceholderUnsubscribeURL + `">Unsubscribe</a></p>` + MarkPersonalEnd +
		MarkPublicStart + `<p><a href="` + PlaceholderSubscribeURL + `">Subscribe</a></p>-->` + `<p>b</p>` +
		MarkPersonalStart + `<p>Hi ` + PlaceholderName + `</p>` + MarkPersonalEnd + `<p>c</p>`
	for _, c := range []struct{ url, want string }{
		{"https://example.org/subscribe/open?a=1&b=2", `<p>a</p><p><a href="https://example.org/subscribe/open?a=1&amp;b=2">Subscribe</a></p><p>b</p><p>c</p>`},
		{"", `<p>a</p><p>b</p><p>c</p>`},
		{"javascript:alert(1)", `<p>a</p><p><a href="#">Subscribe</a></p><p>b</p><p>c</p>`},
		{"/subscribe/open", `<p>a</p><p><a href="/subscribe/open">Subscribe</a></p><p>b</p><p>c</p>`},
		{"//evil.example/x", `<p>a</p><p><a href="#">Subscribe</a></p><p>b</p><p>c</p>`},
	} {
		if got := PublicCopy(stored, c.url); got != c.want {
			t.Errorf("PublicCopy(…, %q) =\n%s\nwant\n%s", c.url, got, c.want)
		}
	}
	old := `<p><a href="` + PlaceholderUnsubscribeURL + `">Unsubscribe</a></p>`
	if got := PublicCopy(old, "https://example.org/s"); got != old {
		t.Errorf("an issue stored before the markers changed: %s", got)
	}
	broken := `<p>a</p>` + MarkPersonalStart + `<p>never closed</p>`
	if got := PublicCopy(broken, "https://example.org/s"); got != broken {
		t.Errorf("an unclosed marker changed the copy: %s", got)
	}
}
