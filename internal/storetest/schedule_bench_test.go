package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// BenchmarkBulkSend1000QuietHours times accepting a send to the same 1,000
// opted-in candidates (Chicago phones) with the company's quiet hours off
// (open every hour) and on (the default window, every state preset, the
// 30-minute reply grace), side by side: each round sends "off", "on-open"
// (10:00 on a Tuesday, candidate time: planned, then queued) and
// "on-held" (22:00: planned, the recent replies looked up, every text held
// until 9:00), in rotating order, so the growing tables and the machine's
// other work weigh on all three alike. The attempt limit is off in all
// three: it is a rule of its own, and the same thousand are texted every
// round, after an untimed first send that creates their conversations.
// The metrics are each variant's mean and the median of the rounds' ratios
// to "off" (ns/op means nothing: the clock runs only during the sends).
//
//	HIRETEXT_TEST_POSTGRES_URL=… go test ./internal/storetest/ -run '^$' -bench BenchmarkBulkSend1000QuietHours -benchtime 10x
func BenchmarkBulkSend1000QuietHours(b *testing.B) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		b.Fatal(err)
	}
	open := time.Date(2026, 12, 8, 10, 0, 0, 0, chicago)   // a Tuesday morning
	closed := time.Date(2026, 12, 8, 22, 0, 0, 0, chicago) // the same night
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		b.Run(name, func(b *testing.B) {
			clock := NewClock(open)
			db := Open(b, url(b), Config{Clock: clock.Now})
			fx := MustSetUpTexting(b, db, hiretext.MaxMonthlyAllowance)
			var ids []hiretext.CandidateID
			for _, c := range fx.MustRecipients(b, db, hiretext.MaxBulkCandidates) {
				ids = append(ids, c.ID)
			}
			off := hiretext.OpenSendPolicy(fx.Org.ID).Update()
			on := hiretext.DefaultSendPolicy(fx.Org.ID).Update()
			on.StateWindows = hiretext.StatePresetCodes
			off.AttemptLimit, on.AttemptLimit = 0, 0
			variants := []struct {
				name   string
				policy hiretext.SendPolicyUpdate
				at     time.Time
				held   bool
			}{{"off", off, open, false}, {"on-open", on, open, false}, {"on-held", on, closed, true}}
			req := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: ids,
				Body: "Open house on Friday at 10am: come meet the team!"}
			// A first send creates the thousand conversations, which no
			// round should pay for.
			if _, err := db.UpdateSendPolicy(ctx, fx.Org.ID, off, 0); err != nil {
				b.Fatal(err)
			}
			sendHeldOrNot(b, db, req, false)
			var took [3]time.Duration
			var ratios [2][]float64 // on-open and on-held over off, per round
			rounds := 0
			for b.Loop() {
				var round [3]time.Duration
				for i := range variants {
					k := (i + rounds) % len(variants)
					v := variants[k]
					b.StopTimer()
					if _, err := db.UpdateSendPolicy(ctx, fx.Org.ID, v.policy, 0); err != nil {
						b.Fatal(err)
					}
					clock.Set(v.at)
					b.StartTimer()
					round[k] = sendHeldOrNot(b, db, req, v.held)
					took[k] += round[k]
				}
				for k := range ratios {
					ratios[k] = append(ratios[k], float64(round[k+1])/float64(round[0]))
				}
				rounds++
			}
			for k, v := range variants {
				b.ReportMetric(float64(took[k].Microseconds())/1000/float64(rounds), v.name+"-ms/send")
			}
			for k := range ratios {
				slices.Sort(ratios[k])
				b.ReportMetric(ratios[k][len(ratios[k])/2], variants[k+1].name+"/off")
			}
		})
	}
}

// sendHeldOrNot times req (see timedSend), checking that every text was
// held, or that none was.
func sendHeldOrNot(b *testing.B, db *store.DB, req hiretext.SendRequest, held bool) time.Duration {
	b.StopTimer()
	defer b.StartTimer()
	analyze(b, db)
	start := time.Now()
	res, err := db.SendMessages(ctx, req)
	took := time.Since(start)
	if err != nil || len(res) != len(req.CandidateIDs) {
		b.Fatalf("send: %d results, %v", len(res), err)
	}
	for _, r := range res {
		if !r.Queued || r.Scheduled != held {
			b.Fatalf("want held %v, got %+v", held, r)
		}
	}
	return took
}

