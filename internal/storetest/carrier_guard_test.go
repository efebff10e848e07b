package storetest

import (
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// guardStart is a Tuesday afternoon; the companies of these tests text at
// every hour anyway (MustOpenEveryHour).
var guardStart = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

// sentTexts sends n one-to-one texts to new candidates and records them as
// handed to the provider under ids prefix+i, which it returns.
func (fx *Texting) sentTexts(t *testing.T, db *store.DB, prefix string, n int) []string {
	t.Helper()
	for i := range n {
		c, _ := fx.MustCandidate(t, db, fmt.Sprintf("Guard%d", i))
		fx.MustSend(t, db, "Hello from Acme", c.ID)
	}
	claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, n, time.Minute)
	if err != nil || len(claimed) != n {
		t.Fatalf("claimed %d of %d texts: %v", len(claimed), n, err)
	}
	ids := make([]string, n)
	for i, dl := range claimed {
		ids[i] = fmt.Sprintf("%s%d", prefix, i)
		if err := db.RecordSent(ctx, dl, ids[i], hiretext.StatusSent); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// carrierError applies the carrier's status callback failing text id with code.
func (fx *Texting) carrierError(t *testing.T, db *store.DB, id, code string) {
	t.Helper()
	if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: id,
		Status: hiretext.StatusUndelivered, ErrorCode: code, ErrorMessage: "Message filtered"}); err != nil {
		t.Fatal(err)
	}
}

func paused(t *testing.T, db *store.DB, fx *Texting) *hiretext.CarrierPause {
	t.Helper()
	pauses, err := db.CarrierPauses(ctx, fx.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return pauses[fx.Number.ID]
}

// TestCarrierGuardCountsErrorsInItsWindow: with the default setting (more
// than 3 in 10 minutes), three filtered texts and a fourth eleven minutes
// after the first do not pause the number; a fifth a minute later makes
// four in ten minutes and does. Errors the guard does not watch (30003)
// and a repeated callback of a counted text do not count.
func TestCarrierGuardCountsErrorsInItsWindow(t *testing.T) {
	withClock(t, guardStart, func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		MustOpenEveryHour(t, db, fx.Org.ID)
		ids := fx.sentTexts(t, db, "SMwin", 7)
		fx.carrierError(t, db, ids[0], "30003") // unreachable phone: not the number's fault
		for i, at := range []time.Duration{0, 3 * time.Minute, 6 * time.Minute} {
			clock.Set(guardStart.Add(at))
			fx.carrierError(t, db, ids[1+i], "30007")
			fx.carrierError(t, db, ids[1+i], "30007") // the provider repeats a callback
		}
		if p := paused(t, db, fx); p != nil {
			t.Fatalf("paused after three errors: %+v", p)
		}
		clock.Set(guardStart.Add(11 * time.Minute)) // the first error left the window
		fx.carrierError(t, db, ids[4], "30034")
		if p := paused(t, db, fx); p != nil {
			t.Fatalf("paused by errors outside the 10-minute window: %+v", p)
		}
		clock.Set(guardStart.Add(12 * time.Minute))
		fx.carrierError(t, db, ids[5], "30034")
		p := paused(t, db, fx)
		if p == nil || p.Problem != hiretext.CarrierRegistration || p.Code != "30034" || p.Errors != 4 || !p.Since.Equal(clock.Now()) {
			t.Fatalf("pause = %+v, want the registration problem after 4 errors at %v", p, clock.Now())
		}
		if p.Label() != "Paused: number registration" {
			t.Fatalf("label %q", p.Label())
		}
	})
}

