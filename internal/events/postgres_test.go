package events_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// instance is one hiretext instance's database handle and broker.
type instance struct {
	db *store.DB
	b  *events.Broker
}

// startInstance opens its own handle on the database at url and runs a
// broker that hears other instances only through NOTIFY: it polls hourly.
func startInstance(t *testing.T, url string) *instance {
	t.Helper()
	db := storetest.Open(t, url, storetest.Config{})
	b, err := events.New(context.Background(), db, events.Config{PostgresURL: url, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	db.SetBroker(b)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	storetest.Eventually(t, "the listener to connect", b.Listening)
	return &instance{db: db, b: b}
}

func record(t *testing.T, db *store.DB, org hiretext.OrgID) *hiretext.Event {
	t.Helper()
	e := &hiretext.Event{OrgID: org, NumberID: 1, Kind: hiretext.EventMessageInbound}
	if err := db.RecordEvent(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

// watched is a subscription and its updates.
type watched struct {
	sub     *events.Subscription
	updates <-chan *events.Update
}

func watch(sub *events.Subscription) watched { return watched{sub, sub.Updates()} }

func expectEvent(t *testing.T, w watched, id int64, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	sub := w.sub
	select {
	case u, ok := <-w.updates:
		if !ok || u.Event.ID != id || !sub.Accept(u) {
			t.Fatalf("got %v (open %v), want event %d", u, ok, id)
		}
	case <-time.After(within):
		t.Fatalf("event %d did not arrive within %v", id, within)
	}
	return time.Since(start)
}

func TestEventOnOneInstanceReachesSubscribersOfAnother(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	a, b := startInstance(t, url), startInstance(t, url)
	org := storetest.MustCreateOrg(t, a.db, "Acme")
	f := hiretext.EventFilter{OrgID: org.ID, NumberID: 1}
	onA, onB := watch(a.b.Subscribe(f)), watch(b.b.Subscribe(f))

	e := record(t, a.db, org.ID)
	took := expectEvent(t, onB, e.ID, 2*time.Second)
	expectEvent(t, onA, e.ID, 2*time.Second)
	t.Logf("instance A → subscriber on B in %v", took)

	e = record(t, b.db, org.ID)
	expectEvent(t, onA, e.ID, 2*time.Second)
	expectEvent(t, onB, e.ID, 2*time.Second)
}

func TestListenerReconnectsAndCatchesUp(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	a, b := startInstance(t, url), startInstance(t, url)
	org := storetest.MustCreateOrg(t, a.db, "Acme")
	sub := watch(b.b.Subscribe(hiretext.EventFilter{OrgID: org.ID, NumberID: 1}))
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	pid := b.b.ListenerPID()
	var killed bool
	if err := admin.QueryRow("SELECT pg_terminate_backend($1)", int64(pid)).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate listener backend %d: %v, %v", pid, killed, err)
	}
	// Recorded while B's listener is down or reconnecting: B catches up
	// when it reconnects, long before its hourly poll.
	missed := record(t, a.db, org.ID)
	expectEvent(t, sub, missed.ID, 10*time.Second)
	storetest.Eventually(t, "a new listener connection", func() bool { p := b.b.ListenerPID(); return p != 0 && p != pid })
	later := record(t, a.db, org.ID)
	expectEvent(t, sub, later.ID, 2*time.Second)
}
