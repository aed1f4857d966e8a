// Package staff is the supervision side of Shian: staff accounts, sessions
// and API tokens, the one authorization policy, the legal state machines of
// complaints and reports, case handling (claim, transition, notes,
// reassignment, merging duplicates), the hash-chained audit log and the
// figures of the city dashboard.
//
// The rules are pure functions (Allowed, Sees, Next, Chain) that are
// table-tested; Service applies them over a Store, which store/sqlstore
// implements on SQLite and PostgreSQL.
package staff

import (
	"strings"
	"time"
	"unicode/utf8"

	"shian"
)

// Roles.
const (
	RoleAdmin   = "admin"   // the city office: everything
	RoleOfficer = "officer" // a district's (and grid's) officer: its queue and cases
	RoleViewer  = "viewer"  // leaders and analysts: statistics only
)

// Roles lists the roles, for validation and messages.
var Roles = []string{RoleAdmin, RoleOfficer, RoleViewer}

// User is a staff account.
type User struct {
	ID           int64
	Name         string
	Role         string
	District     string // officers: their district
	Grid         string // officers: their grid, "" for the whole district
	PasswordHash string // argon2id, PHC string
	Disabled     bool
	CreatedAt    time.Time
}

// Principal is who makes a request: a signed-in user (Via "session") or an
// API client (Via "token").
type Principal struct {
	UserID   int64
	Name     string
	Role     string
	District string
	Grid     string
	Via      string
	// CSRF is the session's form token ("" for API tokens, which are not
	// ambient credentials and need none).
	CSRF string
	// SessionHash identifies the session for logout.
	SessionHash string
}

// Via values.
const (
	ViaSession = "session"
	ViaToken   = "token"
)

func principalOf(u *User, via string) *Principal {
	return &Principal{UserID: u.ID, Name: u.Name, Role: u.Role, District: u.District, Grid: u.Grid, Via: via}
}

var nameOK = func(r rune) bool {
	return r == '.' || r == '_' || r == '-' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9')
}

// NormalizeName lower-cases and checks a login name: 2–40 of a–z, 0–9, . _ -.
func NormalizeName(name string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if len(n) < 2 || len(n) > 40 || strings.IndexFunc(n, func(r rune) bool { return !nameOK(r) }) >= 0 {
		return "", &shian.Error{Code: shian.EINVALID, Field: "name", Message: "a login name is 2–40 characters of a–z, 0–9, '.', '_' and '-'"}
	}
	return n, nil
}

// Validate checks a new user's role and scope.
func (u *User) Validate() error {
	n, err := NormalizeName(u.Name)
	if err != nil {
		return err
	}
	u.Name = n
	switch u.Role {
	case RoleAdmin, RoleViewer:
		if u.District != "" || u.Grid != "" {
			return shian.FieldError("district", "only officers have a district and grid")
		}
	case RoleOfficer:
		if _, ok := shian.LookupCode(shian.Districts, u.District); !ok {
			return shian.FieldError("district", "an officer needs a district, one of %s", strings.Join(shian.CodeList(shian.Districts), ", "))
		}
		if u.Grid != "" && !strings.HasPrefix(u.Grid, u.District+"-") {
			return shian.FieldError("grid", "grid %q is not in district %s", u.Grid, u.District)
		}
	default:
		return shian.FieldError("role", "must be one of %s", strings.Join(Roles, ", "))
	}
	return nil
}

// cleanText trims s and checks it is valid text of at most max characters.
func cleanText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", shian.FieldError(field, "is not valid UTF-8 text")
	}
	if utf8.RuneCountInString(s) > max {
		return "", shian.FieldError(field, "is longer than %d characters", max)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }) {
		return "", shian.FieldError(field, "contains control characters")
	}
	// No bidirectional overrides (a note that reads otherwise than it is
	// stored), and text of only invisible characters is no text.
	vis, err := shian.FreeText(field, s, max > 100)
	if err != nil {
		return "", err
	}
	if vis == 0 {
		return "", nil
	}
	return s, nil
}
