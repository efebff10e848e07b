package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/mail"
	"github.com/hiretext/hiretext/internal/mail/mailtest"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestAwayReplyEmailLeadsToTheAnswer is the recruiter's day: Marcus has
// closed his browser, Priya has hers open; Ann replies on the simulator;
// two minutes later an email with a link reaches the SMTP server, for
// Marcus only; he follows the link and answers; the conversation leaves
// Needs reply for Priya too, and an event tells her open pages.
func TestAwayReplyEmailLeadsToTheAnswer(t *testing.T) {
	t.Parallel()
	// The test's clock runs behind: the fixture's dispatcher, on the system
	// clock, then finds the answer due although the test moved time on.
	clock := storetest.NewClock(time.Now().UTC().Add(-10 * time.Minute))
	db := storetest.NewSQLite(t, storetest.Config{Clock: clock.Now})
	f := newTextingFixture(t, db, func(cfg *server.Config, _ *server.Store) { cfg.Clock = clock.Now; cfg.Email = true })
	base, _ := url.Parse(f.ts.URL)
	db.SetPublicURL(base)
	marcus := f.recruiter
	priya := storetest.MustCreateUser(t, db, f.org.ID, "Priya Patel", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, priya.ID)
	smtp := mailtest.New(t, nil)
	cfg, err := mail.ParseConfig("smtp://hiretext:secret@127.0.0.1:"+smtp.Port(), "hiretext <hiretext@acme.example>")
	if err != nil {
		t.Fatal(err)
	}
	cfg.RootCAs = smtp.Roots()
	worker := mail.NewWorker(db, mail.NewSender(cfg, clock.Now), clock.Now, slog.New(slog.NewTextHandler(io.Discard, nil)), mail.WorkerConfig{})

	ann := f.candidate(t, "Ann")
	if st, res := f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":"Is the job still open?"}`,
		ann.TextingPhone(), f.number.Phone)); st != http.StatusAccepted {
		t.Fatalf("inbound: %d %v", st, res)
	}
	clock.Advance(time.Minute)
	if err := db.SeeUsers(context.Background(), []hiretext.UserID{priya.ID}, clock.Now()); err != nil { // her page is open
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := worker.SendDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := smtp.Messages()
	if len(got) != 1 || got[0].To != marcus.Email {
		t.Fatalf("emails %+v, want one, to Marcus", got)
	}
	link := f.ts.URL + "/candidates/" + idStr(int64(ann.ID)) + "/conversation"
	if !strings.Contains(got[0].Data, link) || strings.Contains(got[0].Data, "still open") {
		t.Fatalf("the email has no link to the conversation, or quotes the text:\n%s", got[0].Data)
	}

	b := f.ts.browser(t)
	b.login(marcus.Email, storetest.TestPassword)
	path := strings.TrimPrefix(link, f.ts.URL)
	if st, page, _ := b.do("GET", path, nil); st != http.StatusOK || !strings.Contains(page, "Is the job still open?") {
		t.Fatalf("following the link: %d", st)
	}
	priyaTok := token(t, db, priya)
	if got := apiInbox(t, f, priyaTok, "filter=needs_reply"); len(got) != 1 {
		t.Fatalf("Priya's Needs reply before the answer: %v", got)
	}
	before, _ := db.EventsAfter(context.Background(), 0, 1000)
	if st, _, _ := b.do("POST", "/candidates/"+idStr(int64(ann.ID))+"/messages", url.Values{"body": {"Yes! Can you come in Monday?"}}); st != http.StatusSeeOther {
		t.Fatalf("answer: %d", st)
	}
	if got := apiInbox(t, f, priyaTok, "filter=needs_reply"); len(got) != 0 {
		t.Fatalf("Priya's Needs reply after Marcus answered: %v", got)
	}
	storetest.Eventually(t, "an event for the number's open pages", func() bool {
		evs, _ := db.EventsAfter(context.Background(), lastID(before), 100)
		for _, e := range evs {
			if e.NumberID == f.number.ID && e.Kind == hiretext.EventMessageStatus {
				return true
			}
		}
		return false
	})
}

func lastID(evs []hiretext.Event) int64 {
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].ID
}

// TestPresenceIsTheOpenStreams: RecordPresence marks as present the users
// with a live-update stream open on the instance, in one statement, and
// nobody else.
func TestPresenceIsTheOpenStreams(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, _ := startBroker(t, db, events.Config{})
	ts := newEventServer(t, db, b, server.StreamOptions{})
	org := storetest.MustCreateOrg(t, db, "Acme")
	here := storetest.MustCreateUser(t, db, org.ID, "Here", hiretext.RoleUser, hiretext.PermPool)
	gone := storetest.MustCreateUser(t, db, org.ID, "Gone", hiretext.RoleUser, hiretext.PermPool)
	openStream(t, ts.sessionBrowser(t, here).client, ts.URL+"/events", nil)
	ts.srv.RecordPresence(context.Background())
	ctx := context.Background()
	if seen, err := db.UserSeenAt(ctx, org.ID, here.ID); err != nil || seen.IsZero() {
		t.Fatalf("the user with a page open: seen %v, %v", seen, err)
	}
	if seen, err := db.UserSeenAt(ctx, org.ID, gone.ID); err != nil || !seen.IsZero() {
		t.Fatalf("the user without: seen %v, %v", seen, err)
	}
}

