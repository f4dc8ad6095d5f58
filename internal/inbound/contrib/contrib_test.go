package contrib

import (
	"strings"
	"testing"
)

// crlf writes a message with CRLF line ends, as it arrives over SMTP.
func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

func TestParse(t *testing.T) {
	cases := []struct {
		name                string
		raw                 string
		title, body, url    string
		attachments         int
		from, fromName, mid string
	}{
		{
			name: "plain text reply with quote, attribution and signature",
			raw: `From: Ann Example <ann@example.org>
To: contribute@bulletin.example
Subject: Re: RE: Fwd: A faster build cache
Message-ID: <abc.123@example.org>
Content-Type: text/plain; charset=utf-8

We cut CI time in half with this.

https://example.org/build-cache

It works with Go and Rust.

On Thu, Dec 3, 2026 at 9:00 AM Editor <editor@bulletin.example> wrote:
> Send us your news.
> Thanks!

-- 
Ann Example
Platform team
`,
			title: "A faster build cache", url: "https://example.org/build-cache",
			body: "We cut CI time in half with this.\n\nIt works with Go and Rust.",
			from: "ann@example.org", fromName: "Ann Example", mid: "abc.123@example.org",
		},
		{
			name: "German prefixes, repeated in any case, wrapped Gmail attribution",
			raw: `From: bob@example.org
Subject: AW: aw: WG: Fw: fwd: re[2]: Neue Version
Content-Type: text/plain

Version 2 is out.

On Thu, Dec 3, 2026 at 9:00 AM Ann Example <
ann@example.org> wrote:

> old text
`,
			title: "Neue Version", body: "Version 2 is out.", from: "bob@example.org",
		},
		{
			name: "inline reply keeps the answers, drops the quotes",
			raw: `From: bob@example.org
Subject: Questions

> What changed?
Everything.
> When?
Today.
`,
			title: "Questions", body: "Everything.\nToday.", from: "bob@example.org",
		},
		{
			name: "Outlook original message",
			raw: `From: carol@example.org
Subject: RE: Release notes

Here are the notes.

-----Original Message-----
From: Editor
Sent: Thursday, December 3, 2026 9:00 AM
Subject: Release notes

Please send notes.
`,
			title: "Release notes", body: "Here are the notes.", from: "carol@example.org",
		},
		{
			name: "Outlook From/Sent block",
			raw: `From: carol@example.org
Subject: RE: Release notes

Here are the notes.

________________________________
From: Editor <editor@bulletin.example>
Sent: Thursday, December 3, 2026 9:00 AM
To: Carol
Subject: Release notes
`,
			title: "Release notes", body: "Here are the notes.", from: "carol@example.org",
		},
		{
			name: "quoted-printable ISO-8859-1 with encoded subject",
			raw: `From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <jorg@example.de>
Subject: =?ISO-8859-1?Q?Caf=E9_f=FCr_alle?=
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Das Caf=E9 =F6ffnet am Montag. Sehr sch=F6n, ein langer Satz mit weichem Um=
bruch.
`,
			title: "Café für alle", body: "Das Café öffnet am Montag. Sehr schön, ein langer Satz mit weichem Umbruch.",
			from: "jorg@example.de", fromName: "Jörg Müller",
		},
		{
			name: "base64 windows-1252",
			raw: "From: dan@example.org\nSubject: Prices\nContent-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: base64\n\n" +
				"k1ByaWNlc5QgZmFsbCB0byA1MIAu\n",
			title: "Prices", body: "“Prices” fall to 50€.", from: "dan@example.org",
		},
		{
			name:  "claims UTF-8, is windows-1252",
			raw:   "From: dan@example.org\nSubject: Caf\xe9\nContent-Type: text/plain; charset=utf-8\n\nCaf\xe9 cr\xe8me\n",
			title: "Café", body: "Café crème", from: "dan@example.org",
		},
		{
			name: "alternative: plain text wins, attachments counted",
			raw: `From: eve@example.org
Subject: Slides from the meetup
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8

The slides are attached.
--inner
Content-Type: text/html; charset=utf-8

<p>The <b>slides</b> are attached.</p>
--inner--
--outer
Content-Type: application/pdf; name="slides.pdf"
Content-Disposition: attachment; filename="slides.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer
Content-Type: image/png
Content-Disposition: inline; filename="photo.png"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--outer
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

not imported
--outer--
`,
			title: "Slides from the meetup", body: "The slides are attached.", attachments: 3, from: "eve@example.org",
		},
		{
			name: "HTML only becomes Markdown, lone link becomes the URL",
			raw: `From: fay@example.org
Subject: Fwd: New tool
Content-Type: text/html; charset=utf-8

<html><head><style>p{color:red}</style></head><body>
<p>A <b>new</b> tool for <i>logs</i>.</p>
<p><a href="https://example.org/tool">https://example.org/tool</a></p>
<ul><li>fast</li><li>small</li></ul>
<img src="cid:logo@x">
<div class="gmail_quote">On Mon, Ann wrote:<blockquote>old</blockquote></div>
<script>alert(1)</script>
</body></html>
`,
			title: "New tool", body: "A **new** tool for *logs*.\n\n- fast\n- small", url: "https://example.org/tool", from: "fay@example.org",
		},
		{
			name: "Gmail HTML with a link and a signature",
			raw: `From: ann@example.org
Subject: New release
Content-Type: text/html; charset=utf-8

<div dir="ltr">New release<br><br><a href="https://example.org/r">Release notes</a><br><br><span class="gmail_signature_prefix">-- </span><br><div class="gmail_signature">Ann<br>Team</div></div>
`,
			title: "New release", body: "New release", url: "https://example.org/r", from: "ann@example.org",
		},
		{
			name: "HTML line breaks stay line breaks",
			raw: `From: ann@example.org
Subject: Address
Content-Type: text/html; charset=utf-8

<p>Main Street 1<br>Springfield</p><blockquote>quoted</blockquote>
`,
			title: "Address", body: "Main Street 1  \nSpringfield", from: "ann@example.org",
		},
		{
			name: "Outlook HTML reply",
			raw: `From: carol@example.org
Subject: RE: Notes
Content-Type: text/html; charset=utf-8

<div>Here are the notes.</div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Editor &lt;e@x&gt;<br><b>Sent:</b> Thursday<br><b>Subject:</b> x</font></div><div>old</div>
`,
			title: "Notes", body: "Here are the notes.", from: "carol@example.org",
		},
		{
			name: "Apple Mail HTML reply",
			raw: `From: dan@example.org
Subject: Re: Notes
Content-Type: text/html; charset=utf-8

<html><body><div>Apple text</div><div><br><blockquote type="cite"><div>On 3 Dec 2026, at 09:00, Ann &lt;a@x&gt; wrote:</div><div>old</div></blockquote></div></body></html>
`,
			title: "Notes", body: "Apple text", from: "dan@example.org",
		},
		{
			name: "link inside a sentence stays in the body",
			raw: `From: gus@example.org
Subject: Read this

See https://example.org/post for more.
`,
			title: "Read this", body: "See https://example.org/post for more.", from: "gus@example.org",
		},
		{
			name: "link in angle brackets; the second lone link stays",
			raw: `From: gus@example.org
Subject: Two links

<https://example.org/one>
https://example.org/two
`,
			title: "Two links", body: "https://example.org/two", url: "https://example.org/one", from: "gus@example.org",
		},
		{
			name: "missing final boundary keeps the text",
			raw: `From: hal@example.org
Subject: Cut short
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain

Short.
--b
Content-Type: text/plain
`,
			title: "Cut short", body: "Short.", from: "hal@example.org",
		},
		{
			name:  "unknown charset but valid UTF-8 text",
			raw:   "From: ivy@example.org\nSubject: Odd\nContent-Type: text/plain; charset=x-unheard-of\n\nplain ascii\n",
			title: "Odd", body: "plain ascii", from: "ivy@example.org",
		},
		{
			name:  "broken Content-Type parameters, still text",
			raw:   "From: ivy@example.org\nSubject: Odd\nContent-Type: text/plain; charset\nContent-Disposition: inline; filename=\n\nstill read\n",
			title: "Odd", body: "still read", from: "ivy@example.org",
		},
		{
			name:  "illegible Content-Type is text/plain",
			raw:   "From: ivy@example.org\nSubject: Odd\nContent-Type: ;;;\n\nstill read\n",
			title: "Odd", body: "still read", from: "ivy@example.org",
		},
		{
			name: "no subject, no body",
			raw:  "From: ivy@example.org\n\n",
			from: "ivy@example.org",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(crlf(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if c.Title != tc.title || c.Body != tc.body || c.URL != tc.url || c.Attachments != tc.attachments {
				t.Errorf("got title %q url %q attachments %d body:\n%q\nwant title %q url %q attachments %d body:\n%q",
					c.Title, c.URL, c.Attachments, c.Body, tc.title, tc.url, tc.attachments, tc.body)
			}
			if c.From != tc.from || c.FromName != tc.fromName || c.MessageID != tc.mid {
				t.Errorf("from %q name %q id %q, want %q %q %q", c.From, c.FromName, c.MessageID, tc.from, tc.fromName, tc.mid)
			}
		})
	}
}

func TestParseRefusals(t *testing.T) {
	for _, tc := range []struct{ name, raw, want string }{
		{"empty", "", "empty message"},
		{"no From", "Subject: hi\n\nbody\n", "0 From headers"},
		{"two From headers", "From: a@example.org\nFrom: b@example.org\nSubject: hi\n\nbody\n", "2 From headers"},
		{"two addresses", "From: a@example.org, b@example.org\nSubject: hi\n\nbody\n", "exactly one address"},
		{"From without address", "From: nobody\nSubject: hi\n\nbody\n", "From header"},
		{"header garbage", "\x00\x01\x02 garbage without colon\n\nbody", "header"},
		{"unknown charset, 8-bit text", "From: a@example.org\nSubject: hi\nContent-Type: text/plain; charset=x-klingon\n\n\xff\xfe\n", `unknown charset "x-klingon"`},
		{"unknown transfer encoding", "From: a@example.org\nSubject: hi\nContent-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbody\n", "Content-Transfer-Encoding"},
		{"multipart without boundary", "From: a@example.org\nSubject: hi\nContent-Type: multipart/mixed\n\nbody\n", "body could not be read"},
		{"broken base64", "From: a@example.org\nSubject: hi\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n", "could not be decoded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(crlf(tc.raw))
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestStripSubjectPrefixes(t *testing.T) {
	for in, want := range map[string]string{
		"Re: Fwd: AW: Fw: News":       "News",
		"RE:RE:  re :News":            "News",
		"  wg: Re[3]: News":           "News",
		"Return of the tool":          "Return of the tool",
		"Fwdx: keep":                  "Fwdx: keep",
		"Re: Re:":                     "",
		"News: Re: not a prefix here": "News: Re: not a prefix here",
	} {
		if got := StripSubjectPrefixes(in); got != want {
			t.Errorf("StripSubjectPrefixes(%q) = %q, want %q", in, got, want)
		}
	}
}
