package storetest

import (
	"net/url"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// notifyCompany is a company of 1,000 users who read texts, three on each
// of 334 numbers (the most a number has), and 100 candidates who reply.
type notifyCompany struct {
	fx         *Texting
	numbers    []*hiretext.Number
	users      []hiretext.UserID
	candidates []*hiretext.Candidate
}

func setUpNotifyCompany(b *testing.B, db *store.DB, awayEmail bool) *notifyCompany {
	b.Helper()
	c := &notifyCompany{fx: MustSetUpTexting(b, db, hiretext.MaxMonthlyAllowance)}
	c.numbers, c.users = []*hiretext.Number{c.fx.Number}, []hiretext.UserID{c.fx.Recruiter.ID}
	for len(c.users) < 1000 {
		n := c.numbers[len(c.numbers)-1]
		if len(c.users)%3 == 0 {
			n = MustAddNumber(b, db, c.fx.Org.ID)
			c.numbers = append(c.numbers, n)
		}
		u := MustCreateUser(b, db, c.fx.Org.ID, "Recruiter", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
		MustAssign(b, db, c.fx.Org.ID, n.ID, u.ID)
		c.users = append(c.users, u.ID)
	}
	for _, u := range c.users {
		if err := db.SetNotifySettings(ctx, c.fx.Org.ID, u, hiretext.NotifySettings{AwayReply: awayEmail}); err != nil {
			b.Fatal(err)
		}
	}
	c.candidates = c.fx.MustRecipients(b, db, 100)
	return c
}

// reply delivers the i-th reply: candidate i mod 100 to number i/100 mod
// 334, so each reply of a run opens a conversation of its own (the
// 15-minute gap between away emails never spares one).
func (c *notifyCompany) reply(b *testing.B, db *store.DB, i int) {
	cand, n := c.candidates[i%len(c.candidates)], c.numbers[(i/len(c.candidates))%len(c.numbers)]
	if _, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: n.Provider, ProviderMessageID: "SMb" + randomHex(8),
		From: cand.MainPhone, To: n.Phone, Body: "Yes, I can come on Friday"}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkNotifyAwayReplies measures what notifications cost with 1,000
// connected users (issue 18's Performance line).
//
// "presence-1000" records that 1,000 users have a page open: the one
// statement each instance runs once a minute (hiretext.PresenceInterval)
// for the users it streams to, whatever the number of requests; no request
// writes presence.
//
// "reply" times an inbound text to a number whose three users chose the
// away-reply email (company A), and one to a number whose users turned it
// off (company B), alternately in the same loop so the machine's other
// work and the growing tables weigh on both alike. The difference is what
// notifications add to a reply: one query for the number's users who may
// be emailed, then the emails' rows (three here), in the reply's own
// transaction. It does not grow with the users connected.
//
//	HIRETEXT_TEST_POSTGRES_URL=… go test ./internal/storetest/ -run '^$' -bench BenchmarkNotifyAwayReplies -benchtime 2000x
func BenchmarkNotifyAwayReplies(b *testing.B) {
	for name, open := range map[string]func(testing.TB, Config) *store.DB{"sqlite": NewSQLite, "postgres": NewPostgres} {
		b.Run(name, func(b *testing.B) {
			db := open(b, Config{})
			u, _ := url.Parse("https://ats.example")
			db.SetPublicURL(u)
			on, off := setUpNotifyCompany(b, db, true), setUpNotifyCompany(b, db, false)
			analyze(b, db)
			b.Run("presence-1000", func(b *testing.B) {
				for b.Loop() {
					if err := db.SeeUsers(ctx, on.users, time.Now()); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("reply", func(b *testing.B) {
				var withEmail, without time.Duration
				i := 0
				for b.Loop() {
					start := time.Now()
					on.reply(b, db, i)
					mid := time.Now()
					off.reply(b, db, i)
					withEmail, without = withEmail+mid.Sub(start), without+time.Since(mid)
					i++
				}
				b.ReportMetric(float64(withEmail.Microseconds())/float64(i), "µs/reply-away-email-on")
				b.ReportMetric(float64(without.Microseconds())/float64(i), "µs/reply-away-email-off")
				var queued int
				_, w := db.Pools()
				if err := w.QueryRowContext(ctx, "SELECT COUNT(*) FROM email_outbox WHERE kind = 'away_reply'").Scan(&queued); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(queued)/float64(i), "emails/reply")
			})
		})
	}
}
