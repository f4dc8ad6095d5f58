// Package bulletin holds the domain: the types every stage shares, their
// validation and the one error type. It imports nothing from internal/.
package bulletin

import (
	"errors"
	"fmt"
)

// Error codes. The web layer maps each to one HTTP status in one function.
const (
	ECONFLICT      = "conflict"      // 409: unique key taken, or nothing to do
	EINTERNAL      = "internal"      // 500
	EINVALID       = "invalid"       // 400: bad input
	ENOTFOUND      = "not_found"     // 404
	EUNAUTHORIZED  = "unauthorized"  // 401: no or bad credentials
	EFORBIDDEN     = "forbidden"     // 403: known user, not allowed
	ETOOLARGE      = "too_large"     // 413
	EUNPROCESSABLE = "unprocessable" // 422: state change not allowed
	ERATELIMIT     = "rate_limited"  // 429
)

// Error is an application error whose Message is safe to show to users.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("bulletin: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the user-facing message of err; internal errors are
// never shown as they may carry SQL or addresses.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
