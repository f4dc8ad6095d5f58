package render_test

import (
	"regexp"
	"strings"
	"testing"

	"bulletin/internal/bulletin"
)

// The brand shows in the email's header band and footer, in HTML and
// text, and the footer links to the privacy page.
func TestBrandInEmail(t *testing.T) {
	out, err := mustRenderer(t).Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<img class="logo" src="https://bulletin.example/logo.png?v=2&amp;size=96" alt="Weekly update" height="48"`,
		`Riverside Council<br/>1 High Street, Riverside RV1 2AB`,
		`<a href="https://bulletin.example/privacy/weekly"`,
	} {
		if !strings.Contains(out.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if !regexp.MustCompile(`class="pad brand-band" style="[^"]*background-color: ?#1a4f9c`).MatchString(out.HTML) {
		t.Error("no accent band")
	}
	for _, want := range []string{"Privacy: https://bulletin.example/privacy/weekly\nRiverside Council\n1 High Street, Riverside RV1 2AB\n"} {
		if !strings.Contains(out.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, out.Text)
		}
	}

	// An accent without a logo carries the name in a colour that reads on it.
	in := fixture()
	in.Brand = bulletin.Brand{AccentColor: "#ffd500"}
	out, err = mustRenderer(t).Render(in)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`background-color: ?#ffd500`).MatchString(out.HTML) ||
		!regexp.MustCompile(`color: ?#000000;?">Weekly update</p>`).MatchString(out.HTML) {
		t.Errorf("yellow accent band without dark text:\n%s", out.HTML)
	}
	if strings.Contains(out.HTML, `class="org"`) || strings.Contains(out.HTML, "<img") {
		t.Error("no organisation or logo set, yet the email shows one")
	}

	// No brand: no band at all.
	in.Brand = bulletin.Brand{}
	if out, err = mustRenderer(t).Render(in); err != nil || strings.Contains(out.HTML, "brand-band") {
		t.Errorf("unbranded email has a band (err %v)", err)
	}
}

var readMoreRE = regexp.MustCompile(`<a [^>]*class="more"[^>]*>Read more</a>`)

// Each "Read more" is named after its item; the content is the main
// landmark and the footer sits outside it.
func TestEmailLandmarksAndLinkNames(t *testing.T) {
	out, err := mustRenderer(t).Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	links := readMoreRE.FindAllString(out.HTML, -1)
	if len(links) != 2 {
		t.Fatalf("%d Read more links, want 2: %v", len(links), links)
	}
	for i, want := range []string{`aria-label="Read more: Ward budgets open for ideas"`, `aria-label="Read more: Repair café &lt;on Saturday&gt;"`} {
		if !strings.Contains(links[i], want) {
			t.Errorf("link %d = %s, want %s", i, links[i], want)
		}
	}
	main := strings.Index(out.HTML, `<div role="main">`)
	footer := strings.Index(out.HTML, `<div role="contentinfo">`)
	if main < 0 || footer < main || strings.Count(out.HTML, `role="main"`) != 1 {
		t.Fatalf("main at %d, contentinfo at %d: want one main landmark, then the footer", main, footer)
	}
	if u := strings.Index(out.HTML, "Unsubscribe"); u < footer {
		t.Error("the unsubscribe link is not in the footer")
	}
}

// The sent copy keeps the personal unsubscribe and preferences links; the
// archive's public copy of the same stored HTML offers "Subscribe" instead.
func TestPublicCopySaysSubscribe(t *testing.T) {
	out, err := mustRenderer(t).Render(fixture())
	if err != nil {
		t.Fatal(err)
	}
	sent, _ := bulletin.NewPersonalizer(out.HTML, out.Text).Apply(bulletin.Personal{
		UnsubscribeURL: "https://bulletin.example/unsubscribe/tok", PreferencesURL: "https://bulletin.example/preferences/tok", Name: "Ana"})
	if !regexp.MustCompile(`<a href="https://bulletin.example/unsubscribe/tok"[^>]*>Unsubscribe</a>`).MatchString(sent) ||
		!regexp.MustCompile(`<a href="https://bulletin.example/preferences/tok"[^>]*>change your preferences</a>`).MatchString(sent) {
		t.Fatal("the sent copy lost its personal links")
	}
	visible := regexp.MustCompile(`(?s)<!--.*?-->`).ReplaceAllString(sent, "")
	if strings.Contains(visible, ">Subscribe</a>") {
		t.Error("the sent copy shows the public Subscribe link")
	}

	subscribe := "https://bulletin.example/subscribe/weekly"
	public, _ := bulletin.NewPersonalizer(bulletin.PublicCopy(out.HTML, subscribe), "").Apply(bulletin.Personal{
		UnsubscribeURL: subscribe, PreferencesURL: subscribe})
	if !strings.Contains(public, `<a href="`+subscribe+`" style="color: #5f5f5f; text-decoration: underline;">Subscribe</a>`) {
		t.Errorf("the public copy has no Subscribe link:\n%s", public)
	}
	for _, gone := range []string{">Unsubscribe<", "change your preferences", "__BULLETIN_"} {
		if strings.Contains(public, gone) {
			t.Errorf("the public copy still has %q", gone)
		}
	}
	if !strings.Contains(public, "Privacy</a>") || !strings.Contains(public, "Riverside Council") {
		t.Error("the public copy lost the privacy link or the organisation line")
	}
}
