package bulletin

import "context"

type sessionKey struct{}

// NewContextWithSession returns ctx carrying the token of the web session
// making a request, so that a store ending a user's sessions (after a
// password change) can keep the one that made the change.
func NewContextWithSession(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, sessionKey{}, token)
}

// SessionFromContext returns the session token put there by
// NewContextWithSession, or "" (the CLI, API tokens).
func SessionFromContext(ctx context.Context) string {
	t, _ := ctx.Value(sessionKey{}).(string)
	return t
}
