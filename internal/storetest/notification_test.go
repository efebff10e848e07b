package storetest

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// TestNotificationsAreEachUsersOwn crosses 90% of a shared number: each
// assigned user gets a notification of their own, which only they can mark
// read; marking it again keeps the first reading and tells nobody again.
func TestNotificationsAreEachUsersOwn(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org, n, rita, sam, admin := teamOnNumber(t, db, 10)
		other := MustCreateOrg(t, db, "Other")
		stranger := MustCreateUser(t, db, other.ID, "Olga", hiretext.RoleAdmin)
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 9); err != nil {
			t.Fatal(err)
		}
		notes, err := db.ListNotifications(ctx, org.ID, rita.ID)
		if err != nil || len(notes) != 1 {
			t.Fatalf("Rita's notifications = %+v, %v", notes, err)
		}
		note := notes[0]
		if note.Kind != hiretext.AlertAllowance90 || note.NumberID != n.ID || note.Phone != n.Phone || note.Read() || note.CreatedAt.IsZero() {
			t.Fatalf("Rita's notification = %+v", note)
		}
		for _, who := range []struct {
			org  hiretext.OrgID
			user *hiretext.User
		}{{org.ID, sam}, {org.ID, admin}, {other.ID, stranger}, {org.ID, stranger}} {
			if _, err := db.MarkNotificationRead(ctx, who.org, who.user.ID, note.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
				t.Fatalf("%s marking Rita's notification read: %v, want not found", who.user.Name, err)
			}
		}
		before, _ := db.LatestEventID(ctx)
		read, err := db.MarkNotificationRead(ctx, org.ID, rita.ID, note.ID)
		if err != nil || !read.Read() || read.ID != note.ID || read.Kind != note.Kind {
			t.Fatalf("marked read: %+v, %v", read, err)
		}
		again, err := db.MarkNotificationRead(ctx, org.ID, rita.ID, note.ID)
		if err != nil || !again.ReadAt.Equal(*read.ReadAt) {
			t.Fatalf("marked read again: %+v, %v; want the first reading %v kept", again, err, read.ReadAt)
		}
		evs, err := db.EventsFor(ctx, hiretext.EventFilter{OrgID: org.ID, UserID: rita.ID}, before, math.MaxInt64, 10)
		if err != nil || len(evs) != 1 || evs[0].Kind != hiretext.EventNotificationRead {
			t.Fatalf("events for Rita after marking twice = %+v, %v; want one notification.read", evs, err)
		}
		if notes, _ := db.ListNotifications(ctx, org.ID, rita.ID); len(notes) != 1 || !notes[0].Read() {
			t.Fatalf("Rita's list after reading = %+v", notes)
		}
		if notes, _ := db.ListNotifications(ctx, org.ID, sam.ID); len(notes) != 1 || notes[0].Read() || notes[0].ID == note.ID {
			t.Fatalf("Sam's list after Rita read hers = %+v", notes)
		}
		if _, err := db.MarkNotificationRead(ctx, org.ID, rita.ID, note.ID+1000); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("an unknown notification: %v", err)
		}
	})
}

// TestConcurrentCrossingNotifiesEachUserOnce crosses 90% and the maximum
// with sends and inbound texts racing through two connection pools (two
// instances): every user of the number gets exactly one notification of
// each kind, and exactly one live event for it.
func TestConcurrentCrossingNotifiesEachUserOnce(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			dbs := []*store.DB{Open(t, u, Config{}), Open(t, u, Config{})}
			fx := MustSetUpTexting(t, dbs[0], 20)
			users := []*hiretext.User{fx.Recruiter}
			for _, name := range []string{"Sam", "Tom"} {
				users = append(users, MustCreateUser(t, dbs[0], fx.Org.ID, name, hiretext.RoleUser))
				MustAssign(t, dbs[0], fx.Org.ID, fx.Number.ID, users[len(users)-1].ID)
			}
			var ids []hiretext.CandidateID
			var phones []string
			for _, first := range []string{"Ana", "Ben", "Cai", "Dee"} {
				c, e164 := fx.MustCandidate(t, dbs[0], first)
				ids, phones = append(ids, c.ID), append(phones, e164)
			}
			if _, err := dbs[0].ReserveAllowance(ctx, fx.Org.ID, fx.Number.ID, 17); err != nil {
				t.Fatal(err)
			}
			codes := parallel(24, func(i int) error {
				db := dbs[i%2]
				if i%3 == 0 {
					_, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: fx.Number.Provider, ProviderMessageID: "race-" + strconv.Itoa(i),
						From: phones[i%len(phones)], To: fx.Number.Phone, Body: "Sounds good"})
					return err
				}
				_, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID,
					CandidateIDs: []hiretext.CandidateID{ids[i%len(ids)]}, Body: "Are you free today?"})
				return err
			})
			if count(codes, "")+count(codes, hiretext.EAllowanceExceeded) != 24 || count(codes, "") < 8 {
				t.Fatalf("codes %v", codes)
			}
			for _, user := range users {
				notes, err := dbs[1].ListNotifications(ctx, fx.Org.ID, user.ID)
				if err != nil || !sameNoteKinds(notes, hiretext.AlertAllowanceMax, hiretext.AlertAllowance90) {
					t.Fatalf("%s's notifications = %+v, %v; want one of each kind", user.Name, notes, err)
				}
				live := alertEventsByNotification(t, dbs[1], fx.Org.ID, user.ID)
				if len(live) != 2 || live[notes[0].ID] != 1 || live[notes[1].ID] != 1 {
					t.Fatalf("%s's allowance.alert events by notification: %v, want one for each of %d and %d", user.Name, live, notes[0].ID, notes[1].ID)
				}
			}
		})
	}
}

// alertEventsByNotification counts the allowance.alert events recorded for
// user by the notification they carry.
func alertEventsByNotification(t *testing.T, db *store.DB, org hiretext.OrgID, user hiretext.UserID) map[hiretext.NotificationID]int {
	t.Helper()
	evs, err := db.EventsFor(ctx, hiretext.EventFilter{OrgID: org, UserID: user}, 0, math.MaxInt64, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[hiretext.NotificationID]int{}
	for _, e := range evs {
		var data struct {
			NotificationID string `json:"notification_id"`
		}
		if e.Kind != hiretext.EventAllowanceAlert || json.Unmarshal(e.Data, &data) != nil {
			continue
		}
		id, err := strconv.ParseInt(data.NotificationID, 10, 64)
		if err != nil {
			t.Fatalf("allowance.alert without a notification id: %s", e.Data)
		}
		out[hiretext.NotificationID(id)]++
	}
	return out
}

// sameNoteKinds reports whether notes have exactly the kinds want, in any
// order: transactions of two instances may take their times out of order.
func sameNoteKinds(notes []*hiretext.Notification, want ...hiretext.AlertKind) bool {
	got := map[hiretext.AlertKind]int{}
	for _, n := range notes {
		got[n.Kind]++
	}
	for _, k := range want {
		got[k]--
	}
	for _, v := range got {
		if v != 0 {
			return false
		}
	}
	return len(notes) == len(want)
}
