package postgres

import (
	"context"
	"fmt"
	"strings"

	"bulletin/internal/bulletin"
	"bulletin/internal/content"
	"bulletin/internal/password"

	"github.com/jackc/pgx/v5"
)

const userColumns = `id, email, name, role, password_hash, created_at, updated_at`

// CreateUser adds u with the given password ("" for none: the user can then
// only use API tokens) and sets its ID and timestamps. The email is unique
// regardless of case.
func (db *DB) CreateUser(ctx context.Context, u *bulletin.User, pw string) error {
	var err error
	if u.Email, err = content.Email("email", u.Email, false); err != nil {
		return err
	}
	if u.Name, err = content.PlainText("name", u.Name, 200); err != nil {
		return err
	}
	if err := checkRole(u.Role); err != nil {
		return err
	}
	if pw != "" {
		if u.PasswordHash, err = hashPassword(pw); err != nil {
			return err
		}
	}
	err = db.Pool.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash)
		VALUES ($1, $2, $3, $4) RETURNING id, created_at, updated_at`,
		u.Email, u.Name, u.Role, u.PasswordHash).Scan(&u.ID, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return fmt.Errorf("create user: %w", mapErr(err, "user "+u.Email))
	}
	return nil
}

// FindUserByID returns one user.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*bulletin.User, error) {
	return db.findUser(ctx, `WHERE id = $1`, id)
}

// FindUserByEmail returns the user with that email, ignoring case.
func (db *DB) FindUserByEmail(ctx context.Context, email string) (*bulletin.User, error) {
	return db.findUser(ctx, `WHERE lower(email) = lower($1)`, strings.TrimSpace(email))
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*bulletin.User, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+userColumns+` FROM users `+where, arg)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.User])
	return u, mapErr(err, "user")
}

// FindUsers returns every user, by email.
func (db *DB) FindUsers(ctx context.Context) ([]*bulletin.User, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY lower(email)`)
	us, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[bulletin.User])
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return us, nil
}

// UpdateUser changes a user's name, role or password. An admin cannot take
// away their own admin role (upd.By), and nobody can demote the last admin,
// so an install always keeps one. A new password ends the user's web
// sessions except the one making the change (in ctx).
func (db *DB) UpdateUser(ctx context.Context, id int64, upd bulletin.UserUpdate) (*bulletin.User, error) {
	if upd.By != nil && upd.By.ID == id && upd.Role != nil && *upd.Role != bulletin.RoleAdmin {
		return nil, bulletin.Errorf(bulletin.EUNPROCESSABLE, "admins cannot take away their own admin role")
	}
	var u *bulletin.User
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if u, err = lockUser(ctx, tx, id); err != nil {
			return err
		}
		if upd.Name != nil {
			if u.Name, err = content.PlainText("name", *upd.Name, 200); err != nil {
				return err
			}
		}
		if upd.Role != nil {
			if err := checkRole(*upd.Role); err != nil {
				return err
			}
			if u.Role == bulletin.RoleAdmin && *upd.Role != bulletin.RoleAdmin {
				if err := keepAnAdmin(ctx, tx, id, "demote"); err != nil {
					return err
				}
			}
			u.Role = *upd.Role
		}
		if upd.Password != nil {
			if u.PasswordHash, err = hashPassword(*upd.Password); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `UPDATE users SET name = $2, role = $3, password_hash = $4, updated_at = now()
			WHERE id = $1 RETURNING updated_at`, id, u.Name, u.Role, u.PasswordHash).Scan(&u.UpdatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("update user: %w", mapErr(err, "user"))
	}
	if upd.Password != nil { // a changed password ends every other session
		if _, err := db.EndUserSessions(ctx, id, bulletin.SessionFromContext(ctx)); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// DeleteUser removes a user and their tokens; their items stay, without a
// contributor. An admin cannot delete themselves (by), nor anyone the last
// admin.
func (db *DB) DeleteUser(ctx context.Context, id int64, by *bulletin.User) error {
	if by != nil && by.ID == id {
		return bulletin.Errorf(bulletin.EUNPROCESSABLE, "admins cannot delete themselves")
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		u, err := lockUser(ctx, tx, id)
		if err != nil {
			return err
		}
		if u.Role == bulletin.RoleAdmin {
			if err := keepAnAdmin(ctx, tx, id, "delete"); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user: %w", mapErr(err, "user"))
	}
	return nil
}

// lockUser locks the admins' rows, in id order so that concurrent changes
// queue rather than deadlock, then user id's.
func lockUser(ctx context.Context, tx pgx.Tx, id int64) (*bulletin.User, error) {
	if _, err := tx.Exec(ctx, `SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[bulletin.User])
	return u, mapErr(err, "user")
}

// keepAnAdmin refuses to take admin id away when no other admin remains.
// lockUser locked the admins' rows, so two admins demoting each other at
// once cannot both succeed.
func keepAnAdmin(ctx context.Context, tx pgx.Tx, id int64, what string) error {
	var others int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND id <> $1`, id).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return bulletin.Errorf(bulletin.EUNPROCESSABLE, "cannot %s the last admin", what)
	}
	return nil
}

// Authenticate returns the user with that email and password, or
// EUNAUTHORIZED without saying which of the two was wrong. An unknown email
// costs the same hashing work as a known one.
func (db *DB) Authenticate(ctx context.Context, email, pw string) (*bulletin.User, error) {
	fail := bulletin.Errorf(bulletin.EUNAUTHORIZED, "wrong email or password")
	u, err := db.FindUserByEmail(ctx, email)
	if bulletin.ErrorCode(err) == bulletin.ENOTFOUND || (err == nil && u.PasswordHash == "") {
		_, _ = password.Verify(dummyHash, pw)
		return nil, fail
	} else if err != nil {
		return nil, err
	}
	ok, err := password.Verify(u.PasswordHash, pw)
	if err != nil {
		return nil, fmt.Errorf("authenticate %d: %w", u.ID, err)
	}
	if !ok {
		return nil, fail
	}
	return u, nil
}

// dummyHash has the default costs, so that checking it takes as long as a
// real one. Its password is unknown to everyone.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$K0DrpoAvsYdxT3w6MPeB0WOMCwCP3yYsUL7Hb0Mpu5s"

func hashPassword(pw string) (string, error) {
	if err := password.Check(pw); err != nil {
		return "", bulletin.Errorf(bulletin.EINVALID, "%v", err)
	}
	return password.Hash(pw)
}

func checkRole(role string) error {
	switch role {
	case bulletin.RoleAdmin, bulletin.RoleEditor, bulletin.RoleContributor:
		return nil
	}
	return bulletin.Errorf(bulletin.EINVALID, "role: must be admin, editor or contributor")
}
