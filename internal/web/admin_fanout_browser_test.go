package web

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// fanningSender reports a fan-out under way (the total growing by 1,000 a
// look) until released, then its end.
type fanningSender struct {
	noSending
	looks atomic.Int64
	done  atomic.Bool
}

func (s *fanningSender) IssueProgress(context.Context, int64) (*bulletin.Progress, error) {
	n := int(s.looks.Add(1))
	if s.done.Load() {
		return &bulletin.Progress{Counts: bulletin.Counts{Total: 50_000, Sent: 20, Pending: 50_000 - 20}, Rate: 10}, nil
	}
	return &bulletin.Progress{Counts: bulletin.Counts{Total: 1000 * n, Pending: 1000 * n}, FanningOut: true}, nil
}

// While deliveries are still being created the issue page says so, and
// the note goes once the fan-out is done.
func TestIssuePageSaysWhileDeliveriesAreCreated(t *testing.T) {
	sender := &fanningSender{}
	b := openSendingIssue(t, pgtest.New(t), sender)
	note := func() string { return b.eval(`document.querySelector('#progress [data-f=note]').textContent`) }
	archiveWaitFor(b.ctx, t, "the note while fanning out", func() bool { return strings.HasPrefix(note(), "Creating deliveries") })
	if total := b.eval(`document.querySelector('#progress [data-f=total]').textContent`); total == "0" || total == "" {
		t.Errorf("total %q while fanning out", total)
	}
	sender.done.Store(true)
	archiveWaitFor(b.ctx, t, "the note gone once the fan-out is done", func() bool {
		return note() == "" && b.eval(`document.querySelector('#progress [data-f=total]').textContent`) == "50000"
	})
}
