package web

import (
	"context"
	"net/http"

	"bulletin/internal/bulletin"
)

type ctxKey int

const userKey ctxKey = iota

// withUser returns ctx carrying the authenticated user. Bearer-token auth
// (API) and session auth (admin UI) both put the user here.
func withUser(ctx context.Context, u *bulletin.User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// currentUser returns the authenticated user, or nil for an anonymous
// request.
func currentUser(r *http.Request) *bulletin.User {
	u, _ := r.Context().Value(userKey).(*bulletin.User)
	return u
}
