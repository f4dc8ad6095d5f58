package compile

import (
	"context"
	"errors"
	"fmt"

	"bulletin/internal/bulletin"
)

// errDryRun rolls back the compile transaction of Preview once the issue
// is rendered.
var errDryRun = errors.New("dry run")

// Preview renders what Compile would compile now, without keeping it: the
// store's compile transaction runs and is rolled back, so no number is
// used and no item is taken. The send confirmation shows its subject.
// With nothing to compile it returns Compile's ECONFLICT.
func (c *Compiler) Preview(ctx context.Context, newsletter string) (*bulletin.Issue, error) {
	var out *bulletin.Issue
	_, err := c.Store.CompileIssue(ctx, newsletter, nil, func(nl *bulletin.Newsletter, number int, sections []bulletin.Section, items []bulletin.Item) (*bulletin.Issue, error) {
		if len(items) == 0 {
			return nil, bulletin.Errorf(bulletin.ECONFLICT, "nothing to compile: %s has no approved items waiting", nl.Slug)
		}
		now := c.now()
		r, err := c.Render(Draft{Newsletter: nl, Number: number, Date: now.In(c.location(nl)), Sections: sections, Items: items})
		if err != nil {
			return nil, fmt.Errorf("render issue %d: %w", number, err)
		}
		out = &bulletin.Issue{Number: number, Subject: r.Subject, Preheader: r.Preheader}
		out.Status, out.ScheduledAt = Policy(nl, nil, now)
		return nil, errDryRun
	})
	if errors.Is(err, errDryRun) && out != nil {
		return out, nil
	}
	if err == nil {
		err = errors.New("the store kept a dry-run compile")
	}
	return nil, fmt.Errorf("preview %s: %w", newsletter, err)
}
