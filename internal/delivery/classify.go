package delivery

import (
	"errors"
	"strings"
	"time"

	"bulletin/internal/bulletin"
)

// verdict is what one failed send means.
type verdict int

const (
	retry   verdict = iota // 4xx or transport failure (code 0): try again later
	final                  // 5xx: this address will not take it
	policy                 // 5.7.x: the sender is misconfigured, not the address
	invalid                // the message could not be built (a bad address): nothing was sent
)

// classify reads the reply code, never go-mail's IsTemp, which is false for
// dropped connections and timeouts (research §1.4).
func classify(err error) (v verdict, code int, esc string) {
	if bulletin.ErrorCode(err) == bulletin.EINVALID {
		return invalid, 0, ""
	}
	var re ReplyError
	if errors.As(err, &re) {
		code, esc = re.ReplyCode(), re.EnhancedCode()
	}
	switch {
	case code >= 500 && strings.HasPrefix(esc, "5.7."):
		return policy, code, esc
	case code >= 500:
		return final, code, esc
	default: // 4xx and 0
		return retry, code, esc
	}
}

// failure turns a failed send of job into what to store.
func (c Config) failure(job Job, err error, now time.Time) (Failure, verdict) {
	v, code, _ := classify(err)
	f := Failure{ID: job.ID, IssueID: job.IssueID, SubscriberID: job.SubscriberID, Code: code, Reply: oneLine(err.Error(), 500)}
	switch v {
	case final:
		f.Final, f.Hard = true, true
	case invalid:
		f.Final = true
	case retry, policy:
		// A policy refusal is retried too: once the operator fixes the
		// sender and resumes the issue, the address is fine.
		if job.Attempts >= c.MaxAttempts {
			f.Final = true
		} else {
			f.Next = now.Add(c.backoff(job.Attempts))
		}
	}
	return f, v
}

// oneLine keeps err text fit for a column: one line, at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n]
	}
	return s
}
