package web

import "net/http"

// dashboardView holds what the dashboard shows; each part is filled when
// its store is wired.
type dashboardView struct {
	User any
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	s.adminPage(w, r, http.StatusOK, "admin/dashboard.html", "Dashboard", dashboardView{User: currentUser(r)})
}
