package storetest

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// digestFixture is two instances sharing one database and a test clock:
// Acme (Chicago) with a number on which Rita (Chicago time), Bea (Berlin
// time) and Theo (jobs only, who may not read texts) are users; Olga may
// read texts but is on no number. Ann and an unknown sender wrote at
// midnight in Chicago and wait for a reply.
type digestFixture struct {
	url          string
	clock        *Clock
	dbs          [2]*store.DB
	fx           *Texting
	ann          *hiretext.Candidate
	bea, theo    *hiretext.User
	stranger     hiretext.ConversationID
	annLink      string
	strangerLink string
}

func setUpDigest(t *testing.T, url string, clock *Clock) *digestFixture {
	t.Helper()
	d := &digestFixture{url: url, clock: clock}
	d.dbs[0], d.dbs[1] = d.open(t), d.open(t)
	db := d.dbs[0]
	d.fx = MustSetUpTexting(t, db, 100)
	d.bea = MustCreateUser(t, db, d.fx.Org.ID, "Bea Berlin", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	d.theo = MustCreateUser(t, db, d.fx.Org.ID, "Theo Texter", hiretext.RoleUser, hiretext.PermJobs)
	MustCreateUser(t, db, d.fx.Org.ID, "Olga Offnumber", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	for _, u := range []*hiretext.User{d.bea, d.theo} {
		MustAssign(t, db, d.fx.Org.ID, d.fx.Number.ID, u.ID)
	}
	// Away-reply emails off, so that what the outbox holds is digests.
	for u, zone := range map[hiretext.UserID]string{d.fx.Recruiter.ID: "", d.bea.ID: "Europe/Berlin"} {
		if err := db.SetNotifySettings(ctx, d.fx.Org.ID, u, hiretext.NotifySettings{Digest: true, TimeZone: zone}); err != nil {
			t.Fatal(err)
		}
	}
	var annPhone string
	d.ann, annPhone = d.fx.MustCandidate(t, db, "Ann")
	d.fx.Receive(t, db, "SMd1", annPhone, "Is the forklift job still open?")
	d.stranger = d.fx.Receive(t, db, "SMd2", "+13125550199", "Who is this?").Message.ConversationID
	d.annLink = "https://ats.example/candidates/" + strconv.FormatInt(int64(d.ann.ID), 10) + "/conversation"
	d.strangerLink = "https://ats.example/conversations/" + strconv.FormatInt(int64(d.stranger), 10)
	return d
}

// open is one more instance on the database.
func (d *digestFixture) open(t *testing.T) *store.DB {
	t.Helper()
	db := Open(t, d.url, Config{Clock: d.clock.Now})
	u, _ := url.Parse("https://ats.example")
	db.SetPublicURL(u)
	return db
}

// tick has both instances look for due digests at once, as two servers'
// loops would, and returns the digests queued, claimed as the worker would.
func (d *digestFixture) tick(t *testing.T) map[string]*hiretext.Email {
	t.Helper()
	var wg sync.WaitGroup
	for _, db := range d.dbs {
		wg.Go(func() {
			if _, err := db.QueueDigests(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	claimed, err := d.dbs[0].ClaimEmails(ctx, 50, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*hiretext.Email{}
	for _, e := range claimed {
		if got[e.To] != nil {
			t.Fatalf("two digests to %s at once", e.To)
		}
		got[e.To] = e
		if err := d.dbs[0].EmailSent(ctx, e.ID); err != nil {
			t.Fatal(err)
		}
	}
	return got
}

// at moves the clock to t (UTC) and ticks, wanting digests for exactly want.
func (d *digestFixture) at(t *testing.T, when time.Time, want ...*hiretext.User) map[string]*hiretext.Email {
	t.Helper()
	d.clock.Advance(when.Sub(d.clock.Now()))
	got := d.tick(t)
	if len(got) != len(want) {
		t.Fatalf("at %s: %d digests %v, want %d", when.Format(time.RFC3339), len(got), keys(got), len(want))
	}
	for _, u := range want {
		if got[u.Email] == nil {
			t.Fatalf("at %s: no digest for %s, got %v", when.Format(time.RFC3339), u.Name, keys(got))
		}
	}
	return got
}

func keys(m map[string]*hiretext.Email) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDailyDigestAt8InEachUsersZone: the digest reaches each user who can
// read the waiting conversations at 8 a.m. in their own time zone (Bea's
// Berlin, Rita's the company's Chicago, across the day the United States
// move their clocks forward), once per local day although two instances
// look at once and one restarts; Theo and Olga, who see none of them, get
// none; nothing waiting, or the digest turned off, sends none; erasing a
// candidate deletes the digests naming her.
func TestDailyDigestAt8InEachUsersZone(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// Saturday March 7, 2026, midnight in Chicago (CST, UTC-6).
			clock := NewClock(time.Date(2026, 3, 7, 6, 0, 0, 0, time.UTC))
			d := setUpDigest(t, url(t), clock)
			rita := d.fx.Recruiter

			d.at(t, time.Date(2026, 3, 7, 6, 59, 0, 0, time.UTC)) // 7:59 in Berlin
			bea := d.at(t, time.Date(2026, 3, 7, 7, 0, 0, 0, time.UTC), d.bea)[d.bea.Email]
			if bea.Subject != "2 candidates are waiting for a reply on hiretext" ||
				!strings.Contains(bea.Text, "Ann Tester, waiting since Sat Mar 7, 7:00 AM (1 hour): "+d.annLink) ||
				!strings.Contains(bea.Text, "(312) 555-0199") || !strings.Contains(bea.Text, d.strangerLink) ||
				!strings.Contains(bea.HTML, `<a href="`+d.annLink+`">Ann Tester</a>`) || strings.Contains(bea.Text+bea.HTML, "forklift job") {
				t.Fatalf("Bea's digest: %q\n%s\n%s", bea.Subject, bea.Text, bea.HTML)
			}
			d.at(t, time.Date(2026, 3, 7, 13, 59, 0, 0, time.UTC)) // 7:59 in Chicago
			r := d.at(t, time.Date(2026, 3, 7, 14, 0, 0, 0, time.UTC), rita)[rita.Email]
			if !strings.Contains(r.Text, "Ann Tester, waiting since Sat Mar 7, 12:00 AM (8 hours)") {
				t.Fatalf("Rita's digest, in Chicago time:\n%s", r.Text)
			}
			d.at(t, time.Date(2026, 3, 7, 15, 0, 0, 0, time.UTC)) // once a day

			// Sunday March 8: Chicago is on CDT (UTC-5) from 2 a.m., so 8 a.m.
			// is 13:00 UTC, an hour earlier than on Saturday. One instance
			// restarts meanwhile: the day's digest is in the database.
			d.dbs[1].Close()
			d.dbs[1] = d.open(t)
			d.at(t, time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), d.bea)
			d.at(t, time.Date(2026, 3, 8, 12, 59, 0, 0, time.UTC))
			d.at(t, time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC), rita)
			d.at(t, time.Date(2026, 3, 8, 14, 0, 0, 0, time.UTC))

			// Monday: Bea turned hers off; Ann was answered and the stranger
			// marked Done, so Rita has nothing waiting and gets nothing.
			if err := d.dbs[0].SetNotifySettings(ctx, d.fx.Org.ID, d.bea.ID, hiretext.NotifySettings{TimeZone: "Europe/Berlin"}); err != nil {
				t.Fatal(err)
			}
			d.at(t, time.Date(2026, 3, 9, 7, 0, 0, 0, time.UTC))
			d.fx.MustSend(t, d.dbs[0], "Yes! When can you start?", d.ann.ID)
			if err := d.dbs[0].MarkConversationDone(ctx, d.fx.Org.ID, d.fx.Number.ID, d.stranger); err != nil {
				t.Fatal(err)
			}
			d.at(t, time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC))

			admin := MustCreateUser(t, d.dbs[0], d.fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)
			if err := d.dbs[0].EraseCandidate(ctx, d.fx.Org.ID, d.ann.ID, admin.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := d.dbs[0].EmailStatus(ctx, r.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
				t.Fatalf("Rita's digest naming Ann after her erasure: %v, want deleted", err)
			}
		})
	}
}

// TestDigestSettingsAndTimeZone: the digest is on by default in the
// company's zone; a user's zone must be one IANA knows, and a wrong one
// changes nothing.
func TestDigestSettingsAndTimeZone(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		rita := fx.Recruiter.ID
		s, err := db.NotifySettings(ctx, fx.Org.ID, rita)
		if err != nil || !s.Digest || s.TimeZone != "" {
			t.Fatalf("a new user's settings %+v, %v: want the digest on, the company's zone", s, err)
		}
		for _, bad := range []string{"Mars/Olympus", "Local", "europe berlin"} {
			err := db.SetNotifySettings(ctx, fx.Org.ID, rita, hiretext.NotifySettings{TimeZone: bad})
			if hiretext.ErrorFields(err)["time_zone"] == "" {
				t.Fatalf("zone %q: %v, want a time_zone field error", bad, err)
			}
		}
		if after, _ := db.NotifySettings(ctx, fx.Org.ID, rita); after != s {
			t.Fatalf("a refused zone changed the settings: %+v", after)
		}
		want := hiretext.NotifySettings{AwayReply: true, Digest: false, TimeZone: "Asia/Kolkata"}
		if err := db.SetNotifySettings(ctx, fx.Org.ID, rita, want); err != nil {
			t.Fatal(err)
		}
		if got, err := db.NotifySettings(ctx, fx.Org.ID, rita); err != nil || got != want {
			t.Fatalf("settings %+v, %v, want %+v", got, err, want)
		}
	})
}
