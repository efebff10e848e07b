package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestOperatorAllowanceChangeReachesOpenPages changes a number's allowance
// the way `hiretext admin allowance set` does, from a store of its own (another
// process beside the server): the recruiters' open streams receive the same
// allowance.alert a send that crosses a threshold records, once each and
// carrying their own notification, and an allowance.changed, also when a
// raise crosses nothing, even for a user on the number who follows none of
// its texts; the page those events make the browser read again shows the
// new banner.
func TestOperatorAllowanceChangeReachesOpenPages(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			db, operator := storetest.Open(t, u, storetest.Config{}), storetest.Open(t, u, storetest.Config{})
			// The operator's commits wake no broker here: the poll finds them, as in production.
			b, _ := startBroker(t, db, events.Config{PollInterval: 100 * time.Millisecond})
			ts := newEventServer(t, db, b, server.StreamOptions{})
			org, number, rita, _ := twoOnNumber(t, db, 10)
			if _, err := db.ReserveAllowance(context.Background(), org.ID, number.ID, 5); err != nil {
				t.Fatal(err)
			}
			br := ts.sessionBrowser(t, rita)
			s := openStream(t, br.client, ts.URL+"/events", nil)

			// Lowered to what is used: both thresholds cross at once.
			setAllowance(t, operator, number.Phone, 5)
			notes, err := db.ListNotifications(context.Background(), org.ID, rita.ID)
			if err != nil || len(notes) != 2 {
				t.Fatalf("Rita's notifications = %+v, %v", notes, err)
			}
			for _, want := range []map[string]any{
				{"kind": "allowance_90", "notification_id": strconv.FormatInt(int64(notes[1].ID), 10), "used": 5.0, "allowance": 5.0},
				{"kind": "allowance_max", "notification_id": strconv.FormatInt(int64(notes[0].ID), 10), "used": 5.0, "allowance": 5.0},
			} {
				wantLive(t, s, hiretext.EventAllowanceAlert, want)
			}
			wantLive(t, s, hiretext.EventAllowanceChanged, map[string]any{"number_id": strconv.FormatInt(int64(number.ID), 10), "used": 5.0, "allowance": 5.0})
			if st, page, _ := br.do("GET", "/", nil); st != http.StatusOK || !strings.Contains(page, "has used its whole monthly allowance") {
				t.Fatalf("the page read again after the events: %d, without the used-up banner", st)
			}

			// Tess, on the number with Jobs only, follows none of its texts,
			// yet sees its banner: her page follows too.
			tess := storetest.MustCreateUser(t, db, org.ID, "Tess", hiretext.RoleUser, hiretext.PermJobs)
			storetest.MustAssign(t, db, org.ID, number.ID, tess.ID)
			tessStream := openStream(t, http.DefaultClient, ts.URL+"/api/v1/events", http.Header{"Authorization": {"Bearer " + token(t, db, tess)}})

			// Raised: no threshold, yet the banner must go and Send come back.
			setAllowance(t, operator, number.Phone, 20)
			wantLive(t, s, hiretext.EventAllowanceChanged, map[string]any{"used": 5.0, "allowance": 20.0})
			wantLive(t, tessStream, hiretext.EventAllowanceChanged, map[string]any{"used": 5.0, "allowance": 20.0})
			if st, page, _ := br.do("GET", "/", nil); st != http.StatusOK || strings.Contains(page, "allowance-banner") {
				t.Fatalf("the page read again after the raise: %d, still with a banner", st)
			}
		})
	}
}

// twoOnNumber makes a company with one number of allowance messages a
// month and two recruiters on it, Rita and Sam.
func twoOnNumber(t *testing.T, db *store.DB, allowance int) (*hiretext.Organization, *hiretext.Number, *hiretext.User, *hiretext.User) {
	t.Helper()
	org := storetest.MustCreateOrg(t, db, "Acme")
	storetest.MustGrantNumbers(t, db, org.ID, 1, allowance)
	number := storetest.MustAddNumber(t, db, org.ID)
	rita := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	sam := storetest.MustCreateUser(t, db, org.ID, "Sam", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, org.ID, number.ID, rita.ID)
	storetest.MustAssign(t, db, org.ID, number.ID, sam.ID)
	return org, number, rita, sam
}

// setAllowance sets phone's allowance through db, as the operator's command does.
func setAllowance(t *testing.T, db *store.DB, phone string, monthly int) {
	t.Helper()
	if _, err := db.SetAllowance(context.Background(), phone, monthly); err != nil {
		t.Fatal(err)
	}
}

// wantLive reads the stream's next event and checks its kind and the given
// fields of its data.
func wantLive(t *testing.T, s *sseStream, kind hiretext.EventKind, fields map[string]any) {
	t.Helper()
	m := s.next(t, 10*time.Second)
	var data map[string]any
	if err := json.Unmarshal([]byte(m.Data), &data); err != nil || m.Event != string(kind) {
		t.Fatalf("got event %q data %s, want %s", m.Event, m.Data, kind)
	}
	for k, v := range fields {
		if data[k] != v {
			t.Fatalf("%s data %s: %s = %v, want %v", kind, m.Data, k, data[k], v)
		}
	}
}
