package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestAPIScheduleListAndCancel schedules texts through the API, lists them
// (own for a user, all for an administrator), cancels one, and refuses bad
// times, another user's cancel and a second cancel.
func TestAPIScheduleListAndCancel(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	a, b := f.candidate(t, "Ana"), f.candidate(t, "Ben")
	tok := token(t, db, f.recruiter)
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	body := `{"candidate_ids":["` + idStr(int64(a.ID)) + `","` + idStr(int64(b.ID)) + `"],"body":"See you soon","send_at":"` + at.Format(time.RFC3339) + `"}`
	st, got := f.ts.api(t, tok, "POST", "/api/v1/messages", body)
	if st != http.StatusAccepted {
		t.Fatalf("schedule: %d %v", st, got)
	}
	results := got["results"].([]any)
	first := results[0].(map[string]any)
	if first["status"] != "scheduled" || first["send_at"] != at.Format(time.RFC3339) {
		t.Fatalf("result %v, want scheduled at %v", first, at)
	}
	msgID := first["message_id"].(string)

	for _, bad := range []string{"yesterday", time.Now().Add(-time.Hour).Format(time.RFC3339), time.Now().AddDate(1, 1, 0).Format(time.RFC3339)} {
		st, got := f.ts.api(t, tok, "POST", "/api/v1/messages", `{"candidate_ids":["`+idStr(int64(a.ID))+`"],"body":"x","send_at":"`+bad+`"}`)
		if st != http.StatusUnprocessableEntity || got["error"].(map[string]any)["fields"].(map[string]any)["send_at"] == nil {
			t.Errorf("send_at %q: %d %v", bad, st, got)
		}
	}

	st, got = f.ts.api(t, tok, "GET", "/api/v1/scheduled-messages", "")
	if list := got["messages"].([]any); st != http.StatusOK || len(list) != 2 || list[0].(map[string]any)["status"] != "scheduled" ||
		list[0].(map[string]any)["hold"] != "schedule" {
		t.Fatalf("list: %d %v", st, got)
	}
	other := storetest.MustCreateUser(t, db, f.org.ID, "Otto", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	otherTok := token(t, db, other)
	if _, got := f.ts.api(t, otherTok, "GET", "/api/v1/scheduled-messages", ""); len(got["messages"].([]any)) != 0 {
		t.Fatalf("another user sees %v", got)
	}
	if st, _ := f.ts.api(t, otherTok, "DELETE", "/api/v1/messages/"+msgID, ""); st != http.StatusNotFound {
		t.Fatalf("another user's cancel: %d", st)
	}
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	if _, got := f.ts.api(t, token(t, db, admin), "GET", "/api/v1/scheduled-messages", ""); len(got["messages"].([]any)) != 2 {
		t.Fatalf("the administrator sees %v", got)
	}
	st, got = f.ts.api(t, tok, "DELETE", "/api/v1/messages/"+msgID, "")
	if st != http.StatusOK || got["status"] != "canceled" {
		t.Fatalf("cancel: %d %v", st, got)
	}
	if st, _ := f.ts.api(t, tok, "DELETE", "/api/v1/messages/"+msgID, ""); st != http.StatusConflict {
		t.Fatalf("second cancel: %d", st)
	}
	if _, got := f.ts.api(t, tok, "GET", "/api/v1/scheduled-messages", ""); len(got["messages"].([]any)) != 1 {
		t.Fatalf("after the cancel: %v", got)
	}
}
