package bulletin

import "time"

// NewsletterUpdate changes some fields of a newsletter; nil fields are left
// alone. The slug never changes: archive URLs are built from it.
type NewsletterUpdate struct {
	Slug            *string // only the current slug is accepted
	Name            *string
	Description     *string
	FromName        *string
	FromEmail       *string
	ReplyTo         *string
	Schedule        *string
	SubjectTemplate *string
	Intro           *string
	AutoSend        *bool
	SendDelay       *time.Duration
	Lists           *[]string // list slugs; replaces the set
	IsDefault       *bool     // only true is accepted: it moves the default here
	WelcomeEmail    *bool
	LogoURL         *string
	AccentColor     *string
	OrgName         *string
	OrgAddress      *string
}

// Apply copies every set field of u onto n. The store applies an update
// with it before saving, and the web layer to fill a new newsletter or to
// show a rejected form as typed.
func (u NewsletterUpdate) Apply(n *Newsletter) {
	for _, f := range []struct{ dst, src *string }{{&n.Name, u.Name}, {&n.Description, u.Description},
		{&n.FromName, u.FromName}, {&n.FromEmail, u.FromEmail}, {&n.ReplyTo, u.ReplyTo}, {&n.Schedule, u.Schedule},
		{&n.SubjectTemplate, u.SubjectTemplate}, {&n.Intro, u.Intro}, {&n.LogoURL, u.LogoURL},
		{&n.AccentColor, u.AccentColor}, {&n.OrgName, u.OrgName}, {&n.OrgAddress, u.OrgAddress}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if u.AutoSend != nil {
		n.AutoSend = *u.AutoSend
	}
	if u.SendDelay != nil {
		n.SendDelay = *u.SendDelay
	}
	if u.Lists != nil {
		n.Lists = *u.Lists
	}
	if u.IsDefault != nil {
		n.IsDefault = *u.IsDefault
	}
	if u.WelcomeEmail != nil {
		n.WelcomeEmail = *u.WelcomeEmail
	}
}

// SectionUpdate changes a section; nil fields are left alone.
type SectionUpdate struct {
	Name     *string `json:"name"`
	Position *int    `json:"position"` // 1-based; moves the others
}

// DefaultNewsletterSlug is the newsletter created on first start.
const DefaultNewsletterSlug = "weekly"