// TestMySettingsChooseEmail: the away-reply and allowance emails are on by
// default, can be turned off under My settings or through PATCH
// /api/v1/me (a choice left out stays), and My settings says when the
// installation sends no email at all.
func TestMySettingsChooseEmail(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	u := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser, hiretext.PermPool)
	tok := token(t, db, u)
	if _, me := ts.api(t, tok, "GET", "/api/v1/me", ""); me["notify"].(map[string]any)["away_reply"] != true ||
		me["notify"].(map[string]any)["allowance"] != true || me["email_enabled"] != false {
		t.Fatalf("me: %v", me)
	}
	b := ts.browser(t)
	b.login(u.Email, storetest.TestPassword)
	_, page, _ := b.do("GET", "/settings", nil)
	mustContain(t, "My settings", page, "Email is off on this installation", `name="away_reply" value="yes" checked`,
		`name="allowance" value="yes" checked`)
	if st, _, _ := b.do("POST", "/settings/notify", url.Values{"allowance": {"yes"}}); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	if _, me := ts.api(t, tok, "GET", "/api/v1/me", ""); me["notify"].(map[string]any)["away_reply"] != false ||
		me["notify"].(map[string]any)["allowance"] != true {
		t.Fatalf("after turning the away email off on the page: %v", me)
	}
	st, me := ts.api(t, tok, "PATCH", "/api/v1/me", `{"notify":{"away_reply":true}}`)
	if n, _ := me["notify"].(map[string]any); st != http.StatusOK || n["away_reply"] != true || n["allowance"] != true {
		t.Fatalf("PATCH away_reply: %d %v", st, me)
	}
	st, me = ts.api(t, tok, "PATCH", "/api/v1/me", `{"notify":{"allowance":false}}`)
	if n, _ := me["notify"].(map[string]any); st != http.StatusOK || n["away_reply"] != true || n["allowance"] != false {
		t.Fatalf("PATCH allowance: %d %v", st, me)
	}
	for _, body := range []string{`{}`, `{"notify":{}}`, `{"notify":{"away_reply":"yes"}}`} {
		if st, _ := ts.api(t, tok, "PATCH", "/api/v1/me", body); st != http.StatusUnprocessableEntity && st != http.StatusBadRequest {
			t.Errorf("PATCH %s: %d", body, st)
		}
	}
}

// TestMySettingsDigestAndTimeZone: the daily digest is on by default and
// the user's time zone is the company's until they set their own, under My
// settings or through PATCH /api/v1/me; an unknown zone is a 422 field
// error (the form comes back with it, as typed) and changes nothing; null
// or an empty field gives the company's zone back.
func TestMySettingsDigestAndTimeZone(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme") // Chicago
	u := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser, hiretext.PermPool)
	tok := token(t, db, u)
	me := func() (map[string]any, map[string]any) {
		t.Helper()
		_, me := ts.api(t, tok, "GET", "/api/v1/me", "")
		n, _ := me["notify"].(map[string]any)
		return me, n
	}
	if me, n := me(); n["digest"] != true || me["time_zone"] != "America/Chicago" {
		t.Fatalf("a new user: %v", me)
	}
	st, got := ts.api(t, tok, "PATCH", "/api/v1/me", `{"time_zone":"Europe/Berlin","notify":{"digest":false}}`)
	if n, _ := got["notify"].(map[string]any); st != http.StatusOK || got["time_zone"] != "Europe/Berlin" || n["digest"] != false || n["away_reply"] != true {
		t.Fatalf("PATCH time_zone and digest: %d %v", st, got)
	}
	for _, body := range []string{`{"time_zone":"Mars/Olympus"}`, `{"time_zone":"Local","notify":{"digest":true}}`} {
		st, got := ts.api(t, tok, "PATCH", "/api/v1/me", body)
		fields, _ := got["error"].(map[string]any)["fields"].(map[string]any)
		if st != http.StatusUnprocessableEntity || fields["time_zone"] == nil {
			t.Fatalf("PATCH %s: %d %v, want a 422 naming time_zone", body, st, got)
		}
	}
	if me, n := me(); me["time_zone"] != "Europe/Berlin" || n["digest"] != false {
		t.Fatalf("a refused zone changed the settings: %v", me)
	}
	if st, got := ts.api(t, tok, "PATCH", "/api/v1/me", `{"time_zone":null}`); st != http.StatusOK || got["time_zone"] != "America/Chicago" {
		t.Fatalf("PATCH time_zone null: %d %v", st, got)
	}

	b := ts.browser(t)
	b.login(u.Email, storetest.TestPassword)
	_, page, _ := b.do("GET", "/settings", nil)
	mustContain(t, "My settings", page, `name="digest" value="yes">`, `placeholder="America/Chicago"`)
	st, page, _ = b.do("POST", "/settings/notify", url.Values{"digest": {"yes"}, "time_zone": {"Nowhere/Land"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("an unknown zone on the page: %d", st)
	}
	mustContain(t, "the form with an unknown zone", page, `value="Nowhere/Land"`, `aria-invalid="true"`, "Unknown time zone", `name="digest" value="yes" checked`)
	if me, n := me(); me["time_zone"] != "America/Chicago" || n["digest"] != false {
		t.Fatalf("the refused form changed the settings: %v", me)
	}
	if st, _, _ := b.do("POST", "/settings/notify", url.Values{"digest": {"yes"}, "away_reply": {"yes"}, "time_zone": {"Asia/Tokyo"}}); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	if me, n := me(); me["time_zone"] != "Asia/Tokyo" || n["digest"] != true || n["allowance"] != false {
		t.Fatalf("after saving the page: %v", me)
	}
}
