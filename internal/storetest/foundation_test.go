package storetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/password"
	"github.com/hiretext/hiretext/internal/store"
)

var ctx = context.Background()

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			// Several instances starting at once: each migrates, one wins, none fails.
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := store.Open(ctx, u, store.Config{Hasher: password.NewHasher(password.Fast, 1)})
					if err != nil {
						errs <- err
						return
					}
					defer db.Close()
					_, err = db.Migrate(ctx)
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent migrate: %v", err)
				}
			}
			db := Open(t, u, Config{})
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatalf("schema not current after migrate: %v", err)
			}
			if applied, _ := db.Migrate(ctx); len(applied) != 0 {
				t.Fatalf("second migrate applied %v", applied)
			}
		})
	}
}

func TestCheckSchemaRefusesEmptyDatabase(t *testing.T) {
	t.Parallel()
	db, err := store.Open(ctx, SQLiteURL(t), store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err == nil {
		t.Fatal("an unmigrated database passed CheckSchema")
	}
}

func TestOrgs(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		o, err := db.CreateOrg(ctx, hiretext.NewOrganization{Name: " Acme ", Slug: "acme", Timezone: "America/Chicago"})
		if err != nil {
			t.Fatal(err)
		}
		if o.Name != "Acme" || o.Region != "US" {
			t.Fatalf("org = %+v, want trimmed name and region US", o)
		}
		got, err := db.OrgBySlug(ctx, "acme")
		if err != nil || got.ID != o.ID || got.Timezone != "America/Chicago" {
			t.Fatalf("OrgBySlug = %+v, %v", got, err)
		}
		_, err = db.CreateOrg(ctx, hiretext.NewOrganization{Name: "Other", Slug: "acme"})
		if hiretext.ErrorFields(err)["slug"] == "" {
			t.Fatalf("duplicate slug: err = %v, want a slug field error", err)
		}
		for _, bad := range []hiretext.NewOrganization{
			{Name: "", Slug: "ok-slug"},
			{Name: "X", Slug: "Bad Slug"},
			{Name: "X", Slug: "ok-slug", Timezone: "Mars/Olympus"},
			{Name: "X", Slug: "ok-slug", Region: "ZZ"},
		} {
			if _, err := db.CreateOrg(ctx, bad); hiretext.ErrorCode(err) != hiretext.EInvalid {
				t.Errorf("CreateOrg(%+v) err = %v, want invalid", bad, err)
			}
		}
		orgs, _ := db.ListOrgs(ctx)
		if len(orgs) != 1 {
			t.Fatalf("ListOrgs = %d orgs, want 1 (invalid input stored nothing)", len(orgs))
		}
	})
}

func TestUsers(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		u, err := db.CreateUser(ctx, hiretext.NewUser{OrgID: org.ID, Email: " Ann@Example.COM ", Name: "Ann",
			Role: hiretext.RoleUser, Permissions: []hiretext.Permission{hiretext.PermPool, hiretext.PermJobs}, Password: TestPassword})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "ann@example.com" || !u.Can(hiretext.PermJobs) || u.Can(hiretext.PermProfiles) {
			t.Fatalf("user = %+v", u)
		}
		other := MustCreateOrg(t, db, "Other")
		_, err = db.CreateUser(ctx, hiretext.NewUser{OrgID: other.ID, Email: "ann@example.com", Name: "Ann 2", Role: hiretext.RoleUser, Password: TestPassword})
		if hiretext.ErrorFields(err)["email"] == "" {
			t.Fatalf("duplicate email across orgs: err = %v, want email field error", err)
		}
		_, err = db.CreateUser(ctx, hiretext.NewUser{OrgID: other.ID, Email: "ANN@example.com", Name: " ", Role: hiretext.RoleUser, Password: TestPassword})
		if f := hiretext.ErrorFields(err); f["email"] == "" || f["name"] == "" {
			t.Fatalf("taken email and blank name: fields = %v, want both reported at once", f)
		}
		_, err = db.CreateUser(ctx, hiretext.NewUser{OrgID: org.ID, Email: "not-an-email", Name: "", Role: "boss", Password: "short"})
		f := hiretext.ErrorFields(err)
		if f["email"] == "" || f["name"] == "" || f["role"] == "" || f["password"] == "" {
			t.Fatalf("invalid user: fields = %v, want email, name, role and password errors", f)
		}
		users, _ := db.ListUsers(ctx, org.ID)
		if len(users) != 1 {
			t.Fatalf("ListUsers = %d, want 1", len(users))
		}
	})
}

