package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// tripCarrierGuard sends four texts from f's number and has the carrier
// filter each (30007): one more than the default guard allows.
func (f *textingFixture) tripCarrierGuard(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for i := range 4 {
		c := f.candidate(t, fmt.Sprintf("Filtered%d", i))
		if _, err := f.db.SendMessages(ctx, hiretext.SendRequest{OrgID: f.org.ID, UserID: f.recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{c.ID}, Body: "Apply now!!! bit.ly/x"}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := f.db.ClaimDeliveries(ctx, f.number.ID, 4, time.Minute)
	if err != nil || len(claimed) != 4 {
		t.Fatalf("claimed %d: %v", len(claimed), err)
	}
	for i, dl := range claimed {
		id := fmt.Sprintf("SMfiltered%d", i)
		if err := f.db.RecordSent(ctx, dl, id, hiretext.StatusSent); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: f.number.Provider, ProviderMessageID: id,
			Status: hiretext.StatusUndelivered, ErrorCode: "30007", ErrorMessage: "Message filtered"}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCarrierGuardPausesBulkUntilAnAdministratorResumes: after carriers
// filter four of the number's texts, a bulk send waits ("Paused: carrier
// filtering" on its results) while a one-to-one text sent after it reaches
// the phone; a scheduled text is listed as paused; the recruiter's bell
// says why; Text Message Numbers and the numbers API show the pause, and
// one click of the administrator sends the bulk texts. The recruiter may
// not resume; resuming again is a conflict.
func TestCarrierGuardPausesBulkUntilAnAdministratorResumes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newIdleTextingFixture(t, db)
		storetest.MustOpenEveryHour(t, db, f.org.ID)
		admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
		f.tripCarrierGuard(t)
		f.run(t)
		ann, bob, cy, dee := f.candidate(t, "Ann"), f.candidate(t, "Bob"), f.candidate(t, "Cy"), f.candidate(t, "Dee")

		rec := f.ts.browser(t)
		rec.login(f.recruiter.Email, storetest.TestPassword)
		bulk := url.Values{"body": {"Open house on Friday"}, "send_key": {"guard-1"}, "candidate": {idStr(int64(ann.ID)), idStr(int64(bob.ID))}}
		_, page, _ := rec.do("POST", "/messages/compose", bulk)
		mustContain(t, "bulk composer", page, "Paused: carrier filtering", "A text sent from here waits until then.")
		st, _, h := rec.do("POST", "/messages/bulk", bulk)
		if st != http.StatusSeeOther {
			t.Fatalf("bulk send: %d", st)
		}
		results := h.Get("Location")
		if st, _, _ := rec.do("POST", "/candidates/"+idStr(int64(cy.ID))+"/messages", url.Values{"body": {"Are you free at 3?"}}); st != http.StatusSeeOther {
			t.Fatalf("one-to-one send: %d", st)
		}
		storetest.Eventually(t, "the one-to-one text on Cy's phone", func() bool { return len(f.handset(t, cy.TextingPhone())) == 1 })
		if got := f.handset(t, ann.TextingPhone()); len(got) != 0 {
			t.Fatalf("a bulk text went while the number is paused: %v", got)
		}
		_, page, _ = rec.do("GET", results, nil)
		mustContain(t, "bulk results", page, "Paused: carrier filtering", "Carriers filtered 4 texts from this number")
		later := time.Now().Add(48 * time.Hour).In(f.org.Location()).Format("2006-01-02T15:04")
		form := url.Values{"body": {"See you Monday"}, "send_key": {"guard-2"}, "send_at": {later}, "candidate": {idStr(int64(dee.ID))}}
		if st, _, _ := rec.do("POST", "/messages/bulk", form); st != http.StatusSeeOther {
			t.Fatalf("scheduled send: %d", st)
		}
		_, page, _ = rec.do("GET", "/scheduled", nil)
		mustContain(t, "scheduled texts", page, "Paused: carrier filtering")
		_, page, _ = rec.do("GET", "/", nil)
		mustContain(t, "recruiter's bell", page, "Carriers filtered texts from "+phoneDisplay(f.number.Phone)+" as unwanted")

		numberPath := "/api/v1/numbers/" + idStr(int64(f.number.ID)) + "/resume"
		if st, _ := f.ts.api(t, token(t, db, f.recruiter), "POST", numberPath, ""); st != http.StatusForbidden {
			t.Fatalf("the recruiter resumed: %d", st)
		}
		adminTok := token(t, db, admin)
		_, nums := f.ts.api(t, adminTok, "GET", "/api/v1/numbers", "")
		list, _ := nums["numbers"].([]any)
		if len(list) != 1 || fmt.Sprint(list[0].(map[string]any)["paused"].(map[string]any)["label"]) != "Paused: carrier filtering" {
			t.Fatalf("numbers API: %v", nums)
		}
		adm := f.ts.browser(t)
		adm.login(admin.Email, storetest.TestPassword)
		_, page, _ = adm.do("GET", "/admin/numbers", nil)
		mustContain(t, "numbers page", page, "Paused: carrier filtering", `action="/admin/numbers/`+idStr(int64(f.number.ID))+`/resume"`, "Resume sending")
		st, _, h = adm.do("POST", "/admin/numbers/"+idStr(int64(f.number.ID))+"/resume", url.Values{})
		if st != http.StatusSeeOther || h.Get("Location") != "/admin/numbers" {
			t.Fatalf("resume: %d to %q", st, h.Get("Location"))
		}
		_, page, _ = adm.do("GET", "/admin/numbers", nil)
		mustContain(t, "numbers page after resuming", page, "Resumed "+phoneDisplay(f.number.Phone))
		if strings.Contains(page, "Paused: carrier filtering") {
			t.Fatal("the numbers page still shows the pause")
		}
		storetest.Eventually(t, "the bulk texts on Ann's and Bob's phones", func() bool {
			return len(f.handset(t, ann.TextingPhone())) == 1 && len(f.handset(t, bob.TextingPhone())) == 1
		})
		if st, body := f.ts.api(t, adminTok, "POST", numberPath, ""); st != http.StatusConflict || !strings.Contains(fmt.Sprint(body), "not paused") {
			t.Fatalf("resuming again: %d %v", st, body)
		}
		_, page, _ = rec.do("GET", "/scheduled", nil)
		if strings.Contains(page, "Paused: carrier filtering") {
			t.Fatal("the scheduled text is still listed as paused")
		}
	})
}

