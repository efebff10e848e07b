package hiretext

import (
	"context"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Role is a user's role within an organization.
type Role string

// The roles.
const (
	RoleAdmin Role = "admin" // everything, including Administration and reports
	RoleUser  Role = "user"  // what their permissions allow
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleUser }

// Label is the role's name as people see it: "Administrator" or "User".
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Administrator"
	case RoleUser:
		return "User"
	}
	return string(r)
}

// Permission is one thing a user with role "user" may be allowed to do.
type Permission string

// The permissions.
const (
	PermJobs      Permission = "jobs"       // view and manage job postings
	PermPool      Permission = "pool"       // view the candidate pool
	PermProfiles  Permission = "profiles"   // view candidate profiles
	PermSMSReport Permission = "sms-report" // run the SMS Activity report
)

// AllPermissions lists every permission in display order.
var AllPermissions = []Permission{PermJobs, PermPool, PermProfiles, PermSMSReport}

// Label is the permission's name as people see it, such as "Candidate pool".
// The code ("pool") is for the API and the command line only.
func (p Permission) Label() string {
	label, _ := p.text()
	return label
}

// Allows says what the permission lets a user do, such as "search all candidates".
func (p Permission) Allows() string {
	_, allows := p.text()
	return allows
}

// text is the one place that names each permission for people.
func (p Permission) text() (label, allows string) {
	switch p {
	case PermJobs:
		return "Jobs", "view and manage job postings"
	case PermPool:
		return "Candidate pool", "search all candidates"
	case PermProfiles:
		return "Candidate profiles", "open a candidate's profile"
	case PermSMSReport:
		return "SMS Activity report", "every text, with totals and downloads"
	}
	return string(p), ""
}

// ParsePermissions parses a comma-separated list such as "jobs,pool",
// returning them in canonical order without duplicates.
func ParsePermissions(s string) ([]Permission, error) {
	var names []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			names = append(names, p)
		}
	}
	return NormalizePermissions(names)
}

// NormalizePermissions validates names and returns them in canonical order.
func NormalizePermissions(names []string) ([]Permission, error) {
	seen := map[Permission]bool{}
	for _, n := range names {
		p := Permission(strings.TrimSpace(n))
		if !slices.Contains(AllPermissions, p) {
			msg := "Unknown permission " + quote(n) + ": use any of jobs, pool, profiles, sms-report."
			return nil, FieldError(msg, map[string]string{"permissions": msg})
		}
		seen[p] = true
	}
	out := []Permission{}
	for _, p := range AllPermissions {
		if seen[p] {
			out = append(out, p)
		}
	}
	return out, nil
}

func quote(s string) string { return "\"" + s + "\"" }

// User is a person who logs in to one organization.
type User struct {
	ID          UserID
	OrgID       OrgID
	Email       string
	Name        string
	Role        Role
	Permissions []Permission
	Active      bool
	CreatedAt   time.Time
}

// Can reports whether u holds permission p. Administrators hold all of them;
// deactivated users hold none.
func (u *User) Can(p Permission) bool {
	if u == nil || !u.Active {
		return false
	}
	return u.Role == RoleAdmin || slices.Contains(u.Permissions, p)
}

// IsAdmin reports whether u is an active administrator.
func (u *User) IsAdmin() bool { return u != nil && u.Active && u.Role == RoleAdmin }

// Who may text whom. Texts with candidates are read and sent through a
// company number (NumberService says who is assigned to one); these rules
// say which of the people on a number may do what with it.

// SeesTexts reports whether u may read texts with candidates, given a
// number (CheckTexts). Administrators who are not assigned to a number see
// texts only in the SMS Activity report.
func (u *User) SeesTexts() bool { return u.CheckTexts() == nil }

// FollowsNumber reports whether u, when assigned to a number, is told live
// of its activity (texts in and out, their statuses): only users who see
// its texts. Others on the number get their own events only.
func (u *User) FollowsNumber() bool { return u.SeesTexts() }

