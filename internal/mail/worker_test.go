package mail_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/mail"
	"github.com/hiretext/hiretext/internal/mail/mailtest"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// outbox is a database with one company, its clock and a worker sending
// its emails to s.
type outbox struct {
	db     *store.DB
	clock  *storetest.Clock
	worker *mail.Worker
	org    hiretext.OrgID
}

func newOutbox(t *testing.T, s *mailtest.Server) *outbox {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	db := storetest.NewSQLite(t, storetest.Config{Clock: clock.Now})
	cfg := config(t, s, "smtp")
	cfg.Timeout = 300 * time.Millisecond // a hanging server is given up on quickly
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := mail.NewWorker(db, mail.NewSender(cfg, clock.Now), clock.Now, log, mail.WorkerConfig{Lease: time.Minute})
	return &outbox{db: db, clock: clock, worker: w, org: storetest.MustCreateOrg(t, db, "Acme").ID}
}

func (o *outbox) queue(t *testing.T) hiretext.EmailID {
	t.Helper()
	e := testEmail()
	e.OrgID = o.org
	id, err := o.db.QueueEmail(context.Background(), *e)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// sendDue runs the worker once and returns how many emails it claimed.
func (o *outbox) sendDue(t *testing.T) int {
	t.Helper()
	n, err := o.worker.SendDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (o *outbox) status(t *testing.T, id hiretext.EmailID) (string, int, string) {
	t.Helper()
	st, attempts, last, err := o.db.EmailStatus(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return st, attempts, last
}

// TestWorkerDelaysAndLosesNone: a server that refuses for now, hangs, or
// drops the connection in the middle of the message delays the email,
// which is tried again after its backoff (on the test's clock) and
// reaches the server exactly once.
func TestWorkerDelaysAndLosesNone(t *testing.T) {
	t.Parallel()
	for step, react := range map[string]string{"rcpt": "451 try again later", "data": "hang", "message": "drop"} {
		t.Run(step+" "+react, func(t *testing.T) {
			t.Parallel()
			var failing atomic.Bool
			failing.Store(true)
			s := mailtest.New(t, func(s *mailtest.Server) {
				s.React = func(at string) string {
					if at == step && failing.Load() {
						return react
					}
					return ""
				}
			})
			o := newOutbox(t, s)
			id := o.queue(t)
			if n := o.sendDue(t); n != 1 {
				t.Fatalf("claimed %d", n)
			}
			if st, attempts, last := o.status(t, id); st != "queued" || attempts != 1 || last == "" || len(s.Messages()) != 0 {
				t.Fatalf("after the failed try: %s, %d attempts, %q, received %d", st, attempts, last, len(s.Messages()))
			}
			failing.Store(false)
			if n := o.sendDue(t); n != 0 {
				t.Fatalf("claimed %d before the backoff ran out", n)
			}
			o.clock.Advance(hiretext.EmailBackoff(1))
			if n := o.sendDue(t); n != 1 {
				t.Fatalf("claimed %d after the backoff", n)
			}
			if st, attempts, _ := o.status(t, id); st != "sent" || attempts != 2 || len(s.Messages()) != 1 {
				t.Fatalf("after the second try: %s, %d attempts, received %d", st, attempts, len(s.Messages()))
			}
			o.clock.Advance(time.Hour)
			if n := o.sendDue(t); n != 0 || len(s.Messages()) != 1 {
				t.Fatal("a sent email was sent again")
			}
		})
	}
}

// TestWorkerGivesUpOnABounce: a 5xx refusal (an unknown mailbox) fails the
// email at once, keeping the server's words; it is not tried again.
func TestWorkerGivesUpOnABounce(t *testing.T) {
	t.Parallel()
	s := mailtest.New(t, func(s *mailtest.Server) {
		s.React = func(at string) string {
			if at == "rcpt" {
				return "550 5.1.1 no such mailbox"
			}
			return ""
		}
	})
	o := newOutbox(t, s)
	id := o.queue(t)
	o.sendDue(t)
	if st, attempts, last := o.status(t, id); st != "failed" || attempts != 1 || !strings.Contains(last, "550") {
		t.Fatalf("after a bounce: %s, %d attempts, %q", st, attempts, last)
	}
	o.clock.Advance(24 * time.Hour)
	if n := o.sendDue(t); n != 0 {
		t.Fatal("a bounced email was tried again")
	}
}

// TestWorkerStopsAfterMaxAttempts: a server that refuses for now every
// time gets hiretext.MaxEmailAttempts tries, then the email is given up.
func TestWorkerStopsAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	s := mailtest.New(t, func(s *mailtest.Server) {
		s.React = func(at string) string {
			if at == "mail" {
				return "421 busy"
			}
			return ""
		}
	})
	o := newOutbox(t, s)
	id := o.queue(t)
	for range hiretext.MaxEmailAttempts {
		if n := o.sendDue(t); n != 1 {
			t.Fatalf("claimed %d", n)
		}
		o.clock.Advance(4 * time.Hour)
	}
	if st, attempts, _ := o.status(t, id); st != "failed" || attempts != hiretext.MaxEmailAttempts {
		t.Fatalf("after %d refusals: %s, %d attempts", hiretext.MaxEmailAttempts, st, attempts)
	}
}

// TestWorkerSendsWhatACrashLeftClaimed: an email claimed by a worker that
// died is the next worker's once the lease runs out, not before.
func TestWorkerSendsWhatACrashLeftClaimed(t *testing.T) {
	t.Parallel()
	s := mailtest.New(t, nil)
	o := newOutbox(t, s)
	id := o.queue(t)
	if claimed, err := o.db.ClaimEmails(context.Background(), 10, time.Minute); err != nil || len(claimed) != 1 {
		t.Fatalf("the first worker claimed %d, %v", len(claimed), err)
	}
	if n := o.sendDue(t); n != 0 {
		t.Fatal("an email under lease was claimed twice")
	}
	o.clock.Advance(time.Minute + time.Second)
	if n := o.sendDue(t); n != 1 || len(s.Messages()) != 1 {
		t.Fatalf("after the lease: claimed %d, received %d", n, len(s.Messages()))
	}
	if st, _, _ := o.status(t, id); st != "sent" {
		t.Fatalf("status %s", st)
	}
}
