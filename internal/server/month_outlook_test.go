package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestScheduleIntoNextMonthAtTheMaximum: on December 31 the number's
// allowance is used up. Sending now is refused and the composer's Send
// starts disabled, but Rita can still schedule into January: the composer,
// its preview and the API's results show January's allowance with the
// texts already scheduled into it, and when January comes the text goes.
func TestScheduleIntoNextMonthAtTheMaximum(t *testing.T) {
	t.Parallel()
	chicago, _ := time.LoadLocation("America/Chicago")
	clock := storetest.NewClock(time.Date(2026, 12, 31, 16, 0, 0, 0, chicago))
	db := storetest.NewSQLite(t, storetest.Config{Clock: clock.Now})
	f := newTextingFixture(t, db, func(cfg *server.Config, _ *server.Store) { cfg.Clock = clock.Now })
	if _, err := db.SetAllowance(context.Background(), f.number.Phone, 1); err != nil {
		t.Fatal(err)
	}
	ann := f.candidate(t, "Ann")
	annID := strconv.Quote(idStr(int64(ann.ID)))
	rita := token(t, db, f.recruiter)
	if st, res := f.ts.api(t, rita, "POST", "/api/v1/messages", `{"candidate_ids":[`+annID+`],"body":"Last one this year"}`); st != http.StatusAccepted {
		t.Fatalf("the last text of December: %d %v", st, res)
	}
	if st, res := f.ts.api(t, rita, "POST", "/api/v1/messages", `{"candidate_ids":[`+annID+`],"body":"One too many"}`); st != http.StatusConflict {
		t.Fatalf("sending now at the maximum: %d %v, want 409", st, res)
	}

	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	conv := "/candidates/" + idStr(int64(ann.ID)) + "/conversation"
	_, page, _ := b.do("GET", conv, nil)
	mustContain(t, "composer at the maximum", page, "allowance is used up", "schedule the text into a later month",
		`data-period="2026-12"`, `data-composer-send disabled`, `<details class="composer-later" open>`)
	if strings.Contains(page, "data-composer-body disabled") {
		t.Fatal("the composer's text is disabled at the maximum: nothing could be scheduled")
	}
	preview := func(sendAt string) []string {
		t.Helper()
		st, body, _ := b.do("POST", "/messages/preview", url.Values{"candidate": {idStr(int64(ann.ID))}, "body": {"See you in January"}, "send_at": {sendAt}})
		var answer struct{ When []string }
		if err := json.Unmarshal([]byte(body), &answer); err != nil || st != http.StatusOK {
			t.Fatalf("preview: %d %s", st, body)
		}
		return answer.When
	}
	if when := preview("2027-01-04T09:00"); !slices.Contains(when, "January 2027: 0 of 1 used, none scheduled yet.") {
		t.Fatalf("preview for January: %q", when)
	}
	if when := preview("2026-12-31T18:00"); slices.ContainsFunc(when, func(s string) bool { return strings.Contains(s, " used, ") }) {
		t.Fatalf("preview for later today shows a month's allowance: %q", when)
	}

	st, _, h := b.do("POST", "/candidates/"+idStr(int64(ann.ID))+"/messages", url.Values{"body": {"See you in January"}, "send_at": {"2027-01-04T09:00"}})
	if st != http.StatusSeeOther {
		t.Fatalf("scheduling into January from the page: %d", st)
	}
	_, page, _ = b.do("GET", h.Get("Location"), nil)
	mustContain(t, "after scheduling", page, "Text to Ann Tester scheduled.")

	st, res := f.ts.api(t, rita, "POST", "/api/v1/messages", `{"candidate_ids":[`+annID+`],"body":"Reminder","send_at":"2027-01-04T10:00:00-06:00"}`)
	month, _ := res["month_allowance"].(map[string]any)
	if st != http.StatusAccepted || month["month"] != "2027-01" || month["allowance"] != 1.0 || month["used"] != 0.0 || month["scheduled"] != 2.0 {
		t.Fatalf("API scheduling into January: %d %v", st, res)
	}
	if when := preview("2027-01-05T09:00"); !slices.Contains(when, "January 2027: 0 of 1 used, 2 already scheduled.") {
		t.Fatalf("preview with two scheduled: %q", when)
	}

	// January 4, 9:00: the first goes, and counts in January (the fixture's
	// dispatcher runs on the real clock, so the release is what shows).
	clock.Set(time.Date(2027, 1, 4, 9, 0, 0, 0, chicago))
	storetest.Eventually(t, "the January text is released and counts in January", func() bool {
		u, err := db.Usage(context.Background(), f.org.ID, f.number.ID, "2027-01")
		return err == nil && u.Used == 1
	})
	b = f.ts.browser(t) // four days on, yesterday's session has lapsed
	b.login(f.recruiter.Email, storetest.TestPassword)
	_, page, _ = b.do("GET", conv, nil)
	// January's one message is used by the text that went: its composer
	// counts January's allowance now.
	mustContain(t, "composer in January", page, `data-period="2027-01"`, "resets on Feb 1")
}
