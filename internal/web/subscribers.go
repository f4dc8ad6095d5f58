package web

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"sync"
	"text/template"
	"time"

	"bulletin/internal/bulletin"

	"github.com/wneessen/go-mail"
)

// SubscriberStore is what the list and subscriber pages and API need.
type SubscriberStore interface {
	FindLists(ctx context.Context) ([]bulletin.List, error)
	FindListBySlug(ctx context.Context, slug string) (*bulletin.List, error)
	CreateList(ctx context.Context, l *bulletin.List) error
	UpdateList(ctx context.Context, slug string, upd bulletin.ListUpdate) (*bulletin.List, error)
	DeleteList(ctx context.Context, slug string) error
	CountList(ctx context.Context, slug string) (bulletin.ListCounts, error)

	Subscribe(ctx context.Context, req bulletin.SubscribeRequest) (*bulletin.SubscribeResult, error)
	FindConfirmation(ctx context.Context, token string) (*bulletin.SubscribeResult, error)
	ConfirmSubscription(ctx context.Context, token, ip string) (*bulletin.SubscribeResult, error)
	Unsubscribe(ctx context.Context, token string) (*bulletin.Subscriber, error)
	FindSubscriberByToken(ctx context.Context, token string) (*bulletin.Subscriber, error)
	FindPreferences(ctx context.Context, token string) (*bulletin.Preferences, error)
	SavePreferences(ctx context.Context, token string, upd bulletin.PreferencesUpdate) (*bulletin.Preferences, error)

	FindSubscribers(ctx context.Context, email string, after int64, limit int) ([]bulletin.SubscriberDetail, error)
	EraseSubscriber(ctx context.Context, id int64) error
	ImportSubscribers(ctx context.Context, slug string, r io.Reader, opt bulletin.ImportOptions) (*bulletin.ImportResult, error)
	ExportSubscribers(ctx context.Context, slug string, fn func(email, name, status string) error) error
}

// ConfirmMailer sends one message (main wires internal/smtp's Mailer).
type ConfirmMailer interface {
	Send(ctx context.Context, m *mail.Msg) error
}

// subscriberState is the Server's own state for these pages: parsed email
// template, rate limiters and the confirmation emails in flight.
type subscriberState struct {
	confirmTmpl *template.Template
	byIP        *limiter
	byAddr      *limiter
	mailing     sync.WaitGroup
}

// initSubscribers parses the confirmation email template so that a broken
// one stops start-up. Without a store, the feature is off.
func (s *Server) initSubscribers() error {
	// Public form posts: 20 per IP in 200 s; per address 3 in 45 min, so
	// nobody can mail-bomb a stranger with confirmation emails. Counted in
	// the shared store (ratelimit.go).
	st := &subscriberState{
		byIP:   s.newLimiter("subscribe-ip", 20, 200*time.Second),
		byAddr: s.newLimiter("subscribe-address", 3, 45*time.Minute),
	}
	s.subs = st
	if s.Subscribers == nil {
		return nil
	}
	body, err := fs.ReadFile(s.Templates, "email/confirm.txt")
	if err != nil {
		return fmt.Errorf("email templates: %w", err)
	}
	st.confirmTmpl, err = template.New("email/confirm.txt").Parse(string(body))
	if err != nil {
		return fmt.Errorf("email/confirm.txt: %w", err)
	}
	return nil
}

// rateKey keys the per-IP limit; IPv6 peers by their /64, which one user
// typically holds whole.
func rateKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// validToken reports whether t looks like one of our tokens, saving a
// query for junk. Unknown and malformed tokens get the same 404 page.
func validToken(t string) bool {
	if len(t) < 16 || len(t) > 64 {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
