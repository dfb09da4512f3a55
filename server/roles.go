package server

import (
	"fmt"
	"sort"
	"strings"
)

// Role is what a user or a token may do.
type Role uint8

// The roles. Admin implies every other.
const (
	Viewer  Role = 1 << iota // the dashboard
	Finance                  // uploads
	Analyst                  // SQL
	Admin                    // publishing, users and tokens
)

var roleNames = map[string]Role{"viewer": Viewer, "finance": Finance, "analyst": Analyst, "admin": Admin}

// RoleNames lists the roles for messages.
const RoleNames = "viewer, finance, analyst, admin"

// Roles is a set of roles.
type Roles Role

// legacyRoles are those of a token written without roles (name:token), so
// that scripts made before roles existed keep working.
const legacyRoles = Roles(Finance | Analyst | Admin)

// Has reports whether the set grants role; admin grants all.
func (rs Roles) Has(role Role) bool { return Role(rs)&(role|Admin) != 0 }

// String joins the roles with '+', as stored.
func (rs Roles) String() string {
	var names []string
	for n, r := range roleNames {
		if Role(rs)&r != 0 {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool { return roleNames[names[i]] < roleNames[names[j]] })
	return strings.Join(names, "+")
}

// ParseRoles reads '+'- or ','-separated role names, e.g. "finance+analyst".
func ParseRoles(s string) (Roles, error) {
	var rs Roles
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '+' || r == ',' }) {
		r, ok := roleNames[strings.ToLower(strings.TrimSpace(f))]
		if !ok {
			return 0, fmt.Errorf("unknown role %q: want %s", f, RoleNames)
		}
		rs |= Roles(r)
	}
	if rs == 0 {
		return 0, fmt.Errorf("no role given: want one or more of %s, joined by +", RoleNames)
	}
	return rs, nil
}
