package storetest

import (
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// eachWithClock is EachWith that hands the test its clock.
func eachWithClock(t *testing.T, start time.Time, fn func(t *testing.T, db *store.DB, clock *Clock)) {
	t.Helper()
	for name, open := range map[string]func(testing.TB, Config) *store.DB{"sqlite": NewSQLite, "postgres": NewPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := NewClock(start)
			fn(t, open(t, Config{Clock: clock.Now}), clock)
		})
	}
}

// numberWithAllowance adds a number with allowance messages a month to a
// new company in Chicago.
func numberWithAllowance(t *testing.T, db *store.DB, allowance int) (*hiretext.Organization, *hiretext.Number) {
	t.Helper()
	org := MustCreateOrg(t, db, "Acme")
	MustGrantNumbers(t, db, org.ID, 1, allowance)
	return org, MustAddNumber(t, db, org.ID)
}

// teamOnNumber adds a number with allowance messages a month to a new
// company, with two users on it, Rita and Sam, and an unassigned
// administrator, Ann.
func teamOnNumber(t *testing.T, db *store.DB, allowance int) (org *hiretext.Organization, n *hiretext.Number, rita, sam, admin *hiretext.User) {
	t.Helper()
	org, n = numberWithAllowance(t, db, allowance)
	rita = MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
	sam = MustCreateUser(t, db, org.ID, "Sam", hiretext.RoleUser)
	admin = MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin)
	MustAssign(t, db, org.ID, n.ID, rita.ID)
	MustAssign(t, db, org.ID, n.ID, sam.ID)
	return org, n, rita, sam, admin
}

// TestConcurrentReservationsNeverOverspend runs 64 reservations of one
// message against an allowance of 50 through two connection pools (two
// instances) on the same database: exactly 50 succeed.
func TestConcurrentReservationsNeverOverspend(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			dbs := []*store.DB{Open(t, u, Config{}), Open(t, u, Config{})}
			org, n := numberWithAllowance(t, dbs[0], 50)
			MustAssign(t, dbs[0], org.ID, n.ID, MustCreateUser(t, dbs[0], org.ID, "Rita", hiretext.RoleUser).ID)
			alerts := make([][]hiretext.AllowanceAlert, 64)
			codes := parallel(64, func(i int) error {
				ch, err := dbs[i%2].ReserveAllowance(ctx, org.ID, n.ID, 1)
				alerts[i] = ch.Alerts
				return err
			})
			if count(codes, "") != 50 || count(codes, hiretext.EAllowanceExceeded) != 14 {
				t.Fatalf("64 reservations against 50: %d succeeded, codes %v", count(codes, ""), codes)
			}
			if u, err := dbs[1].Usage(ctx, org.ID, n.ID, ""); err != nil || u.Used != 50 || u.Remaining() != 0 {
				t.Fatalf("usage = %+v, %v", u, err)
			}
			fired := map[hiretext.AlertKind]int{}
			for _, as := range alerts {
				for _, a := range as {
					fired[a.Kind]++
				}
			}
			if fired[hiretext.AlertAllowance90] != 1 || fired[hiretext.AlertAllowanceMax] != 1 {
				t.Fatalf("alerts fired %v, want each threshold exactly once", fired)
			}
		})
	}
}

// TestAllowanceResetsAtTheCompanysMonthBoundary moves the clock across
// midnight UTC (still March in Chicago) and then across midnight in Chicago.
func TestAllowanceResetsAtTheCompanysMonthBoundary(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	start := time.Date(2026, 3, 31, 18, 30, 0, 0, chicago) // 23:30 UTC
	eachWithClock(t, start, func(t *testing.T, db *store.DB, clock *Clock) {
		org, n := numberWithAllowance(t, db, 50)
		ch, err := db.ReserveAllowance(ctx, org.ID, n.ID, 20)
		wantReset := time.Date(2026, 4, 1, 0, 0, 0, 0, chicago)
		if err != nil || ch.Usage.Period != "2026-03" || !ch.Usage.ResetsAt.Equal(wantReset) {
			t.Fatalf("reserve = %+v, %v; want period 2026-03 resetting at %v", ch.Usage, err, wantReset)
		}
		clock.Set(time.Date(2026, 4, 1, 0, 30, 0, 0, time.UTC)) // April in UTC, 19:30 in Chicago
		if ch, err := db.ReserveAllowance(ctx, org.ID, n.ID, 20); err != nil || ch.Usage.Period != "2026-03" || ch.Usage.Used != 40 {
			t.Fatalf("after midnight UTC = %+v, %v; want still March, 40 used", ch.Usage, err)
		}
		_, err = db.ReserveAllowance(ctx, org.ID, n.ID, 11)
		want := "Only 10 of 50 messages remain this month (this needs 11); the allowance resets on Apr 1."
		if hiretext.ErrorCode(err) != hiretext.EAllowanceExceeded || hiretext.ErrorMessage(err) != want {
			t.Fatalf("over the allowance: %v, want %q", err, want)
		}
		clock.Set(wantReset.Add(-time.Microsecond))
		if u, _ := db.Usage(ctx, org.ID, n.ID, ""); u.Period != "2026-03" || u.Used != 40 {
			t.Fatalf("one microsecond before the reset: %+v", u)
		}
		clock.Set(wantReset) // midnight in Chicago: a new month, nothing carried over
		ch, err = db.ReserveAllowance(ctx, org.ID, n.ID, 50)
		if err != nil || ch.Usage.Period != "2026-04" || ch.Usage.Used != 50 || ch.Usage.Allowance != 50 {
			t.Fatalf("new month = %+v, %v; want the full 50 and no more", ch.Usage, err)
		}
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 1); hiretext.ErrorCode(err) != hiretext.EAllowanceExceeded {
			t.Fatalf("March's unused 10 carried over: %v", err)
		}
		if u, err := db.Usage(ctx, org.ID, n.ID, "2026-03"); err != nil || u.Used != 40 || !u.ResetsAt.Equal(wantReset) {
			t.Fatalf("March's history = %+v, %v", u, err)
		}
	})
}

