package web

import (
	"net/http"
	"strings"
	"time"

	"bulletin/internal/bulletin"
)

type newsletterRow struct {
	N        *bulletin.Newsletter
	Runs     []time.Time // next compile times, in the schedule's zone
	RunError string
	Sections []*bulletin.Section
}

type newslettersView struct {
	Rows      []newsletterRow
	Templates string
	Form      *bulletin.Newsletter // the create form, after an error
	Error     string
}

// handleNewsletters lists each newsletter with its schedule (next runs in
// its own time zone), lists, sender and send policy.
func (s *Server) handleNewsletters(w http.ResponseWriter, r *http.Request) {
	s.newslettersPage(w, r, http.StatusOK, newslettersView{Form: &bulletin.Newsletter{}})
}

func (s *Server) newslettersPage(w http.ResponseWriter, r *http.Request, status int, v newslettersView) {
	nls, err := s.Newsletters.FindNewsletters(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, n := range nls {
		row := newsletterRow{N: n}
		if row.Runs, err = nextRuns(n.Schedule, 3, time.Now()); err != nil {
			row.RunError = err.Error()
		}
		if row.Sections, err = s.Newsletters.FindSections(r.Context(), n.Slug); err != nil {
			s.pageError(w, r, err)
			return
		}
		v.Rows = append(v.Rows, row)
	}
	v.Templates = s.TemplatesInUse
	if v.Templates == "" {
		v.Templates = "built-in"
	}
	s.adminPage(w, r, status, "admin/newsletters.html", "Newsletters", v)
}

type newsletterView struct {
	N       *bulletin.Newsletter
	Runs    []time.Time
	Lists   string // comma-separated slugs, as typed
	Choices []listChoice
	Delay   string
	Error   string
	// Counting is the click and open switches (nil: not wired).
	Counting *bulletin.Counting
}

// listChoice is one list as a checkbox of the newsletter form.
type listChoice struct {
	Slug, Name string
	On         bool
}

// withChoices offers every list as a checkbox when the lists store is
// wired; otherwise the form keeps a text field of slugs.
func (s *Server) withChoices(r *http.Request, v *newsletterView) error {
	if s.Lists == nil {
		return nil
	}
	ls, err := s.Lists.FindLists(r.Context())
	if err != nil {
		return err
	}
	on := map[string]bool{}
	for _, l := range strings.Split(v.Lists, ",") {
		on[strings.TrimSpace(l)] = true
	}
	for _, l := range ls {
		v.Choices = append(v.Choices, listChoice{Slug: l.Slug, Name: l.Name, On: on[l.Slug]})
	}
	return nil
}

func (s *Server) handleNewsletter(w http.ResponseWriter, r *http.Request) {
	n, err := s.Newsletters.FindNewsletterBySlug(r.Context(), r.PathValue("nl"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	runs, _ := nextRuns(n.Schedule, 5, time.Now())
	v := newsletterView{N: n, Runs: runs, Lists: strings.Join(n.Lists, ", "), Delay: n.SendDelay.String()}
	if err := s.withChoices(r, &v); err != nil {
		s.pageError(w, r, err)
		return
	}
	if s.Counting != nil {
		c, err := s.Counting.FindCounting(r.Context(), n.Slug)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		v.Counting = &c
	}
	s.adminPage(w, r, http.StatusOK, "admin/newsletter.html", n.Name, v)
}

// newsletterForm reads the settings form into an update.
func newsletterForm(w http.ResponseWriter, r *http.Request) (bulletin.NewsletterUpdate, string, string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f := func(k string) *string { v := r.PostFormValue(k); return &v }
	auto := r.PostFormValue("auto_send") == "on"
	welcome := r.PostFormValue("welcome_email") == "on"
	typed := r.PostFormValue("lists")
	if r.PostForm.Has("list") || r.PostFormValue("lists_checkboxes") == "1" {
		typed = strings.Join(r.PostForm["list"], ",")
	}
	lists := []string{}
	for _, l := range strings.Split(typed, ",") {
		if l = strings.TrimSpace(l); l != "" {
			lists = append(lists, l)
		}
	}
	upd := bulletin.NewsletterUpdate{Name: f("name"), Description: f("description"), FromName: f("from_name"),
		FromEmail: f("from_email"), ReplyTo: f("reply_to"), Schedule: f("schedule"), SubjectTemplate: f("subject_template"),
		Intro: f("intro"), AutoSend: &auto, Lists: &lists, WelcomeEmail: &welcome,
		LogoURL: f("logo_url"), AccentColor: f("accent_color"), OrgName: f("org_name"), OrgAddress: f("org_address")}
	delay := strings.TrimSpace(r.PostFormValue("send_delay"))
	if delay == "" {
		delay = "0s"
	}
	d, err := time.ParseDuration(delay)
	if err != nil {
		return upd, typed, delay, bulletin.Errorf(bulletin.EINVALID, "send delay: %q is not a duration like \"16h\" or \"90m\"", delay)
	}
	upd.SendDelay = &d
	return upd, typed, delay, nil
}

func (s *Server) handleNewsletterSave(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("nl")
	upd, lists, delay, err := newsletterForm(w, r)
	if err == nil {
		_, err = s.Newsletters.UpdateNewsletter(r.Context(), slug, upd)
	}
	if err != nil {
		n, ferr := s.Newsletters.FindNewsletterBySlug(r.Context(), slug)
		if ferr != nil {
			s.pageError(w, r, ferr)
			return
		}
		upd.Apply(n) // show what was typed
		v := newsletterView{N: n, Lists: lists, Delay: delay, Error: bulletin.ErrorMessage(err)}
		_ = s.withChoices(r, &v) // the form still works as text without them
		s.adminPage(w, r, statusOf(err), "admin/newsletter.html", n.Name, v)
		return
	}
	s.flash(r, "Saved.")
	http.Redirect(w, r, "/admin/newsletters/"+slug, http.StatusSeeOther)
}

func (s *Server) handleNewsletterAdd(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	n := &bulletin.Newsletter{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: r.PostFormValue("name"), Lists: []string{},
		WelcomeEmail: true}
	if err := s.Newsletters.CreateNewsletter(r.Context(), n); err != nil {
		s.newslettersPage(w, r, statusOf(err), newslettersView{Form: n, Error: bulletin.ErrorMessage(err)})
		return
	}
	s.flash(r, "Created %q; fill in its sender and schedule.", n.Name)
	http.Redirect(w, r, "/admin/newsletters/"+n.Slug, http.StatusSeeOther)
}

func (s *Server) handleSectionAdd(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("nl")
	sec := &bulletin.Section{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: r.PostFormValue("name")}
	if err := s.Newsletters.CreateSection(r.Context(), slug, sec); err != nil {
		s.flash(r, "Section not added: %s", bulletin.ErrorMessage(err))
	} else {
		s.flash(r, "Added section %q.", sec.Name)
	}
	http.Redirect(w, r, "/admin/newsletters", http.StatusSeeOther)
}
