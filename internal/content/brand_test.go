package content

import (
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

func TestPrepareBrand(t *testing.T) {
	ok := bulletin.Brand{LogoURL: " HTTPS://example.org/logo.png?v=2 ", AccentColor: "#1A4F9C",
		OrgName: " Parish Council ", OrgAddress: "1 High Street\r\nLittle Town\r\n"}
	if err := PrepareBrand(&ok); err != nil {
		t.Fatal(err)
	}
	want := bulletin.Brand{LogoURL: "https://example.org/logo.png?v=2", AccentColor: "#1a4f9c",
		OrgName: "Parish Council", OrgAddress: "1 High Street\nLittle Town"}
	if ok != want {
		t.Fatalf("prepared %+v, want %+v", ok, want)
	}
	empty := bulletin.Brand{}
	if err := PrepareBrand(&empty); err != nil || empty != (bulletin.Brand{}) {
		t.Fatalf("empty brand: %+v, %v", empty, err)
	}
	for _, c := range []struct {
		b    bulletin.Brand
		want string
	}{
		{bulletin.Brand{LogoURL: "http://example.org/logo.png"}, "logo_url: must start with https://"},
		{bulletin.Brand{LogoURL: "javascript:alert(1)"}, "logo_url: not an absolute URL"},
		{bulletin.Brand{LogoURL: "/static/logo.png"}, "logo_url: not an absolute URL"},
		{bulletin.Brand{LogoURL: `https://example.org/a"onerror="x`}, "logo_url: must not contain"},
		{bulletin.Brand{LogoURL: "https://user:pw@example.org/l.png"}, "logo_url: must not contain a user"},
		{bulletin.Brand{LogoURL: "https://example.org/" + strings.Repeat("a", 2000)}, "logo_url: longer"},
		{bulletin.Brand{AccentColor: "red"}, `accent_color: "red" is not a colour`},
		{bulletin.Brand{AccentColor: "#fff"}, "accent_color:"},
		{bulletin.Brand{AccentColor: "#12345g"}, "accent_color:"},
		{bulletin.Brand{OrgName: "Acme\nInc"}, "org_name: must not contain a line break"},
		{bulletin.Brand{OrgName: "<script>x</script>"}, "org_name:"},
		{bulletin.Brand{OrgAddress: strings.Repeat("x\n", 9) + "x"}, "org_address: 10 lines"},
		{bulletin.Brand{OrgAddress: strings.Repeat("x", 501)}, "org_address: 501 characters"},
	} {
		b := c.b
		err := PrepareBrand(&b)
		if bulletin.ErrorCode(err) != bulletin.EINVALID || !strings.Contains(bulletin.ErrorMessage(err), c.want) {
			t.Errorf("PrepareBrand(%+v) = %v, want EINVALID containing %q", c.b, err, c.want)
		}
	}
}
