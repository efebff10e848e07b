package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/docs"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestAPIMe(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	u := storetest.MustCreateUser(t, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermPool, hiretext.PermJobs)
	st, body := ts.api(t, token(t, db, u), "GET", "/api/v1/me", "")
	if st != 200 {
		t.Fatalf("status %d: %v", st, body)
	}
	orgJSON, _ := body["org"].(map[string]any)
	perms, _ := body["permissions"].([]any)
	if body["id"] != idStr(int64(u.ID)) || body["email"] != u.Email || body["role"] != "user" ||
		len(perms) != 2 || perms[0] != "jobs" || orgJSON["slug"] != org.Slug || orgJSON["timezone"] != "America/Chicago" {
		t.Fatalf("me = %v", body)
	}
}

func idStr(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestAPIAuthErrors(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	for _, c := range []struct{ token, code string }{{"", "unauthorized"}, {"ht_not-a-real-token", "unauthorized"}, {"garbage", "unauthorized"}} {
		st, body := ts.api(t, c.token, "GET", "/api/v1/me", "")
		if st != http.StatusUnauthorized || errorCode(body) != c.code {
			t.Errorf("token %q: %d %v", c.token, st, body)
		}
	}
}

func TestAPIUsersAdminOnly(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	user := storetest.MustCreateUser(t, db, org.ID, "Bob User", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles, hiretext.PermSMSReport)
	if st, body := ts.api(t, token(t, db, user), "GET", "/api/v1/users", ""); st != 403 || errorCode(body) != "forbidden" {
		t.Fatalf("non-admin: %d %v", st, body)
	}
	st, body := ts.api(t, token(t, db, admin), "GET", "/api/v1/users", "")
	users, _ := body["users"].([]any)
	if st != 200 || len(users) != 2 {
		t.Fatalf("admin: %d %v", st, body)
	}
	first, _ := users[0].(map[string]any)
	if _, ok := first["id"].(string); !ok || first["name"] != "Ann Admin" {
		t.Fatalf("first user %v: want string id, sorted by name", first)
	}
}

func TestAPICreateAndUpdateUser(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	tok := token(t, db, storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin))
	st, body := ts.api(t, tok, "POST", "/api/v1/users", `{"email":"carl@example.com","name":"Carl","role":"user","permissions":["pool"]}`)
	if st != 201 || len(body["password"].(string)) < 16 {
		t.Fatalf("create: %d %v", st, body)
	}
	id := body["id"].(string)
	st, body = ts.api(t, tok, "PATCH", "/api/v1/users/"+id, `{"permissions":["jobs","profiles"],"active":false}`)
	if st != 200 || len(body["permissions"].([]any)) != 2 || body["active"] != false {
		t.Fatalf("patch: %d %v; want the user shown deactivated", st, body)
	}
	carl, _ := db.UserByEmail(t.Context(), org.ID, "carl@example.com")
	if carl.Active || len(carl.Permissions) != 2 || carl.Permissions[0] != hiretext.PermJobs || carl.Permissions[1] != hiretext.PermProfiles {
		t.Fatalf("stored user %+v", carl)
	}
}

func TestAPIBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	tok := token(t, db, storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin))
	cases := []struct {
		name, body string
		status     int
		code       string
	}{
		{"malformed", `{"email":`, 400, "bad_request"},
		{"unknown field", `{"email":"x@example.com","name":"X","role":"user","admin":true}`, 400, "bad_request"},
		{"wrong type", `{"email":"x@example.com","name":"X","role":"user","permissions":"jobs"}`, 400, "bad_request"},
		{"two objects", `{"email":"x@example.com","name":"X","role":"user"} {}`, 400, "bad_request"},
		{"empty", ``, 400, "bad_request"},
		{"bad email", `{"email":"not-an-email","name":"X","role":"user"}`, 422, "invalid"},
		{"bad role", `{"email":"x@example.com","name":"X","role":"owner"}`, 422, "invalid"},
		{"bad permission", `{"email":"x@example.com","name":"X","role":"user","permissions":["everything"]}`, 422, "invalid"},
		{"short password", `{"email":"x@example.com","name":"X","role":"user","password":"short"}`, 422, "invalid"},
		{"oversized", `{"email":"x@example.com","name":"` + strings.Repeat("x", 2<<20) + `","role":"user"}`, 413, "payload_too_large"},
	}
	for _, c := range cases {
		st, body := ts.api(t, tok, "POST", "/api/v1/users", c.body)
		if st != c.status || errorCode(body) != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, st, body, c.status, c.code)
		}
		if e := body["error"].(map[string]any); e["message"] == "" {
			t.Errorf("%s: empty message", c.name)
		}
	}
	_, body := ts.api(t, tok, "POST", "/api/v1/users", `{"email":"not-an-email","name":"","role":"user"}`)
	fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
	if fields["email"] == nil || fields["name"] == nil {
		t.Errorf("field errors = %v, want email and name", fields)
	}
	if users, _ := db.ListUsers(t.Context(), org.ID); len(users) != 1 {
		t.Fatalf("bad input stored users: %d", len(users))
	}
}

func TestAPITenantIsolation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		acme := storetest.MustCreateOrg(t, db, "Acme")
		globex := storetest.MustCreateOrg(t, db, "Globex")
		acmeUser := storetest.MustCreateUser(t, db, acme.ID, "Ann", hiretext.RoleUser)
		globexAdmin := token(t, db, storetest.MustCreateUser(t, db, globex.ID, "Gus", hiretext.RoleAdmin))
		st, body := ts.api(t, globexAdmin, "PATCH", "/api/v1/users/"+idStr(int64(acmeUser.ID)), `{"name":"Pwned"}`)
		if st != 404 || errorCode(body) != "not_found" {
			t.Fatalf("cross-company PATCH: %d %v, want 404", st, body)
		}
		_, body = ts.api(t, globexAdmin, "GET", "/api/v1/users", "")
		if users := body["users"].([]any); len(users) != 1 {
			t.Fatalf("Globex admin lists %d users, want only their own", len(users))
		}
		if u, _ := db.UserByID(t.Context(), acme.ID, acmeUser.ID); u.Name != "Ann" {
			t.Fatal("another company changed the user")
		}
	})
}

// TestOpenAPIDocumentsEveryRoute fails when an /api/v1 route exists that the
// OpenAPI document does not describe, or the document describes one that
// does not exist.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	param := regexp.MustCompile(`\{([a-z_]+)\.{0,3}\}`)
	for _, r := range ts.srv.Routes() {
		if !strings.Contains(r.Pattern, " /api/v1/") {
			continue
		}
		key := param.ReplaceAllString(r.Pattern, "{$1}")
		if !documented[key] {
			t.Errorf("route %s is not in docs/api/openapi.json", r.Pattern)
		}
		delete(documented, key)
	}
	for op := range documented {
		t.Errorf("openapi.json documents %s, which no route serves", op)
	}
	resp, err := http.Get(ts.URL + "/api/v1/openapi.json")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET openapi.json: %v %v", err, resp)
	}
	resp.Body.Close()
}