func TestInboundCountsBeyondTheAllowance(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org, n := numberWithAllowance(t, db, 5)
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 5); err != nil {
			t.Fatal(err)
		}
		_, err := db.ReserveAllowance(ctx, org.ID, n.ID, 1)
		if hiretext.ErrorCode(err) != hiretext.EAllowanceExceeded || hiretext.ErrorMessage(err) == "" {
			t.Fatalf("send at the maximum: %v", err)
		}
		ch, err := db.CountInbound(ctx, org.ID, n.ID, 3)
		if err != nil || ch.Usage.Used != 8 || ch.Usage.Remaining() != 0 || ch.Usage.Percent() != 160 || !ch.Usage.Exhausted() {
			t.Fatalf("inbound beyond the maximum = %+v, %v", ch.Usage, err)
		}
		got, _ := db.NumberByID(ctx, org.ID, n.ID)
		if got.Usage.Used != 8 {
			t.Fatalf("number's usage = %+v", got.Usage)
		}
	})
}

func TestAlertsFireOncePerThresholdPerMonth(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	eachWithClock(t, time.Date(2026, 5, 20, 12, 0, 0, 0, chicago), func(t *testing.T, db *store.DB, clock *Clock) {
		org, n, rita, sam, admin := teamOnNumber(t, db, 10)
		steps := []struct {
			do   func() (hiretext.UsageChange, error)
			want []hiretext.AlertKind
		}{
			{func() (hiretext.UsageChange, error) { return db.ReserveAllowance(ctx, org.ID, n.ID, 8) }, nil},
			{func() (hiretext.UsageChange, error) { return db.ReserveAllowance(ctx, org.ID, n.ID, 1) }, []hiretext.AlertKind{hiretext.AlertAllowance90}},
			{func() (hiretext.UsageChange, error) { return db.CountInbound(ctx, org.ID, n.ID, 1) }, []hiretext.AlertKind{hiretext.AlertAllowanceMax}},
			{func() (hiretext.UsageChange, error) { return db.CountInbound(ctx, org.ID, n.ID, 2) }, nil},
		}
		for i, s := range steps {
			ch, err := s.do()
			if err != nil || !sameKinds(ch.Alerts, s.want) {
				t.Fatalf("step %d: alerts %+v, %v; want %v", i, ch.Alerts, err, s.want)
			}
		}
		// Dropping below 90% and crossing again the same month fires nothing.
		period := hiretext.Period(clock.Now(), chicago)
		if err := db.ReleaseAllowance(ctx, org.ID, n.ID, period, 9); err != nil {
			t.Fatal(err)
		}
		if ch, err := db.ReserveAllowance(ctx, org.ID, n.ID, 6); err != nil || len(ch.Alerts) != 0 || ch.Usage.Used != 9 {
			t.Fatalf("re-crossing in the same month: %+v, %v", ch.Alerts, err)
		}
		for _, u := range []*hiretext.User{rita, sam} {
			notes, err := db.ListNotifications(ctx, org.ID, u.ID)
			if err != nil || len(notes) != 2 || notes[0].Kind != hiretext.AlertAllowanceMax || notes[1].Kind != hiretext.AlertAllowance90 ||
				notes[0].NumberID != n.ID || notes[0].Period != period || notes[0].ReadAt != nil {
				t.Fatalf("%s's notifications = %+v, %v", u.Name, notes, err)
			}
		}
		if notes, _ := db.ListNotifications(ctx, org.ID, admin.ID); len(notes) != 0 {
			t.Fatalf("an unassigned admin got %d notifications", len(notes))
		}
		// Next month, both thresholds fire again; crossing both at once fires both.
		clock.Set(time.Date(2026, 6, 1, 0, 0, 0, 0, chicago))
		ch, err := db.ReserveAllowance(ctx, org.ID, n.ID, 10)
		if err != nil || !sameKinds(ch.Alerts, []hiretext.AlertKind{hiretext.AlertAllowance90, hiretext.AlertAllowanceMax}) ||
			len(ch.Alerts[0].UserIDs) != 2 || ch.Alerts[1].Phone != n.Phone || ch.Alerts[1].Period != "2026-06" {
			t.Fatalf("next month: %+v, %v", ch.Alerts, err)
		}
	})
}