// TestCarrierGuardPausesBulkAndScheduledTextsOnly: once the guard trips,
// the dispatcher claims the number's one-to-one texts but not its bulk
// send's, and a scheduled text stays scheduled past its minute; the
// number's user and the administrator find the alert in their bell and
// their email (a user who turned number alerts off gets no email). After
// an administrator resumes, everything goes, and the errors already
// counted do not pause it again.
func TestCarrierGuardPausesBulkAndScheduledTextsOnly(t *testing.T) {
	withClock(t, guardStart, func(t *testing.T, db *store.DB, clock *Clock) {
		site, _ := url.Parse("https://hire.example.com")
		db.SetPublicURL(site)
		fx := MustSetUpTexting(t, db, 100)
		MustOpenEveryHour(t, db, fx.Org.ID)
		admin := MustCreateUser(t, db, fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)
		quiet := MustCreateUser(t, db, fx.Org.ID, "Quinn Admin", hiretext.RoleAdmin)
		if err := db.SetNotifySettings(ctx, fx.Org.ID, quiet.ID, hiretext.NotifySettings{}); err != nil {
			t.Fatal(err)
		}
		bystander := MustCreateUser(t, db, fx.Org.ID, "Bo User", hiretext.RoleUser)
		for _, id := range fx.sentTexts(t, db, "SMf", 4) {
			fx.carrierError(t, db, id, "30007")
		}
		if p := paused(t, db, fx); p == nil || p.Problem != hiretext.CarrierFiltered || p.Label() != "Paused: carrier filtering" {
			t.Fatalf("pause = %+v", p)
		}

		ann, _ := fx.MustCandidate(t, db, "Ann")
		bob, _ := fx.MustCandidate(t, db, "Bob")
		cat, _ := fx.MustCandidate(t, db, "Cat")
		dan, _ := fx.MustCandidate(t, db, "Dan")
		bulk, results, _, err := db.SendBulkResults(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
			CandidateIDs: []hiretext.CandidateID{ann.ID, bob.ID}, Body: "Open day on Friday"}, "bulk-form-1")
		if err != nil {
			t.Fatal(err)
		}
		later := fx.sendAt(t, db, clock.Now().Add(time.Hour), cat.ID)
		one := fx.MustSend(t, db, "Are you free at 3?", dan.ID)

		claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err != nil || len(claimed) != 1 || claimed[0].ID != one[0].MessageID {
			t.Fatalf("claimed %v (%v), want only the one-to-one text %d", claimed, err, one[0].MessageID)
		}
		if err := db.RecordSent(ctx, claimed[0], "SMone", hiretext.StatusSent); err != nil {
			t.Fatal(err)
		}
		if due, _ := db.DueNumbers(ctx, clock.Now()); slices.Contains(due, fx.Number.ID) {
			t.Fatal("the paused number is still due with only bulk texts waiting")
		}
		clock.Advance(2 * time.Hour)
		mustRelease(t, db, 0)
		if m := messageStatus(t, db, fx.Org.ID, later[0].MessageID); m.Status != hiretext.StatusScheduled || !m.PausedByGuard() {
			t.Fatalf("the scheduled text is %s (paused by guard: %v), want still scheduled", m.Status, m.PausedByGuard())
		}
		b, err := db.BulkSendByID(ctx, fx.Org.ID, fx.Recruiter.ID, bulk)
		if err != nil || len(b.Results) != 2 || b.Results[0].Status != hiretext.StatusQueued || !results[0].Queued {
			t.Fatalf("bulk results %+v, %v", b, err)
		}
		if m := messageStatus(t, db, fx.Org.ID, results[0].MessageID); !m.Bulk || !m.PausedByGuard() {
			t.Fatalf("a bulk text reads %+v", m)
		}
		if m := messageStatus(t, db, fx.Org.ID, one[0].MessageID); m.Bulk || m.PausedByGuard() {
			t.Fatalf("a one-to-one text reads as paused: %+v", m)
		}

		for _, u := range []*hiretext.User{fx.Recruiter, admin, quiet} {
			notes, err := db.ListNotifications(ctx, fx.Org.ID, u.ID)
			if err != nil || len(notes) != 1 || notes[0].Kind != hiretext.AlertCarrierFiltered || notes[0].NumberID != fx.Number.ID || notes[0].Read() {
				t.Fatalf("%s's notifications: %+v, %v", u.Name, notes, err)
			}
		}
		if notes, _ := db.ListNotifications(ctx, fx.Org.ID, bystander.ID); len(notes) != 0 {
			t.Fatalf("a user of no number, not an administrator, was alerted: %+v", notes)
		}
		emails := pauseEmails(t, db)
		if len(emails) != 2 || emails[fx.Recruiter.ID] == "" || emails[admin.ID] == "" {
			t.Fatalf("pause emailed to %v, want the recruiter %d and the administrator %d who kept email alerts", emails, fx.Recruiter.ID, admin.ID)
		}
		for _, text := range emails {
			if !strings.Contains(text, "bulk and scheduled texts paused (carrier filtering)") || !strings.Contains(text, "Carriers filtered 4 texts") ||
				!strings.Contains(text, "one-to-one texts still go") {
				t.Fatalf("the email does not say why and what to check:\n%s", text)
			}
		}
		if !strings.Contains(emails[admin.ID], "https://hire.example.com/admin/numbers") || strings.Contains(emails[fx.Recruiter.ID], "/admin/numbers") {
			t.Fatalf("the links: administrator's\n%s\nrecruiter's\n%s", emails[admin.ID], emails[fx.Recruiter.ID])
		}

		if err := db.ResumeNumber(ctx, fx.Org.ID, fx.Number.ID, admin.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.ResumeNumber(ctx, fx.Org.ID, fx.Number.ID, admin.ID); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("resuming a number not paused: %v, want a conflict", err)
		}
		other := MustSetUpTexting(t, db, 10)
		if err := db.ResumeNumber(ctx, other.Org.ID, fx.Number.ID, admin.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("another company resumed the number: %v", err)
		}
		if notes, _ := db.ListNotifications(ctx, fx.Org.ID, fx.Recruiter.ID); len(notes) != 1 || !notes[0].Read() {
			t.Fatalf("the pause's alert stays in the bell after the resume: %+v", notes)
		}
		mustRelease(t, db, 1)
		claimed, err = db.ClaimDeliveries(ctx, fx.Number.ID, 10, time.Minute)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("after resuming, claimed %d texts (%v), want the 2 bulk and the scheduled one", len(claimed), err)
		}
		ids := make([]string, 3)
		for i, dl := range claimed {
			ids[i] = fmt.Sprintf("SMafter%d", i)
			if err := db.RecordSent(ctx, dl, ids[i], hiretext.StatusSent); err != nil {
				t.Fatal(err)
			}
		}
		fx.carrierError(t, db, ids[0], "30007") // one new error: 1, not 5, since the resume
		if p := paused(t, db, fx); p != nil {
			t.Fatalf("the errors counted before the resume paused the number again: %+v", p)
		}
	})
}

