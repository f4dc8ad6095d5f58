package web

import (
	"net/http"
	"strconv"
	"time"

	"bulletin/internal/bulletin"
)

type issueRow struct {
	bulletin.Issue
	Counts bulletin.Counts
}

type issuesView struct {
	Newsletter  string
	Newsletters []*bulletin.Newsletter
	Issues      []issueRow
}

// newsletterParam is the newsletter a page is about: ?newsletter=, else the
// default one, else the first.
func (s *Server) newsletterParam(r *http.Request) (string, []*bulletin.Newsletter, error) {
	nl := r.URL.Query().Get("newsletter")
	if s.Newsletters == nil {
		if nl == "" {
			nl = bulletin.DefaultNewsletterSlug
		}
		return nl, nil, nil
	}
	nls, err := s.Newsletters.FindNewsletters(r.Context())
	if err != nil {
		return "", nil, err
	}
	for _, n := range nls {
		if nl == "" && n.IsDefault {
			nl = n.Slug
		}
	}
	if nl == "" && len(nls) > 0 {
		nl = nls[0].Slug
	}
	return nl, nls, nil
}

func (s *Server) handleIssues(w http.ResponseWriter, r *http.Request) {
	nl, nls, err := s.newsletterParam(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := issuesView{Newsletter: nl, Newsletters: nls}
	list, err := s.Issues.FindIssues(r.Context(), nl)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for i, is := range list {
		row := issueRow{Issue: is}
		if i < 50 { // counts for the recent ones; old issues are history
			if row.Counts, err = s.Issues.IssueCounts(r.Context(), is.ID); err != nil {
				s.pageError(w, r, err)
				return
			}
		}
		v.Issues = append(v.Issues, row)
	}
	s.adminPage(w, r, http.StatusOK, "admin/issues.html", "Issues", v)
}

// handleIssueCompileNow compiles the next issue and opens it; with nothing
// to compile the list says why.
func (s *Server) handleIssueCompileNow(w http.ResponseWriter, r *http.Request) {
	nl := r.PathValue("nl")
	auto, err := s.autoSend(r.Context(), nl)
	if err != nil {
		s.actionError(w, r, err, "/admin/issues?newsletter="+nl, "Back to the issues")
		return
	}
	if auto && !confirmed(r) {
		// Compiling an auto-send newsletter mails the issue at once: show
		// what would go out first.
		http.Redirect(w, r, "/admin/issues/"+nl+"/compile", http.StatusSeeOther)
		return
	}
	is, err := s.Compiler.Compile(r.Context(), nl, nil, false)
	if err != nil {
		if code := bulletin.ErrorCode(err); code == bulletin.ECONFLICT || code == bulletin.EUNPROCESSABLE {
			s.flash(r, "Nothing compiled: %s", bulletin.ErrorMessage(err))
			http.Redirect(w, r, "/admin/issues?newsletter="+nl, http.StatusSeeOther)
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Compiled issue %d: %s", is.Number, is.Subject)
	http.Redirect(w, r, issuePath(nl, is.Number), http.StatusSeeOther)
}

type issueView struct {
	Newsletter string
	Issue      *bulletin.Issue
	Items      []bulletin.Item
	Counts     bulletin.Counts
	Failures   []bulletin.DeliveryFailure
	CanSend    bool // the delivery service is wired
	Percent    int
	Stalled    bool   // sending, but paused by the sender alarm: Resume shows
	Zone       string // the newsletter's time zone, for the schedule form
	ScheduleAt string // the schedule form's value (datetime-local) in Zone
	MinAt      string
}

func (s *Server) handleIssue(w http.ResponseWriter, r *http.Request) {
	nl := r.PathValue("nl")
	is, ok := s.adminIssue(w, r)
	if !ok {
		return
	}
	v := issueView{Newsletter: nl, Issue: is, CanSend: s.Delivery != nil}
	var err error
	if v.Items, err = s.Issues.FindIssueItems(r.Context(), is.ID); err == nil {
		v.Counts, err = s.Issues.IssueCounts(r.Context(), is.ID)
	}
	if err == nil && v.Counts.Failed > 0 {
		v.Failures, err = s.Issues.FindDeliveryFailures(r.Context(), is.ID, 200)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if err := s.issueSchedule(r, &v); err != nil {
		s.pageError(w, r, err)
		return
	}
	if is.Status == bulletin.IssueSending && s.Delivery != nil {
		p, err := s.Delivery.IssueProgress(r.Context(), is.ID)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		v.Stalled = p.Paused
	}
	if v.Counts.Total > 0 {
		v.Percent = 100 * (v.Counts.Sent + v.Counts.Failed) / v.Counts.Total
	}
	s.adminPage(w, r, http.StatusOK, "admin/issue.html", is.Subject, v)
}

func (s *Server) handleIssueCancelNow(w http.ResponseWriter, r *http.Request) {
	n, ok := issueNum(w, r)
	if !ok {
		return
	}
	is, err := s.Issues.CancelIssue(r.Context(), r.PathValue("nl"), n)
	if err != nil {
		s.actionError(w, r, err, issuePath(r.PathValue("nl"), n), "Back to the issue")
		return
	}
	s.flash(r, "Issue %d is cancelled; its items are back in the queue.", is.Number)
	http.Redirect(w, r, issuePath(r.PathValue("nl"), n), http.StatusSeeOther)
}

func (s *Server) handleIssueSendNow(w http.ResponseWriter, r *http.Request) {
	n, ok := issueNum(w, r)
	if !ok {
		return
	}
	if !confirmed(r) {
		// Only the confirmation page's form sends.
		http.Redirect(w, r, issuePath(r.PathValue("nl"), n)+"/send", http.StatusSeeOther)
		return
	}
	count, err := s.Delivery.Send(r.Context(), r.PathValue("nl"), n)
	if err != nil {
		s.actionError(w, r, err, issuePath(r.PathValue("nl"), n), "Back to the issue")
		return
	}
	// The fan-out may go on after this answer: the progress bar counts the rest.
	s.flash(r, "Sending issue %d: %d deliveries created so far.", n, count)
	http.Redirect(w, r, issuePath(r.PathValue("nl"), n), http.StatusSeeOther)
}

func (s *Server) handleIssueTestSend(w http.ResponseWriter, r *http.Request) {
	n, ok := issueNum(w, r)
	if !ok {
		return
	}
	email := r.PostFormValue("email")
	if email == "" {
		email = currentUser(r).Email
	}
	reply, err := s.Delivery.SendTest(r.Context(), r.PathValue("nl"), n, email)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(r, "Test copy sent to %s (server: %s)", email, reply)
	http.Redirect(w, r, issuePath(r.PathValue("nl"), n), http.StatusSeeOther)
}

func (s *Server) adminIssue(w http.ResponseWriter, r *http.Request) (*bulletin.Issue, bool) {
	n, ok := issueNum(w, r)
	if !ok {
		return nil, false
	}
	is, err := s.Issues.FindIssueByNumber(r.Context(), r.PathValue("nl"), n)
	if err != nil {
		s.pageError(w, r, err)
		return nil, false
	}
	return is, true
}

func issueNum(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil || n <= 0 {
		http.NotFound(w, r)
		return 0, false
	}
	return n, true
}

func issuePath(nl string, n int) string {
	return "/admin/issues/" + nl + "/" + strconv.Itoa(n)
}

// issueSchedule fills the schedule form: the newsletter's zone, and the
// issue's send time (or an hour from now) in it.
func (s *Server) issueSchedule(r *http.Request, v *issueView) error {
	loc := time.UTC
	if s.Newsletters != nil {
		n, err := s.Newsletters.FindNewsletterBySlug(r.Context(), v.Newsletter)
		if err != nil {
			return err
		}
		loc = n.Location()
	}
	at := time.Now().Add(time.Hour)
	if v.Issue.ScheduledAt != nil {
		at = *v.Issue.ScheduledAt
	}
	v.Zone = loc.String()
	v.ScheduleAt = at.In(loc).Format("2006-01-02T15:04")
	v.MinAt = time.Now().In(loc).Format("2006-01-02T15:04")
	return nil
}
