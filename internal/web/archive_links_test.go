package web

import "testing"

func TestTargetTop(t *testing.T) {
	for in, want := range map[string]string{
		`<a href="https://x.example/a?b=1&amp;c=2">x</a>`:       `<a href="https://x.example/a?b=1&amp;c=2" target="_top">x</a>`,
		`<a href="#item-2">x</a>`:                               `<a href="#item-2">x</a>`,
		`<a href="/subscribe/x" target="_blank">x</a>`:          `<a href="/subscribe/x" target="_top">x</a>`,
		`<a href="mailto:ed@x.example">x</a>`:                   `<a href="mailto:ed@x.example" target="_top">x</a>`,
		`<a href="JavaScript:alert(1)">x</a>`:                   `<a>x</a>`,
		`<a href="java&#x0A;script:alert(1)">x</a>`:             `<a>x</a>`,
		`<a href="data:text/html,<script>alert(1)</script>">x`:  `<a>x`,
		`<area href="vbscript:x">`:                              `<area>`,
		`<A HREF=http://x.example>x</A>`:                        `<a href="http://x.example" target="_top">x</A>`,
		`<a name="anchor"></a><p style="color:red">kept</p>`:    `<a name="anchor"></a><p style="color:red">kept</p>`,
		`<style>a[href^="http"] { color: red }</style><a>x</a>`: `<style>a[href^="http"] { color: red }</style><a>x</a>`,
		`<!--[if mso]><table><![endif]--><td>`:                  `<!--[if mso]><table><![endif]--><td>`,
	} {
		if got := archiveTargetTop(in); got != want {
			t.Errorf("targetTop(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
