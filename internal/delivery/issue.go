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

// prepared is an issue ready to be personalised: loaded and scanned once,
// shared by every worker.
type prepared struct {
	*Issue
	p      *bulletin.Personalizer
	listID string
}

// issueCache holds the prepared issues a pool is sending.
type issueCache struct {
	mu     sync.Mutex
	issues map[int64]*prepared
}

func (c *issueCache) get(ctx context.Context, store Store, id int64) (*prepared, error) {
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
	p := prepare(iss)
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

func prepare(iss *Issue) *prepared {
	return &prepared{Issue: iss, p: bulletin.NewPersonalizer(iss.HTML, iss.Text), listID: listID(iss)}
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

// recipient is who a message goes to and their personal link token.
type recipient struct{ Email, Name, Token string }

// message builds the personalised email of this issue for r.
func (p *prepared) message(cfg Config, r recipient, now time.Time) *Message {
	unsub := cfg.BaseURL + "/unsubscribe/" + url.PathEscape(r.Token)
	prefs := cfg.BaseURL + "/preferences/" + url.PathEscape(r.Token)
	htmlBody, textBody := p.p.Apply(bulletin.Personal{UnsubscribeURL: unsub, PreferencesURL: prefs, Name: r.Name})
	mailto := cfg.Mailto
	if mailto == "" {
		mailto = p.FromEmail
	}
	return &Message{
		FromName: p.FromName, FromEmail: p.FromEmail, ReplyTo: p.ReplyTo,
		To: r.Email, ToName: r.Name,
		Subject: p.Subject, HTML: htmlBody, Text: textBody,
		ListID:            p.listID,
		UnsubscribeURL:    unsub,
		UnsubscribeMailto: "mailto:" + mailto + "?subject=unsubscribe%20" + url.QueryEscape(r.Token),
		ArchiveURL:        cfg.BaseURL + "/archive/" + url.PathEscape(p.NewsletterSlug) + "/",
		Date:              now,
	}
}
