package delivery

import (
	"errors"
	"testing"
	"time"

	"bulletin/internal/bulletin"
)

type replyErr struct {
	code int
	esc  string
}

func (e replyErr) Error() string        { return "smtp reply" }
func (e replyErr) ReplyCode() int       { return e.code }
func (e replyErr) EnhancedCode() string { return e.esc }

func TestClassifyByReplyCode(t *testing.T) {
	cfg := Config{MaxAttempts: 3}.withDefaults()
	now := time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name        string
		err         error
		attempts    int
		final, hard bool
		v           verdict
	}{
		{"451 greylisting", replyErr{451, "4.7.1"}, 1, false, false, retry},
		{"421 busy, last attempt", replyErr{421, ""}, 3, true, false, retry},
		{"dropped connection (code 0)", errors.New("EOF"), 1, false, false, retry},
		{"550 no such user", replyErr{550, "5.1.1"}, 1, true, true, final},
		{"552 mailbox full", replyErr{552, "5.2.2"}, 1, true, true, final},
		{"550 5.7.515 DMARC", replyErr{550, "5.7.515"}, 1, false, false, policy},
		{"554 5.7.1 policy, last attempt", replyErr{554, "5.7.1"}, 3, true, false, policy},
		{"bad address: nothing sent", bulletin.Errorf(bulletin.EINVALID, "recipient"), 1, true, false, invalid},
	} {
		f, v := cfg.failure(Job{ID: 1, SubscriberID: 2, Attempts: c.attempts}, c.err, now)
		if v != c.v || f.Final != c.final || f.Hard != c.hard {
			t.Errorf("%s: verdict %d final %v hard %v; want %d %v %v", c.name, v, f.Final, f.Hard, c.v, c.final, c.hard)
		}
		if !f.Final && !f.Next.After(now) {
			t.Errorf("%s: retried at %v, not later than now", c.name, f.Next)
		}
	}
}

func TestBackoffGrowsToItsCap(t *testing.T) {
	cfg := Config{RetryBase: 30 * time.Second, RetryMax: 10 * time.Minute}.withDefaults()
	want := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute}
	for i, w := range want {
		if got := cfg.backoff(i + 1); got != w {
			t.Errorf("after %d attempts: %v, want %v", i+1, got, w)
		}
	}
}
