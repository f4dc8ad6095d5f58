package bulletin

import "testing"

func TestHasRole(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		user, need string
		want       bool
	}{
		{RoleContributor, RoleContributor, true},
		{RoleContributor, RoleEditor, false},
		{RoleEditor, RoleContributor, true},
		{RoleEditor, RoleAdmin, false},
		{RoleAdmin, RoleEditor, true},
		{"", RoleContributor, false},
		{"overlord", RoleContributor, false},
		{RoleAdmin, "overlord", false},
	} {
		if got := (&User{Role: tc.user}).HasRole(tc.need); got != tc.want {
			t.Errorf("%q HasRole(%q) = %v", tc.user, tc.need, got)
		}
	}
}