// BenchmarkReleaseDue times the dispatcher's release of 100 due texts with
// 1,000 and then 1,000,000 texts waiting for later in the table, in one
// run: the cost must not grow with the texts that wait (the release is a
// range on messages_scheduled). The waiting texts are copies of ten real
// held texts to ten other candidates, due on ten different days months
// ahead, made by one INSERT … SELECT from a recursive CTE per day; on
// PostgreSQL the table is analyzed after, as autovacuum would. Each round
// holds 100 texts for the next minute (untimed), moves the clock to it
// and times ReleaseDue, which takes them by the index, checks each
// candidate's consent, reserves the allowance and queues them.
//
//	HIRETEXT_TEST_POSTGRES_URL=… go test ./internal/storetest/ -run '^$' -bench BenchmarkReleaseDue -benchtime 20x -timeout 30m
func BenchmarkReleaseDue(b *testing.B) {
	const due = 100
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		b.Run(name, func(b *testing.B) {
			clock := NewClock(time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC))
			db := Open(b, url(b), Config{Clock: clock.Now})
			fx := MustSetUpTexting(b, db, hiretext.MaxMonthlyAllowance)
			var ids, later []hiretext.CandidateID
			for i, c := range fx.MustRecipients(b, db, due+fillDays) {
				if i < due {
					ids = append(ids, c.ID)
				} else {
					later = append(later, c.ID)
				}
			}
			var claims time.Duration // the due texts' query alone, before each release
			// release holds a text to each of ids for the next minute,
			// moves the clock to it and releases them, timing the release.
			release := func(b *testing.B) {
				b.StopTimer()
				next := clock.Now().Add(time.Minute)
				if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
					CandidateIDs: ids, Body: "See you at 9?", SendAt: next}); err != nil {
					b.Fatal(err)
				}
				clock.Set(next)
				claims += claimDue(b, db, next, 2*due)
				b.StartTimer()
				if n, err := db.ReleaseDue(ctx, 2*due); err != nil || n != due {
					b.Fatalf("released %d of %d: %v", n, due, err)
				}
			}
			waiting, rounds := 0, 0
			for _, total := range []int{1_000, 1_000_000} {
				fillWaiting(b, db, fx, later, total-waiting, clock.Now())
				waiting = total
				analyze(b, db)
				b.Run(fmt.Sprintf("waiting-%d", total), func(b *testing.B) {
					release(b) // a first round warms the caches
					claims, rounds = 0, 0
					for b.Loop() {
						release(b)
						rounds++
					}
					b.ReportMetric(float64(claims.Microseconds())/float64(rounds), "claim-µs")
				})
			}
		})
	}
}

// claimDue times the query by which ReleaseDue takes the due texts, alone
// and untimed by b, on the read pool: the claim proper, without the writes
// that queue what it found.
func claimDue(b *testing.B, db *store.DB, now time.Time, limit int) time.Duration {
	r, _ := db.Pools()
	start := time.Now()
	rows, err := r.QueryContext(ctx, db.Rebind(`SELECT id FROM messages WHERE status = 'scheduled' AND send_at <= ?
		ORDER BY send_at, id LIMIT ?`), now.UTC().Truncate(time.Microsecond), limit)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	took := time.Since(start)
	if err := rows.Close(); err != nil || n == 0 {
		b.Fatalf("claim: %d due, %v", n, err)
	}
	return took
}

// fillDays is how many days the texts of fillWaiting wait for, each for
// a candidate of its own.
const fillDays = 10

// fillWaiting adds n texts that wait for days months after now to ids (one
// a day): fillDays held through the store, then copies of each made by the
// database itself (a million through SendMessages would take an hour).
func fillWaiting(b *testing.B, db *store.DB, fx *Texting, ids []hiretext.CandidateID, n int, now time.Time) {
	b.Helper()
	const days = fillDays
	_, w := db.Pools()
	cols, err := messageColumns(db)
	if err != nil {
		b.Fatal(err)
	}
	for d := range days {
		res, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
			CandidateIDs: ids[d : d+1], Body: "A text for much later", SendAt: now.Add(time.Duration(100+d) * 24 * time.Hour)})
		if err != nil || len(res) != 1 || !res[0].Scheduled {
			b.Fatalf("hold a text: %+v, %v", res, err)
		}
		copies := n/days - 1
		if d == days-1 {
			copies = n - (n/days)*(days-1) - 1
		}
		list := strings.Join(cols, ", ")
		q := `WITH RECURSIVE copies(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM copies WHERE k < ?)
			INSERT INTO messages (` + list + `) SELECT ` + list + ` FROM messages, copies WHERE id = ?`
		if _, err := w.ExecContext(ctx, db.Rebind(q), copies, int64(res[0].MessageID)); err != nil {
			b.Fatalf("copy the held text %d times: %v", copies, err)
		}
	}
}

// messageColumns lists the messages table's columns but id, as the
// database has them after every migration.
func messageColumns(db *store.DB) ([]string, error) {
	r, _ := db.Pools()
	rows, err := r.QueryContext(ctx, "SELECT * FROM messages WHERE 1 = 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	all, err := rows.Columns()
	return slices.DeleteFunc(all, func(c string) bool { return c == "id" }), err
}
