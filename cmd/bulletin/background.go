package main

import (
	"context"

	"bulletin/internal/bulletin"
	"bulletin/internal/importjob"
	"bulletin/internal/notify"
	"bulletin/internal/outbox"
	"bulletin/internal/smtp"
)

// importJobsService runs the CSV imports uploaded through the admin UI
// (web role: any web process may take any queued job).
func (m *Main) importJobsService() func(context.Context) error {
	s := &importjob.Service{Store: m.DB, Log: m.Log.With("service", "import-jobs")}
	return s.Run
}

// wireMailQueue adds the mail-queue service, which sends the single
// messages other stages queue (confirmation emails), when this process has
// an SMTP server. Without one, queued mail waits for a process that has.
// A broken confirmation template stops start-up either way.
func (m *Main) wireMailQueue() error {
	confirm, err := outbox.NewConfirmation(m.Templates, m.Config.BaseURL)
	if err != nil {
		return err
	}
	renderers, err := outbox.NewNotices(m.Templates, m.Config.BaseURL, "") // accounts and notifications
	if err != nil {
		return err
	}
	renderers[bulletin.MailConfirm] = confirm
	welcome, err := outbox.NewWelcome(m.Templates, m.Config.BaseURL)
	if err != nil {
		return err
	}
	renderers[bulletin.MailWelcome] = welcome
	if m.Config.SMTP.Host == "" {
		if m.Config.Roles.Web {
			m.Log.Warn("no BULLETIN_SMTP_URL: confirmation emails stay queued until a process with an SMTP server runs")
		}
		return nil
	}
	s := &outbox.Service{Store: m.DB, Mailer: &smtp.Mailer{SMTP: m.Config.SMTP}, Log: m.Log.With("service", "mail-queue"),
		Renderers: renderers}
	m.add("mail-queue", s.Run)
	return nil
}

// notifierService queues the account and notification emails: reset
// links, "published in" emails, send reports and editors' digests. Any
// number of processes may run it (internal/notify).
func (m *Main) notifierService() func(context.Context) error {
	s := &notify.Service{Store: m.DB, Digest: m.Config.NotifyDigest, Log: m.Log.With("service", "notifier")}
	return s.Run
}
