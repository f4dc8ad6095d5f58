package web

import (
	"net/http"
	"strings"

	"bulletin/internal/bulletin"
)

// Who may call a route: anyone, or a logged-in user holding at least a role.
const (
	anyone      = ""
	contributor = bulletin.RoleContributor
	editor      = bulletin.RoleEditor
	admin       = bulletin.RoleAdmin
)

// route is one line of the route table.
type route struct {
	Pattern string // "METHOD /path"
	Role    string // the least role; anyone for public routes
	Handler http.Handler
}

// isAPI reports whether the route answers in JSON (401/403 bodies) rather
// than with pages (login redirect, 403 page).
func (rt route) isAPI() bool { return strings.Contains(rt.Pattern, " /api/") }

// routes registers the table, wrapping each route in its role check.
func (s *Server) routes(mux *http.ServeMux) {
	s.table = s.routeTable()
	for _, rt := range s.table {
		h := rt.Handler
		switch {
		case rt.Role == anyone:
		case rt.isAPI():
			h = s.apiRole(rt.Role, h)
		default:
			h = s.role(rt.Role, h)
		}
		mux.Handle(rt.Pattern, h)
	}
}

// routeTable lists every route of the service and who may call it: the one
// place to look. Parts whose service main did not wire are left out.
func (s *Server) routeTable() []route {
	var t []route
	add := func(pattern, role string, h http.HandlerFunc) { t = append(t, route{pattern, role, h}) }
	add("GET /healthz", anyone, s.handleHealthz)
	add("GET /api/v1/openapi.json", anyone, s.handleOpenAPI)
	t = append(t, route{"GET /static/", anyone, s.static()})
	add("GET /favicon.ico", anyone, s.handleFavicon)
	if s.Metrics != nil {
		t = append(t, route{"GET /metrics", anyone, s.metricsAuth(s.Metrics)})
	}

	if s.Issues != nil && s.Compiler != nil {
		add("POST /api/v1/newsletters/{nl}/issues", editor, s.handleIssueCompile)
	}
	if s.Issues != nil { // api_issues.go
		add("GET /api/v1/newsletters/{nl}/issues", editor, s.handleIssueList)
		add("GET /api/v1/newsletters/{nl}/issues/{number}", editor, s.handleIssueGet)
		add("GET /api/v1/newsletters/{nl}/issues/{number}/preview", editor, s.handleIssuePreview)
		add("POST /api/v1/newsletters/{nl}/issues/{number}/cancel", editor, s.handleIssueCancel)
		add("POST /api/v1/newsletters/{nl}/issues/{number}/schedule", editor, s.handleIssueScheduleAPI)
		add("POST /api/v1/newsletters/{nl}/issues/{number}/unschedule", editor, s.handleIssueUnscheduleAPI)
		add("POST /api/v1/newsletters/{nl}/issues/{number}/render", editor, s.handleIssueRender)
	}
	if s.Issues != nil && s.Delivery != nil { // api_delivery.go
		add("POST /api/v1/newsletters/{nl}/issues/{number}/send", editor, s.handleIssueSend)
		add("POST /api/v1/newsletters/{nl}/issues/{number}/test", editor, s.handleIssueTest)
	}
	if s.Items != nil { // api_items.go, api_items_review.go
		add("POST /api/v1/items", contributor, s.handleItemCreate)
		add("GET /api/v1/items", contributor, s.handleItemList)
		add("GET /api/v1/items/{id}", contributor, s.handleItemGet)
		add("PATCH /api/v1/items/{id}", contributor, s.handleItemPatch)
		add("DELETE /api/v1/items/{id}", contributor, s.handleItemDelete)
		add("POST /api/v1/items/{id}/approve", editor, s.handleItemApprove)
		add("POST /api/v1/items/{id}/reject", editor, s.handleItemReject)
	}
	if s.Newsletters != nil { // api_newsletters.go, api_sections.go
		add("GET /api/v1/newsletters", contributor, s.handleNewsletterList)
		add("POST /api/v1/newsletters", admin, s.handleNewsletterCreate)
		add("GET /api/v1/newsletters/{nl}", contributor, s.handleNewsletterGet)
		add("PATCH /api/v1/newsletters/{nl}", admin, s.handleNewsletterPatch)
		add("GET /api/v1/newsletters/{nl}/sections", contributor, s.handleSectionList)
		add("POST /api/v1/newsletters/{nl}/sections", admin, s.handleSectionCreate)
		add("PATCH /api/v1/newsletters/{nl}/sections/{slug}", admin, s.handleSectionPatch)
	}
	if s.Accounts != nil { // api_accounts.go, api_tokens.go
		add("GET /api/v1/users", admin, s.handleAPIUserList)
		add("POST /api/v1/users", admin, s.handleAPIUserCreate)
		add("PATCH /api/v1/users/{id}", admin, s.handleAPIUserPatch)
		add("DELETE /api/v1/users/{id}", admin, s.handleAPIUserDelete)
		add("GET /api/v1/tokens", contributor, s.handleAPITokenList)
		add("POST /api/v1/tokens", contributor, s.handleAPITokenCreate)
		add("DELETE /api/v1/tokens/{id}", contributor, s.handleAPITokenDelete)
	}
	if s.Lists != nil && s.Subscribers != nil { // public_*.go, api_lists.go, api_subscribers.go
		add("GET /subscribe/{list}", anyone, s.handleSubscribeForm)
		add("POST /subscribe/{list}", anyone, s.handleSubscribe)
		add("GET /confirm/{token}", anyone, s.handleConfirmPage) // shows a button: scanners fetch links
		add("POST /confirm/{token}", anyone, s.handleConfirm)
		add("GET /unsubscribe/{token}", anyone, s.handleUnsubscribePage)
		add("POST /unsubscribe/{token}", anyone, s.handleUnsubscribe) // RFC 8058 one-click
		add("GET /preferences/{token}", anyone, s.handlePreferencesForm)
		add("POST /preferences/{token}", anyone, s.handlePreferences)
		add("GET /api/v1/lists", admin, s.handleListIndex)
		add("POST /api/v1/lists", admin, s.handleListCreate)
		add("GET /api/v1/lists/{list}", admin, s.handleListGet)
		add("PATCH /api/v1/lists/{list}", admin, s.handleListUpdate)
		add("DELETE /api/v1/lists/{list}", admin, s.handleListDelete)
		add("POST /api/v1/lists/{list}/subscribers", contributor, s.handleSubscriberAdd)
		add("POST /api/v1/lists/{list}/subscribers/import", admin, s.handleSubscriberImport)
		add("GET /api/v1/lists/{list}/subscribers/export", admin, s.handleSubscriberExport)
		add("GET /api/v1/subscribers", admin, s.handleSubscriberFind)
		add("DELETE /api/v1/subscribers/{id}", admin, s.handleSubscriberErase)
	}

	if s.Clicks != nil && s.ClickTargets != nil { // redirect.go: answered by clickFront, listed here
		add("GET /r/{issue}/{link}", anyone, s.handleRedirect)
		add("GET /o/{pixel}", anyone, s.handlePixel)
	}
	if s.Counting != nil && s.Newsletters != nil { // privacy.go
		add("GET /privacy/{nl}", anyone, s.handlePrivacy)
	}

	if a := s.newArchive(); a != nil { // the public archive (archive*.go)
		add("GET /{$}", anyone, a.handleRoot)
		add("GET /archive/{$}", anyone, a.handleRoot)
		add("GET /archive/{nl}/{$}", anyone, a.handleIndex)
		add("GET /archive/{nl}/{yyyy}/{mm}/{$}", anyone, a.handleMonth)
		add("GET /archive/{nl}/{number}", anyone, a.handleIssue)
		add("GET /archive/{nl}/{number}/email", anyone, a.handleEmail)
		add("GET /archive/{nl}/feed.atom", anyone, a.handleFeed)
		add("GET /archive/{nl}/search", anyone, a.handleSearch)
		add("GET /archive/{nl}/{rest...}", anyone, a.handleUnknown)
	}

	if s.Newsletters != nil { // contribute_public.go: how to contribute, for anyone
		add("GET /contribute/{nl}", anyone, s.handleContributeInfo)
		add("GET /brand/{nl}/style.css", anyone, s.handleBrandStyle) // public_brand.go
	}

	if s.sessions == nil {
		return t
	}
	// Logins, then the admin and contributor pages.
	add("GET /login", anyone, s.handleLoginForm)
	add("POST /login", anyone, s.handleLogin)
	add("POST /logout", anyone, s.handleLogout)
	add("GET /admin/login", anyone, func(w http.ResponseWriter, r *http.Request) {
		to := "/login"
		if r.URL.RawQuery != "" {
			to += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
	t = append(t, route{"GET /admin", anyone, http.RedirectHandler("/admin/", http.StatusSeeOther)})
	add("GET /admin/{$}", editor, s.handleDashboard)
	if s.Items != nil && s.Newsletters != nil {
		add("GET /contribute", contributor, s.handleContributeForm)
		add("POST /contribute", contributor, s.handleContribute)
		add("GET /admin/items", editor, s.handleQueue)
		add("GET /admin/items/{id}/edit", editor, s.handleQueueEditForm)
		add("POST /admin/items/{id}/edit", editor, s.handleQueueEdit)
		add("POST /admin/items/{id}/approve", editor, s.handleQueueApprove)
		add("POST /admin/items/{id}/reject", editor, s.handleQueueReject)
		add("POST /admin/items/{id}/move", editor, s.handleQueueMove)
	}
	if s.Issues != nil && s.Compiler != nil {
		add("GET /admin/issues", editor, s.handleIssues)
		add("POST /admin/issues/{nl}/compile", editor, s.handleIssueCompileNow)
		add("GET /admin/issues/{nl}/{number}", editor, s.handleIssue)
		add("POST /admin/issues/{nl}/{number}/cancel", editor, s.handleIssueCancelNow)
		add("GET /admin/issues/{nl}/compile", editor, s.handleIssueCompileConfirm)
		add("POST /admin/issues/{nl}/{number}/schedule", editor, s.handleIssueSchedule)
		add("POST /admin/issues/{nl}/{number}/unschedule", editor, s.handleIssueUnschedule)
	}
	if s.Issues != nil && s.Delivery != nil {
		add("GET /admin/issues/{nl}/{number}/send", editor, s.handleIssueSendConfirm)
		add("POST /admin/issues/{nl}/{number}/send", editor, s.handleIssueSendNow)
		add("POST /admin/issues/{nl}/{number}/test", editor, s.handleIssueTestSend)
	}
	if s.Accounts != nil {
		add("GET /admin/users", admin, s.handleUsers)
		add("POST /admin/users", admin, s.handleUserCreate)
		add("GET /admin/users/{id}", admin, s.handleUser)
		add("POST /admin/users/{id}", admin, s.handleUserUpdate)
		add("POST /admin/users/{id}/delete", admin, s.handleUserDelete)
		add("POST /admin/users/{id}/tokens", admin, s.handleTokenCreate)
		add("POST /admin/users/{id}/tokens/{token}/revoke", admin, s.handleTokenRevoke)
	}
	if s.Accounts != nil && s.AccountLinks != nil { // account_links.go, settings.go
		add("GET /login/forgot", anyone, s.handleForgotForm)
		add("POST /login/forgot", anyone, s.handleForgot)
		add("GET /reset/{token}", anyone, s.handleLinkForm(bulletin.LinkReset))
		add("POST /reset/{token}", anyone, s.handleLinkUse(bulletin.LinkReset))
		add("GET /invite/{token}", anyone, s.handleLinkForm(bulletin.LinkInvite))
		add("POST /invite/{token}", anyone, s.handleLinkUse(bulletin.LinkInvite))
		add("GET /admin/users/invite", admin, s.handleInviteForm)
		add("POST /admin/users/invite", admin, s.handleInvite)
		add("GET /admin/settings", contributor, s.handleSettings)
		add("POST /admin/settings", contributor, s.handleSettingsSave)
		add("POST /admin/settings/password", contributor, s.handleSettingsPassword)
		add("POST /admin/settings/tokens", contributor, s.handleSettingsTokenCreate)
		add("POST /admin/settings/tokens/{token}/revoke", contributor, s.handleSettingsTokenRevoke)
	}
	if s.Newsletters != nil {
		add("GET /admin/newsletters", admin, s.handleNewsletters)
		add("POST /admin/newsletters", admin, s.handleNewsletterAdd)
		add("GET /admin/newsletters/{nl}", admin, s.handleNewsletter)
		add("POST /admin/newsletters/{nl}", admin, s.handleNewsletterSave)
		add("POST /admin/newsletters/{nl}/sections", admin, s.handleSectionAdd)
		if s.Counting != nil {
			add("POST /admin/newsletters/{nl}/counting", admin, s.handleCountingSave) // privacy.go
		}
	}
	if s.Lists != nil && s.Subscribers != nil {
		add("GET /admin/lists", admin, s.handleLists)
		add("POST /admin/lists", admin, s.handleListAdd)
		add("POST /admin/lists/{list}", admin, s.handleListSave)
		add("POST /admin/lists/{list}/delete", admin, s.handleListRemove)
		add("POST /admin/lists/{list}/import", admin, s.handleListImport)
		add("GET /admin/imports/{id}", admin, s.handleImport)
		add("GET /admin/subscribers", admin, s.handleSubscribers)
		add("POST /admin/subscribers", admin, s.handleSubscriberAddForm)
		add("POST /admin/subscribers/{id}/erase", admin, s.handleSubscriberEraseForm)
		if s.SubscriberRecords != nil {
			add("GET /admin/subscribers/{id}", admin, s.handleSubscriberRecord)
		}
	}
	for _, provider := range []string{"ses", "postmark"} {
		if h := s.Webhooks[provider]; h != nil { // internal/webhook: signature or shared secret
			t = append(t, route{"POST /webhooks/" + provider, anyone, h})
		}
	}
	if s.Reports != nil { // admin_reports.go, api_report.go
		add("GET /api/v1/newsletters/{nl}/issues/{number}/report", editor, s.handleIssueReportAPI)
		add("GET /api/v1/lists/{list}/growth", editor, s.handleListGrowthAPI)
		add("GET /admin/reports", editor, s.handleReports)
		add("GET /admin/issues/{nl}/{number}/report", editor, s.handleIssueReport)
		add("GET /admin/issues/{nl}/{number}/report.csv", editor, s.handleIssueReportCSV)
	}
	if s.Inbound != nil { // admin_inbound.go
		add("GET /admin/inbound/{$}", editor, s.handleInboundList)
		add("GET /admin/inbound/{id}", editor, s.handleInboundShow)
		add("POST /admin/inbound/{id}/process", editor, s.handleInboundProcess)
		add("POST /admin/inbound/{id}/item", editor, s.handleInboundItem)
	}
	if s.Captured != nil {
		add("GET /admin/captured/{$}", editor, s.handleCapturedList)
		add("GET /admin/captured/{id}", editor, s.handleCapturedShow)
		add("GET /admin/captured/{id}/html", editor, s.handleCapturedHTML)
	}
	return t
}
