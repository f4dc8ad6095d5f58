package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"

	"github.com/jackc/pgx/v5"
)

// Invite creates a user without a password and queues a one-time link,
// valid bulletin.InviteTTL, where they set one. An address that already
// has an account that was never set up gets a fresh link; one that has a
// password gets a note that the account exists (and how to reset it). The
// caller's answer is the same in every case.
func (db *DB) Invite(ctx context.Context, email, name, role string, by *bulletin.User) error {
	if by == nil || !by.IsAdmin() {
		return bulletin.Errorf(bulletin.EFORBIDDEN, "only admins invite users")
	}
	email, err := content.Email("email", email, false)
	if err != nil {
		return err
	}
	if name, err = content.PlainText("name", name, 200); err != nil {
		return err
	}
	if err := checkRole(role); err != nil {
		return err
	}
	inviter := by.Name
	if inviter == "" {
		inviter = by.Email
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		// Two admins inviting one address at once: the unique index
		// makes one insert wait for the other, then do nothing.
		var id int64
		var hash, known string
		err := tx.QueryRow(ctx, `INSERT INTO users (email, name, role) VALUES ($1, $2, $3)
			ON CONFLICT ((lower(email))) DO NOTHING RETURNING id, '', name`, email, name, role).Scan(&id, &hash, &known)
		if err == pgx.ErrNoRows {
			err = tx.QueryRow(ctx, `SELECT id, password_hash, name FROM users WHERE lower(email) = lower($1) FOR UPDATE`, email).Scan(&id, &hash, &known)
		}
		if err != nil {
			return err
		}
		if hash != "" {
			return enqueueMail(ctx, tx, bulletin.MailAccountKnown, bulletin.NoticeMail{To: email, Name: known,
				Values: map[string]any{"Inviter": inviter, "ResetPath": "/login/forgot"}})
		}
		token, err := newLink(ctx, tx, id, bulletin.LinkInvite, bulletin.InviteTTL)
		if err != nil {
			return err
		}
		return enqueueMail(ctx, tx, bulletin.MailInvite, bulletin.NoticeMail{To: email, Name: known,
			Values: map[string]any{"Inviter": inviter, "Role": role, "Path": "/invite/" + token,
				"Hours": int(bulletin.InviteTTL.Hours())}})
	})
	if err != nil {
		return fmt.Errorf("invite %s: %w", email, mapErr(err, "user"))
	}
	return nil
}

// newLink stores the hash of a new random token for user id and returns
// the token: it is in the email only.
func newLink(ctx context.Context, tx pgx.Tx, id int64, purpose string, ttl time.Duration) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	_, err := tx.Exec(ctx, `INSERT INTO account_links (user_id, purpose, token_hash, expires_at)
		VALUES ($1, $2, $3, now() + $4::interval)`, id, purpose, linkHash(token), seconds(ttl))
	if err != nil {
		return "", fmt.Errorf("account link: %w", err)
	}
	return token, nil
}

func linkHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

var errBadLink = bulletin.Errorf(bulletin.ENOTFOUND, "this link is not valid: it has expired or was already used")

// CheckLink returns the user of a usable link; an unknown, used and
// expired link get the same ENOTFOUND.
func (db *DB) CheckLink(ctx context.Context, purpose, token string) (*bulletin.User, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM account_links l JOIN users u ON u.id = l.user_id
		WHERE l.token_hash = $1 AND l.purpose = $2 AND l.used_at IS NULL AND l.expires_at > now()`, linkHash(token), purpose)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.User])
	if err == pgx.ErrNoRows {
		return nil, errBadLink
	}
	if err != nil {
		return nil, fmt.Errorf("check link: %w", err)
	}
	return u, nil
}

// UseLink sets the password of the link's user, marks the link and every
// other open link of the user used, and ends every session of the user,
// all in one transaction. A password that fails the rules leaves the link
// usable.
func (db *DB) UseLink(ctx context.Context, purpose, token, pw string) (*bulletin.User, error) {
	hash, err := hashPassword(pw)
	if err != nil {
		return nil, err
	}
	var u *bulletin.User
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `UPDATE account_links SET used_at = now()
			WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
			linkHash(token), purpose).Scan(&id)
		if err == pgx.ErrNoRows {
			return errBadLink
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE account_links SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`, id); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1 RETURNING `+userColumns, id, hash)
		if u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.User]); err != nil {
			return err
		}
		_, err = endUserSessions(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("use %s link: %w", purpose, mapErr(err, "user"))
	}
	return u, nil
}

// prefixed qualifies each of a comma-separated column list.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
