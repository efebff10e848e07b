package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestAdminUsersPage(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)

	// Create a user with a generated password, shown once.
	st, body, _ := b.do("POST", "/admin/users", url.Values{"name": {"Rita Recruiter"}, "email": {"rita@example.com"},
		"role": {"user"}, "permissions": {"jobs", "pool"}})
	if st != http.StatusCreated || !strings.Contains(body, "Created Rita Recruiter") {
		t.Fatalf("create: %d", st)
	}
	pw := regexp.MustCompile(`<code class="secret">([^<]+)</code>`).FindStringSubmatch(body)
	if pw == nil {
		t.Fatal("generated password not shown")
	}
	if _, err := db.Authenticate(t.Context(), "rita@example.com", pw[1]); err != nil {
		t.Fatalf("the shown password does not log in: %v", err)
	}

	// A password the administrator typed is not "shown only now".
	st, body, _ = b.do("POST", "/admin/users", url.Values{"name": {"Tom Typed"}, "email": {"tom@example.com"},
		"role": {"user"}, "password": {"a-typed-long-passphrase"}})
	if st != http.StatusCreated || !strings.Contains(body, "Created Tom Typed (tom@example.com) with the password you entered.") ||
		strings.Contains(body, "shown only now") || strings.Contains(body, `class="secret"`) {
		t.Fatalf("create with a typed password: %d, want it created without a password shown", st)
	}

	// The user's page says which number they text from, or that they have none.
	tom, _ := db.UserByEmail(t.Context(), org.ID, "tom@example.com")
	_, body, _ = b.do("GET", "/admin/users/"+idStr(int64(tom.ID)), nil)
	mustContain(t, "a user without a number", body, "Tom Typed is not assigned to a texting number")
	num := storetest.MustAddNumber(t, db, org.ID)
	storetest.MustAssign(t, db, org.ID, num.ID, tom.ID)
	_, body, _ = b.do("GET", "/admin/users/"+idStr(int64(tom.ID)), nil)
	mustContain(t, "a user on a number", body, "Tom Typed texts from <strong>"+phone.Format(num.Phone)+"</strong>")

	// Invalid input shows errors beside the fields and stores nothing.
	st, body, _ = b.do("POST", "/admin/users", url.Values{"name": {""}, "email": {"bad"}, "role": {"user"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, `id="email-error"`) || !strings.Contains(body, `id="name-error"`) {
		t.Fatalf("invalid create: %d", st)
	}
	if users, _ := db.ListUsers(t.Context(), org.ID); len(users) != 3 {
		t.Fatalf("%d users after invalid create, want 3", len(users))
	}

	// Deactivating ends the user's sessions at once.
	rita, _ := db.UserByEmail(t.Context(), org.ID, "rita@example.com")
	rb := ts.browser(t)
	if rb.login("rita@example.com", pw[1]) != http.StatusSeeOther {
		t.Fatal("rita cannot log in")
	}
	if st, _, _ := b.do("POST", "/admin/users/"+idStr(int64(rita.ID))+"/deactivate", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", st)
	}
	if st, _, _ := rb.do("GET", "/settings", nil); st != http.StatusSeeOther {
		t.Fatalf("deactivated user's session still opens pages: %d", st)
	}
	_, body, _ = b.do("GET", "/admin/users", nil)
	if !strings.Contains(body, "is deactivated") || !strings.Contains(body, "Deactivated</span>") {
		t.Fatal("flash or status missing after deactivation")
	}
}

func TestAdminEditPermissions(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	hm := storetest.MustCreateUser(t, db, org.ID, "Hank Manager", hiretext.RoleUser, hiretext.PermJobs)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	path := "/admin/users/" + idStr(int64(hm.ID))
	if st, _, _ := b.do("POST", path, url.Values{"name": {"Hank Manager"}, "role": {"user"}, "permissions": {"jobs", "profiles"}}); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	got, _ := db.UserByID(t.Context(), org.ID, hm.ID)
	if !got.Can(hiretext.PermProfiles) || got.Can(hiretext.PermPool) {
		t.Fatalf("permissions = %v", got.Permissions)
	}
	// An admin cannot demote themselves and so lock the company out.
	st, body, _ := b.do("POST", "/admin/users/"+idStr(int64(admin.ID)), url.Values{"name": {"Ann"}, "role": {"user"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "cannot remove your own administrator role") {
		t.Fatalf("self-demotion: %d %s", st, body)
	}
}

func TestPagesNeedTheRightRole(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	acme := storetest.MustCreateOrg(t, db, "Acme")
	globex := storetest.MustCreateOrg(t, db, "Globex")
	user := storetest.MustCreateUser(t, db, acme.ID, "Bob", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles, hiretext.PermSMSReport)
	acmeAdmin := storetest.MustCreateUser(t, db, acme.ID, "Ann", hiretext.RoleAdmin)
	globexAdmin := storetest.MustCreateUser(t, db, globex.ID, "Gus", hiretext.RoleAdmin)
	b := ts.browser(t)
	b.login(user.Email, storetest.TestPassword)
	for _, path := range []string{"/admin/users", "/admin/users/" + idStr(int64(acmeAdmin.ID))} {
		if st, _, _ := b.do("GET", path, nil); st != http.StatusForbidden {
			t.Errorf("user GET %s: %d, want 403", path, st)
		}
	}
	if st, _, _ := b.do("POST", "/admin/users", url.Values{"name": {"X"}, "email": {"x@example.com"}, "role": {"admin"}}); st != http.StatusForbidden {
		t.Errorf("user POST /admin/users: %d, want 403", st)
	}
	g := ts.browser(t)
	g.login(globexAdmin.Email, storetest.TestPassword)
	if st, _, _ := g.do("GET", "/admin/users/"+idStr(int64(acmeAdmin.ID)), nil); st != http.StatusNotFound {
		t.Errorf("other company's admin opens Acme's user: %d, want 404", st)
	}
	if st, _, _ := g.do("POST", "/admin/users/"+idStr(int64(user.ID))+"/deactivate", url.Values{}); st != http.StatusNotFound {
		t.Errorf("other company's admin deactivates Acme's user: %d, want 404", st)
	}
	if u, _ := db.UserByID(t.Context(), acme.ID, user.ID); !u.Active {
		t.Fatal("another company deactivated the user")
	}
}

func TestSettingsPasswordAndTokens(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	u := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
	b := ts.browser(t)
	b.login(u.Email, storetest.TestPassword)

	st, body, _ := b.do("POST", "/settings/password", url.Values{"current": {"wrong-one-here"}, "new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "not your current password") {
		t.Fatalf("wrong current password: %d", st)
	}
	st, _, _ = b.do("POST", "/settings/password", url.Values{"current": {storetest.TestPassword}, "new": {"short"}, "confirm": {"short"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("short new password: %d", st)
	}
	// Long enough is not enough: common, repetitive and blank passwords are refused too.
	for weak, why := range map[string]string{"1234567890": "most common passwords", "aaaaaaaaaa": "Repeated or consecutive",
		"          ": "more than spaces", "qwerty\x00\x00\x00\x00": "control character NUL"} {
		st, body, _ := b.do("POST", "/settings/password", url.Values{"current": {storetest.TestPassword}, "new": {weak}, "confirm": {weak}})
		if st != http.StatusUnprocessableEntity || !strings.Contains(body, why) {
			t.Errorf("new password %q: %d, want 422 saying %q", weak, st, why)
		}
	}
	// A confirmation that differs is a field error and changes nothing.
	st, body, _ = b.do("POST", "/settings/password", url.Values{"current": {storetest.TestPassword}, "new": {"a-new-password-1"}, "confirm": {"a-new-pasword-1"}})
	mustContain(t, "mismatched confirmation", body, `<label for="confirm">Confirm new password`,
		`<p class="field-error" id="confirm-error">The two new passwords are not the same.`)
	if _, err := db.Authenticate(t.Context(), u.Email, storetest.TestPassword); st != http.StatusUnprocessableEntity || err != nil {
		t.Fatalf("mismatched confirmation: %d; the old password works: %v", st, err == nil)
	}
	if st, _, _ = b.do("POST", "/settings/password", url.Values{"current": {storetest.TestPassword}, "new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}}); st != http.StatusSeeOther {
		t.Fatalf("change password: %d", st)
	}
	if _, err := db.Authenticate(t.Context(), u.Email, "a-new-password-1"); err != nil {
		t.Fatal("new password does not work")
	}

	st, body, _ = b.do("POST", "/settings/tokens", url.Values{"name": {"reporting script"}})
	secret := regexp.MustCompile(`<code class="secret">(ht_[^<]+)</code>`).FindStringSubmatch(body)
	if st != http.StatusCreated || secret == nil {
		t.Fatalf("create token: %d", st)
	}
	if st, _ := ts.api(t, secret[1], "GET", "/api/v1/me", ""); st != 200 {
		t.Fatalf("new token: %d", st)
	}
	tokens, _ := db.ListTokens(t.Context(), org.ID, u.ID)
	if st, _, _ := b.do("POST", "/settings/tokens/"+idStr(int64(tokens[0].ID))+"/revoke", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("revoke: %d", st)
	}
	if st, _ := ts.api(t, secret[1], "GET", "/api/v1/me", ""); st != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d, want 401", st)
	}
}

func TestHealthAndNotFound(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/no/such/page": 404} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

func TestRolesAndPermissionsShownByName(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	storetest.MustCreateUser(t, db, org.ID, "Bob Builder", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles, hiretext.PermSMSReport)
	rita := storetest.MustCreateUser(t, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs)
	// Codes as text, not as form values.
	codes := []string{"sms-report<", "sms-report ", "jobs, pool", ">admin<", ">user<", "<strong>admin", "<strong>user"}

	a := ts.browser(t)
	a.login(admin.Email, storetest.TestPassword)
	_, body, _ := a.do("GET", "/", nil)
	mustContain(t, "administrator's home", body, "Role: <strong>Administrator</strong>")
	_, users, _ := a.do("GET", "/admin/users", nil)
	mustContain(t, "users table", users, "<td>Administrator</td>", "<td>User</td>", "Jobs, Candidate pool, Candidate profiles, SMS Activity report")

	r := ts.browser(t)
	r.login(rita.Email, storetest.TestPassword)
	_, home, _ := r.do("GET", "/", nil)
	mustContain(t, "user's home", home, "Role: <strong>User</strong> · Permissions: Jobs</p>")
	st, refused, _ := r.do("GET", "/reports/sms-activity", nil)
	if st != http.StatusForbidden {
		t.Fatalf("report without the permission: %d, want 403", st)
	}
	mustContain(t, "refusal", refused, "You do not have the &#34;SMS Activity report&#34; permission.")
	for what, page := range map[string]string{"home": body + home, "users table": users, "refusal": refused} {
		for _, code := range codes {
			if strings.Contains(page, code) {
				t.Errorf("%s shows the code %q", what, code)
			}
		}
	}
}

func TestUserFormsShowEveryErrorAtOnce(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	rita := storetest.MustCreateUser(t, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)

	// A blank name and another user's email: both reported, nothing stored.
	st, body, _ := b.do("POST", "/admin/users", url.Values{"name": {"  "}, "email": {rita.Email}, "role": {"user"},
		"permissions": {"pool"}, "password": {"short"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("invalid create: %d, want 422", st)
	}
	mustContain(t, "invalid create", body, `<p class="field-error" id="name-error">Enter a name.</p>`,
		`<p class="field-error" id="email-error">A user with this email already exists.</p>`,
		`<p class="field-error" id="password-error">Use at least 10 characters.</p>`,
		`value="`+rita.Email+`"`, `value="pool" checked`)
	if users, _ := db.ListUsers(t.Context(), org.ID); len(users) != 2 {
		t.Fatalf("%d users after an invalid create, want 2", len(users))
	}

	// Editing oneself: a blank name and removing one's own administrator
	// role are both reported.
	st, body, _ = b.do("POST", "/admin/users/"+idStr(int64(admin.ID)), url.Values{"name": {""}, "role": {"user"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("invalid edit: %d, want 422", st)
	}
	mustContain(t, "invalid edit", body, `id="name-error">Enter a name.</p>`, "You cannot remove your own administrator role.")
	if u, _ := db.UserByID(t.Context(), org.ID, admin.ID); u.Name != "Ann Admin" || !u.IsAdmin() {
		t.Fatalf("an invalid edit changed the user: %+v", u)
	}
}

func TestAdministratorIsNotOfferedToDeactivateThemselves(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	rita := storetest.MustCreateUser(t, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)

	self := "/admin/users/" + idStr(int64(admin.ID))
	_, body, _ := b.do("GET", self, nil)
	if strings.Contains(body, self+"/deactivate") || strings.Contains(body, ">Deactivate<") {
		t.Error("an administrator's own page offers to deactivate them")
	}
	mustContain(t, "own page", body, "You cannot deactivate yourself; another administrator can.")
	other := "/admin/users/" + idStr(int64(rita.ID))
	_, body, _ = b.do("GET", other, nil)
	mustContain(t, "another user's page", body, `action="`+other+`/deactivate"`, ">Deactivate<")

	// The server still refuses a crafted request.
	if st, _, _ := b.do("POST", self+"/deactivate", url.Values{}); st != http.StatusUnprocessableEntity {
		t.Fatalf("self-deactivation: %d, want 422", st)
	}
	if u, _ := db.UserByID(t.Context(), org.ID, admin.ID); !u.Active {
		t.Fatal("the administrator deactivated themselves")
	}
}

// TestNewPasswordShutsOutWhoeverKnewTheOldOne changes a password from one
// browser while another browser and a script are logged in as the same
// user: the other browser is logged out and the token revoked, unless the
// user ticked "keep my API tokens"; the browser that changed it stays in.
func TestNewPasswordShutsOutWhoeverKnewTheOldOne(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	u := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
	here, elsewhere := ts.browser(t), ts.browser(t)
	here.login(u.Email, storetest.TestPassword)
	elsewhere.login(u.Email, storetest.TestPassword)
	script := token(t, db, u)

	st, _, _ := here.do("POST", "/settings/password", url.Values{"current": {storetest.TestPassword}, "new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}})
	if st != http.StatusSeeOther {
		t.Fatalf("change password: %d", st)
	}
	if st, body, _ := here.do("GET", "/settings", nil); st != http.StatusOK || !strings.Contains(body, "logged out everywhere else") {
		t.Fatalf("the browser that changed the password: %d, or no word that the others were logged out", st)
	}
	if st, _, h := elsewhere.do("GET", "/settings", nil); st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
		t.Fatalf("another browser after the change: %d %q, want the login page", st, h.Get("Location"))
	}
	if st, _ := ts.api(t, script, "GET", "/api/v1/me", ""); st != http.StatusUnauthorized {
		t.Fatalf("an API token after the change: %d, want 401", st)
	}

	kept := token(t, db, u)
	st, _, _ = here.do("POST", "/settings/password", url.Values{"current": {"a-new-password-1"}, "new": {"a-new-password-2"},
		"confirm": {"a-new-password-2"}, "keep_tokens": {"yes"}})
	if st != http.StatusSeeOther {
		t.Fatalf("change password keeping tokens: %d", st)
	}
	if st, _ := ts.api(t, kept, "GET", "/api/v1/me", ""); st != http.StatusOK {
		t.Fatalf("a token the user chose to keep: %d, want 200", st)
	}
}

// TestAdminResetsPassword resets another user's password: the new one is
// shown once and works, and every session and token of theirs ends. An
// administrator cannot reset their own (My settings keeps them logged in).
func TestAdminResetsPassword(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	rita := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
	ab, rb := ts.browser(t), ts.browser(t)
	ab.login(admin.Email, storetest.TestPassword)
	rb.login(rita.Email, storetest.TestPassword)
	script := token(t, db, rita)

	_, body, _ := ab.do("GET", "/admin/users/"+idStr(int64(rita.ID)), nil)
	mustContain(t, "the user's page", body, `action="/admin/users/`+idStr(int64(rita.ID))+`/password"`, "Reset password")
	st, body, _ := ab.do("POST", "/admin/users/"+idStr(int64(rita.ID))+"/password", url.Values{})
	pw := regexp.MustCompile(`<code class="secret">([^<]+)</code>`).FindStringSubmatch(body)
	if st != http.StatusOK || pw == nil {
		t.Fatalf("reset: %d, new password shown: %v", st, pw != nil)
	}
	if _, err := db.Authenticate(t.Context(), rita.Email, pw[1]); err != nil {
		t.Fatalf("the shown password does not log in: %v", err)
	}
	if st, _, _ := rb.do("GET", "/settings", nil); st != http.StatusSeeOther {
		t.Fatalf("the user's session after a reset: %d, want the login page", st)
	}
	if st, _ := ts.api(t, script, "GET", "/api/v1/me", ""); st != http.StatusUnauthorized {
		t.Fatalf("the user's token after a reset: %d, want 401", st)
	}
	if st, _, _ := ab.do("POST", "/admin/users/"+idStr(int64(admin.ID))+"/password", url.Values{}); st != http.StatusUnprocessableEntity {
		t.Fatalf("resetting one's own password: %d, want 422", st)
	}
}

// TestCurrentPasswordCheckIsThrottled guesses the current password from a
// logged-in session: it is counted like a failed login, so the guessing
// stops with 429 and even the right password waits; nothing changes.
func TestCurrentPasswordCheckIsThrottled(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db) // 3 failures allowed
	org := storetest.MustCreateOrg(t, db, "Acme")
	u := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
	b := ts.browser(t)
	b.login(u.Email, storetest.TestPassword)
	for i := range 3 {
		st, _, _ := b.do("POST", "/settings/password", url.Values{"current": {fmt.Sprintf("guess-number-%d", i)},
			"new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}})
		if st != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d: %d, want 422", i+1, st)
		}
	}
	st, body, h := b.do("POST", "/settings/password", url.Values{"current": {storetest.TestPassword},
		"new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}})
	if st != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "Too many wrong passwords") {
		t.Fatalf("after 3 wrong current passwords: %d Retry-After %q, want 429", st, h.Get("Retry-After"))
	}
	if _, err := db.Authenticate(t.Context(), u.Email, "a-new-password-1"); err == nil {
		t.Fatal("a throttled request changed the password")
	}
}
