// Package web serves Bulletin over HTTP: the public archive and subscriber
// pages, the admin UI and the JSON API. Every route is in routes.go. The
// package declares the small interfaces it needs; main wires the store in.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"bulletin/internal/archivecache"

	"github.com/alexedwards/scs/v2"
)

// Pinger is what /healthz needs.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds the dependencies of every handler. Fields are set by main.
type Server struct {
	Log       *slog.Logger
	BaseURL   string // public URL, no trailing slash
	Templates fs.FS  // templates/ (web/… is used here)
	Health    Pinger
	Archive   ArchiveStore  // the public archive; nil serves none
	Issues    IssueStore    // api_issues.go
	Compiler  IssueCompiler // api_issues.go
	Delivery  Sender        // api_delivery.go; nil: no send routes
	Metrics   http.Handler  // GET /metrics (a registry made by main); nil: none

	// ArchiveCache serves archive pages from memory; nil builds each one.
	// main keeps it in step with the database (archivecache.Watch).
	ArchiveCache *archivecache.Cache

	Tokens      TokenStore      // bearer auth of the JSON API
	Items       ItemStore       // items API
	Newsletters NewsletterStore // newsletters and sections API
	Accounts    AccountStore    // users and tokens API

	// Lists and subscribers (subscribers.go). ConfirmMailer sends double
	// opt-in confirmation emails; nil logs them as unsendable.
	Subscribers   SubscriberStore
	ConfirmMailer ConfirmMailer

	// Admin UI (issue 9): logins and the pages' stores.
	Sessions      scs.Store    // the sessions table (scs pgxstore); nil = no logins
	Users         SessionUsers // password check and session users
	Captured      CapturedMessages
	AdminItems    ItemPages // review queue and /contribute
	AdminFailures DeliveryFailures
	AdminUsers    UserPages
	// TemplatesInUse names the templates folder for the newsletters page
	// ("" = built-in).
	TemplatesInUse string

	pages        *pages
	subs         *subscriberState
	sessions     *scs.SessionManager
	imports      importJobs
	loginByIP    *failLimiter
	loginByEmail *failLimiter
}

// Handler parses the web templates and returns the root handler with every
// route and middleware. A template that does not parse is an error here, so
// the service fails at start.
func (s *Server) Handler() (http.Handler, error) {
	p, err := loadPages(s.Templates)
	if err != nil {
		return nil, err
	}
	s.pages = p
	if err := s.initSubscribers(); err != nil {
		return nil, err
	}
	s.sessions = s.newSessions()
	s.loginByIP, s.loginByEmail = newFailLimiter(20, 15*time.Minute), newFailLimiter(5, 15*time.Minute)
	mux := http.NewServeMux()
	s.routes(mux)
	// Cross-origin POSTs are refused (CSRF) by Fetch metadata, except the
	// RFC 8058 one-click unsubscribe, which mailbox providers POST from
	// anywhere without cookies.
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("POST /unsubscribe/{token}")
	return s.archiveFront(s.recoverer(s.logRequests(cop.Handler(s.sessionAuth(s.bearerAuth(mux)))))), nil
}
