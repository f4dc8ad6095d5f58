package delivery

import (
	"html"
	"strings"

	"bulletin/internal/bulletin"
)

// personalizer fills one issue's placeholders per recipient. It is a
// stand-in for the compile stage's bulletin.Personalizer, kept behind the
// same shape (built once per issue, Apply per message) so the swap is one
// line.
type personalizer struct{ html, text string }

func newPersonalizer(htmlBody, textBody string) *personalizer {
	return &personalizer{html: htmlBody, text: textBody}
}

// apply returns the recipient's HTML and text. Values are escaped for HTML
// in the HTML part and raw in the text part.
func (p *personalizer) apply(unsubscribe, preferences, name string) (string, string) {
	if name = strings.Join(strings.Fields(name), " "); name == "" {
		name = "there"
	}
	h := strings.NewReplacer(
		bulletin.PlaceholderUnsubscribeURL, html.EscapeString(unsubscribe),
		bulletin.PlaceholderPreferencesURL, html.EscapeString(preferences),
		bulletin.PlaceholderName, html.EscapeString(name))
	t := strings.NewReplacer(
		bulletin.PlaceholderUnsubscribeURL, unsubscribe,
		bulletin.PlaceholderPreferencesURL, preferences,
		bulletin.PlaceholderName, name)
	return h.Replace(p.html), t.Replace(p.text)
}
