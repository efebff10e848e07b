package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// A page's live-update script fetches the page again when an event comes,
// also while the browser follows a redirect away from it: that fetch must
// leave the redirect's message for the page the browser loads.
func TestFlashWaitsForTheNextPageLoad(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin)
	rita := storetest.MustCreateUser(t, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	if st, _, _ := b.do("POST", "/admin/users/"+idStr(int64(rita.ID))+"/deactivate", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", st)
	}
	get := func(mode string) string {
		req, _ := http.NewRequest("GET", ts.URL+"/admin/users", nil)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Sec-Fetch-Mode", mode)
		resp, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if body := get("cors"); strings.Contains(body, "is deactivated") {
		t.Error("a script's fetch took the message meant for the next page")
	}
	if body := get("navigate"); !strings.Contains(body, "is deactivated") {
		t.Error("the page loaded after the redirect shows no message")
	}
	if body := get("navigate"); strings.Contains(body, "is deactivated") {
		t.Error("the message shows again on the page after")
	}
}