// pauseEmails returns the guard's emails queued, text by user.
func pauseEmails(t *testing.T, db *store.DB) map[hiretext.UserID]string {
	t.Helper()
	_, w := db.Pools()
	rows, err := w.QueryContext(ctx, "SELECT user_id, subject, body_text FROM email_outbox WHERE kind = 'carrier_pause'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[hiretext.UserID]string{}
	for rows.Next() {
		var id sql.NullInt64
		var subject, text string
		if err := rows.Scan(&id, &subject, &text); err != nil {
			t.Fatal(err)
		}
		out[hiretext.UserID(id.Int64)] = subject + "\n" + text
	}
	return out
}

// TestCarrierGuardTripsOnceUnderConcurrentCallbacks applies 12 filtering
// callbacks at once through two instances on one database: the guard
// counts every one of them and trips exactly once, with the fourth error
// (one alert event per user, not one per callback past the limit).
func TestCarrierGuardTripsOnceUnderConcurrentCallbacks(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			dbs := []*store.DB{Open(t, u, Config{}), Open(t, u, Config{})}
			fx := MustSetUpTexting(t, dbs[0], 100)
			MustOpenEveryHour(t, dbs[0], fx.Org.ID)
			ids := fx.sentTexts(t, dbs[0], "SMrace", 12)
			codes := parallel(len(ids), func(i int) error {
				_, err := dbs[i%2].ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider,
					ProviderMessageID: ids[i], Status: hiretext.StatusUndelivered, ErrorCode: "30007"})
				return err
			})
			if count(codes, "") != len(ids) {
				t.Fatalf("callbacks failed: %v", codes)
			}
			p := paused(t, dbs[1], fx)
			if p == nil || p.Errors != 4 {
				t.Fatalf("pause = %+v, want tripped by the fourth error", p)
			}
			events, err := dbs[1].EventsAfter(ctx, 0, 10000)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range events {
				if e.Kind == hiretext.EventCarrierGuard && e.UserID == fx.Recruiter.ID {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("the recruiter was alerted %d times, want once", n)
			}
		})
	}
}

// TestCarrierGuardSetting: the default is 3 in 10 minutes; bad values
// change nothing and say what is allowed; 0 turns the guard off.
func TestCarrierGuardSetting(t *testing.T) {
	withClock(t, guardStart, func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		MustOpenEveryHour(t, db, fx.Org.ID)
		g, err := db.CarrierGuard(ctx, fx.Org.ID)
		if err != nil || g.ErrorLimit != 3 || g.WindowMinutes != 10 {
			t.Fatalf("default guard %+v, %v", g, err)
		}
		_, err = db.UpdateCarrierGuard(ctx, fx.Org.ID, hiretext.CarrierGuardUpdate{ErrorLimit: -1, WindowMinutes: 0}, fx.Recruiter.ID)
		if f := hiretext.ErrorFields(err); f["error_limit"] == "" || f["window_minutes"] == "" {
			t.Fatalf("bad setting: %v (%v)", err, f)
		}
		if g, _ := db.CarrierGuard(ctx, fx.Org.ID); g.ErrorLimit != 3 {
			t.Fatalf("a refused setting changed the guard: %+v", g)
		}
		if _, err := db.UpdateCarrierGuard(ctx, fx.Org.ID, hiretext.CarrierGuardUpdate{ErrorLimit: 0, WindowMinutes: 10}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		for _, id := range fx.sentTexts(t, db, "SMoff", 6) {
			fx.carrierError(t, db, id, "30007")
		}
		if p := paused(t, db, fx); p != nil {
			t.Fatalf("the guard turned off paused the number: %+v", p)
		}
	})
}
