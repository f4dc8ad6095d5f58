package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"

	"github.com/jackc/pgx/v5"
)

// CreateToken makes a new API token for a user and returns it with its
// record. The token is 32 random bytes, base64url; only its SHA-256 is kept,
// so this is the one time it can be shown.
func (db *DB) CreateToken(ctx context.Context, userID int64, name string) (string, *bulletin.APIToken, error) {
	name, err := content.PlainText("name", name, 100)
	if err != nil {
		return "", nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	rows, _ := db.Pool.Query(ctx, `INSERT INTO api_tokens (user_id, name, token_hash) VALUES ($1, $2, $3)
		RETURNING id, user_id, name, created_at, last_used_at, revoked_at`, userID, name, sum[:])
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.APIToken])
	if err != nil {
		return "", nil, fmt.Errorf("create token: %w", mapErr(err, "user"))
	}
	return token, t, nil
}

// FindUserByToken returns the user a valid, unrevoked token belongs to and
// records its use (at most once a minute per token, to spare writes).
// Anything else is EUNAUTHORIZED.
func (db *DB) FindUserByToken(ctx context.Context, token string) (*bulletin.User, error) {
	sum := sha256.Sum256([]byte(token))
	rows, _ := db.Pool.Query(ctx, `WITH t AS (
			SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL
		), used AS (
			UPDATE api_tokens a SET last_used_at = now() FROM t
			WHERE a.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute')
		)
		SELECT u.id, u.email, u.name, u.role, u.password_hash, u.created_at, u.updated_at
		FROM users u JOIN t ON u.id = t.user_id`, sum[:])
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.User])
	if err != nil {
		if bulletin.ErrorCode(mapErr(err, "token")) == bulletin.ENOTFOUND {
			return nil, bulletin.Errorf(bulletin.EUNAUTHORIZED, "invalid or revoked API token")
		}
		return nil, fmt.Errorf("find user by token: %w", err)
	}
	return u, nil
}

// FindTokens lists a user's tokens, newest first, revoked ones included.
func (db *DB) FindTokens(ctx context.Context, userID int64) ([]*bulletin.APIToken, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	ts, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[bulletin.APIToken])
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	return ts, nil
}

// RevokeToken stops a token from working: one of by's own, or any for an
// admin or the operator (by nil); others' tokens are ENOTFOUND to the rest,
// as is a token not of userID when that is not 0. Revoking twice is not an
// error.
func (db *DB) RevokeToken(ctx context.Context, userID, id int64, by *bulletin.User) error {
	anyOwner := by == nil || by.IsAdmin()
	var owner int64
	if by != nil {
		owner = by.ID
	}
	tag, err := db.Pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())
		WHERE id = $1 AND ($2 OR user_id = $3) AND ($4 = 0 OR user_id = $4)`, id, anyOwner, owner, userID)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return bulletin.Errorf(bulletin.ENOTFOUND, "token not found")
	}
	return nil
}

// FindTokenByID returns one token's record.
func (db *DB) FindTokenByID(ctx context.Context, id int64) (*bulletin.APIToken, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at
		FROM api_tokens WHERE id = $1`, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.APIToken])
	return t, mapErr(err, "token")
}

// IssueToken implements bulletin.AccountService: a token for by, or for
// another user (req.UserID, else req.Email) when by is an admin or the
// operator (by nil). An unknown email is EINVALID, being a field.
func (db *DB) IssueToken(ctx context.Context, req bulletin.TokenRequest, by *bulletin.User) (string, *bulletin.APIToken, error) {
	owner := req.UserID
	if by != nil && !by.IsAdmin() && (req.Email != "" || owner != 0 && owner != by.ID) {
		return "", nil, bulletin.Errorf(bulletin.EFORBIDDEN, "only admins create tokens for other users")
	}
	if owner == 0 && req.Email == "" {
		if by == nil {
			return "", nil, bulletin.Errorf(bulletin.EINVALID, "email: whose token is it?")
		}
		owner = by.ID
	}
	if owner == 0 {
		u, err := db.FindUserByEmail(ctx, req.Email)
		if bulletin.ErrorCode(err) == bulletin.ENOTFOUND {
			err = bulletin.Errorf(bulletin.EINVALID, "email: no user %q", req.Email)
		}
		if err != nil {
			return "", nil, err
		}
		owner = u.ID
	}
	return db.CreateToken(ctx, owner, req.Name)
}
