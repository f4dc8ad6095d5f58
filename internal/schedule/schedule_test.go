package schedule_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/schedule"

	"github.com/robfig/cron/v3"
)

func mustParseSched(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := schedule.Parse(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type call struct {
	slug string
	slot time.Time
}

// fakes returns a Config whose List serves *nls and whose Compile reports
// each call on the channel.
func fakes(mu *sync.Mutex, nls *[]bulletin.Newsletter, calls chan call) schedule.Config {
	return schedule.Config{
		List: func(context.Context) ([]bulletin.Newsletter, error) {
			mu.Lock()
			defer mu.Unlock()
			return append([]bulletin.Newsletter(nil), (*nls)...), nil
		},
		Compile: func(_ context.Context, nl bulletin.Newsletter, slot time.Time) error {
			calls <- call{nl.Slug, slot}
			return nil
		},
		Poll: 20 * time.Millisecond,
	}
}

func wait(t *testing.T, calls chan call) call {
	t.Helper()
	select {
	case c := <-calls:
		return c
	case <-time.After(30 * time.Second):
		t.Fatal("no compile happened")
		return call{}
	}
}

// At start a slot missed within the grace window is compiled once; one
// outside it, or a newsletter without schedule, is not.
func TestRunCatchesUpMissedSlot(t *testing.T) {
	now := time.Date(2026, 11, 17, 17, 20, 0, 0, time.UTC)
	nls := []bulletin.Newsletter{
		{ID: 1, Slug: "weekly", Schedule: "0 17 * * TUE"},
		{ID: 2, Slug: "old", Schedule: "0 9 * * TUE"},
		{ID: 3, Slug: "manual"},
	}
	var mu sync.Mutex
	calls := make(chan call, 10)
	cfg := fakes(&mu, &nls, calls)
	cfg.Now = func() time.Time { return now }
	cfg.Grace = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- schedule.New(cfg).Run(ctx) }()
	c := wait(t, calls)
	if c.slug != "weekly" || !c.slot.Equal(time.Date(2026, 11, 17, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("catch-up compiled %+v, want weekly at 17:00", c)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(calls) != 0 {
		t.Errorf("unexpected compiles: %v", <-calls)
	}
}

// Cron fires the job; a schedule added while running is picked up by the
// poll without a restart, and a removed one stops.
func TestRunFiresAndReloads(t *testing.T) {
	var mu sync.Mutex
	nls := []bulletin.Newsletter{{ID: 1, Slug: "manual"}}
	calls := make(chan call, 100)
	cfg := fakes(&mu, &nls, calls)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error)
	listed := make(chan struct{}, 1)
	list := cfg.List
	cfg.List = func(ctx context.Context) ([]bulletin.Newsletter, error) {
		select { // never block the scheduler once the test stops listening
		case listed <- struct{}{}:
		default:
		}
		return list(ctx)
	}
	go func() { done <- schedule.New(cfg).Run(ctx) }()
	<-listed // the first load saw no schedule

	mu.Lock()
	nls = []bulletin.Newsletter{{ID: 1, Slug: "manual", Schedule: "@every 1s"}}
	mu.Unlock()
	if c := wait(t, calls); c.slug != "manual" || c.slot.Nanosecond() != 0 {
		t.Errorf("got %+v, want a whole-second slot of manual", c)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Fire treats "nothing to compile" and "slot taken" as normal outcomes and
// passes other errors on.
func TestFireErrors(t *testing.T) {
	s := mustParseSched(t, "0 17 * * *")
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{bulletin.Errorf(bulletin.ECONFLICT, "nothing to compile"), false},
		{errors.New("database down"), true},
	} {
		sc := schedule.New(schedule.Config{Compile: func(context.Context, bulletin.Newsletter, time.Time) error { return tt.err }})
		if err := sc.Fire(context.Background(), bulletin.Newsletter{Slug: "w"}, s, time.Now()); (err != nil) != tt.want {
			t.Errorf("Fire with compile error %v = %v", tt.err, err)
		}
	}
}
