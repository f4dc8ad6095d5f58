package main

import (
	"bulletin/internal/inbound"
	"bulletin/internal/web"

	"github.com/alexedwards/scs/pgxstore"
)

// wireAdmin gives the web server the services the admin pages share with
// the API, logins and the capture. A route whose service is not set here
// is neither routed nor shown in the navigation.
func (m *Main) wireAdmin(srv *web.Server) {
	srv.Sessions = pgxstore.New(m.DB.Pool)
	srv.Captured = m.DB
	srv.Users = m.DB
	srv.Lists = m.DB
	srv.Reports = m.DB             // issue reports and list growth (issue 15)
	srv.Inbound = m.inboundPages() // inbound.go; nil without an inbound domain
	if d := m.Config.Inbound.Domain; d != "" {
		srv.ContributeAddress = inbound.Addresses{Domain: d}.Contribute
	}
	srv.TemplatesInUse = m.Config.TemplatesDir
}
