package bulletin

import "time"

// Roles, from least to most powerful.
const (
	RoleContributor = "contributor"
	RoleEditor      = "editor"
	RoleAdmin       = "admin"
)

// User is a person who logs in: a contributor, an editor or an admin.
type User struct {
	ID           int64     `json:"id" db:"id"`
	Email        string    `json:"email" db:"email"`
	Name         string    `json:"name" db:"name"`
	Role         string    `json:"role" db:"role"`
	PasswordHash string    `json:"-" db:"password_hash"`
	CreatedAt    time.Time `json:"created_at" db:"created_at"`
	UpdatedAt    time.Time `json:"updated_at" db:"updated_at"`
}

// CanEdit reports whether the user may review and edit any item.
func (u *User) CanEdit() bool { return u.Role == RoleEditor || u.Role == RoleAdmin }

// IsAdmin reports whether the user may manage newsletters, lists and users.
func (u *User) IsAdmin() bool { return u.Role == RoleAdmin }

// HasRole reports whether the user holds at least role (contributor <
// editor < admin).
func (u *User) HasRole(role string) bool {
	return roleRank(u.Role) >= roleRank(role) && roleRank(role) > 0
}

func roleRank(role string) int {
	switch role {
	case RoleContributor:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}
