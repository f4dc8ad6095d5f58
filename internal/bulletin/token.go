package bulletin

import "time"

// APIToken is a bearer token of a user. Only its SHA-256 is stored; the
// token itself is shown once, when created.
type APIToken struct {
	ID         int64      `json:"id" db:"id"`
	UserID     int64      `json:"user_id" db:"user_id"`
	Name       string     `json:"name" db:"name"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at" db:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty" db:"revoked_at"`
}

// UserUpdate changes some fields of a user; nil fields are left alone.
type UserUpdate struct {
	Name     *string `json:"name"`
	Role     *string `json:"role"`
	Password *string `json:"password"`

	// By, when set, is the user making the change (see AccountService).
	By *User `json:"-"`
}
