package server_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestFormAddressesAnswerGET checks that every address a page form posts
// to also answers GET: a form shown again with its errors leaves its POST
// address in the address bar, which must survive a reload or a return from
// the history. Addresses without a page of their own redirect to the form's
// page (the authorization matrix checks each one's outcome).
func TestFormAddressesAnswerGET(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)

	gets := map[string]bool{}
	for _, r := range ts.srv.Routes() {
		if path, ok := strings.CutPrefix(r.Pattern, "GET "); ok {
			gets[path] = true
		}
	}
	id := regexp.MustCompile(`\{[^}]*\}`)
	for _, r := range ts.srv.Routes() {
		path, ok := strings.CutPrefix(r.Pattern, "POST ")
		if !ok || r.API || path == "/logout" { // logging out always redirects
			continue
		}
		if !gets[path] {
			t.Errorf("the form address %s has no GET route: add one answering with back(the form's page)", path)
			continue
		}
		target := id.ReplaceAllString(path, "7")
		st, body, h := b.do("GET", target, nil)
		if st == http.StatusNotFound && strings.Contains(body, "There is no page at") ||
			st == http.StatusSeeOther && strings.HasPrefix(h.Get("Location"), "/login") {
			t.Errorf("GET %s: %d %s", target, st, h.Get("Location"))
		}
	}
}
