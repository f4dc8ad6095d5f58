package bulletin

import "time"

// Newsletter is one publication: its sender, schedule, lists and numbering.
type Newsletter struct {
	ID              int64         `json:"-" db:"id"`
	Slug            string        `json:"slug" db:"slug"`
	Name            string        `json:"name" db:"name"`
	Description     string        `json:"description" db:"description"`
	FromName        string        `json:"from_name" db:"from_name"`
	FromEmail       string        `json:"from_email" db:"from_email"`
	ReplyTo         string        `json:"reply_to" db:"reply_to"`
	Schedule        string        `json:"schedule" db:"schedule"` // robfig/cron 5-field spec, may start with CRON_TZ=; "" = manual only
	SubjectTemplate string        `json:"subject_template" db:"subject_template"`
	Intro           string        `json:"intro" db:"intro"`
	AutoSend        bool          `json:"auto_send" db:"auto_send"`
	SendDelay       time.Duration `json:"-" db:"send_delay"` // stored as interval
	LastNumber      int           `json:"last_number" db:"last_number"`
	IsDefault       bool          `json:"is_default" db:"is_default"`
	WelcomeEmail    bool          `json:"welcome_email" db:"welcome_email"` // mail readers who join through a public form
	Brand
	Lists     []string  `json:"lists" db:"-"` // list slugs
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// DefaultSubjectTemplate is used when a newsletter has none. It is a
// text/template over the issue: {{.Name}}, {{.Number}}, {{.Date}}, {{.FirstTitle}}.
const DefaultSubjectTemplate = "{{.Name}} {{.Number}}: {{.FirstTitle}}"

// Section is an ordered heading inside a newsletter.
type Section struct {
	ID           int64  `json:"id" db:"id"`
	NewsletterID int64  `json:"-" db:"newsletter_id"`
	Slug         string `json:"slug" db:"slug"`
	Name         string `json:"name" db:"name"`
	Position     int    `json:"position" db:"position"`
}
