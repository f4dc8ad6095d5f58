package bulletin

import (
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"jane@example.org", "jane@example.org"},
		{"  Jane.Doe@Example.ORG \t", "Jane.Doe@example.org"},
		{"jane+news@sub.example.com", "jane+news@sub.example.com"},
		{"jürgen@bücher.example", "jürgen@xn--bcher-kva.example"},
		{"a@XN--BCHER-KVA.example", "a@xn--bcher-kva.example"},
	} {
		got, err := NormalizeEmail(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + ".example.org"
	for _, in := range []string{
		"", "   ", "jane", "jane@", "@example.org", "jane@example", "Jane <jane@example.org>", "<jane@example.org>",
		"jane@example.org\r\nBcc: x@example.org", "jane\n@example.org", "ja ne@example.org", "jane@exa mple.org",
		"jane@[127.0.0.1]", "jane@example..org", "jane@-bad-.org", "\xff@example.org", "a@b@example.org", long,
		"jane@example.org, joe@example.org",
	} {
		if got, err := NormalizeEmail(in); err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want EINVALID", in, got, err)
		}
	}
}

func TestCheckName(t *testing.T) {
	if err := CheckName("name", "Jane Doe — Zoë"); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"a\r\nBcc: x", "tab\there", "\xff", strings.Repeat("x", MaxNameLen+1)} {
		if err := CheckName("name", in); ErrorCode(err) != EINVALID {
			t.Errorf("CheckName(%q) = %v, want EINVALID", in, err)
		}
	}
}

func TestCheckSlug(t *testing.T) {
	for _, ok := range []string{"weekly", "a", "news-2026"} {
		if err := CheckSlug(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Weekly", "-x", "a b", "a/b", strings.Repeat("a", 64), "x'; DROP TABLE lists;--"} {
		if err := CheckSlug(bad); ErrorCode(err) != EINVALID {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
	}
}

func TestFoldEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Victim@example.org":          "victim@example.org",
		"vIctim@example.org":          "victim@example.org",
		"Ünal@example.org":            "Ünal@example.org", // non-ASCII keeps its case, as in the database
		"a.B+C@xn--bcher-kva.example": "a.b+c@xn--bcher-kva.example",
	} {
		if got := FoldEmail(in); got != want {
			t.Errorf("FoldEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
