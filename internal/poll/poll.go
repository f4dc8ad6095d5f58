// Package poll is the loop the queue services share (import jobs, the
// mail queue): work a queue in rounds until the context ends, the next
// round at once while there is more to do, else after a pause.
package poll

import (
	"context"
	"time"
)

// Loop calls round until ctx is done. After a round that reports more
// work it goes again at once; otherwise it calls idle (if not nil) and
// waits every. The error of a round goes to failed, unless ctx has ended
// by then: a stop cuts rounds off, and that is no failure.
func Loop(ctx context.Context, every time.Duration, round func(context.Context) (more bool, err error),
	idle func(context.Context), failed func(error)) {
	for {
		more, err := round(ctx)
		if err != nil && ctx.Err() == nil {
			failed(err)
		}
		if ctx.Err() != nil {
			return
		}
		if more {
			continue
		}
		if idle != nil {
			idle(ctx)
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}
