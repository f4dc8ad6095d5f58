package bulletin

// Placeholders stand in the stored issue snapshot for the parts that differ
// per recipient. They are plain [A-Z_] tokens so that html/template, premailer
// and quoted-printable all pass them through untouched; they are replaced per
// message by one strings.Replacer (see Personalize) with values escaped for
// their context. The archive replaces them with neutral values.
const (
	PlaceholderUnsubscribeURL = "__BULLETIN_UNSUBSCRIBE_URL__"
	PlaceholderPreferencesURL = "__BULLETIN_PREFERENCES_URL__"
	PlaceholderName           = "__BULLETIN_NAME__"
)
