package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
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

// TestAttemptLimitRefusesAndSaysWhen sets an attempt limit of one: the
// second text is refused with the reason and the time the next is allowed,
// in the API, in the flash after the composer's send, and in the composer.
func TestAttemptLimitRefusesAndSaysWhen(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	u := hiretext.OpenSendPolicy(f.org.ID).Update()
	u.AttemptLimit = 1
	if _, err := db.UpdateSendPolicy(t.Context(), f.org.ID, u, 0); err != nil {
		t.Fatal(err)
	}
	c := f.candidate(t, "Ana")
	tok := token(t, db, f.recruiter)
	send := `{"candidate_ids":["` + idStr(int64(c.ID)) + `"],"body":"Hi"}`
	if st, got := f.ts.api(t, tok, "POST", "/api/v1/messages", send); st != http.StatusAccepted || got["results"].([]any)[0].(map[string]any)["status"] != "queued" {
		t.Fatalf("first text: %d %v", st, got)
	}
	st, got := f.ts.api(t, tok, "POST", "/api/v1/messages", send)
	r := got["results"].([]any)[0].(map[string]any)
	if st != http.StatusAccepted || r["status"] != "skipped" || r["reason"] != "attempt_limit" || r["next_attempt_at"] == nil {
		t.Fatalf("second text: %d %v", st, got)
	}
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	path := "/candidates/" + idStr(int64(c.ID))
	if st, _, _ := b.do("POST", path+"/messages", url.Values{"body": {"Hello?"}, "return_to": {path + "/conversation"}}); st != http.StatusSeeOther {
		t.Fatalf("composer send: %d", st)
	}
	_, page, _ := b.do("GET", path+"/conversation", nil)
	if strings.Count(page, "Ana already got the most texts the company allows in 24 hours without a reply; the next is allowed at") != 2 {
		t.Fatalf("the flash and the composer should say when the next text is allowed:\n%s", page)
	}
}

// TestAPICandidateTimeZone shows a candidate's zone and local time, sets it
// by name, derives it again with null, and refuses an unknown name.
func TestAPICandidateTimeZone(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newATSFixture(t, db)
	tok := token(t, db, f.admin)
	cand := storetest.MustApply(t, db, f.org.ID, storetest.Applicant(f.job.ID, "Ana", "Tester"))
	path := "/api/v1/candidates/" + idStr(int64(cand.CandidateID))
	st, got := f.ts.api(t, tok, "GET", path, "")
	if st != http.StatusOK || got["time_zone"] == nil || got["local_time"] == nil {
		t.Fatalf("GET: %d %v", st, got)
	}
	derived := got["time_zone"]
	if st, got = f.ts.api(t, tok, "PATCH", path, `{"time_zone":"America/Denver"}`); st != http.StatusOK || got["time_zone"] != "America/Denver" ||
		!strings.HasSuffix(got["local_time"].(string), "-07:00") {
		t.Fatalf("PATCH a zone: %d %v", st, got)
	}
	if st, got = f.ts.api(t, tok, "PATCH", path, `{"time_zone":"Mars/Olympus","main_phone":"(312) 555-0177"}`); st != http.StatusUnprocessableEntity ||
		got["error"].(map[string]any)["fields"].(map[string]any)["time_zone"] == nil {
		t.Fatalf("PATCH an unknown zone: %d %v", st, got)
	}
	if c, _ := db.CandidateByID(t.Context(), f.org.ID, cand.CandidateID); c.TimeZone != "America/Denver" || c.MainPhone == "+13125550177" {
		t.Fatalf("a refused PATCH changed the candidate: %+v", c)
	}
	if st, got = f.ts.api(t, tok, "PATCH", path, `{"time_zone":null}`); st != http.StatusOK || got["time_zone"] != derived {
		t.Fatalf("PATCH null: %d %v, want %v again", st, got, derived)
	}
}

// TestProfileTimeZone shows the candidate's local time on the profile and
// sets their zone there, refusing an unknown name.
func TestProfileTimeZone(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newATSFixture(t, db)
	cand := storetest.MustApply(t, db, f.org.ID, storetest.Applicant(f.job.ID, "Ana", "Tester"))
	b := f.as(t, f.recruiter)
	path := "/candidates/" + idStr(int64(cand.CandidateID))
	_, page, _ := b.do("GET", path, nil)
	mustContain(t, "profile", page, "Local time ", `name="time_zone"`)
	if st, page, _ := b.do("POST", path+"/time-zone", url.Values{"time_zone": {"Mars/Olympus"}}); st != http.StatusUnprocessableEntity ||
		!strings.Contains(page, `id="time_zone-error"`) {
		t.Fatalf("an unknown zone: %d", st)
	}
	if st, _, _ := b.do("POST", path+"/time-zone", url.Values{"time_zone": {"America/Denver"}}); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	_, page, _ = b.do("GET", path, nil)
	mustContain(t, "saved", page, "(America/Denver)", "is texted by America/Denver time")
}

// TestAPIPreviewSaysWhen previews a scheduled text: each candidate's
// preview carries the minute it would go.
func TestAPIPreviewSaysWhen(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	c := f.candidate(t, "Ana")
	at := time.Now().Add(30 * time.Hour).UTC().Truncate(time.Second)
	st, got := f.ts.api(t, token(t, db, f.recruiter), "POST", "/api/v1/messages/preview",
		`{"candidate_ids":["`+idStr(int64(c.ID))+`"],"body":"Hi","send_at":"`+at.Format(time.RFC3339)+`"}`)
	if st != http.StatusOK || got["previews"].([]any)[0].(map[string]any)["send_at"] != at.Format(time.RFC3339) {
		t.Fatalf("preview: %d %v", st, got)
	}
}

// TestComposerPreviewSaysWhen: the composer's live preview of a Send later
// time inside quiet hours (3:00 AM, the company's time) answers that the
// text moves to 9:00 AM, the candidate's time, as the page without
// JavaScript says before sending.
func TestComposerPreviewSaysWhen(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	if _, err := db.UpdateSendPolicy(t.Context(), f.org.ID, hiretext.DefaultSendPolicy(f.org.ID).Update(), f.recruiter.ID); err != nil {
		t.Fatal(err)
	}
	c := f.candidate(t, "Ana")
	chicago, err := time.LoadLocation(f.org.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	y, m, d := time.Now().In(chicago).Date()
	at := time.Date(y, m, d+2, 3, 0, 0, 0, chicago)
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	st, raw, _ := b.do("POST", "/messages/preview", url.Values{"candidate": {idStr(int64(c.ID))}, "body": {"Hi"},
		"send_at": {at.Format("2006-01-02T15:04")}})
	var got struct{ When []string }
	if err := json.Unmarshal([]byte(raw), &got); err != nil || st != http.StatusOK {
		t.Fatalf("preview: %d %s", st, raw)
	}
	if len(got.When) != 1 || !strings.HasPrefix(got.When[0], "Ana's local time is ") ||
		!strings.Contains(got.When[0], "; this will be sent at 9:00 AM ") || !strings.HasSuffix(got.When[0], ", Ana's time.") {
		t.Errorf("the preview says %q, want Ana's text moved to 9:00 AM, her time", got.When)
	}
}
