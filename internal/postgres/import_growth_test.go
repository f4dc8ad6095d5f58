package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"bulletin/internal/pgtest"
)

// An import's growth figures (the statement trigger of migration 0152,
// which counts a statement's rows by list, status, how and time before
// working out weeks) match the memberships themselves: a file of active,
// pending and unsubscribed rows (the trigger's insert), then a file that
// unsubscribes the active ones and activates the pending ones (the
// upsert's update), all in this week.
func TestImportGrowthCountsEveryStatus(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	mustList(t, db, "weekly", true, true)
	file := func(statuses ...string) string {
		var b strings.Builder
		b.WriteString("email,name,status\n")
		for i := range 90 {
			fmt.Fprintf(&b, "g%d@example.org,G %d,%s\n", i, i, statuses[i%3])
		}
		return b.String()
	}
	check := func(step string, confirmed, leftImport, active int64) {
		t.Helper()
		g, err := db.ListGrowth(ctx, "weekly", 1, time.Now())
		if err != nil || len(g.Weeks) != 1 {
			t.Fatalf("%s: %+v, %v", step, g, err)
		}
		w := g.Weeks[0]
		if w.Confirmed != confirmed || w.Unsubscribed["import"] != leftImport || w.Unsubscribes != leftImport || w.Active != active {
			t.Fatalf("%s: week %+v; want %d confirmed, %d left by import, %d active", step, w, confirmed, leftImport, active)
		}
		c, err := db.CountList(ctx, "weekly")
		if err != nil || int64(c.Active) != active {
			t.Fatalf("%s: the list counts %+v (%v), the growth figures %d active", step, c, err, active)
		}
	}
	importCSV(t, db, "weekly", file("active", "pending", "unsubscribed"))
	check("first import", 30, 30, 30)
	importCSV(t, db, "weekly", file("unsubscribed", "active", "active"))
	check("second import", 60, 60, 30)
}
