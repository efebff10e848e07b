package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestTextsNeedPoolAndProfiles: on the number that texted a candidate, a
// user without the Candidate Pool or without Candidate profiles reads none
// of its texts (profile history, dialog, inbox, bell, API) and starts none
// (no SMS icon, no Text selected, the API refuses naming the permission
// missing); one with both does all of it.
func TestTextsNeedPoolAndProfiles(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann := f.candidate(t, "Ann")
	if _, err := db.SendMessages(t.Context(), hiretext.SendRequest{OrgID: f.org.ID, UserID: f.recruiter.ID,
		CandidateIDs: []hiretext.CandidateID{ann.ID}, Body: "Qx9 are you free Monday?"}); err != nil {
		t.Fatal(err)
	}
	jobsOnly := storetest.MustCreateUser(t, db, f.org.ID, "Ken Jobs", hiretext.RoleUser, hiretext.PermJobs)
	profilesOnly := storetest.MustCreateUser(t, db, f.org.ID, "Sam Profiles", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermProfiles)
	for _, u := range []*hiretext.User{jobsOnly, profilesOnly} {
		storetest.MustAssign(t, db, f.org.ID, f.number.ID, u.ID)
	}
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)
	ab := f.ts.browser(t)
	ab.login(admin.Email, storetest.TestPassword)
	if _, page, _ := ab.do("GET", "/admin/users/"+idStr(int64(jobsOnly.ID)), nil); !strings.Contains(page, "needs both Candidate pool and Candidate profiles") {
		t.Error("the user's page does not say which permissions texting needs")
	}
	cand, job := "/candidates/"+idStr(int64(ann.ID)), "/jobs/"+idStr(int64(f.job.ID))
	send := fmt.Sprintf(`{"candidate_ids":[%q],"body":"Hi"}`, idStr(int64(ann.ID)))
	for _, c := range []struct {
		who     *hiretext.User
		missing string // the permission the refusal names; "" when allowed
	}{
		{jobsOnly, `you have neither`},
		{profilesOnly, `you do not have the "Candidate pool" permission`},
		{f.recruiter, ""},
	} {
		b := f.ts.browser(t)
		b.login(c.who.Email, storetest.TestPassword)
		_, jobPage, _ := b.do("GET", job, nil)
		offers := strings.Contains(jobPage, "Text selected") || strings.Contains(jobPage, `class="sms-icon`)
		if offers != (c.missing == "") {
			t.Errorf("%s: the job page offers Text selected and the SMS icon: %v", c.who.Name, offers)
		}
		if c.who != jobsOnly {
			_, profile, _ := b.do("GET", cand, nil)
			if shows := strings.Contains(profile, "SMS Message History") || strings.Contains(profile, "Qx9"); shows != (c.missing == "") {
				t.Errorf("%s: the profile shows the SMS Message History: %v", c.who.Name, shows)
			}
		}
		_, home, _ := b.do("GET", "/", nil)
		if bell := strings.Contains(home, `href="/inbox"`); bell != (c.missing == "") {
			t.Errorf("%s: the page offers the inbox: %v", c.who.Name, bell)
		}
		wantPage := http.StatusOK
		if c.missing != "" {
			wantPage = http.StatusForbidden
		}
		for _, page := range []string{"/inbox", cand + "/conversation"} {
			if st, body, _ := b.do("GET", page, nil); st != wantPage || (c.missing != "" && strings.Contains(body, "Qx9")) {
				t.Errorf("%s: GET %s = %d, want %d", c.who.Name, page, st, wantPage)
			}
		}
		tok := token(t, db, c.who)
		for _, req := range []struct{ method, path, body string }{
			{"GET", "/api/v1/candidates/" + idStr(int64(ann.ID)) + "/messages", ""},
			{"GET", "/api/v1/inbox", ""},
			{"POST", "/api/v1/messages", send},
		} {
			st, body := f.ts.api(t, tok, req.method, req.path, req.body)
			e, _ := body["error"].(map[string]any)
			msg, _ := e["message"].(string)
			switch {
			case c.missing == "" && st >= 400:
				t.Errorf("%s: %s %s = %d %v", c.who.Name, req.method, req.path, st, body)
			case c.missing != "" && (st != http.StatusForbidden || errorCode(body) != "forbidden" || !strings.Contains(msg, c.missing)):
				t.Errorf("%s: %s %s = %d %v, want 403 forbidden saying %q", c.who.Name, req.method, req.path, st, body, c.missing)
			}
		}
	}
}
