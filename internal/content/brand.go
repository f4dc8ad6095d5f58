package content

import (
	"net/url"
	"regexp"
	"strings"

	"bulletin/internal/bulletin"
)

var hexColorRE = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// MaxLogoURL bounds a logo address; longer ones are not worth a mail byte.
const MaxLogoURL = 2000

// PrepareBrand checks and normalises a newsletter's brand: the logo is an
// absolute https URL, the accent a "#rrggbb" colour (stored lower case),
// the organisation name one line and its postal address a few lines of
// plain text.
func PrepareBrand(b *bulletin.Brand) error {
	var err error
	if b.LogoURL, err = LogoURL(b.LogoURL); err != nil {
		return err
	}
	if b.AccentColor, err = AccentColor(b.AccentColor); err != nil {
		return err
	}
	if b.OrgName, err = PlainText("org_name", b.OrgName, 200); err != nil {
		return err
	}
	b.OrgAddress = strings.TrimSpace(strings.ReplaceAll(b.OrgAddress, "\r\n", "\n"))
	if err := checkText("org_address", b.OrgAddress, 500, true); err != nil {
		return err
	}
	if n := len(strings.Split(b.OrgAddress, "\n")); n > 8 {
		return bulletin.Errorf(bulletin.EINVALID, "org_address: %d lines, at most 8 allowed", n)
	}
	return nil
}

// LogoURL checks a logo address: "" or an https URL with a host, no
// credentials and nothing that could break out of an attribute.
func LogoURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	bad := func(why string) (string, error) {
		return "", bulletin.Errorf(bulletin.EINVALID, "logo_url: %s", why)
	}
	if len(s) > MaxLogoURL {
		return bad("longer than 2000 characters")
	}
	if strings.ContainsAny(s, " \t\r\n\"'<>\\`") {
		return bad("must not contain spaces, quotes or angle brackets")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return bad("not an absolute URL like https://example.org/logo.png")
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return bad("must start with https:// (mail programs block other images)")
	}
	if u.User != nil {
		return bad("must not contain a user name or password")
	}
	u.Scheme = "https"
	return u.String(), nil
}

// AccentColor checks an accent colour: "" or "#rrggbb". Any such colour is
// accepted: text on it takes whichever of near-black and white contrasts
// more (bulletin.Brand.AccentText), which is always at least 4.5:1.
func AccentColor(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || hexColorRE.MatchString(s) {
		return s, nil
	}
	return "", bulletin.Errorf(bulletin.EINVALID, "accent_color: %q is not a colour like #1a4f9c (a # and six hex digits)", s)
}