func TestReleaseAllowance(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	eachWithClock(t, time.Date(2026, 1, 31, 23, 0, 0, 0, chicago), func(t *testing.T, db *store.DB, clock *Clock) {
		org, n := numberWithAllowance(t, db, 10)
		ch, err := db.ReserveAllowance(ctx, org.ID, n.ID, 4)
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Hour) // February now; the message reserved in January was never sent
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 3); err != nil {
			t.Fatal(err)
		}
		if err := db.ReleaseAllowance(ctx, org.ID, n.ID, ch.Usage.Period, 3); err != nil {
			t.Fatal(err)
		}
		jan, _ := db.Usage(ctx, org.ID, n.ID, "2026-01")
		feb, _ := db.Usage(ctx, org.ID, n.ID, "")
		if jan.Used != 1 || feb.Used != 3 || feb.Period != "2026-02" {
			t.Fatalf("release went to the wrong month: january %+v, february %+v", jan, feb)
		}
		if err := db.ReleaseAllowance(ctx, org.ID, n.ID, "2026-01", 5); err != nil {
			t.Fatal(err)
		}
		if jan, _ := db.Usage(ctx, org.ID, n.ID, "2026-01"); jan.Used != 0 {
			t.Fatalf("usage went below zero: %+v", jan)
		}
		for _, c := range []struct {
			period string
			n      int
			code   string
		}{{"2026-1", 1, hiretext.EInvalid}, {"2026-02", 0, hiretext.EInvalid}, {"2025-12", 1, hiretext.ENotFound}} {
			if err := db.ReleaseAllowance(ctx, org.ID, n.ID, c.period, c.n); hiretext.ErrorCode(err) != c.code {
				t.Errorf("ReleaseAllowance(%q, %d) = %v, want %s", c.period, c.n, err, c.code)
			}
		}
	})
}

// TestUsageByMonth reads usage from the month the number was added to the
// current one, in the company's time zone, and refuses other months saying
// which are available.
func TestUsageByMonth(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	added := time.Date(2026, 3, 31, 23, 30, 0, 0, chicago) // April already in UTC
	eachWithClock(t, added, func(t *testing.T, db *store.DB, clock *Clock) {
		org, n := numberWithAllowance(t, db, 100)
		refused := func(month, want string) {
			t.Helper()
			_, err := db.Usage(ctx, org.ID, n.ID, month)
			if hiretext.ErrorCode(err) != hiretext.EInvalid || hiretext.ErrorFields(err)["month"] != want {
				t.Errorf("Usage(%q) = %v, fields %v; want month: %q", month, err, hiretext.ErrorFields(err), want)
			}
		}
		if u, err := db.Usage(ctx, org.ID, n.ID, "2026-03"); err != nil || u.Period != "2026-03" || u.Used != 0 {
			t.Fatalf("the month the number was added = %+v, %v", u, err)
		}
		for _, m := range []string{"2026-02", "2026-04", "1900-01", "0000-01", "2999-01"} {
			refused(m, "Use 2026-03: the number was added this month.")
		}
		for _, m := range []string{"March", "2020-13", "2026-3"} {
			refused(m, "Use the form YYYY-MM.")
		}
		clock.Set(time.Date(2026, 5, 10, 12, 0, 0, 0, chicago))
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 7); err != nil {
			t.Fatal(err)
		}
		for month, used := range map[string]int{"2026-03": 0, "2026-04": 0, "2026-05": 7, "": 7} {
			u, err := db.Usage(ctx, org.ID, n.ID, month)
			if err != nil || u.Used != used || u.Allowance != 100 || (month != "" && u.Period != month) {
				t.Errorf("Usage(%q) = %+v, %v; want %d used", month, u, err, used)
			}
		}
		for _, m := range []string{"2026-02", "2026-06", "0000-01"} {
			refused(m, "Use a month from 2026-03 to 2026-05.")
		}
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 0); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Fatalf("reserve 0: %v", err)
		}
	})
}

func sameKinds(alerts []hiretext.AllowanceAlert, want []hiretext.AlertKind) bool {
	if len(alerts) != len(want) {
		return false
	}
	for i, a := range alerts {
		if a.Kind != want[i] {
			return false
		}
	}
	return true
}

// BenchmarkReserveAllowance measures one reservation transaction, the cost
// every send pays for its allowance.
func BenchmarkReserveAllowance(b *testing.B) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		b.Run(name, func(b *testing.B) {
			db := Open(b, url(b), Config{})
			org := MustCreateOrg(b, db, "Acme")
			MustGrantNumbers(b, db, org.ID, 1, hiretext.MaxMonthlyAllowance)
			n := MustAddNumber(b, db, org.ID)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 1); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
