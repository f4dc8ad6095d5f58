package content

import (
	"net/mail"
	"regexp"
	"strings"

	"time"
	_ "time/tzdata" // validate CRON_TZ zones as the scheduler resolves them, tzdata on the host or not

	"bulletin/internal/bulletin"
	"bulletin/internal/render"

	"github.com/robfig/cron/v3"
)

// MaxSendDelay bounds the review window between compiling and sending.
const MaxSendDelay = 14 * 24 * time.Hour

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

// Slug checks a URL slug: lower-case letters, digits and inner dashes.
func Slug(field, s string) error {
	if !slugRE.MatchString(s) {
		return bulletin.Errorf(bulletin.EINVALID, "%s: %q must be 1–64 lower-case letters, digits or dashes", field, s)
	}
	return nil
}

// Email checks one bare address (no display name); "" is allowed when
// optional.
func Email(field, s string, optional bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && optional {
		return "", nil
	}
	a, err := mail.ParseAddress(s)
	at := strings.LastIndexByte(s, '@')
	if err != nil || a.Address != s || len(s) > 254 || at < 1 || !strings.Contains(s[at+1:], ".") {
		return "", bulletin.Errorf(bulletin.EINVALID, "%s: %q is not a valid email address", field, s)
	}
	return s, nil
}

// Schedule checks a robfig/cron five-field spec, optionally prefixed with
// CRON_TZ=Zone; "" means manual compiles only.
func Schedule(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", nil
	}
	if _, err := cron.ParseStandard(s); err != nil {
		return "", bulletin.Errorf(bulletin.EINVALID, "schedule: %v", err)
	}
	return s, nil
}

// PrepareNewsletter checks and normalises every field of n.
func PrepareNewsletter(n *bulletin.Newsletter) error {
	var err error
	if err = Slug("slug", n.Slug); err != nil {
		return err
	}
	if n.Name, err = PlainText("name", n.Name, 200); err != nil {
		return err
	}
	if n.Name == "" {
		return bulletin.Errorf(bulletin.EINVALID, "name: required")
	}
	if n.Description, err = PlainText("description", n.Description, 1000); err != nil {
		return err
	}
	if n.FromName, err = PlainText("from_name", n.FromName, 200); err != nil {
		return err
	}
	if n.FromEmail, err = Email("from_email", n.FromEmail, true); err != nil {
		return err
	}
	if n.ReplyTo, err = Email("reply_to", n.ReplyTo, true); err != nil {
		return err
	}
	if n.Schedule, err = Schedule(n.Schedule); err != nil {
		return err
	}
	if n.SubjectTemplate, err = PlainText("subject_template", n.SubjectTemplate, 300); err != nil {
		return err
	}
	if n.SubjectTemplate != "" { // parsed and test-run on a sample issue
		if _, err := render.ParseSubject(n.SubjectTemplate); err != nil {
			return err
		}
	}
	n.Intro = strings.TrimSpace(n.Intro)
	if err := checkText("intro", n.Intro, 5000, true); err != nil {
		return err
	}
	if n.SendDelay < 0 || n.SendDelay > MaxSendDelay {
		return bulletin.Errorf(bulletin.EINVALID, "send_delay: must be between 0 and %s", MaxSendDelay)
	}
	for _, l := range n.Lists {
		if err := Slug("lists", l); err != nil {
			return err
		}
	}
	return PrepareBrand(&n.Brand)
}

// PrepareSection checks a section's slug and name.
func PrepareSection(s *bulletin.Section) error {
	var err error
	if err = Slug("slug", s.Slug); err != nil {
		return err
	}
	if s.Name, err = PlainText("name", s.Name, 200); err != nil {
		return err
	}
	if s.Name == "" {
		return bulletin.Errorf(bulletin.EINVALID, "name: required")
	}
	return nil
}
