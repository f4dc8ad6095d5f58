package compile_test

import (
	"context"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/pgtest"
)

// A preview renders the next issue's subject and keeps nothing: the next
// real compile still takes number 1 and the items.
func TestPreviewKeepsNothing(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	s := seedNewsletter(t, db, "", false, time.Hour)
	c := compiler(t, db)
	if _, err := c.Preview(ctx, "weekly"); bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Fatalf("preview with no items: %v, want ECONFLICT", err)
	}
	addItem(t, db, s, itemSpec{title: "A", section: "news", approved: time.Hour})
	p, err := c.Preview(ctx, "weekly")
	if err != nil || p.Number != 1 || p.Subject == "" {
		t.Fatalf("preview: %v %+v; want number 1 with a subject", err, p)
	}
	is, err := c.Compile(ctx, "weekly", nil, false)
	if err != nil || is.Number != 1 || is.Subject != p.Subject {
		t.Fatalf("compile after preview: %v %+v; want number 1, subject %q", err, is, p.Subject)
	}
}
