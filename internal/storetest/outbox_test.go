package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// claimAll queues body to n new recipients and claims every message.
func claimAll(t *testing.T, db *store.DB, tx *Texting, n int) []*store.OutboundJob {
	t.Helper()
	var ids []hiretext.CandidateID
	for _, c := range tx.MustRecipients(t, db, n) {
		ids = append(ids, c.ID)
	}
	tx.MustSend(t, db, "Hello", ids...)
	jobs, err := db.ClaimDue(ctx, tx.Number.ID, n, time.Minute)
	if err != nil || len(jobs) != n {
		t.Fatalf("claimed %d of %d: %v", len(jobs), n, err)
	}
	return jobs
}

func TestRecordSentBatchAppliesEarlyReports(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		tx := MustSetUpTexting(t, db, 10)
		jobs := claimAll(t, db, tx, 3)
		// The provider reported the second message delivered before the
		// dispatcher recorded it, and the third one failed.
		for id, st := range map[string]hiretext.MessageStatus{"SMb": hiretext.StatusDelivered, "SMc": hiretext.StatusFailed} {
			res, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: tx.Number.Provider, ProviderMessageID: id, Status: st})
			if err != nil || !res.Pending {
				t.Fatalf("early report: %+v %v", res, err)
			}
		}
		err := db.RecordSentBatch(ctx, []store.Sent{{Job: jobs[0], ProviderID: "SMa", Status: hiretext.StatusQueued},
			{Job: jobs[1], ProviderID: "SMb", Status: hiretext.StatusQueued}, {Job: jobs[2], ProviderID: "SMc", Status: hiretext.StatusSent}})
		if err != nil {
			t.Fatal(err)
		}
		got := tx.StatusCounts(t, db, hiretext.KindRecruiter)
		want := map[hiretext.MessageStatus]int{hiretext.StatusSending: 1, hiretext.StatusDelivered: 1, hiretext.StatusFailed: 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("statuses %v, want %v", got, want)
		}
		if u := usage(t, db, tx); u.Used != 2 {
			t.Fatalf("used %d, want 2: the failed message releases its unit", u.Used)
		}
	})
}

// TestStatusReportRacingTheRecordIsApplied races each send's record against
// the provider's report for it, which may arrive first. On PostgreSQL, each
// transaction could miss the other's uncommitted row, leaving the report
// pending and the message "sending" for ever; every report must be applied.
func TestStatusReportRacingTheRecordIsApplied(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		tx := MustSetUpTexting(t, db, 1000)
		jobs := claimAll(t, db, tx, 150)
		var wg sync.WaitGroup
		for i, j := range jobs {
			id := fmt.Sprint("SMrace", i)
			wg.Go(func() {
				if err := db.RecordSent(ctx, j, id, hiretext.StatusQueued); err != nil {
					t.Error(err)
				}
			})
			wg.Go(func() {
				if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: tx.Number.Provider,
					ProviderMessageID: id, Status: hiretext.StatusSent}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := tx.StatusCounts(t, db, hiretext.KindRecruiter); got[hiretext.StatusSent] != len(jobs) {
			t.Fatalf("statuses %v: every one of the %d messages should be sent", got, len(jobs))
		}
	})
}

// TestDuplicateFailureReportsReleaseOnce delivers one "failed" report for a
// sent message several times at once, as a provider retrying its callback
// might: the message's unit of allowance is released once.
func TestDuplicateFailureReportsReleaseOnce(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		tx := MustSetUpTexting(t, db, 10)
		jobs := claimAll(t, db, tx, 3)
		for i, j := range jobs {
			if err := db.RecordSent(ctx, j, fmt.Sprint("SMdup", i), hiretext.StatusQueued); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: tx.Number.Provider, ProviderMessageID: "SMdup0",
					Status: hiretext.StatusFailed, ErrorCode: "30008", ErrorMessage: "Unknown error"}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if u := usage(t, db, tx); u.Used != 2 {
			t.Fatalf("used %d, want 2: one failed message releases one unit", u.Used)
		}
	})
}
