// Package compile turns a newsletter's approved items into its next numbered
// issue: rendered once, stored with its send policy, in one transaction that
// the store runs. Compiling is idempotent per schedule slot.
package compile

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	_ "time/tzdata" // zone names in CRON_TZ resolve on hosts without tzdata

	"bulletin/internal/bulletin"
)

// BuildFunc is called by the store inside the compile transaction, with the
// newsletter row locked, the next number and the approved items not yet in
// an issue, in issue order. It returns the issue to insert (snapshot, status,
// scheduled_at), or an error that rolls everything back.
type BuildFunc = func(nl *bulletin.Newsletter, number int, sections []bulletin.Section, items []bulletin.Item) (*bulletin.Issue, error)

// Store runs a compile transaction. newsletter is a slug, "" for the default
// newsletter. slot is nil for a manual compile. Implementations must lock the
// newsletter, refuse a slot that already has an issue (ECONFLICT), take the
// number as last+1, claim the items with their issue positions and insert
// the issue, all in one transaction.
type Store interface {
	CompileIssue(ctx context.Context, newsletter string, slot *time.Time, build BuildFunc) (*bulletin.Issue, error)
	// RerenderIssue locks a draft or scheduled issue (else EUNPROCESSABLE),
	// hands its items in issue order to build and stores the new snapshot.
	RerenderIssue(ctx context.Context, newsletter string, number int, build RebuildFunc) (*bulletin.Issue, error)
}

// RebuildFunc renders an existing issue again from its current items.
type RebuildFunc = bulletin.IssueRenderer

// Draft is what gets rendered; Rendered is the snapshot stored on the
// issue. Both are domain types, so render.Renderer.ForCompile can serve
// as Render without the two stages importing each other.
type (
	Draft    = bulletin.Draft
	Rendered = bulletin.Rendered
)

// Compiler compiles issues. Render is usually a small adapter around
// render.Renderer set up in main.
type Compiler struct {
	Store    Store
	Render   func(Draft) (Rendered, error)
	Log      *slog.Logger
	Now      func() time.Time // defaults to time.Now
	Location *time.Location   // zone of schedules without CRON_TZ; default UTC
}

// Compile compiles the next issue of newsletter ("" = the default one). It
// returns an ECONFLICT *bulletin.Error, and logs one line, when there is
// nothing to compile or the slot already has its issue; nothing is created
// then. allowEmpty compiles an issue even without items.
func (c *Compiler) Compile(ctx context.Context, newsletter string, slot *time.Time, allowEmpty bool) (*bulletin.Issue, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	at := now()
	build := func(nl *bulletin.Newsletter, number int, sections []bulletin.Section, items []bulletin.Item) (*bulletin.Issue, error) {
		if len(items) == 0 && !allowEmpty {
			return nil, bulletin.Errorf(bulletin.ECONFLICT, "nothing to compile: %s has no approved items waiting", nl.Slug)
		}
		date := at
		if slot != nil {
			date = *slot
		}
		out, err := c.Render(Draft{Newsletter: nl, Number: number, Date: date.In(c.location(nl)), Sections: sections, Items: items})
		if err != nil {
			return nil, fmt.Errorf("render issue %d: %w", number, err)
		}
		is := &bulletin.Issue{Subject: out.Subject, Preheader: out.Preheader, HTML: out.HTML, Text: out.Text}
		is.Status, is.ScheduledAt = Policy(nl, slot, at)
		return is, nil
	}
	is, err := c.Store.CompileIssue(ctx, newsletter, slot, build)
	if err != nil {
		if bulletin.ErrorCode(err) == bulletin.ECONFLICT {
			c.log().Info("no issue compiled", "newsletter", newsletter, "slot", slot, "reason", bulletin.ErrorMessage(err))
		}
		return nil, fmt.Errorf("compile %s: %w", newsletter, err)
	}
	c.log().Info("issue compiled", "newsletter", newsletter, "number", is.Number, "status", is.Status, "scheduled_at", is.ScheduledAt)
	return is, nil
}

// Rerender renders a draft or scheduled issue again from its current items,
// after an editor changed them during the review window; the number, date,
// status and send time stay. Once sending starts it is EUNPROCESSABLE.
func (c *Compiler) Rerender(ctx context.Context, newsletter string, number int) (*bulletin.Issue, error) {
	is, err := c.Store.RerenderIssue(ctx, newsletter, number, c.RenderAgain)
	if err != nil {
		return nil, fmt.Errorf("rerender %s issue %d: %w", newsletter, number, err)
	}
	c.log().Info("issue rendered again", "newsletter", newsletter, "number", number)
	return is, nil
}

// RenderAgain is the RebuildFunc of Rerender: the issue's number, date and
// send policy stay, the snapshot is made anew from items. The store also
// calls it when an item of an unsent issue is corrected.
func (c *Compiler) RenderAgain(nl *bulletin.Newsletter, is *bulletin.Issue, sections []bulletin.Section, items []bulletin.Item) (*bulletin.Issue, error) {
	date := is.CreatedAt
	if is.Slot != nil {
		date = *is.Slot
	}
	out, err := c.Render(Draft{Newsletter: nl, Number: is.Number, Date: date.In(c.location(nl)), Sections: sections, Items: items})
	if err != nil {
		return nil, fmt.Errorf("render issue %d: %w", is.Number, err)
	}
	return &bulletin.Issue{Subject: out.Subject, Preheader: out.Preheader, HTML: out.HTML, Text: out.Text}, nil
}

// Policy decides what happens after compiling:
//   - auto_send: scheduled now, so the sender picks it up at once;
//   - a send delay: scheduled at slot (or now) + delay, the review window in
//     which an editor may cancel it;
//   - neither: a draft, sent only when an editor says so.
func Policy(nl *bulletin.Newsletter, slot *time.Time, now time.Time) (string, *time.Time) {
	switch {
	case nl.AutoSend:
		return bulletin.IssueScheduled, &now
	case nl.SendDelay > 0:
		base := now
		if slot != nil {
			base = *slot
		}
		at := base.Add(nl.SendDelay)
		return bulletin.IssueScheduled, &at
	default:
		return bulletin.IssueDraft, nil
	}
}

func (c *Compiler) location(nl *bulletin.Newsletter) *time.Location {
	if loc, ok := nl.ScheduleLocation(); ok {
		return loc
	}
	if c.Location != nil {
		return c.Location
	}
	return time.UTC
}

func (c *Compiler) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Compiler) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}
