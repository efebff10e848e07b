package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestAllowanceAlertsAreNotifications crosses 90% of a shared number: each
// recruiter finds the alert in the bell and in the API, dismisses it with
// the bell's form (no script needed) or the API, as often as they like, and
// nobody else can.
func TestAllowanceAlertsAreNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts := newTestServer(t, db)
		ctx := context.Background()
		org, number, rita, sam := twoOnNumber(t, db, 10)
		admin := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin)
		stranger := storetest.MustCreateUser(t, db, storetest.MustCreateOrg(t, db, "Other").ID, "Olga", hiretext.RoleAdmin)
		ritaTok := token(t, db, rita)
		if st, body := ts.api(t, ritaTok, "GET", "/api/v1/notifications", ""); st != http.StatusOK || len(body["notifications"].([]any)) != 0 {
			t.Fatalf("before any alert: %d %v", st, body)
		}
		ch, err := db.ReserveAllowance(ctx, org.ID, number.ID, 9)
		if err != nil {
			t.Fatal(err)
		}
		month := ch.Usage.Period

		st, body := ts.api(t, ritaTok, "GET", "/api/v1/notifications", "")
		list, _ := body["notifications"].([]any)
		if st != http.StatusOK || len(list) != 1 {
			t.Fatalf("Rita's notifications: %d %v", st, body)
		}
		note := list[0].(map[string]any)
		id, _ := note["id"].(string)
		if note["kind"] != "allowance_90" || note["number_id"] != idStr(int64(number.ID)) || note["month"] != month ||
			note["read"] != false || note["created_at"] == nil || id == "" {
			t.Fatalf("Rita's notification: %v", note)
		}

		// The bell lists it with a form to dismiss it.
		br := ts.sessionBrowser(t, rita)
		_, page, _ := br.do("GET", "/candidates", nil)
		if !strings.Contains(page, "bell-lit") || !strings.Contains(page, "used 90% of its monthly allowance in") ||
			!strings.Contains(page, `action="/notifications/`+id+`/read"`) || !strings.Contains(page, `data-bell-notices="1"`) {
			t.Fatalf("Rita's bell does not show the notification to dismiss:\n%s", bellOf(page))
		}

		// Nobody else can mark it read: another user of the number, an
		// administrator, another company.
		for _, u := range []*hiretext.User{sam, admin, stranger} {
			if st, body := ts.api(t, token(t, db, u), "POST", "/api/v1/notifications/"+id+"/read", ""); st != http.StatusNotFound {
				t.Fatalf("%s marks Rita's notification read: %d %v, want 404", u.Name, st, body)
			}
			if st, _, _ := ts.sessionBrowser(t, u).do("POST", "/notifications/"+id+"/read", url.Values{"return_to": {"/"}}); st != http.StatusNotFound {
				t.Fatalf("%s dismisses Rita's notification: %d, want 404", u.Name, st)
			}
		}

		// Dismissed from the bell, it leaves the bell and reads as read.
		st, _, h := br.do("POST", "/notifications/"+id+"/read", url.Values{"return_to": {"/candidates?q=ana"}})
		if st != http.StatusSeeOther || h.Get("Location") != "/candidates?q=ana" {
			t.Fatalf("dismiss: %d to %q, want 303 back to the page", st, h.Get("Location"))
		}
		if _, page, _ := br.do("GET", "/candidates", nil); strings.Contains(page, "used 90% of its monthly allowance in") || strings.Contains(page, "data-bell-notices") {
			t.Fatalf("the dismissed notification is still in the bell:\n%s", bellOf(page))
		}
		for range 2 { // marking it read again answers the same
			if st, body := ts.api(t, ritaTok, "POST", "/api/v1/notifications/"+id+"/read", ""); st != http.StatusOK || body["read"] != true || body["id"] != id {
				t.Fatalf("mark read through the API: %d %v", st, body)
			}
		}
		if st, h := dismissTo(t, br, id, "//evil.example/"); st != http.StatusSeeOther || h != "/" {
			t.Fatalf("a return_to off the site: %d to %q, want /", st, h)
		}

		// Sam's own is untouched.
		_, body = ts.api(t, token(t, db, sam), "GET", "/api/v1/notifications", "")
		if list := body["notifications"].([]any); len(list) != 1 || list[0].(map[string]any)["read"] != false {
			t.Fatalf("Sam's notifications after Rita dismissed hers: %v", body)
		}
		for _, path := range []string{"/api/v1/notifications/x/read", "/api/v1/notifications/0/read", "/api/v1/notifications/99999/read"} {
			if st, body := ts.api(t, ritaTok, "POST", path, ""); st != http.StatusNotFound || errorCode(body) != hiretext.ENotFound {
				t.Fatalf("POST %s: %d %v", path, st, body)
			}
		}
	})
}

// dismissTo dismisses notification id from the bell with return_to and
// returns the status and where it redirects.
func dismissTo(t *testing.T, b *browser, id, returnTo string) (int, string) {
	t.Helper()
	st, _, h := b.do("POST", "/notifications/"+id+"/read", url.Values{"return_to": {returnTo}})
	return st, h.Get("Location")
}

// bellOf returns the bell's part of a page, for failure messages.
func bellOf(page string) string {
	if i := strings.Index(page, `id="bell-slot"`); i >= 0 {
		page = page[i:]
	}
	return page[:min(len(page), 3000)]
}
