package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// BenchmarkBulkSend1000 times SendMessages to 1,000 opted-in candidates: one
// transaction that reads the candidates, reserves 1,000 units of allowance,
// and queues a message (and a conversation, on first contact) for each.
// "first-contact" texts new candidates every time; "again" texts the same
// thousand, whose conversations exist. On PostgreSQL the tables are analyzed
// before each timed send, as autovacuum keeps them in a running system: a
// schema whose tables grew from nothing in seconds has statistics so stale
// that the planner scans the company's candidates and the number's
// conversations instead of using their keys.
//
// "again-merged" sends the same thousand a plain text and one with merge
// fields in turn, for the cost of filling the text in (see
// docs/benchmarks.md).
//
//	HIRETEXT_TEST_POSTGRES_URL=… go test ./internal/storetest/ -run '^$' -bench BenchmarkBulkSend1000 -benchtime 20x
func BenchmarkBulkSend1000(b *testing.B) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		b.Run(name, func(b *testing.B) {
			db := Open(b, url(b), Config{})
			fx := MustSetUpTexting(b, db, hiretext.MaxMonthlyAllowance)
			ids := func() []hiretext.CandidateID {
				var out []hiretext.CandidateID
				for _, c := range fx.MustRecipients(b, db, hiretext.MaxBulkCandidates) {
					out = append(out, c.ID)
				}
				analyze(b, db)
				return out
			}
			send := func(ids []hiretext.CandidateID) {
				res := fx.MustSend(b, db, "Open house on Friday at 10am: come meet the team!", ids...)
				if len(res) != len(ids) || !res[len(res)-1].Queued {
					b.Fatalf("%d results; last %+v", len(res), res[len(res)-1])
				}
			}
			b.Run("first-contact", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					batch := ids()
					b.StartTimer()
					send(batch)
				}
			})
			again := ids()
			b.Run("again", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					analyze(b, db)
					b.StartTimer()
					send(again)
				}
			})
			// The same thousand, from the job's page, with merge fields and
			// a first-text signature (which costs a look at whom the number
			// texted before), against a plain text from a user without a
			// signature: what filling the text in for each candidate and
			// counting it add to accepting a send. Each round sends both, in alternating order, so the
			// growing tables and the machine's other work weigh on both alike;
			// the metrics are the mean time of each and the median of the
			// rounds' differences.
			// A second user of the number signs; the recruiter does not.
			signer := MustCreateUser(b, db, fx.Org.ID, "Sam Signer", hiretext.RoleUser, hiretext.PermProfiles)
			MustAssign(b, db, fx.Org.ID, fx.Number.ID, signer.ID)
			if _, err := db.SetSignature(ctx, fx.Org.ID, signer.ID, hiretext.Signature{Text: "- {RecruiterFirstName}"}); err != nil {
				b.Fatal(err)
			}
			b.Run("again-merged", func(b *testing.B) {
				plain := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: again,
					Body: "Open house on Friday at 10am: come meet the team!"}
				merged := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: signer.ID, CandidateIDs: again, JobID: fx.Job.ID,
					Body: "Hi {FirstName}, {RecruiterFirstName} from {CompanyName}: open house for {JobTitle} on Friday at 10am!"}
				var took, cpu [2]time.Duration
				var added []time.Duration // per round, merged minus plain
				for b.Loop() {
					var round [2]time.Duration
					for i := range 2 {
						k := (i + len(added)) % 2 // 0 plain, 1 merged
						wall, used := timedSend(b, db, []hiretext.SendRequest{plain, merged}[k])
						round[k], took[k], cpu[k] = wall, took[k]+wall, cpu[k]+used
					}
					added = append(added, round[1]-round[0])
				}
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(len(added)) }
				slices.Sort(added)
				b.ReportMetric(ms(took[0]), "plain-ms/send")
				b.ReportMetric(ms(took[1]), "merged-ms/send")
				// The median round: other work on the machine comes in bursts.
				b.ReportMetric(float64(added[len(added)/2].Microseconds())/1000, "added-ms/send")
				b.ReportMetric(ms(cpu[1]-cpu[0]), "added-cpu-ms/send")
			})
			// The filling in alone, without the writes: PreviewMessages of
			// the same two texts to the thousand, which reads the number and
			// the candidates (as a send does) and renders and counts each
			// text. Nothing is written, so the figures barely move with the
			// machine's disk; the difference is the merge fields' share.
			b.Run("preview-merged", func(b *testing.B) {
				plain := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: again,
					Body: "Open house on Friday at 10am: come meet the team!"}
				merged := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: signer.ID, CandidateIDs: again, JobID: fx.Job.ID,
					Body: "Hi {FirstName}, {RecruiterFirstName} from {CompanyName}: open house for {JobTitle} on Friday at 10am!"}
				var took, cpu [2]time.Duration
				rounds := 0
				for b.Loop() {
					for k, req := range []hiretext.SendRequest{plain, merged} {
						start, startCPU := time.Now(), cpuTime()
						if p, err := db.PreviewMessages(ctx, req); err != nil || len(p) != len(again) {
							b.Fatalf("preview: %v", err)
						}
						took[k], cpu[k] = took[k]+time.Since(start), cpu[k]+cpuTime()-startCPU
					}
					rounds++
				}
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(rounds) }
				b.ReportMetric(ms(took[0]), "plain-ms/preview")
				b.ReportMetric(ms(took[1]), "merged-ms/preview")
				b.ReportMetric(ms(cpu[0]), "plain-cpu-ms/preview")
				b.ReportMetric(ms(cpu[1]), "merged-cpu-ms/preview")
			})
			// The web form's path: the same send recorded under the form's
			// key with a row per candidate (see SendBulk).
			form := 0
			b.Run("again-recorded", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					analyze(b, db)
					form++
					b.StartTimer()
					req := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: again,
						Body: "Open house on Friday at 10am: come meet the team!"}
					if _, repeated, err := db.SendBulk(context.Background(), req, fmt.Sprintf("form-%d", form)); err != nil || repeated {
						b.Fatalf("SendBulk: repeated %v, %v", repeated, err)
					}
				}
			})
		})
	}
}

// timedSend sends req, untimed by the benchmark, after refreshing the
// statistics, and returns how long the send took and the processor time
// it used (see cpuTime).
func timedSend(b *testing.B, db *store.DB, req hiretext.SendRequest) (wall, cpu time.Duration) {
	b.StopTimer()
	defer b.StartTimer()
	analyze(b, db)
	start, startCPU := time.Now(), cpuTime()
	res, err := db.SendMessages(ctx, req)
	wall, cpu = time.Since(start), cpuTime()-startCPU
	if err != nil || !res[len(res)-1].Queued {
		b.Fatalf("send: %v", err)
	}
	return wall, cpu
}

// analyze refreshes PostgreSQL's statistics of the texting tables.
func analyze(tb testing.TB, db *store.DB) {
	tb.Helper()
	if db.Dialect() != "postgres" {
		return
	}
	_, w := db.Pools()
	if _, err := w.ExecContext(ctx, "ANALYZE candidates, conversations, messages"); err != nil {
		tb.Fatal(err)
	}
}
