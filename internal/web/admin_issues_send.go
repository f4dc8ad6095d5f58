package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"bulletin/internal/bulletin"
)

// compilePreviewer is the compiler's dry run (compile.Compiler.Preview):
// the subject the compile confirmation shows. Without it the page says the
// subject is set when compiled.
type compilePreviewer interface {
	Preview(ctx context.Context, newsletter string) (*bulletin.Issue, error)
}

// confirmView is the page before an issue goes out: what, to whom, and a
// form that does it.
type confirmView struct {
	Newsletter string
	Action     string // "send" or "compile"
	PostURL    string
	Back       string
	Subject    string
	Number     int
	Audience   *bulletin.Audience
	AutoSend   bool
}

// handleIssueSendConfirm shows the send confirmation: lists, active
// recipients and subject. Only its POST (with confirm=yes) sends.
func (s *Server) handleIssueSendConfirm(w http.ResponseWriter, r *http.Request) {
	nl := r.PathValue("nl")
	is, ok := s.adminIssue(w, r)
	if !ok {
		return
	}
	back := issuePath(nl, is.Number)
	if is.Status != bulletin.IssueDraft && is.Status != bulletin.IssueScheduled {
		s.actionError(w, r, bulletin.Errorf(bulletin.EUNPROCESSABLE, "issue %d is %s: it can no longer be sent", is.Number, is.Status), back, "Back to the issue")
		return
	}
	a, err := s.Issues.SendAudience(r.Context(), nl)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.adminPage(w, r, http.StatusOK, "admin/issue_confirm.html", "Send issue "+strconv.Itoa(is.Number)+"?", confirmView{
		Newsletter: nl, Action: "send", PostURL: back + "/send", Back: back,
		Subject: is.Subject, Number: is.Number, Audience: a})
}

// handleIssueCompileConfirm shows the compile confirmation of an auto-send
// newsletter, whose compile mails the issue at once.
func (s *Server) handleIssueCompileConfirm(w http.ResponseWriter, r *http.Request) {
	nl := r.PathValue("nl")
	back := "/admin/issues?newsletter=" + nl
	v := confirmView{Newsletter: nl, Action: "compile", PostURL: "/admin/issues/" + nl + "/compile", Back: back, AutoSend: true}
	if p, ok := s.Compiler.(compilePreviewer); ok {
		is, err := p.Preview(r.Context(), nl)
		if err != nil {
			s.actionError(w, r, err, back, "Back to the issues")
			return
		}
		v.Subject, v.Number = is.Subject, is.Number
	}
	a, err := s.Issues.SendAudience(r.Context(), nl)
	if err != nil {
		s.actionError(w, r, err, back, "Back to the issues")
		return
	}
	v.Audience = a
	s.adminPage(w, r, http.StatusOK, "admin/issue_confirm.html", "Compile and send?", v)
}

// autoSend reports whether compiling newsletter nl sends the issue at once.
func (s *Server) autoSend(ctx context.Context, nl string) (bool, error) {
	if s.Newsletters == nil {
		return false, nil
	}
	n, err := s.Newsletters.FindNewsletterBySlug(ctx, nl)
	if err != nil {
		return false, err
	}
	return n.AutoSend, nil
}

// confirmed is true when the form is the confirmation page's.
func confirmed(r *http.Request) bool { return r.PostFormValue("confirm") == "yes" }

// handleIssueSchedule sets or moves the send time; the form's datetime-local
// value is read in the newsletter's time zone.
func (s *Server) handleIssueSchedule(w http.ResponseWriter, r *http.Request) {
	nl := r.PathValue("nl")
	n, ok := issueNum(w, r)
	if !ok {
		return
	}
	back := issuePath(nl, n)
	loc := time.UTC
	if s.Newsletters != nil {
		news, err := s.Newsletters.FindNewsletterBySlug(r.Context(), nl)
		if err != nil {
			s.actionError(w, r, err, back, "Back to the issue")
			return
		}
		loc = news.Location()
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("at"), loc)
	if err != nil { // a browser sends seconds when the field's step asks for them
		at, err = time.ParseInLocation("2006-01-02T15:04:05", r.PostFormValue("at"), loc)
	}
	if err != nil {
		s.actionError(w, r, bulletin.Errorf(bulletin.EINVALID, "%q is not a date and time; pick one with the date and time fields", r.PostFormValue("at")), back, "Back to the issue")
		return
	}
	is, err := s.Issues.ScheduleIssue(r.Context(), nl, n, at)
	if err != nil {
		s.actionError(w, r, err, back, "Back to the issue")
		return
	}
	s.flash(r, "Issue %d will go out %s.", is.Number, is.ScheduledAt.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) handleIssueUnschedule(w http.ResponseWriter, r *http.Request) {
	nl := r.PathValue("nl")
	n, ok := issueNum(w, r)
	if !ok {
		return
	}
	is, err := s.Issues.UnscheduleIssue(r.Context(), nl, n)
	if err != nil {
		s.actionError(w, r, err, issuePath(nl, n), "Back to the issue")
		return
	}
	s.flash(r, "Issue %d is a draft again; it goes out only when you send or schedule it.", is.Number)
	http.Redirect(w, r, issuePath(nl, n), http.StatusSeeOther)
}
