package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

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
// "again-merged" sends the same thousand a text with merge fields, for the
// cost of filling it in (see docs/benchmarks.md).
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
			// a first-text signature: beside "again", what filling the text
			// in for each candidate and counting it add to accepting a send
			// (the signature costs a look at whom the number texted before).
			b.Run("again-merged", func(b *testing.B) {
				if _, err := db.SetSignature(ctx, fx.Org.ID, fx.Recruiter.ID, hiretext.Signature{Text: "- {RecruiterFirstName}"}); err != nil {
					b.Fatal(err)
				}
				defer db.SetSignature(ctx, fx.Org.ID, fx.Recruiter.ID, hiretext.Signature{})
				req := hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: again, JobID: fx.Job.ID,
					Body: "Hi {FirstName}, {RecruiterFirstName} from {CompanyName}: open house for {JobTitle} on Friday at 10am!"}
				for b.Loop() {
					b.StopTimer()
					analyze(b, db)
					b.StartTimer()
					res, err := db.SendMessages(ctx, req)
					if err != nil || !res[len(res)-1].Queued || !strings.HasPrefix(res[0].Body, "Hi R") {
						b.Fatalf("send: %v", err)
					}
				}
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
