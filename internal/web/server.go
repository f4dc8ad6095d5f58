// Package web serves Bulletin over HTTP: the public archive and subscriber
// pages, the admin UI and the JSON API. Every route, and who may call it, is
// in routes.go. Handlers parse the request, call one method of a service
// declared in internal/bulletin and write the answer; main wires the store.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"bulletin/internal/archivecache"
	"bulletin/internal/bulletin"
	"bulletin/internal/clicks"
	"bulletin/internal/password"

	"github.com/alexedwards/scs/v2"
)

// Pinger is what /healthz needs.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server holds the dependencies of every handler. Fields are set by main;
// a route whose service is nil is not served.
type Server struct {
	Log       *slog.Logger
	BaseURL   string // public URL, no trailing slash
	Templates fs.FS  // templates/ (web/… is used here)
	Health    Pinger
	Metrics   http.Handler // GET /metrics (a registry made by main)

	// ArchiveCache serves archive pages from memory; nil builds each one.
	// main keeps it in step with the database (archivecache.Watch).
	ArchiveCache *archivecache.Cache

	// Clicks counts link clicks and opens in memory (a service of main's
	// flushes it); ClickTargets resolves /r/ and /o/ ids. Both nil: no
	// redirect routes (redirect.go).
	Clicks       *clicks.Counter
	ClickTargets *clicks.Resolver
	Counting     bulletin.CountingService // the newsletters' click and open switches, /privacy/{nl}

	// The services, one per resource (bulletin/service.go). The JSON API
	// and the admin pages call the same ones.
	Items       bulletin.ItemService
	Issues      bulletin.IssueService
	Compiler    bulletin.IssueCompiler
	Delivery    bulletin.SendingService
	Newsletters bulletin.NewsletterService
	Lists       bulletin.ListService
	Subscribers bulletin.SubscriberService
	// SubscriberRecords serves the admin's subscriber search and pages.
	SubscriberRecords bulletin.SubscriberRecords
	Accounts          bulletin.AccountService
	Archive           ArchiveStore           // the public archive
	Reports           bulletin.ReportService // issue reports and list growth (admin_reports.go)
	// AccountLinks: invitations, password resets and the settings page
	// (account_*.go, settings.go).
	AccountLinks bulletin.AccountLinkService

	Users      SessionUsers     // who is calling: logins, sessions, API tokens
	Sessions   scs.Store        // the sessions table (scs pgxstore); nil = no logins
	Captured   CapturedMessages // the built-in SMTP capture's messages
	ImportJobs ImportJobStore   // uploaded imports run as jobs by the import-jobs service
	Inbound    InboundPages     // admin_inbound.go; nil: no Inbound page
	// ContributeAddress is a newsletter's contribution address
	// (inbound.Addresses.Contribute); nil without an inbound domain.
	ContributeAddress func(slug string, isDefault bool) string
	// Webhooks are the ESP endpoints by provider ("ses", "postmark"),
	// served at POST /webhooks/{provider}; they authenticate themselves.
	Webhooks map[string]http.Handler
	// TemplatesInUse names the templates folder for the newsletters page
	// ("" = built-in).
	TemplatesInUse string

	// Hardening. RateLimits keeps login and form limits in the database,
	// shared by every process (nil: this process only). LoginHashes caps
	// concurrent password checks (0: one per CPU). TrustedProxies may set
	// X-Forwarded-For. MetricsToken, when set, is the bearer token GET
	// /metrics requires.
	RateLimits     RateLimitStore
	LoginHashes    int
	TrustedProxies []netip.Prefix
	MetricsToken   string

	table        []route // routes.go, kept for the OpenAPI document
	pages        *pages
	subs         *subscriberState
	sessions     *scs.SessionManager
	loginByIP    *limiter
	loginByEmail *limiter
	hashes       *password.Gate
	acct         accountLimits // account_links.go
	localLimits  *memoryLimits
	lastSweep    atomic.Int64
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
	s.localLimits = &memoryLimits{hits: map[string]memoryWindow{}}
	if err := s.initSubscribers(); err != nil {
		return nil, err
	}
	s.sessions = s.newSessions()
	s.loginByIP, s.loginByEmail = s.newLimiter("login-ip", 20, 15*time.Minute), s.newLimiter("login-email", 5, 15*time.Minute)
	s.hashes = password.NewGate(s.LoginHashes)
	s.acct = s.newAccountLimits()
	mux := http.NewServeMux()
	s.routes(mux)
	// Cross-origin POSTs are refused (CSRF) by Fetch metadata, except the
	// RFC 8058 one-click unsubscribe, which mailbox providers POST from
	// anywhere without cookies.
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("POST /unsubscribe/{token}")
	// Outermost first: every response gets the header policy, even an
	// edge refusal or a cached archive page; input is checked before
	// anything else reads it. Cached archive pages are answered right after
	// that, without the per-request log line or session lookup: an archive
	// is read in bursts after each send.
	return s.recoverer(s.securityHeaders(s.validInput(s.clickFront(s.archiveFront(s.logRequests(s.resolveClient(
		cop.Handler(s.sessionAuth(s.bearerAuth(mux)))))))))), nil
}
