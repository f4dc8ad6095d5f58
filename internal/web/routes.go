package web

import (
	"net/http"

	"bulletin/internal/bulletin"
)

// routes lists every route of the service in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.Handle("GET /static/", s.static())

	// Issues (api_issues.go): compile now, list, read, preview, cancel, render again.
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues", s.handleIssueCompile)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues", s.handleIssueList)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues/{number}", s.handleIssueGet)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/issues/{number}/preview", s.handleIssuePreview)
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/cancel", s.handleIssueCancel)

	// Delivery (api_delivery.go) and Prometheus metrics, when main wired them.
	if s.Delivery != nil {
		mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/send", s.handleIssueSend)
		mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/test", s.handleIssueTest)
	}
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics)
	}
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/issues/{number}/render", s.handleIssueRender)

	// Items, newsletters, sections (api_items.go, api_newsletters.go, api_sections.go).
	mux.HandleFunc("POST /api/v1/items", s.handleItemCreate)
	mux.HandleFunc("GET /api/v1/items", s.handleItemList)
	mux.HandleFunc("GET /api/v1/items/{id}", s.handleItemGet)
	mux.HandleFunc("PATCH /api/v1/items/{id}", s.handleItemPatch)
	mux.HandleFunc("DELETE /api/v1/items/{id}", s.handleItemDelete)
	mux.HandleFunc("POST /api/v1/items/{id}/approve", s.handleItemApprove)
	mux.HandleFunc("POST /api/v1/items/{id}/reject", s.handleItemReject)
	mux.HandleFunc("GET /api/v1/newsletters", s.handleNewsletterList)
	mux.HandleFunc("POST /api/v1/newsletters", s.handleNewsletterCreate)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}", s.handleNewsletterGet)
	mux.HandleFunc("PATCH /api/v1/newsletters/{nl}", s.handleNewsletterPatch)
	mux.HandleFunc("GET /api/v1/newsletters/{nl}/sections", s.handleSectionList)
	mux.HandleFunc("POST /api/v1/newsletters/{nl}/sections", s.handleSectionCreate)
	mux.HandleFunc("PATCH /api/v1/newsletters/{nl}/sections/{slug}", s.handleSectionPatch)
	mux.HandleFunc("GET /api/v1/users", s.handleAPIUserList)
	mux.HandleFunc("POST /api/v1/users", s.handleAPIUserCreate)
	mux.HandleFunc("PATCH /api/v1/users/{id}", s.handleAPIUserPatch)
	mux.HandleFunc("DELETE /api/v1/users/{id}", s.handleAPIUserDelete)
	mux.HandleFunc("GET /api/v1/tokens", s.handleAPITokenList)
	mux.HandleFunc("POST /api/v1/tokens", s.handleAPITokenCreate)
	mux.HandleFunc("DELETE /api/v1/tokens/{id}", s.handleAPITokenDelete)

	// Lists and subscribers: public pages, then the JSON API.
	mux.HandleFunc("GET /subscribe/{list}", s.handleSubscribeForm)
	mux.HandleFunc("POST /subscribe/{list}", s.handleSubscribe)
	mux.HandleFunc("GET /confirm/{token}", s.handleConfirmPage) // shows a button: scanners fetch links
	mux.HandleFunc("POST /confirm/{token}", s.handleConfirm)
	mux.HandleFunc("GET /unsubscribe/{token}", s.handleUnsubscribePage)
	mux.HandleFunc("POST /unsubscribe/{token}", s.handleUnsubscribe) // RFC 8058 one-click
	mux.HandleFunc("GET /preferences/{token}", s.handlePreferencesForm)
	mux.HandleFunc("POST /preferences/{token}", s.handlePreferences)
	mux.HandleFunc("GET /api/v1/lists", s.handleListIndex)
	mux.HandleFunc("POST /api/v1/lists", s.handleListCreate)
	mux.HandleFunc("GET /api/v1/lists/{list}", s.handleListGet)
	mux.HandleFunc("PATCH /api/v1/lists/{list}", s.handleListUpdate)
	mux.HandleFunc("DELETE /api/v1/lists/{list}", s.handleListDelete)
	mux.HandleFunc("POST /api/v1/lists/{list}/subscribers", s.handleSubscriberAdd)
	mux.HandleFunc("POST /api/v1/lists/{list}/subscribers/import", s.handleSubscriberImport)
	mux.HandleFunc("GET /api/v1/lists/{list}/subscribers/export", s.handleSubscriberExport)
	mux.HandleFunc("GET /api/v1/subscribers", s.handleSubscriberFind)
	mux.HandleFunc("DELETE /api/v1/subscribers/{id}", s.handleSubscriberErase)

	if a := s.newArchive(); a != nil { // the public archive (archive*.go)
		mux.HandleFunc("GET /{$}", a.handleRoot)
		mux.HandleFunc("GET /archive/{$}", a.handleRoot)
		mux.HandleFunc("GET /archive/{nl}/{$}", a.handleIndex)
		mux.HandleFunc("GET /archive/{nl}/{yyyy}/{mm}/{$}", a.handleMonth)
		mux.HandleFunc("GET /archive/{nl}/{number}", a.handleIssue)
		mux.HandleFunc("GET /archive/{nl}/{number}/email", a.handleEmail)
		mux.HandleFunc("GET /archive/{nl}/feed.atom", a.handleFeed)
		mux.HandleFunc("GET /archive/{nl}/search", a.handleSearch)
		mux.HandleFunc("GET /archive/{nl}/{rest...}", a.handleUnknown)
	}

	// Admin and contributor UI (issue 9). Each page names the least role it
	// needs; pages whose store is not wired are not routed.
	if s.sessions != nil {
		mux.HandleFunc("GET /login", s.handleLoginForm)
		mux.HandleFunc("POST /login", s.handleLogin)
		mux.HandleFunc("POST /logout", s.handleLogout)
		mux.HandleFunc("GET /admin/login", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/login?"+r.URL.RawQuery, http.StatusSeeOther)
		})
		mux.Handle("GET /admin", http.RedirectHandler("/admin/", http.StatusSeeOther))
		mux.Handle("GET /admin/{$}", s.role(bulletin.RoleEditor, s.handleDashboard))
		if s.AdminItems != nil {
			mux.Handle("GET /contribute", s.role(bulletin.RoleContributor, s.handleContributeForm))
			mux.Handle("POST /contribute", s.role(bulletin.RoleContributor, s.handleContribute))
			mux.Handle("GET /admin/items", s.role(bulletin.RoleEditor, s.handleQueue))
			mux.Handle("GET /admin/items/{id}/edit", s.role(bulletin.RoleEditor, s.handleQueueEditForm))
			mux.Handle("POST /admin/items/{id}/edit", s.role(bulletin.RoleEditor, s.handleQueueEdit))
			mux.Handle("POST /admin/items/{id}/approve", s.role(bulletin.RoleEditor, s.handleQueueApprove))
			mux.Handle("POST /admin/items/{id}/reject", s.role(bulletin.RoleEditor, s.handleQueueReject))
			mux.Handle("POST /admin/items/{id}/move", s.role(bulletin.RoleEditor, s.handleQueueMove))
		}
		if s.Issues != nil && s.Compiler != nil {
			mux.Handle("GET /admin/issues", s.role(bulletin.RoleEditor, s.handleIssues))
			mux.Handle("POST /admin/issues/{nl}/compile", s.role(bulletin.RoleEditor, s.handleIssueCompileNow))
			mux.Handle("GET /admin/issues/{nl}/{number}", s.role(bulletin.RoleEditor, s.handleIssue))
			mux.Handle("POST /admin/issues/{nl}/{number}/cancel", s.role(bulletin.RoleEditor, s.handleIssueCancelNow))
		}
		if s.Issues != nil && s.Delivery != nil {
			mux.Handle("POST /admin/issues/{nl}/{number}/send", s.role(bulletin.RoleEditor, s.handleIssueSendNow))
			mux.Handle("POST /admin/issues/{nl}/{number}/test", s.role(bulletin.RoleEditor, s.handleIssueTestSend))
		}
		if s.AdminUsers != nil {
			mux.Handle("GET /admin/users", s.role(bulletin.RoleAdmin, s.handleUsers))
			mux.Handle("POST /admin/users", s.role(bulletin.RoleAdmin, s.handleUserCreate))
			mux.Handle("GET /admin/users/{id}", s.role(bulletin.RoleAdmin, s.handleUser))
			mux.Handle("POST /admin/users/{id}", s.role(bulletin.RoleAdmin, s.handleUserUpdate))
			mux.Handle("POST /admin/users/{id}/delete", s.role(bulletin.RoleAdmin, s.handleUserDelete))
			mux.Handle("POST /admin/users/{id}/tokens", s.role(bulletin.RoleAdmin, s.handleTokenCreate))
			mux.Handle("POST /admin/users/{id}/tokens/{token}/revoke", s.role(bulletin.RoleAdmin, s.handleTokenRevoke))
		}
		if s.Newsletters != nil {
			mux.Handle("GET /admin/newsletters", s.role(bulletin.RoleAdmin, s.handleNewsletters))
			mux.Handle("POST /admin/newsletters", s.role(bulletin.RoleAdmin, s.handleNewsletterAdd))
			mux.Handle("GET /admin/newsletters/{nl}", s.role(bulletin.RoleAdmin, s.handleNewsletter))
			mux.Handle("POST /admin/newsletters/{nl}", s.role(bulletin.RoleAdmin, s.handleNewsletterSave))
			mux.Handle("POST /admin/newsletters/{nl}/sections", s.role(bulletin.RoleAdmin, s.handleSectionAdd))
		}
		if s.Subscribers != nil {
			mux.Handle("GET /admin/lists", s.role(bulletin.RoleAdmin, s.handleLists))
			mux.Handle("POST /admin/lists", s.role(bulletin.RoleAdmin, s.handleListAdd))
			mux.Handle("POST /admin/lists/{list}", s.role(bulletin.RoleAdmin, s.handleListSave))
			mux.Handle("POST /admin/lists/{list}/delete", s.role(bulletin.RoleAdmin, s.handleListRemove))
			mux.Handle("POST /admin/lists/{list}/import", s.role(bulletin.RoleAdmin, s.handleListImport))
			mux.Handle("GET /admin/imports/{id}", s.role(bulletin.RoleAdmin, s.handleImport))
			mux.Handle("GET /admin/subscribers", s.role(bulletin.RoleAdmin, s.handleSubscribers))
			mux.Handle("POST /admin/subscribers", s.role(bulletin.RoleAdmin, s.handleSubscriberAddForm))
			mux.Handle("POST /admin/subscribers/{id}/erase", s.role(bulletin.RoleAdmin, s.handleSubscriberEraseForm))
		}
		s.inboundRoutes(mux) // admin_inbound.go
		if s.Captured != nil {
			mux.Handle("GET /admin/captured/{$}", s.role(bulletin.RoleEditor, s.handleCapturedList))
			mux.Handle("GET /admin/captured/{id}", s.role(bulletin.RoleEditor, s.handleCapturedShow))
			mux.Handle("GET /admin/captured/{id}/html", s.role(bulletin.RoleEditor, s.handleCapturedHTML))
		}
	}
}
