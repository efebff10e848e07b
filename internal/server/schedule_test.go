package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext/internal/storetest"
)

// TestScheduleBulkSendAndCancelOne schedules a bulk send in the browser's
// forms: the composer says when each text goes, the results and the
// conversation say Scheduled, the Scheduled page lists both texts, and
// canceling one leaves the other waiting.
func TestScheduleBulkSendAndCancelOne(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann, bob := f.candidate(t, "Ann"), f.candidate(t, "Bob")
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	later := time.Now().In(f.org.Location()).AddDate(0, 0, 2)
	later = time.Date(later.Year(), later.Month(), later.Day(), 10, 0, 0, 0, f.org.Location())
	form := url.Values{"body": {"Open house on Friday!"}, "send_key": {"form-1"}, "send_at": {later.Format("2006-01-02T15:04")},
		"candidate": {idStr(int64(ann.ID)), idStr(int64(bob.ID))}}
	st, page, _ := b.do("POST", "/messages/compose", form)
	if st != http.StatusOK || strings.Count(page, "Will be texted. This will be sent at") != 2 || !strings.Contains(page, `name="send_at" value="`+form.Get("send_at")+`"`) {
		t.Fatalf("compose: %d\n%s", st, page)
	}
	st, _, h := b.do("POST", "/messages/bulk", form)
	if st != http.StatusSeeOther {
		t.Fatalf("bulk: %d", st)
	}
	if _, page, _ = b.do("GET", h.Get("Location"), nil); strings.Count(page, "Scheduled · ") != 2 {
		t.Fatalf("results do not say scheduled:\n%s", page)
	}
	if n, _ := db.NumberByID(t.Context(), f.org.ID, f.number.ID); n.Usage.Used != 0 {
		t.Fatalf("scheduled texts used %d of the allowance", n.Usage.Used)
	}
	_, page, _ = b.do("GET", "/scheduled", nil)
	if strings.Count(page, `action="/scheduled/`) != 2 || !strings.Contains(page, "Ann Tester") {
		t.Fatalf("scheduled page:\n%s", page)
	}
	msgs, _ := db.ScheduledMessages(t.Context(), f.org.ID, f.recruiter.ID, 0)
	if st, _, _ := b.do("POST", "/scheduled/"+idStr(int64(msgs[0].ID))+"/cancel", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("cancel: %d", st)
	}
	_, page, _ = b.do("GET", "/scheduled", nil)
	if strings.Count(page, `action="/scheduled/`) != 1 || !strings.Contains(page, "Canceled. The text will not be sent.") {
		t.Fatalf("after the cancel:\n%s", page)
	}
	_, page, _ = b.do("GET", "/candidates/"+idStr(int64(msgs[1].CandidateID))+"/conversation", nil)
	if !strings.Contains(page, "Scheduled · ") {
		t.Fatalf("the conversation does not show the scheduled text:\n%s", page)
	}
}
