package delivery

import (
	"context"
	"log/slog"
	"time"

	"bulletin/internal/bulletin"
)

// Service is what the API and the CLI call: start (or resume) sending an
// issue, send a test copy, read progress.
type Service struct {
	Store     Store
	Transport Transport
	Config    Config
	Log       *slog.Logger
	Wake      func() // pokes a sender pool in this process; may be nil
	// Continue, when set, takes the rest of a started fan-out into the
	// background (FanOuts.Continue) and reports whether it did; otherwise
	// Send fans out before it returns.
	Continue func(issueID int64) bool
}

var (
	scheduledOnly = []string{bulletin.IssueScheduled}
	startable     = []string{bulletin.IssueDraft, bulletin.IssueScheduled}
)

// Send starts sending issue number of newsletter nl: the move to "sending"
// commits with the first chunk of deliveries, and Send returns once the
// fan-out is done, or at once when Continue takes the rest. A sending
// issue is resumed: its alarm pause cleared and a fan-out cut short
// finished. It returns the number of deliveries this call created before
// returning.
func (s *Service) Send(ctx context.Context, nl string, number int) (int64, error) {
	iss, err := s.Store.FindSendIssue(ctx, nl, number)
	if err != nil {
		return 0, err
	}
	switch iss.Status {
	case bulletin.IssueSending:
		if err := s.Store.ResumeIssue(ctx, iss.ID); err != nil {
			return 0, err
		}
		s.wake()
		if s.Continue != nil && s.Continue(iss.ID) {
			return 0, nil
		}
		return s.Store.FanOut(context.WithoutCancel(ctx), iss.ID)
	case bulletin.IssueSent, bulletin.IssueCancelled:
		return 0, bulletin.Errorf(bulletin.EUNPROCESSABLE, "issue %d is %s and cannot be sent", number, iss.Status)
	}
	return s.start(ctx, iss.ID, startable)
}

// start validates the issue's headers, then fans out.
func (s *Service) start(ctx context.Context, issueID int64, from []string) (int64, error) {
	iss, err := s.Store.FindIssueForSend(ctx, issueID)
	if err != nil {
		return 0, err
	}
	if iss.HTML == "" && iss.Text == "" {
		return 0, bulletin.Errorf(bulletin.EUNPROCESSABLE, "issue %d has not been compiled: it has no content", iss.Number)
	}
	// Preparing proves the subject and sender fields can go into headers;
	// a bad one stops here, before any row changes.
	if _, err := prepare(s.Transport, s.Config.withDefaults(), iss, ""); err != nil {
		return 0, err
	}
	first, err := s.Store.StartIssue(ctx, issueID, from)
	if err != nil {
		return 0, err
	}
	s.wake() // senders start on the first chunk while the rest is created
	if s.Continue != nil && s.Continue(issueID) {
		s.Log.Info("issue sending; its fan-out goes on in the background", "issue", issueID, "number", iss.Number, "first_chunk", first)
		return first, nil
	}
	// The issue is sending now: finish the fan-out even if the caller goes
	// away (should this process die, another sender continues it).
	rest, err := s.Store.FanOut(context.WithoutCancel(ctx), issueID)
	if err != nil {
		return 0, err
	}
	s.Log.Info("issue sending", "issue", issueID, "number", iss.Number, "deliveries", first+rest)
	return first + rest, nil
}

func (s *Service) wake() {
	if s.Wake != nil {
		s.Wake()
	}
}

// SendTest sends one copy of the issue to email, with neutral personal
// links; it creates no delivery.
func (s *Service) SendTest(ctx context.Context, nl string, number int, email string) (string, error) {
	email, err := bulletin.NormalizeEmail(email) // the subscriber rules: no localhost, no [literal], ≤ 254
	if err != nil {
		return "", err
	}
	iss, err := s.Store.FindSendIssue(ctx, nl, number)
	if err != nil {
		return "", err
	}
	if iss, err = s.Store.FindIssueForSend(ctx, iss.ID); err != nil {
		return "", err
	}
	cfg := s.Config.withDefaults()
	p, err := prepare(s.Transport, cfg, iss, "[test] ")
	if err != nil {
		return "", err
	}
	r := p.recipient(cfg, 0, subscriber{Email: email, Token: "test"}, time.Now())
	if err := p.wire.Check(r); err != nil {
		return "", err
	}
	// The editor who asked can act on what the server said, so SMTP
	// trouble is a user-facing error, not an internal one.
	conn, err := s.Transport.Dial(ctx)
	if err != nil {
		return "", bulletin.Errorf(bulletin.EUNPROCESSABLE, "cannot reach the SMTP server: %s", oneLine(err.Error(), 300))
	}
	defer conn.Close()
	reply, err := conn.Send(p.wire, r)
	if err != nil {
		if bulletin.ErrorCode(err) == bulletin.EINVALID {
			return "", err
		}
		return "", bulletin.Errorf(bulletin.EUNPROCESSABLE, "the SMTP server did not take the test message: %s", oneLine(err.Error(), 300))
	}
	return reply, nil
}

// Progress returns the counts, rate and ETA of issue number of nl.
func (s *Service) Progress(ctx context.Context, nl string, number int) (*Progress, *Issue, error) {
	iss, err := s.Store.FindSendIssue(ctx, nl, number)
	if err != nil {
		return nil, nil, err
	}
	pr, err := s.Store.IssueProgress(ctx, iss.ID)
	return pr, iss, err
}

// IssueProgress returns the progress of issue id.
func (s *Service) IssueProgress(ctx context.Context, issueID int64) (*Progress, error) {
	return s.Store.IssueProgress(ctx, issueID)
}
