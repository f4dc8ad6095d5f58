package bulletin

// How someone left a list: one vocabulary, recorded on each subscription
// an unsubscribe ends (subscriptions.unsubscribed_how).
const (
	LeftByLink        = "link"        // the unsubscribe link or the one-click POST
	LeftByMailto      = "mailto"      // mail to List-Unsubscribe's mailto address
	LeftByPreferences = "preferences" // unticked on the preferences page
	LeftByComplaint   = "complaint"   // a spam complaint (ARF or a provider's webhook)
	LeftByAdmin       = "admin"       // an administrator
	LeftByImport      = "import"      // imported as unsubscribed
)
