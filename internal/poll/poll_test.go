package poll_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"bulletin/internal/poll"
)

// Rounds follow each other at once while there is more work; an empty
// round is followed by idle and the pause; a round's error is reported;
// the loop ends when the context does, and an error of the round it cut
// off is not reported.
func TestLoop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var log []string
	var reported []error
	boom := errors.New("boom")
	round := func(ctx context.Context) (bool, error) {
		log = append(log, "round")
		switch len(log) {
		case 1, 2:
			return true, nil
		case 3:
			return false, boom
		default:
			cancel()
			return false, errors.New("cut off")
		}
	}
	idle := func(context.Context) { log = append(log, "idle") }
	poll.Loop(ctx, time.Nanosecond, round, idle, func(err error) { reported = append(reported, err) })
	want := []string{"round", "round", "round", "idle", "round"}
	if len(log) != len(want) {
		t.Fatalf("calls %v, want %v", log, want)
	}
	for i := range want {
		if log[i] != want[i] {
			t.Fatalf("calls %v, want %v", log, want)
		}
	}
	if len(reported) != 1 || !errors.Is(reported[0], boom) {
		t.Errorf("reported %v, want only %v", reported, boom)
	}
}

// A loop whose context is already done runs one round and returns.
func TestLoopStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rounds := 0
	poll.Loop(ctx, time.Hour, func(context.Context) (bool, error) { rounds++; return true, nil }, nil,
		func(err error) { t.Errorf("reported %v", err) })
	if rounds != 1 {
		t.Errorf("%d rounds, want 1", rounds)
	}
}
