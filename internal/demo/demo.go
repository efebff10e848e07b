// Package demo seeds the demo company that `hiretext serve --demo` shows
// a new user: Acme Staffing with its administrator, recruiters and hiring
// manager. Every later capability adds its demo data here, in one place.
package demo

import (
	"context"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// Slug is the demo company's slug.
const Slug = "acme-staffing"

// Password is every demo user's password; the demo is for trying hiretext
// on one's own machine, never for production.
const Password = "hiretext-demo"

// Login is one demo user's credentials.
type Login struct {
	Name, Email, Role string
}

// People are the demo users, in the order they are printed.
var People = []struct {
	Name, Email string
	Role        hiretext.Role
	Perms       []hiretext.Permission
	Description string
}{
	{"Dana Whitfield", "dana.whitfield@acme-staffing.example", hiretext.RoleAdmin, nil, "administrator"},
	{"Marcus Reyes", "marcus.reyes@acme-staffing.example", hiretext.RoleUser,
		[]hiretext.Permission{hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles}, "recruiter"},
	{"Priya Natarajan", "priya.natarajan@acme-staffing.example", hiretext.RoleUser,
		[]hiretext.Permission{hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles, hiretext.PermSMSReport}, "recruiter"},
	{"Tom Becker", "tom.becker@acme-staffing.example", hiretext.RoleUser,
		[]hiretext.Permission{hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles}, "hiring manager"},
}

// Logins lists the demo users' credentials.
func Logins() []Login {
	out := make([]Login, len(People))
	for i, p := range People {
		out[i] = Login{Name: p.Name, Email: p.Email, Role: p.Description}
	}
	return out
}

// Seed creates the demo company when the database has no organization yet
// and reports whether it did. A database that already has the demo company
// is left alone, so restarting `serve --demo` keeps earlier work.
func Seed(ctx context.Context, db *store.DB) (created bool, err error) {
	orgs, err := db.ListOrgs(ctx)
	if err != nil || len(orgs) > 0 {
		return false, err
	}
	org, err := db.CreateOrg(ctx, hiretext.NewOrganization{Name: "Acme Staffing", Slug: Slug, Timezone: "America/Chicago", Region: "US"})
	if err != nil {
		return false, err
	}
	if err := openEveryHour(ctx, db, org.ID); err != nil {
		return false, err
	}
	users := map[string]*hiretext.User{}
	for _, p := range People {
		u, err := db.CreateUser(ctx, hiretext.NewUser{OrgID: org.ID, Email: p.Email, Name: p.Name,
			Role: p.Role, Permissions: p.Perms, Password: Password})
		if err != nil {
			return false, err
		}
		users[p.Email] = u
	}
	// Each capability seeds its demo data after the users.
	if err := seedATS(ctx, db, org, users); err != nil {
		return false, err
	}
	if err := seedNumbers(ctx, db, org, users); err != nil {
		return false, err
	}
	templates, err := seedTemplates(ctx, db, org, users)
	if err != nil {
		return false, err
	}
	if err := seedTexting(ctx, db, org, users, templates); err != nil {
		return false, err
	}
	if err := seedSignature(ctx, db, org, users); err != nil {
		return false, err
	}
	return true, nil
}

// Present reports whether the demo company exists.
func Present(ctx context.Context, db *store.DB) bool {
	_, err := db.OrgBySlug(ctx, Slug)
	return err == nil
}

// openEveryHour lets the demo company text at every hour of every day, so a
// first try of the demo at night still shows a reply within seconds; a new
// company starts with the default window (Texting settings shows how to
// turn it on here).
func openEveryHour(ctx context.Context, db *store.DB, org hiretext.OrgID) error {
	_, err := db.UpdateSendPolicy(ctx, org, hiretext.OpenSendPolicy(org).Update(), 0)
	return err
}
