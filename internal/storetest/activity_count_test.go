package storetest

import (
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// dailyCount is one group of the report's daily counters: a company's texts
// of one day (its time zone), number, sender, direction and status.
type dailyCount struct {
	org       hiretext.OrgID
	day       string // YYYY-MM-DD
	number    hiretext.NumberID
	user      hiretext.UserID
	direction hiretext.Direction
	status    hiretext.MessageStatus
}

// textsByDay counts every text in the database the way the daily counters
// should, straight from the messages table.
func textsByDay(t *testing.T, db *store.DB) map[dailyCount][2]int {
	t.Helper()
	read, _ := db.Pools()
	rows, err := read.QueryContext(ctx, `SELECT m.org_id, o.timezone, m.created_at, m.number_id, COALESCE(m.user_id, 0),
		m.direction, m.status, m.segments FROM messages m JOIN organizations o ON o.id = m.org_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[dailyCount][2]int{}
	for rows.Next() {
		var k dailyCount
		var zone string
		var at time.Time
		var segments int
		if err := rows.Scan(&k.org, &zone, &at, &k.number, &k.user, &k.direction, &k.status, &segments); err != nil {
			t.Fatal(err)
		}
		k.day = at.In((&hiretext.Organization{Timezone: zone}).Location()).Format(time.DateOnly)
		c := out[k]
		out[k] = [2]int{c[0] + 1, c[1] + segments}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dailyCounters reads the counters themselves, leaving out groups whose
// texts all moved on to another status (kept at zero).
func dailyCounters(t *testing.T, db *store.DB) map[dailyCount][2]int {
	t.Helper()
	read, _ := db.Pools()
	rows, err := read.QueryContext(ctx, `SELECT org_id, day, number_id, user_id, direction, status, texts, segments FROM activity_daily`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[dailyCount][2]int{}
	for rows.Next() {
		var k dailyCount
		var day int64
		var c [2]int
		if err := rows.Scan(&k.org, &day, &k.number, &k.user, &k.direction, &k.status, &c[0], &c[1]); err != nil {
			t.Fatal(err)
		}
		k.day = time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
		if c != [2]int{} {
			out[k] = c
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// mustCountTexts fails unless the daily counters equal a count of the texts.
func mustCountTexts(t *testing.T, db *store.DB, after string) {
	t.Helper()
	want, got := textsByDay(t, db), dailyCounters(t, db)
	if maps.Equal(want, got) {
		return
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("after %s: %+v counted %v (texts, segments), the texts say %v", after, k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("after %s: %+v counted %v, but there are no such texts", after, k, g)
		}
	}
}

// TestActivityCountersEqualTheTexts runs every kind of write that creates
// texts or changes their status, across a midnight of the company's time
// zone and from concurrent writers, and after each step compares the
// report's daily counters with a count of the texts; the summary they give
// must equal one counted from the rows.
func TestActivityCountersEqualTheTexts(t *testing.T) {
	ct, _ := time.LoadLocation("America/Chicago")
	withClock(t, time.Date(2026, 12, 1, 23, 40, 0, 0, ct), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 1000)
		second := MustAddNumber(t, db, fx.Org.ID)
		sam := MustCreateUser(t, db, fx.Org.ID, "Sam Sender", hiretext.RoleUser, hiretext.PermProfiles)
		MustAssign(t, db, fx.Org.ID, second.ID, sam.ID)
		other := MustSetUpTexting(t, db, 1000) // another company, counted apart
		var ids []hiretext.CandidateID
		phones := map[hiretext.CandidateID]string{}
		for i := range 8 {
			c, p := fx.MustCandidate(t, db, fmt.Sprintf("Cand%d", i))
			ids, phones[c.ID] = append(ids, c.ID), p
		}
		olga, olgaPhone := other.MustCandidate(t, db, "Olga")

		fx.MustSend(t, db, "Hi, are you free Monday?", ids...)
		other.MustSend(t, db, "Hello from the other company", olga.ID)
		if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: sam.ID, CandidateIDs: ids[:3],
			Body: "Sam here, from the second desk, with a longer text that takes two segments because it goes on and on well past the one hundred and sixty characters of a single one."}); err != nil {
			t.Fatal(err)
		}
		held, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: ids[4:7],
			Body: "See you tomorrow?", SendAt: time.Date(2026, 12, 2, 10, 0, 0, 0, ct)})
		if err != nil {
			t.Fatal(err)
		}
		mustCountTexts(t, db, "sends and a scheduled send")

		// The provider reports one text before the dispatcher records it.
		if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: "SMc1",
			Status: hiretext.StatusDelivered}); err != nil {
			t.Fatal(err)
		}
		claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 100, time.Minute)
		if err != nil || len(claimed) != 8 {
			t.Fatalf("claimed %d (%v), want 8", len(claimed), err)
		}
		var sent []hiretext.SentDelivery
		for i, dl := range claimed[:5] {
			sent = append(sent, hiretext.SentDelivery{Delivery: dl, ProviderID: fmt.Sprintf("SMc%d", i), Status: hiretext.StatusSent})
		}
		if _, err := db.RecordSentBatch(ctx, sent, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.FailDelivery(ctx, claimed[5], hiretext.StatusFailed, "21211", "Not sent: invalid phone number.", false); err != nil {
			t.Fatal(err)
		}
		if err := db.FailDelivery(ctx, claimed[6], hiretext.StatusCanceled, "", "Canceled.", false); err != nil {
			t.Fatal(err)
		}
		mustCountTexts(t, db, "recording sends and failures")

		for id, st := range map[string]hiretext.MessageStatus{"SMc0": hiretext.StatusDelivered, "SMc2": hiretext.StatusUndelivered,
			"SMc3": hiretext.StatusFailed, "SMc4": hiretext.StatusSent} {
			if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: id,
				Status: st, ErrorCode: "30003"}); err != nil {
				t.Fatal(err)
			}
		}
		// A late report does not move a delivered text back.
		if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider, ProviderMessageID: "SMc0",
			Status: hiretext.StatusSent}); err != nil {
			t.Fatal(err)
		}
		mustCountTexts(t, db, "status callbacks")

		fx.Receive(t, db, "SMin1", phones[ids[0]], "Monday works")
		fx.Receive(t, db, "SMin2", phones[ids[1]], "HELP")
		fx.Receive(t, db, "SMin3", phones[ids[2]], "STOP")
		fx.Receive(t, db, "SMin4", "+13125550199", "Who is this?") // no candidate has this phone
		other.Receive(t, db, "SMin5", olgaPhone, "Thanks")
		mustCountTexts(t, db, "inbound texts and keyword replies")

		clock.Advance(30 * time.Minute) // past midnight in Chicago: a new day
		fx.MustSend(t, db, "Good morning (well, just after midnight)", ids[3], ids[4])
		fx.Receive(t, db, "SMin6", phones[ids[3]], "Up late too")
		if _, err := db.CancelScheduled(ctx, fx.Org.ID, held[0].MessageID, fx.Recruiter.ID, false); err != nil {
			t.Fatal(err)
		}
		mustCountTexts(t, db, "texts after midnight and a canceled scheduled text")

		if err := db.EraseCandidate(ctx, fx.Org.ID, ids[0], fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		clock.Set(time.Date(2026, 12, 2, 10, 0, 0, 0, ct))
		if _, err := db.ReleaseDue(ctx, 100); err != nil {
			t.Fatal(err)
		}
		mustCountTexts(t, db, "an erasure and releasing the scheduled texts")

		// Concurrent writers: sends, replies, claims and their records, and
		// callbacks, all on the same day's counters of both numbers.
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 5 {
					c := ids[3+(w+i)%5]
					user := fx.Recruiter.ID
					if w%2 == 1 {
						user = sam.ID
					}
					if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: fx.Org.ID, UserID: user, CandidateIDs: []hiretext.CandidateID{c},
						Body: fmt.Sprintf("Writer %d, text %d", w, i)}); err != nil {
						t.Error(err)
						return
					}
					if _, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: fx.Number.Provider, ProviderMessageID: fmt.Sprintf("SMw%d-%d", w, i),
						From: phones[c], To: fx.Number.Phone, Body: "ok"}); err != nil {
						t.Error(err)
						return
					}
					for _, num := range []hiretext.NumberID{fx.Number.ID, second.ID} {
						got, err := db.ClaimDeliveries(ctx, num, 3, time.Minute)
						if err != nil {
							t.Error(err)
							return
						}
						var batch []hiretext.SentDelivery
						for j, dl := range got {
							batch = append(batch, hiretext.SentDelivery{Delivery: dl, ProviderID: fmt.Sprintf("SMw%d-%d-%d-%d", w, i, num, j), Status: hiretext.StatusSending})
						}
						if len(batch) > 0 {
							if _, err := db.RecordSentBatch(ctx, batch, nil); err != nil {
								t.Error(err)
								return
							}
							if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: fx.Number.Provider,
								ProviderMessageID: batch[0].ProviderID, Status: hiretext.StatusDelivered}); err != nil {
								t.Error(err)
								return
							}
						}
					}
				}
			})
		}
		wg.Wait()
		mustCountTexts(t, db, "concurrent writers")

		// The summary the counters give is the one the rows give.
		period, err := hiretext.NewReportPeriod("2026-12-01", "2026-12-02", fx.Org.Location(), clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []hiretext.ActivityFilter{{Period: period}, {Period: period, UserID: sam.ID},
			{Period: period, NumberID: fx.Number.ID, Direction: hiretext.Outbound}, {Period: period, Status: hiretext.StatusDelivered}} {
			s, err := db.ActivitySummary(ctx, fx.Org.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var rows hiretext.ActivityCounts
			days := map[string]hiretext.ActivityCounts{}
			if err := db.EachActivity(ctx, fx.Org.ID, f, func(r *hiretext.ActivityRow) error {
				rows.Add(r.Direction, r.Status, 1, r.Segments)
				day := r.CreatedAt.In(ct).Format(time.DateOnly)
				c := days[day]
				c.Add(r.Direction, r.Status, 1, r.Segments)
				days[day] = c
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if s.Totals != rows || rows == (hiretext.ActivityCounts{}) {
				t.Errorf("filter %+v: summary %+v, rows %+v", f, s.Totals, rows)
			}
			for _, d := range s.Days {
				if c := days[d.Day.Format(time.DateOnly)]; d.Sent != c.Sent || d.Received != c.Received {
					t.Errorf("filter %+v, %s: chart %d sent %d received, rows %d and %d", f, d.Day.Format(time.DateOnly), d.Sent, d.Received, c.Sent, c.Received)
				}
			}
		}
	})
}