// CheckTexts returns nil when u holds the permissions reading texts with
// candidates needs beside an assignment to the number — the Candidate Pool
// and Candidate profiles, as the product description puts it — else a
// forbidden error naming the ones u lacks. Reading a conversation needs them, and so
// does starting one, alone or from a list: nobody texts a candidate whose
// answer they could not read. The page a text starts from needs its own
// permission too (Jobs for the Job Posting page).
func (u *User) CheckTexts() error {
	var missing []string
	for _, p := range [...]Permission{PermPool, PermProfiles} {
		if !u.Can(p) {
			missing = append(missing, strconv.Quote(p.Label()))
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return Errorf(EForbidden, "Texts with candidates need the %q and %q permissions; you do not have the %s permission.",
			PermPool.Label(), PermProfiles.Label(), missing[0])
	}
	return Errorf(EForbidden, "Texts with candidates need the %q and %q permissions; you have neither.",
		PermPool.Label(), PermProfiles.Label())
}

// MaxUserName bounds a user's name, in characters.
const MaxUserName = 200

// NewUser is the input for creating a user.
type NewUser struct {
	OrgID       OrgID
	Email       string
	Name        string
	Role        Role
	Permissions []Permission
	Password    string
}

// Validate checks n and normalizes the email.
func (n *NewUser) Validate() error {
	v := Validation{}
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		v.Add("email", ErrorMessage(err))
	}
	n.Email = email
	n.Name = requiredText(v, "name", "name", MaxUserName, n.Name)
	if !n.Role.Valid() {
		v.Add("role", "Choose admin or user.")
	}
	if err := ValidatePassword(n.Password); err != nil {
		v.Add("password", ErrorMessage(err))
	}
	if n.Role == RoleAdmin {
		n.Permissions = []Permission{}
	}
	if n.Permissions == nil {
		n.Permissions = []Permission{}
	}
	return v.Err()
}

// NormalizeEmail trims and lower-cases an email address and checks it is a
// plain address (no display name).
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if err := CheckText(s, SingleLine); err != nil {
		return s, err
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		return s, Errorf(EInvalid, "Enter an email address such as name@example.com.")
	}
	return s, nil
}

// UserUpdate changes a user's name, role, permissions or active state; nil
// fields are left alone.
type UserUpdate struct {
	Name        *string
	Role        *Role
	Permissions *[]Permission
	Active      *bool
}

// Validate trims the name and checks the fields being changed, reporting
// all problems at once.
func (u *UserUpdate) Validate() error {
	v := Validation{}
	if u.Name != nil {
		name := requiredText(v, "name", "name", MaxUserName, *u.Name)
		u.Name = &name
	}
	if u.Role != nil && !u.Role.Valid() {
		v.Add("role", "Choose admin or user.")
	}
	return v.Err()
}

// KeepAccess says which of a user's ways in survive a new password. A new
// password is for shutting out whoever knew the old one, so the zero value
// ends every session and API token, as an administrator's reset does.
type KeepAccess struct {
	// Session is the secret of the session that changed the password, which
	// stays logged in; "" keeps none.
	Session string
	// Tokens keeps the user's API tokens working (the user's choice when
	// they change their own password: scripts are not logged-in people).
	Tokens bool
}

// UserService manages the users of an organization. Every method takes the
// organization explicitly; a user of another organization is not found.
type UserService interface {
	CreateUser(ctx context.Context, n NewUser) (*User, error)
	UserByID(ctx context.Context, org OrgID, id UserID) (*User, error)
	UserByEmail(ctx context.Context, org OrgID, email string) (*User, error)
	ListUsers(ctx context.Context, org OrgID) ([]*User, error)
	UpdateUser(ctx context.Context, org OrgID, id UserID, u UserUpdate) (*User, error)
	// SetPassword replaces a user's password and, in the same transaction,
	// ends their sessions and API tokens except those keep names.
	SetPassword(ctx context.Context, org OrgID, id UserID, password string, keep KeepAccess) error
}
