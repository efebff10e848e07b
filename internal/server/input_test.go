package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// badTexts are what the review sent in every field: a NUL, another control
// character, a line break where one line is wanted, and bytes that are not
// UTF-8 (a stray byte, an overlong slash, an encoded surrogate).
var badTexts = []string{"a\x00b", "esc\x1b[2J", "\xff", "\xc0\xaf", "\xed\xa0\x80"}

// TestBadTextIsAFieldErrorOnBothDatabases sends bad text in every kind of
// field the review found answering 500 on PostgreSQL (or stored raw on
// SQLite) — login, the public application, page forms, API bodies, search
// and report filters — and gets a 422 naming the field, with nothing
// stored.
func TestBadTextIsAFieldErrorOnBothDatabases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTextingFixture(t, db)
		admin := storetest.MustCreateUser(t, db, f.org.ID, "Dana Admin", hiretext.RoleAdmin)
		cand := f.candidate(t, "Ann")
		job, cid, uid := "/jobs/"+idStr(int64(f.job.ID)), idStr(int64(cand.ID)), idStr(int64(f.recruiter.ID))
		ad, rec := f.ts.browser(t), f.ts.browser(t)
		ad.login(admin.Email, storetest.TestPassword)
		rec.login(f.recruiter.Email, storetest.TestPassword)
		tok := token(t, db, admin)
		applyPath := "/apply/" + f.org.Slug + "/" + idStr(int64(f.job.ID))

		for _, bad := range badTexts {
			forms := []struct {
				b     *browser
				path  string
				field string
				form  url.Values
			}{
				{f.ts.browser(t), "/login", "email", url.Values{"email": {bad}, "password": {"whatever-it-is"}}},
				{f.ts.browser(t), applyPath, "first_name", application("first_name", bad)},
				{ad, "/jobs", "title", url.Values{"title": {bad}}},
				{ad, job, "location", url.Values{"title": {"Forklift Operator"}, "location": {bad}}},
				{ad, "/admin/users", "name", url.Values{"name": {bad}, "email": {"new.user@example.com"}, "role": {"user"}}},
				{ad, "/settings/tokens", "name", url.Values{"name": {bad}}},
				{rec, "/candidates/" + cid + "/sms", "note", url.Values{"sms_status": {"opted_out"}, "note": {bad}}},
			}
			for _, c := range forms {
				st, body, _ := c.b.do("POST", c.path, c.form)
				if st != http.StatusUnprocessableEntity || !strings.Contains(body, c.field) {
					t.Errorf("POST %s with %s=%q: %d, want 422 naming the field", c.path, c.field, bad, st)
				}
			}
			for _, c := range []struct{ method, path, field, body string }{
				{"POST", "/api/v1/jobs", "title", `{"title":"` + bad + `"}`},
				{"PATCH", "/api/v1" + job, "description", `{"description":"` + bad + `"}`},
				{"POST", "/api/v1" + job + "/applications", "last_name", `{"first_name":"Ann","last_name":"` + bad + `","email":"a@example.com","main_phone":"3125550111","sms":"none"}`},
				{"POST", "/api/v1/users", "name", `{"name":"` + bad + `","email":"x@example.com","role":"user","password":"a-long-password-1"}`},
				{"PATCH", "/api/v1/users/" + uid, "name", `{"name":"` + bad + `"}`},
				{"PATCH", "/api/v1/candidates/" + cid, "sms.note", `{"sms":{"status":"opted_out","note":"` + bad + `"}}`},
			} {
				body := strings.ReplaceAll(c.body, "\x00", `\u0000`)
				body = strings.ReplaceAll(body, "\x1b", `\u001b`)
				st, out := f.ts.api(t, tok, c.method, c.path, body)
				if st != http.StatusUnprocessableEntity || errorCode(out) != hiretext.EInvalid || out["error"].(map[string]any)["fields"].(map[string]any)[c.field] == nil {
					t.Errorf("%s %s with %q: %d %v, want 422 with a field error on %s", c.method, c.path, bad, st, out, c.field)
				}
			}
			for _, path := range []string{"/candidates?q=", "/api/v1/candidates?q=", "/reports/sms-activity?from=", "/api/v1/reports/sms-activity?direction="} {
				b := rec
				if strings.Contains(path, "reports") {
					b = ad
				}
				if strings.HasPrefix(path, "/api/") {
					if st, _ := f.ts.api(t, tok, "GET", path+url.QueryEscape(bad), ""); st != http.StatusUnprocessableEntity {
						t.Errorf("GET %s%q: %d, want 422", path, bad, st)
					}
					continue
				}
				if st, _, _ := b.do("GET", path+url.QueryEscape(bad), nil); st != http.StatusUnprocessableEntity {
					t.Errorf("GET %s%q: %d, want 422", path, bad, st)
				}
			}
		}
		if jobs, _ := db.ListJobs(context.Background(), f.org.ID); len(jobs) != 1 || jobs[0].Location != f.job.Location {
			t.Errorf("jobs after the bad requests: %d, the first located %q; want only the fixture's, unchanged", len(jobs), jobs[0].Location)
		}
		if users, _ := db.ListUsers(context.Background(), f.org.ID); len(users) != 2 {
			t.Errorf("%d users after the bad requests, want 2", len(users))
		}
	})
}

// TestWebhookWithBadBytesIsStoredNotRefused delivers signed inbound texts
// whose body and sender hold a NUL, control characters and bytes that are
// not UTF-8: each is stored, with those replaced, and answered 200, so the
// provider does not retry for ever and nothing the candidate sent is lost.
func TestWebhookWithBadBytesIsStoredNotRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTextingFixture(t, db)
		ann := f.candidate(t, "Ann")
		for i, bad := range badTexts {
			form := url.Values{"EventType": {"inbound"}, "MessageID": {"SMbad" + idStr(int64(i)) + bad}, "From": {ann.TextingPhone()},
				"To": {f.number.Phone}, "Body": {"See you " + bad + " Tuesday"}, "Segments": {"1"},
				"Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}}
			body := form.Encode()
			req, _ := http.NewRequest("POST", f.ts.URL+simulator.InboundPath, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(simulator.SignatureHeader, f.sim.Sign([]byte(body)))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("inbound with %q: %d %s, want 200", bad, resp.StatusCode, out)
			}
		}
		msgs, err := db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{})
		if err != nil || len(msgs) != len(badTexts) {
			t.Fatalf("%d texts stored (%v), want all %d", len(msgs), err, len(badTexts))
		}
		for _, m := range msgs {
			if hiretext.CheckText(m.Body, hiretext.MultiLine) != nil || !strings.HasPrefix(m.Body, "See you ") || !strings.Contains(m.Body, "\uFFFD") {
				t.Errorf("stored body %q: want the text with the bad bytes replaced by U+FFFD", m.Body)
			}
		}
	})
}
