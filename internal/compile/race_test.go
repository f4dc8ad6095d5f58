package compile_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/compile"
	"bulletin/internal/pgtest"
	"bulletin/internal/postgres"
	"bulletin/internal/schedule"
)

// scheduler wires a Scheduler to a compiler, as serve does.
func scheduler(c *compile.Compiler, errs chan<- error) *schedule.Scheduler {
	return schedule.New(schedule.Config{
		List: func(context.Context) ([]bulletin.Newsletter, error) { return nil, nil },
		Compile: func(ctx context.Context, nl bulletin.Newsletter, slot time.Time) error {
			_, err := c.Compile(ctx, nl.Slug, &slot, false)
			errs <- err
			return err
		},
	})
}

// Two serve processes (two pools, two schedulers) fire the same slot at the
// same moment: one issue, numbered last+1; the next slot gets last+2.
func TestTwoSchedulersFireOneSlot(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewURL(t)
	var dbs [2]*postgres.DB
	for i := range dbs {
		db, err := postgres.Open(ctx, url, 4)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	s := seedNewsletter(t, dbs[0], "CRON_TZ=Europe/Berlin 0 17 * * TUE", true, 0)
	for i := range 5 {
		addItem(t, dbs[0], s, itemSpec{title: "item " + string(rune('a'+i)), section: "news", position: i, approved: time.Hour})
	}
	sched, err := schedule.Parse("CRON_TZ=Europe/Berlin 0 17 * * TUE", nil)
	if err != nil {
		t.Fatal(err)
	}
	nl := bulletin.Newsletter{ID: s.nl, Slug: "weekly"}
	fired := sched.Next(time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))

	for round := 1; round <= 3; round++ {
		errs := make(chan error, 2)
		var start, wg sync.WaitGroup
		start.Add(1)
		for i := range dbs {
			sc := scheduler(compiler(t, dbs[i]), errs)
			wg.Add(1)
			go func() {
				defer wg.Done()
				start.Wait()
				_ = sc.Fire(ctx, nl, sched, fired.Add(time.Duration(i)*time.Millisecond))
			}()
		}
		start.Done()
		wg.Wait()
		var ok, conflict int
		for range dbs {
			switch err := <-errs; bulletin.ErrorCode(err) {
			case "":
				ok++
			case bulletin.ECONFLICT:
				conflict++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: %d compiles succeeded and %d conflicted, want 1 and 1", round, ok, conflict)
		}
		if n := count(t, dbs[0], `SELECT count(*) FROM issues`); n != round {
			t.Fatalf("round %d: %d issues, want %d", round, n, round)
		}
		if n := count(t, dbs[0], `SELECT max(number) FROM issues`); n != round {
			t.Fatalf("round %d: highest number %d, want %d (no gap)", round, n, round)
		}
		// New approved items for next week's slot.
		addItem(t, dbs[0], s, itemSpec{title: "next " + string(rune('a'+round)), section: "events", approved: time.Minute})
		fired = sched.Next(fired)
	}
	if n := count(t, dbs[0], `SELECT count(*) FROM items WHERE issue_id IS NOT NULL`); n != 7 {
		t.Errorf("%d items claimed, want 7", n)
	}
}

// On DST fall-back cron fires "30 1 * * *" twice; the second fire finds the
// slot taken even though new items were approved in between.
func TestDSTDoubleFireCompilesOnce(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	spec := "CRON_TZ=America/New_York 30 1 * * *"
	s := seedNewsletter(t, db, spec, false, 8*time.Hour)
	addItem(t, db, s, itemSpec{title: "before", section: "news", approved: time.Hour})
	sched, err := schedule.Parse(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	first := sched.Next(time.Date(2026, 10, 31, 12, 0, 0, 0, ny))
	second := sched.Next(first)
	errs := make(chan error, 2)
	sc := scheduler(compiler(t, db), errs)
	nl := bulletin.Newsletter{ID: s.nl, Slug: "weekly"}

	if err := sc.Fire(ctx, nl, sched, first); err != nil {
		t.Fatal(err)
	}
	addItem(t, db, s, itemSpec{title: "between the fires", section: "news", approved: time.Minute})
	if err := sc.Fire(ctx, nl, sched, second); err != nil {
		t.Fatal(err)
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if err := <-errs; bulletin.ErrorCode(err) != bulletin.ECONFLICT {
		t.Fatalf("second fire: %v, want ECONFLICT slot taken", err)
	}
	if n := count(t, db, `SELECT count(*) FROM issues`); n != 1 {
		t.Fatalf("%d issues after the double fire, want 1", n)
	}
	is, err := db.FindIssueByNumber(ctx, "weekly", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !is.Slot.Equal(first) || is.Status != bulletin.IssueScheduled || !is.ScheduledAt.Equal(first.Add(8*time.Hour)) {
		t.Errorf("issue slot %v status %s scheduled_at %v; want slot %v, scheduled at slot+8h", is.Slot, is.Status, is.ScheduledAt, first)
	}
}

// A process that starts 20 minutes after a slot no one compiled catches it
// up; a second restart in the same window finds the slot taken.
func TestCatchUpAfterRestartCompilesOnce(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	spec := "CRON_TZ=Europe/London 0 17 * * TUE"
	s := seedNewsletter(t, db, spec, false, 16*time.Hour)
	addItem(t, db, s, itemSpec{title: "waiting", section: "news", approved: time.Hour})
	london, _ := time.LoadLocation("Europe/London")
	slot := time.Date(2026, 11, 17, 17, 0, 0, 0, london)
	c := compiler(t, db)
	for restart := range 2 {
		attempted := make(chan error, 1)
		sc := schedule.New(schedule.Config{
			List: db.FindScheduledNewsletters,
			Compile: func(ctx context.Context, nl bulletin.Newsletter, slot time.Time) error {
				_, err := c.Compile(ctx, nl.Slug, &slot, false)
				attempted <- err
				return err
			},
			Now:   func() time.Time { return slot.Add(20 * time.Minute) },
			Grace: time.Hour,
		})
		runCtx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- sc.Run(runCtx) }()
		var err error
		select {
		case err = <-attempted:
		case <-time.After(time.Minute):
			t.Fatalf("restart %d: no catch-up attempt", restart)
		}
		cancel()
		if runErr := <-done; runErr != nil {
			t.Fatal(runErr)
		}
		if want := []string{"", bulletin.ECONFLICT}[restart]; bulletin.ErrorCode(err) != want {
			t.Fatalf("restart %d: catch-up = %v, want code %q", restart, err, want)
		}
	}
	is, err := db.FindIssueByNumber(ctx, "weekly", 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, `SELECT count(*) FROM issues`); n != 1 || !is.Slot.Equal(slot) || !is.ScheduledAt.Equal(slot.Add(16*time.Hour)) {
		t.Errorf("%d issues, slot %v, scheduled %v; want 1 at %v, sent at slot+16h", n, is.Slot, is.ScheduledAt, slot)
	}
}
