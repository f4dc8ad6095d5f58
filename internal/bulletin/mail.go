package bulletin

// Kinds of queued single messages (the outbox). Each kind has one renderer
// in internal/outbox; its payload is the struct named here.
const (
	MailConfirm = "confirm" // ConfirmMail: double opt-in confirmation
	MailWelcome = "welcome" // WelcomeMail: a reader joined through the public form
)

// ConfirmMail is what a confirmation email needs, taken in the transaction
// that made the pending subscription.
type ConfirmMail struct {
	SubscriberID int64  `json:"subscriber_id"`
	Email        string `json:"email"`
	List         string `json:"list"`      // slug
	ListName     string `json:"list_name"` // shown in the subject and body
	Token        string `json:"token"`     // the confirmation token
	SenderName   string `json:"sender_name"`
	SenderEmail  string `json:"sender_email"`
}

// QueuedMail is one claimed message of the outbox.
type QueuedMail struct {
	ID       int64
	Kind     string
	Payload  []byte // JSON
	Attempts int    // including this one
}

// WelcomeMail is what a welcome email needs, taken in the transaction that
// made the subscription active.
type WelcomeMail struct {
	SubscriberID int64  `json:"subscriber_id"`
	Email        string `json:"email"`
	ListName     string `json:"list_name"`
	Token        string `json:"token"`      // the subscriber's link token (unsubscribe, preferences)
	Newsletter   string `json:"newsletter"` // slug of the archive to link; "" for none
	SenderName   string `json:"sender_name"`
	SenderEmail  string `json:"sender_email"`
}