// phoneDisplay is a number as pages write it, "(312) 555-0142".
func phoneDisplay(e164 string) string {
	return "(" + e164[2:5] + ") " + e164[5:8] + "-" + e164[8:]
}

// TestCarrierGuardSettingPageAndAPI: the setting is under Texting
// settings; bad input shows each error and saves nothing; the API reads
// and replaces it.
func TestCarrierGuardSettingPageAndAPI(t *testing.T) {
	t.Parallel()
	f := newATSFixture(t, storetest.NewSQLite(t, storetest.Config{}))
	b := f.as(t, f.admin)
	_, body, _ := b.do("GET", "/admin/texting", nil)
	mustContain(t, "texting settings", body, `href="/admin/texting/carrier-guard"`)
	_, body, _ = b.do("GET", "/admin/texting/carrier-guard", nil)
	mustContain(t, "guard page", body, `name="error_limit" value="3"`, `name="window_minutes" value="10"`)
	st, body, _ := b.do("POST", "/admin/texting/carrier-guard", url.Values{"error_limit": {"many"}, "window_minutes": {"0"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("bad setting: %d", st)
	}
	mustContain(t, "errors", body, `id="error_limit-error"`, "Enter a whole number.", `id="window_minutes-error"`, "Use 1 to 1440 minutes.", "Nothing was saved")
	if st, _, _ := b.do("POST", "/admin/texting/carrier-guard", url.Values{"error_limit": {"5"}, "window_minutes": {"30"}}); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	if g, _ := f.db.CarrierGuard(t.Context(), f.org.ID); g.ErrorLimit != 5 || g.WindowMinutes != 30 || g.UpdatedBy != f.admin.ID {
		t.Fatalf("saved %+v", g)
	}
	tok := token(t, f.db, f.admin)
	if st, got := f.ts.api(t, tok, "GET", "/api/v1/texting-settings/carrier-guard", ""); st != http.StatusOK || got["error_limit"] != float64(5) {
		t.Fatalf("GET: %d %v", st, got)
	}
	if st, got := f.ts.api(t, tok, "PUT", "/api/v1/texting-settings/carrier-guard", `{"error_limit": 2000}`); st != http.StatusUnprocessableEntity ||
		!strings.Contains(fmt.Sprint(got), "window_minutes") {
		t.Fatalf("PUT without the window: %d %v", st, got)
	}
	if st, got := f.ts.api(t, tok, "PUT", "/api/v1/texting-settings/carrier-guard", `{"error_limit": 0, "window_minutes": 10}`); st != http.StatusOK ||
		got["error_limit"] != float64(0) || got["updated_at"] == nil {
		t.Fatalf("PUT: %d %v", st, got)
	}
}

// TestProfileOffersTheOtherPhoneWhenTextsDoNotReachIt: the carrier reports
// Carlos's main phone unknown (30005); his profile and conversation say so
// and offer his alternate phone. Moving without confirming his agreement
// changes nothing; confirmed, his texts go to the alternate phone and the
// offer is gone. A candidate with one phone gets no offer.
func TestProfileOffersTheOtherPhoneWhenTextsDoNotReachIt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newIdleTextingFixture(t, db)
		storetest.MustOpenEveryHour(t, db, f.org.ID)
		n := storetest.Applicant(f.job.ID, "Carlos", "Ruiz")
		n.MainPhone, n.AlternatePhone = "(312) 555-0101", "(312) 555-0199"
		carlos, err := db.CandidateByID(ctx, f.org.ID, storetest.MustApply(t, db, f.org.ID, n).CandidateID)
		if err != nil {
			t.Fatal(err)
		}
		ana := f.candidate(t, "Ana")
		for i, c := range []*hiretext.Candidate{carlos, ana} {
			if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: f.org.ID, UserID: f.recruiter.ID,
				CandidateIDs: []hiretext.CandidateID{c.ID}, Body: "Can you start Monday?"}); err != nil {
				t.Fatal(err)
			}
			claimed, err := db.ClaimDeliveries(ctx, f.number.ID, 1, time.Minute)
			if err != nil || len(claimed) != 1 {
				t.Fatalf("claim: %v", err)
			}
			id := fmt.Sprintf("SMgone%d", i)
			if err := db.RecordSent(ctx, claimed[0], id, hiretext.StatusSent); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: f.number.Provider, ProviderMessageID: id,
				Status: hiretext.StatusUndelivered, ErrorCode: "30005", ErrorMessage: "Unknown destination handset"}); err != nil {
				t.Fatal(err)
			}
		}
		offer := "Texts to (312) 555-0101 are not reaching Carlos. Text Carlos&#39;s other phone, (312) 555-0199?"
		b := f.ts.browser(t)
		b.login(f.recruiter.Email, storetest.TestPassword)
		profile := "/candidates/" + idStr(int64(carlos.ID))
		_, page, _ := b.do("GET", profile, nil)
		mustContain(t, "profile", page, offer, "Text (312) 555-0199 instead", `name="sms_phone" value="alternate"`, "Try the candidate&#39;s other phone.")
		_, page, _ = b.do("GET", profile+"/conversation", nil)
		mustContain(t, "conversation", page, offer)
		if _, page, _ = b.do("GET", "/candidates/"+idStr(int64(ana.ID)), nil); strings.Contains(page, "other phone,") {
			t.Fatal("a candidate with one phone was offered another")
		}

		move := url.Values{"sms_status": {"opted_in"}, "sms_phone": {"alternate"}, "return_to": {profile + "/conversation"},
			"note": {"Moved to the other phone after texts to (312) 555-0101 did not reach the candidate (code 30005)."}}
		if st, _, _ := b.do("POST", profile+"/sms", move); st != http.StatusUnprocessableEntity {
			t.Fatalf("moving without the candidate's agreement: %d", st)
		}
		if c, _ := db.CandidateByID(ctx, f.org.ID, carlos.ID); c.SMSPhone != hiretext.PhoneMain {
			t.Fatalf("an unconfirmed move changed the phone to %s", c.SMSPhone)
		}
		move.Set("confirm", "yes")
		st, _, h := b.do("POST", profile+"/sms", move)
		if st != http.StatusSeeOther || h.Get("Location") != profile+"/conversation" {
			t.Fatalf("move: %d to %q", st, h.Get("Location"))
		}
		_, page, _ = b.do("GET", profile+"/conversation", nil)
		mustContain(t, "after the move", page, "(312) 555-0199")
		if strings.Contains(page, "are not reaching Carlos") {
			t.Fatal("the offer stays after the move")
		}
		history, _ := db.ConsentHistory(ctx, f.org.ID, carlos.ID)
		if len(history) == 0 || history[0].Phone != hiretext.PhoneAlternate || !strings.Contains(history[0].Note, "code 30005") {
			t.Fatalf("consent history %+v", history)
		}
	})
}