func TestAuthenticate(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		u := MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin)
		if got, err := db.Authenticate(ctx, u.Email, TestPassword); err != nil || got.ID != u.ID {
			t.Fatalf("Authenticate = %v, %v", got, err)
		}
		for _, c := range []struct{ email, pw string }{{u.Email, "wrong-password"}, {"nobody@example.com", TestPassword}} {
			if _, err := db.Authenticate(ctx, c.email, c.pw); hiretext.ErrorCode(err) != hiretext.EUnauthorized {
				t.Errorf("Authenticate(%q) err = %v, want unauthorized", c.email, err)
			}
		}
		if err := db.SetPassword(ctx, org.ID, u.ID, "a-brand-new-password", hiretext.KeepAccess{}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, u.Email, "a-brand-new-password"); err != nil {
			t.Fatalf("new password rejected: %v", err)
		}
	})
}

// TestNewPasswordEndsOtherAccess sets a password three ways: keeping the
// session that changed it and the tokens (a user who ticked "keep my API
// tokens"), keeping the session only, and keeping nothing (an
// administrator's reset). Every session and token not kept stops working in
// the same transaction; another user's are untouched.
func TestNewPasswordEndsOtherAccess(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		ann := MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
		bob := MustCreateUser(t, db, org.ID, "Bob", hiretext.RoleUser)
		session := func(u *hiretext.User) string {
			s, err := db.CreateSession(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		token := func(u *hiretext.User) string {
			_, s, err := db.CreateToken(ctx, org.ID, u.ID, "script")
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		works := func(what string, err error, want bool) {
			t.Helper()
			if (err == nil) != want {
				t.Errorf("%s works = %v, want %v (err %v)", what, err == nil, want, err)
			}
		}
		here, elsewhere, tok, bobs, bobTok := session(ann), session(ann), token(ann), session(bob), token(bob)
		if err := db.SetPassword(ctx, org.ID, ann.ID, "another-long-password", hiretext.KeepAccess{Session: here, Tokens: true}); err != nil {
			t.Fatal(err)
		}
		_, err := db.SessionUser(ctx, here)
		works("the session that changed the password", err, true)
		_, err = db.SessionUser(ctx, elsewhere)
		works("another session", err, false)
		_, err = db.TokenUser(ctx, tok)
		works("a token kept on purpose", err, true)

		if err := db.SetPassword(ctx, org.ID, ann.ID, "a-third-long-password", hiretext.KeepAccess{Session: here}); err != nil {
			t.Fatal(err)
		}
		_, err = db.TokenUser(ctx, tok)
		works("a token not kept", err, false)
		_, err = db.SessionUser(ctx, here)
		works("the session that changed it again", err, true)

		if err := db.SetPassword(ctx, org.ID, ann.ID, "an-administrators-reset", hiretext.KeepAccess{}); err != nil {
			t.Fatal(err)
		}
		_, err = db.SessionUser(ctx, here)
		works("a session after an administrator's reset", err, false)
		_, err = db.SessionUser(ctx, bobs)
		works("another user's session", err, true)
		_, err = db.TokenUser(ctx, bobTok)
		works("another user's token", err, true)
	})
}

// TestLoginWorkDoesNotTellWhichEmailsExist counts the password hashes a
// login computes: a wrong password for an email that exists, an email
// nobody has and a deactivated user's email each cost one, so the time a
// login takes does not tell which emails have accounts.
func TestLoginWorkDoesNotTellWhichEmailsExist(t *testing.T) {
	EachWith(t, func() Config { return Config{Hasher: password.NewHasher(password.Fast, 2)} }, func(t *testing.T, db *store.DB, o Config) {
		org := MustCreateOrg(t, db, "Acme")
		ann := MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
		gone := MustCreateUser(t, db, org.ID, "Gus", hiretext.RoleUser)
		inactive := false
		if _, err := db.UpdateUser(ctx, org.ID, gone.ID, hiretext.UserUpdate{Active: &inactive}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ what, email, pw string }{
			{"right password", ann.Email, TestPassword}, {"wrong password", ann.Email, "wrong-password"},
			{"unknown email", "nobody@example.com", "wrong-password"}, {"deactivated user", gone.Email, TestPassword},
		} {
			before := o.Hasher.Derivations()
			_, _ = db.Authenticate(ctx, c.email, c.pw)
			if n := o.Hasher.Derivations() - before; n != 1 {
				t.Errorf("login with %s computed %d password hashes, want 1 like every other login", c.what, n)
			}
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	clock := NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	EachWith(t, func() Config { c := NewClock(clock.Now()); return Config{Clock: c.Now} }, func(t *testing.T, db *store.DB, o Config) {
		org := MustCreateOrg(t, db, "Acme")
		u := MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
		secret, err := db.CreateSession(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.SessionUser(ctx, secret); err != nil || got.ID != u.ID {
			t.Fatalf("SessionUser = %v, %v", got, err)
		}
		if _, err := db.SessionUser(ctx, secret+"x"); hiretext.ErrorCode(err) != hiretext.EUnauthorized {
			t.Fatalf("forged secret: err = %v", err)
		}
		if err := db.DeleteSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, secret); hiretext.ErrorCode(err) != hiretext.EUnauthorized {
			t.Fatalf("logged-out session still works: %v", err)
		}
	})
}

func TestSessionIdleAndAbsoluteLimits(t *testing.T) {
	t.Parallel()
	clock := NewClock(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC))
	db := NewSQLite(t, Config{Clock: clock.Now})
	org := MustCreateOrg(t, db, "Acme")
	u := MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
	idle, _ := db.CreateSession(ctx, u)
	busy, _ := db.CreateSession(ctx, u)
	// The busy session is used every 6 hours; the idle one is not.
	for range 4 {
		clock.Advance(6 * time.Hour)
		if _, err := db.SessionUser(ctx, busy); err != nil {
			t.Fatalf("active session ended early: %v", err)
		}
	}
	if _, err := db.SessionUser(ctx, idle); err == nil {
		t.Fatal("session idle for 24h still works")
	}
	clock.Advance(6*24*time.Hour - time.Hour)
	_, _ = db.SessionUser(ctx, busy)
	clock.Advance(2 * time.Hour) // past 7 days since login
	if _, err := db.SessionUser(ctx, busy); err == nil {
		t.Fatal("session older than the absolute limit still works")
	}
}

func TestDeactivationEndsSessionsAndTokens(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		u := MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser, hiretext.PermJobs)
		MustAssign(t, db, org.ID, MustAddNumber(t, db, org.ID).ID, u.ID)
		secret, _ := db.CreateSession(ctx, u)
		_, token, err := db.CreateToken(ctx, org.ID, u.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.TokenUser(ctx, token); err != nil || got.ID != u.ID {
			t.Fatalf("TokenUser = %v, %v", got, err)
		}
		inactive := false
		if _, err := db.UpdateUser(ctx, org.ID, u.ID, hiretext.UserUpdate{Active: &inactive}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SessionUser(ctx, secret); err == nil {
			t.Error("deactivated user's session still works")
		}
		if _, err := db.TokenUser(ctx, token); err == nil {
			t.Error("deactivated user's token still works")
		}
		if _, err := db.Authenticate(ctx, u.Email, TestPassword); err == nil {
			t.Error("deactivated user can log in")
		}
		if _, err := db.NumberForUser(ctx, org.ID, u.ID); hiretext.ErrorCode(err) != hiretext.ENotAssigned {
			t.Errorf("deactivated user still holds a texting number: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		u := MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
		tok, secret, err := db.CreateToken(ctx, org.ID, u.ID, "laptop")
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) < 40 || tok.Prefix != secret[:len(tok.Prefix)] {
			t.Fatalf("secret %q / prefix %q", secret, tok.Prefix)
		}
		list, _ := db.ListTokens(ctx, org.ID, u.ID)
		if len(list) != 1 || list[0].Name != "laptop" {
			t.Fatalf("ListTokens = %+v", list)
		}
		if err := db.RevokeToken(ctx, org.ID, u.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TokenUser(ctx, secret); err == nil {
			t.Fatal("revoked token still works")
		}
	})
}

func TestTenantIsolation(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		acme := MustCreateOrg(t, db, "Acme")
		globex := MustCreateOrg(t, db, "Globex")
		ann := MustCreateUser(t, db, acme.ID, "Ann", hiretext.RoleUser)
		tok, _, _ := db.CreateToken(ctx, acme.ID, ann.ID, "t")
		if _, err := db.UserByID(ctx, globex.ID, ann.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Errorf("UserByID across orgs: %v", err)
		}
		if _, err := db.UserByEmail(ctx, globex.ID, ann.Email); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Errorf("UserByEmail across orgs: %v", err)
		}
		name := "Mallory"
		if _, err := db.UpdateUser(ctx, globex.ID, ann.ID, hiretext.UserUpdate{Name: &name}); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Errorf("UpdateUser across orgs: %v", err)
		}
		if err := db.SetPassword(ctx, globex.ID, ann.ID, "hijacked-password", hiretext.KeepAccess{}); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Errorf("SetPassword across orgs: %v", err)
		}
		if err := db.RevokeToken(ctx, globex.ID, ann.ID, tok.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Errorf("RevokeToken across orgs: %v", err)
		}
		if _, _, err := db.CreateToken(ctx, globex.ID, ann.ID, "t"); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Errorf("CreateToken across orgs: %v", err)
		}
		if users, _ := db.ListUsers(ctx, globex.ID); len(users) != 0 {
			t.Errorf("ListUsers(globex) = %d users", len(users))
		}
		if got, _ := db.UserByID(ctx, acme.ID, ann.ID); got.Name != "Ann" {
			t.Errorf("cross-org update changed the user: %+v", got)
		}
	})
}

// TestOpenNamesTheFileItCannotOpen: the driver's "unable to open database
// file" does not say which; the error does.
func TestOpenNamesTheFileItCannotOpen(t *testing.T) {
	t.Parallel()
	notADir := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(notADir, "hiretext.db")
	_, err := store.Open(ctx, "sqlite:"+path, store.Config{Hasher: password.NewHasher(password.Fast, 1)})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open(%s) = %v, want an error naming the file", path, err)
	}
}
