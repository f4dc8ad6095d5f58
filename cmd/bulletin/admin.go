package main

import (
	"bulletin/internal/web"

	"github.com/alexedwards/scs/pgxstore"
)

// wireAdmin gives the admin UI (issue 9) its stores. A page whose store is
// not set here is neither routed nor shown in the navigation.
func (m *Main) wireAdmin(srv *web.Server) {
	srv.Sessions = pgxstore.New(m.DB.Pool)
	srv.Captured = m.DB
	srv.Users = m.DB
	srv.AdminItems = m.DB
	srv.AdminFailures = m.DB
	srv.AdminUsers = m.DB
	srv.Inbound = m.inboundPages() // inbound.go; nil without an inbound domain
	srv.TemplatesInUse = m.Config.TemplatesDir
}
