package delivery

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"strings"
	"sync"
	"time"

	"bulletin/internal/bulletin"
)

// prepared is an issue ready to be personalised: loaded and encoded once,
// shared by every worker.
type prepared struct {
	*Issue
	wire Prepared
}

// issueCache holds the prepared issues a pool is sending.
type issueCache struct {
	mu     sync.Mutex
	issues map[int64]*prepared
}

func (c *issueCache) get(ctx context.Context, store Store, tr Transport, cfg Config, id int64) (*prepared, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.issues[id]; ok {
		return p, nil
	}
	iss, err := store.FindIssueForSend(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load issue %d: %w", id, err)
	}
	if c.issues == nil {
		c.issues = map[int64]*prepared{}
	}
	p, err := prepare(tr, cfg, iss, "")
	if err != nil {
		return nil, fmt.Errorf("prepare issue %d: %w", id, err)
	}
	c.issues[id] = p
	return p, nil
}

func (c *issueCache) forget(ids []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		delete(c.issues, id)
	}
}

// prepare has the transport check and encode what every message of iss
// shares, in front of the subject a subjectPrefix ("[test] ").
func prepare(tr Transport, cfg Config, iss *Issue, subjectPrefix string) (*prepared, error) {
	wire, err := tr.Prepare(&Letter{
		FromName: iss.FromName, FromEmail: iss.FromEmail, ReplyTo: iss.ReplyTo,
		Subject: subjectPrefix + iss.Subject, HTML: iss.HTML, Text: iss.Text,
		ListID:     listID(iss),
		ArchiveURL: cfg.BaseURL + "/archive/" + url.PathEscape(iss.NewsletterSlug) + "/",
	})
	if err != nil {
		return nil, err
	}
	return &prepared{Issue: iss, wire: wire}, nil
}

// listID is RFC 2919's "Name <slug.domain>", on the From domain.
func listID(iss *Issue) string {
	domain := iss.FromEmail[strings.LastIndexByte(iss.FromEmail, '@')+1:]
	if domain == "" {
		domain = "localhost"
	}
	// The phrase goes into a raw header: encode non-ASCII, drop brackets and quotes.
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune("<>\"\\", r) {
			return -1
		}
		return r
	}, iss.NewsletterName)
	return fmt.Sprintf("%s <%s.%s>", mime.QEncoding.Encode("utf-8", name), iss.NewsletterSlug, domain)
}

// subscriber is who a message goes to and their personal link token.
type subscriber struct{ Email, Name, Token string }

// recipient is what the message of this issue to s (delivery id, 0 for a
// test send) adds to the letter.
func (p *prepared) recipient(cfg Config, id int64, s subscriber, now time.Time) *Recipient {
	unsub := cfg.BaseURL + "/unsubscribe/" + url.PathEscape(s.Token)
	var mailto, envelope string
	if cfg.MailtoFor != nil {
		mailto = "mailto:" + cfg.MailtoFor(s.Token) + "?subject=unsubscribe"
	}
	if cfg.EnvelopeFor != nil && id != 0 {
		envelope = cfg.EnvelopeFor(p.ID, id)
	}
	return &Recipient{
		To: s.Email, ToName: s.Name, Envelope: envelope,
		UnsubscribeURL:    unsub,
		UnsubscribeMailto: mailto,
		Personal: bulletin.Personal{UnsubscribeURL: unsub,
			PreferencesURL: cfg.BaseURL + "/preferences/" + url.PathEscape(s.Token), Name: s.Name},
		Date: now,
	}
}
