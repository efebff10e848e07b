package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// notification is the n-th email to Rita of org.
func notification(org hiretext.OrgID, n int) hiretext.Email {
	return hiretext.Email{OrgID: org, To: "rita@acme.example", Subject: fmt.Sprintf("Ann replied (%d)", n), Text: "Ann replied.",
		HTML: "<p>Ann replied.</p>"}
}

// TestEmailOutboxKeepsEmailsAcrossARestart: a queued email is still there
// after the database is closed and opened again, and is claimed by one of
// two instances claiming at once, never both.
func TestEmailOutboxKeepsEmailsAcrossARestart(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			first := Open(t, u, Config{})
			org := MustCreateOrg(t, first, "Acme")
			var queued []hiretext.EmailID
			for i := range 20 {
				id, err := first.QueueEmail(ctx, notification(org.ID, i))
				if err != nil {
					t.Fatal(err)
				}
				queued = append(queued, id)
			}
			first.Close()
			dbs := []*store.DB{Open(t, u, Config{}), Open(t, u, Config{})}
			claims := make([][]*hiretext.Email, 2)
			var wg sync.WaitGroup
			for i, db := range dbs {
				wg.Go(func() {
					for {
						got, err := db.ClaimEmails(ctx, 3, time.Minute)
						if err != nil {
							t.Error(err)
							return
						}
						if len(got) == 0 {
							return
						}
						claims[i] = append(claims[i], got...)
					}
				})
			}
			wg.Wait()
			seen := map[hiretext.EmailID]int{}
			for _, c := range claims {
				for _, e := range c {
					seen[e.ID]++
					if e.Attempts != 1 || e.To != "rita@acme.example" || e.HTML != "<p>Ann replied.</p>" {
						t.Fatalf("claimed %+v", e)
					}
				}
			}
			for _, id := range queued {
				if seen[id] != 1 {
					t.Fatalf("email %d claimed %d times (%v)", id, seen[id], seen)
				}
			}
		})
	}
}

// TestEmailOutboxRefusesWhatCouldInjectHeaders: a recipient or subject
// with a line break, or no address at all, is never queued.
func TestEmailOutboxRefusesWhatCouldInjectHeaders(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		for _, change := range []func(*hiretext.Email){
			func(e *hiretext.Email) { e.To = "rita@acme.example\r\nBcc: x@evil.example" },
			func(e *hiretext.Email) { e.To = "Rita <rita@acme.example>" },
			func(e *hiretext.Email) { e.Subject = "Ann\nBcc: x@evil.example" },
			func(e *hiretext.Email) { e.To = "" },
			func(e *hiretext.Email) { e.Text = "" },
		} {
			e := notification(org.ID, 0)
			change(&e)
			if _, err := db.QueueEmail(ctx, e); hiretext.ErrorCode(err) != hiretext.EInvalid {
				t.Errorf("QueueEmail(%+v) = %v, want invalid", e, err)
			}
		}
		if got, err := db.ClaimEmails(ctx, 10, time.Minute); err != nil || len(got) != 0 {
			t.Fatalf("claimed %d, %v: nothing should be queued", len(got), err)
		}
	})
}
