package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// reportWorld is two companies that texted: Acme, whose recruiter Rita texts
// from one number and Sam from another, and Other, whose texts Acme's report
// must never show.
type reportWorld struct {
	acme               *Texting
	second             *hiretext.Number
	sam                *hiretext.User
	ann, bob           *hiretext.Candidate
	annPhone, bobPhone string
	other              *Texting
	period             hiretext.ReportPeriod
}

// newReportWorld texts, a minute apart: Rita → Ann (sent), Rita → Bob
// (failed), Ann → Rita's number, Sam → Ann (still queued); and Other's
// recruiter → their own candidate.
func newReportWorld(t *testing.T, db *store.DB, clock *Clock) *reportWorld {
	t.Helper()
	w := &reportWorld{acme: MustSetUpTexting(t, db, 100)}
	w.ann, w.annPhone = w.acme.MustCandidate(t, db, "Ann")
	w.bob, w.bobPhone = w.acme.MustCandidate(t, db, "Bob")
	w.second = MustAddNumber(t, db, w.acme.Org.ID)
	w.sam = MustCreateUser(t, db, w.acme.Org.ID, "Sam Sender", hiretext.RoleUser, hiretext.PermProfiles)
	MustAssign(t, db, w.acme.Org.ID, w.second.ID, w.sam.ID)

	w.acme.MustSend(t, db, "Hi Ann, are you free Monday?", w.ann.ID)
	clock.Advance(time.Minute)
	w.acme.MustSend(t, db, "Hi Bob, are you free Tuesday?", w.bob.ID)
	claimed, err := db.ClaimDeliveries(ctx, w.acme.Number.ID, 10, time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v, %d claimed", err, len(claimed))
	}
	if err := db.RecordSent(ctx, claimed[0], "SMann", hiretext.StatusSent); err != nil {
		t.Fatal(err)
	}
	if err := db.FailDelivery(ctx, claimed[1], hiretext.StatusFailed, "21211", "Not sent: invalid phone number (code 21211).", false); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	w.acme.Receive(t, db, "SMin1", w.annPhone, "Monday works")
	clock.Advance(time.Minute)
	if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: w.acme.Org.ID, UserID: w.sam.ID,
		CandidateIDs: []hiretext.CandidateID{w.ann.ID}, Body: "Hi Ann, Sam here from the second desk."}); err != nil {
		t.Fatal(err)
	}

	w.other = MustSetUpTexting(t, db, 100)
	olga, _ := w.other.MustCandidate(t, db, "Olga")
	w.other.MustSend(t, db, "Other company's text", olga.ID)
	if w.period, err = hiretext.NewReportPeriod("", "", w.acme.Org.Location(), clock.Now()); err != nil {
		t.Fatal(err)
	}
	return w
}

// page returns the first page of Acme's report narrowed by narrow.
func (w *reportWorld) page(t *testing.T, db *store.DB, narrow func(f *hiretext.ActivityFilter)) []hiretext.ActivityRow {
	t.Helper()
	f := hiretext.ActivityFilter{Period: w.period}
	if narrow != nil {
		narrow(&f)
	}
	p, err := db.ActivityPage(ctx, w.acme.Org.ID, hiretext.ActivityQuery{ActivityFilter: f})
	if err != nil {
		t.Fatal(err)
	}
	return p.Rows
}

func bodies(rows []hiretext.ActivityRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Body
	}
	return out
}

// reportStart is 10:00 in Chicago on March 10, 2026, after the switch to
// daylight saving time.
var reportStart = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

func TestActivityReportListsEveryTextOfTheCompany(t *testing.T) {
	eachWithClock(t, reportStart, func(t *testing.T, db *store.DB, clock *Clock) {
		w := newReportWorld(t, db, clock)
		rows := w.page(t, db, nil)
		want := []string{"Hi Ann, Sam here from the second desk.", "Monday works", "Hi Bob, are you free Tuesday?", "Hi Ann, are you free Monday?"}
		if got := bodies(rows); !slices.Equal(got, want) {
			t.Fatalf("newest first = %q, want %q", got, want)
		}
		sam, reply, failed, sent := rows[0], rows[1], rows[2], rows[3]
		if sam.NumberPhone != w.second.Phone || sam.UserName != "Sam Sender" || sam.CandidateName != "Ann Tester" ||
			sam.CandidatePhone != w.annPhone || sam.Direction != hiretext.Outbound || sam.Status != hiretext.StatusQueued || sam.Segments != 1 {
			t.Errorf("Sam's text = %+v", sam)
		}
		if reply.Direction != hiretext.Inbound || reply.CandidatePhone != w.annPhone || reply.UserID != 0 || reply.Sender() != "" ||
			reply.NumberPhone != w.acme.Number.Phone || reply.Status != hiretext.StatusReceived || reply.CandidateID != w.ann.ID {
			t.Errorf("reply = %+v", reply)
		}
		if failed.FailureReason() != "Not sent: invalid phone number (code 21211)." || failed.ErrorCode != "21211" || failed.CandidatePhone != w.bobPhone {
			t.Errorf("failed text = %+v", failed)
		}
		if sent.Status != hiretext.StatusSent || sent.FailureReason() != "" || sent.Sender() != w.acme.Recruiter.Name {
			t.Errorf("sent text = %+v", sent)
		}
		if !sent.CreatedAt.Equal(reportStart) {
			t.Errorf("first text at %v, want %v", sent.CreatedAt, reportStart)
		}
		oldest := w.page(t, db, func(f *hiretext.ActivityFilter) { f.OldestFirst = true })
		slices.Reverse(want)
		if got := bodies(oldest); !slices.Equal(got, want) {
			t.Errorf("oldest first = %q", got)
		}
	})
}

func TestActivityReportFilters(t *testing.T) {
	eachWithClock(t, reportStart, func(t *testing.T, db *store.DB, clock *Clock) {
		w := newReportWorld(t, db, clock)
		otherNumber := w.other.Number.ID
		for _, c := range []struct {
			name   string
			narrow func(f *hiretext.ActivityFilter)
			want   []string
		}{
			{"recruiter Rita", func(f *hiretext.ActivityFilter) { f.UserID = w.acme.Recruiter.ID },
				[]string{"Hi Bob, are you free Tuesday?", "Hi Ann, are you free Monday?"}},
			{"the second number", func(f *hiretext.ActivityFilter) { f.NumberID = w.second.ID }, []string{"Hi Ann, Sam here from the second desk."}},
			{"candidate Ann", func(f *hiretext.ActivityFilter) { f.CandidateID = w.ann.ID },
				[]string{"Hi Ann, Sam here from the second desk.", "Monday works", "Hi Ann, are you free Monday?"}},
			{"inbound", func(f *hiretext.ActivityFilter) { f.Direction = hiretext.Inbound }, []string{"Monday works"}},
			{"failed", func(f *hiretext.ActivityFilter) { f.Status = hiretext.StatusFailed }, []string{"Hi Bob, are you free Tuesday?"}},
			{"Rita's texts to Ann", func(f *hiretext.ActivityFilter) { f.UserID, f.CandidateID = w.acme.Recruiter.ID, w.ann.ID },
				[]string{"Hi Ann, are you free Monday?"}},
			{"another company's number", func(f *hiretext.ActivityFilter) { f.NumberID = otherNumber }, []string{}},
			{"another company's user", func(f *hiretext.ActivityFilter) { f.UserID = w.other.Recruiter.ID }, []string{}},
			{"a later period", func(f *hiretext.ActivityFilter) {
				f.Period, _ = hiretext.NewReportPeriod("2026-03-11", "2026-03-31", w.acme.Org.Location(), clock.Now())
			}, []string{}},
		} {
			if got := bodies(w.page(t, db, c.narrow)); !slices.Equal(got, c.want) {
				t.Errorf("%s: %q, want %q", c.name, got, c.want)
			}
		}
		other, err := db.ActivityPage(ctx, w.other.Org.ID, hiretext.ActivityQuery{ActivityFilter: hiretext.ActivityFilter{Period: w.period}})
		if err != nil || !slices.Equal(bodies(other.Rows), []string{"Other company's text"}) {
			t.Errorf("Other's report = %q, %v", bodies(other.Rows), err)
		}
		_, err = db.ActivityPage(ctx, w.acme.Org.ID, hiretext.ActivityQuery{ActivityFilter: hiretext.ActivityFilter{Period: w.period, Status: "lost"}})
		if hiretext.ErrorFields(err)["status"] == "" {
			t.Errorf("unknown status: %v", err)
		}
	})
}

func TestActivitySummary(t *testing.T) {
	eachWithClock(t, reportStart, func(t *testing.T, db *store.DB, clock *Clock) {
		w := newReportWorld(t, db, clock)
		s, err := db.ActivitySummary(ctx, w.acme.Org.ID, hiretext.ActivityFilter{Period: w.period})
		if err != nil {
			t.Fatal(err)
		}
		if s.Totals.Sent != 2 || s.Totals.Received != 1 || s.Totals.Failed != 1 || s.Totals.Segments != 4 {
			t.Errorf("totals = %+v, want 2 sent (one still queued), 1 received, 1 failed", s.Totals)
		}
		if len(s.Days) != 10 || !s.Days[9].Day.Equal(time.Date(2026, 3, 10, 0, 0, 0, 0, w.acme.Org.Location())) ||
			s.Days[9].Sent != 2 || s.Days[9].Received != 1 || s.Days[8].Sent != 0 {
			t.Errorf("days = %+v", s.Days)
		}
		byNumber := map[hiretext.NumberID]hiretext.NumberActivity{}
		for _, n := range s.Numbers {
			byNumber[n.NumberID] = n
		}
		first, second := byNumber[w.acme.Number.ID], byNumber[w.second.ID]
		if len(s.Numbers) != 2 || first.Phone != w.acme.Number.Phone || first.Sent != 1 || first.Failed != 1 || first.Received != 1 || second.Sent != 1 {
			t.Fatalf("numbers = %+v", s.Numbers)
		}
		// Rita's number: Ann's text and her reply count; Bob's failed text gave its unit back.
		if len(first.Usage) != 1 || first.Usage[0].Period != "2026-03" || first.Usage[0].Used != 2 || first.Usage[0].Allowance != 100 {
			t.Errorf("usage of Rita's number = %+v", first.Usage)
		}
		if len(s.Users) != 2 || s.Users[0].Name != w.acme.Recruiter.Name || s.Users[0].Sent != 1 || s.Users[0].Failed != 1 ||
			s.Users[1].Name != "Sam Sender" || s.Users[1].Sent != 1 {
			t.Errorf("users = %+v", s.Users)
		}

		rita, err := db.ActivitySummary(ctx, w.acme.Org.ID, hiretext.ActivityFilter{Period: w.period, UserID: w.acme.Recruiter.ID})
		if err != nil {
			t.Fatal(err)
		}
		if rita.Totals.Sent != 1 || rita.Totals.Failed != 1 || rita.Totals.Received != 0 || len(rita.Users) != 1 || len(rita.Numbers) != 1 {
			t.Errorf("Rita's summary = %+v", rita)
		}
		idle := MustAddNumber(t, db, w.acme.Org.ID)
		quiet, err := db.ActivitySummary(ctx, w.acme.Org.ID, hiretext.ActivityFilter{Period: w.period, NumberID: idle.ID})
		if err != nil || len(quiet.Numbers) != 1 || quiet.Numbers[0].Phone != idle.Phone || quiet.Numbers[0].Usage[0].Used != 0 ||
			quiet.Totals != (hiretext.ActivityCounts{}) {
			t.Errorf("an idle number's summary = %+v, %v", quiet, err)
		}
		theirs, err := db.ActivitySummary(ctx, w.acme.Org.ID, hiretext.ActivityFilter{Period: w.period, NumberID: w.other.Number.ID})
		if err != nil || len(theirs.Numbers) != 0 || theirs.Totals != (hiretext.ActivityCounts{}) {
			t.Errorf("another company's number in Acme's summary = %+v, %v", theirs, err)
		}
	})
}

// TestActivityDaysInCompanyTimeZone puts texts just before midnight in
// Chicago, when the UTC date is already the next one, and one just after,
// around both daylight saving changes: each belongs to its Chicago day, so
// neither a UTC day nor a fixed offset would do.
func TestActivityDaysInCompanyTimeZone(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	late := []time.Time{
		time.Date(2026, 3, 7, 23, 30, 0, 0, chicago),   // CST, the day before the spring change
		time.Date(2026, 3, 8, 23, 30, 0, 0, chicago),   // CDT, the day of the change
		time.Date(2026, 3, 9, 0, 30, 0, 0, chicago),    // just after midnight in CDT
		time.Date(2026, 3, 31, 23, 30, 0, 0, chicago),  // the last day of a month
		time.Date(2026, 11, 1, 23, 30, 0, 0, chicago),  // CST again, the day of the autumn change
		time.Date(2026, 11, 30, 23, 30, 0, 0, chicago), // the last day of the period
	}
	eachWithClock(t, late[0].Add(-time.Hour), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 100)
		ann, _ := fx.MustCandidate(t, db, "Ann")
		for _, at := range late {
			clock.Set(at)
			fx.MustSend(t, db, "Text on "+at.Format("Jan 2"), ann.ID)
		}
		loc := fx.Org.Location()
		period := func(from, to string) hiretext.ReportPeriod {
			p, err := hiretext.NewReportPeriod(from, to, loc, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		for _, c := range []struct{ from, to, want string }{
			{"2026-03-31", "2026-03-31", "Text on Mar 31"},
			{"2026-04-01", "2026-04-01", ""},
			{"2026-03-08", "2026-03-08", "Text on Mar 8"},
			{"2026-11-01", "2026-11-01", "Text on Nov 1"},
			{"2026-11-02", "2026-11-02", ""},
		} {
			p, err := db.ActivityPage(ctx, fx.Org.ID, hiretext.ActivityQuery{ActivityFilter: hiretext.ActivityFilter{Period: period(c.from, c.to)}})
			if err != nil {
				t.Fatal(err)
			}
			if got := bodies(p.Rows); (c.want == "" && len(got) != 0) || (c.want != "" && !slices.Equal(got, []string{c.want})) {
				t.Errorf("%s to %s: %q, want %q", c.from, c.to, got, c.want)
			}
		}
		s, err := db.ActivitySummary(ctx, fx.Org.ID, hiretext.ActivityFilter{Period: period("2026-03-01", "2026-11-30")})
		if err != nil {
			t.Fatal(err)
		}
		var days []string
		for _, d := range s.Days {
			if d.Sent > 0 {
				days = append(days, d.Day.Format("Jan 2"))
			}
		}
		if want := []string{"Mar 7", "Mar 8", "Mar 9", "Mar 31", "Nov 1", "Nov 30"}; !slices.Equal(days, want) {
			t.Errorf("chart days with texts = %q, want %q", days, want)
		}
		usage := s.Numbers[0].Usage
		if len(usage) != 9 || usage[0].Period != "2026-03" || usage[0].Used != 4 || usage[1].Used != 0 || usage[8].Period != "2026-11" || usage[8].Used != 2 {
			t.Errorf("usage by month = %+v", usage)
		}
	})
}

func TestActivityPagination(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		// 130 texts in 13 microseconds: ten share each instant, so pages
		// must break ties by id.
		from := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
		seed := SeedActivity(t, db, ActivityOptions{Messages: 130, From: from, To: from.Add(13 * time.Microsecond), Candidates: 10})
		p, _ := hiretext.NewReportPeriod("2026-02-10", "2026-02-10", seed.Org.Location(), from)
		for _, oldest := range []bool{false, true} {
			f := hiretext.ActivityFilter{Period: p, OldestFirst: oldest}
			var all []hiretext.MessageID
			if err := db.EachActivity(ctx, seed.Org.ID, f, func(r *hiretext.ActivityRow) error {
				all = append(all, r.MessageID)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var paged []hiretext.MessageID
			q := hiretext.ActivityQuery{ActivityFilter: f, Limit: 50}
			for pages := 0; ; pages++ {
				page, err := db.ActivityPage(ctx, seed.Org.ID, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page.Rows {
					paged = append(paged, r.MessageID)
				}
				if page.NextCursor == "" || pages > 5 {
					break
				}
				q.Cursor = page.NextCursor
			}
			sorted := slices.Clone(all)
			slices.Sort(sorted)
			if !oldest {
				slices.Reverse(sorted)
			}
			if len(all) != 130 || !slices.Equal(paged, all) || !slices.Equal(all, sorted) {
				t.Errorf("oldest first %v: %d rows, paged %d; paged = export: %v; ties by id: %v",
					oldest, len(all), len(paged), slices.Equal(paged, all), slices.Equal(all, sorted))
			}
		}
		first, _ := db.ActivityPage(ctx, seed.Org.ID, hiretext.ActivityQuery{ActivityFilter: hiretext.ActivityFilter{Period: p}, Limit: 10})
		for _, cursor := range []string{"not-a-cursor!", "bjEyMw", first.NextCursor} {
			_, err := db.ActivityPage(ctx, seed.Org.ID, hiretext.ActivityQuery{ActivityFilter: hiretext.ActivityFilter{Period: p, OldestFirst: true}, Cursor: cursor})
			if hiretext.ErrorFields(err)["cursor"] == "" {
				t.Errorf("cursor %q in the oldest-first order: %v, want a cursor field error", cursor, err)
			}
		}
		stop := errors.New("stop")
		n := 0
		err := db.EachActivity(ctx, seed.Org.ID, hiretext.ActivityFilter{Period: p}, func(*hiretext.ActivityRow) error {
			if n++; n == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 3 {
			t.Errorf("EachActivity went on after an error: %v after %d rows", err, n)
		}
	})
}

// TestActivitySummaryMatchesRows checks the aggregate against the rows it
// summarises on generated history: totals, days, numbers and the allowance
// counters the generator wrote.
func TestActivitySummaryMatchesRows(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		from := time.Date(2026, 1, 10, 3, 0, 0, 0, time.UTC)
		seed := SeedActivity(t, db, ActivityOptions{Messages: 3000, From: from, To: from.AddDate(0, 0, 40)})
		loc := seed.Org.Location()
		p, _ := hiretext.NewReportPeriod("2026-01-01", "2026-02-28", loc, from)
		f := hiretext.ActivityFilter{Period: p}
		var totals hiretext.ActivityCounts
		days := map[string]hiretext.ActivityCounts{}
		used := map[string]int{}
		rows := 0
		err := db.EachActivity(ctx, seed.Org.ID, f, func(r *hiretext.ActivityRow) error {
			rows++
			totals.Add(r.Direction, r.Status, 1, r.Segments)
			day := r.CreatedAt.In(loc).Format(time.DateOnly)
			c := days[day]
			c.Add(r.Direction, r.Status, 1, r.Segments)
			days[day] = c
			if !hiretext.Failed(r.Status) {
				used[r.NumberPhone+" "+hiretext.Period(r.CreatedAt, loc)]++
			}
			return nil
		})
		if err != nil || rows != 3000 {
			t.Fatalf("%d rows, %v", rows, err)
		}
		s, err := db.ActivitySummary(ctx, seed.Org.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		if s.Totals != totals || totals.Failed == 0 || totals.Received != 1000 {
			t.Errorf("summary totals %+v, rows say %+v", s.Totals, totals)
		}
		for _, d := range s.Days {
			c := days[d.Day.Format(time.DateOnly)]
			if d.Sent != c.Sent || d.Received != c.Received {
				t.Errorf("%s: chart %d sent %d received, rows %d and %d", d.Day.Format(time.DateOnly), d.Sent, d.Received, c.Sent, c.Received)
			}
		}
		var sum hiretext.ActivityCounts
		for _, n := range s.Numbers {
			sum.Add(hiretext.Outbound, hiretext.StatusSent, n.Sent, n.Segments)
			sum.Received += n.Received
			sum.Failed += n.Failed
			for _, u := range n.Usage {
				if u.Used != used[n.Phone+" "+u.Period] {
					t.Errorf("%s in %s: used %d, rows say %d", n.Phone, u.Period, u.Used, used[n.Phone+" "+u.Period])
				}
			}
		}
		if len(s.Numbers) != 4 || sum.Sent != totals.Sent || sum.Received != totals.Received || sum.Failed != totals.Failed {
			t.Errorf("per-number sums %+v, totals %+v", sum, totals)
		}
		if last := s.Users[len(s.Users)-1]; last.UserID != 0 || last.Name != "Automatic replies" || last.Sent == 0 || len(s.Users) != 9 {
			t.Errorf("users = %+v", s.Users)
		}
	})
}

// TestExportsReadOnTheirOwnPool streams an export and, while its callback
// holds the row (as a slow download does), reads a page's data: the export
// holds a connection of the export pool, none of the pool pages use, so
// however many exports run, pages are served.
func TestExportsReadOnTheirOwnPool(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		from := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
		seed := SeedActivity(t, db, ActivityOptions{Messages: 5, From: from, To: from.Add(time.Hour), Candidates: 5, Numbers: 1})
		p, _ := hiretext.NewReportPeriod("2026-02-10", "2026-02-10", seed.Org.Location(), from)
		read, write := db.Pools()
		err := db.EachActivity(ctx, seed.Org.ID, hiretext.ActivityFilter{Period: p}, func(*hiretext.ActivityRow) error {
			if n := db.ExportPool().Stats().InUse; n != 1 {
				t.Errorf("the export holds %d connections of the export pool, want 1", n)
			}
			if n := read.Stats().InUse + write.Stats().InUse; n != 0 && read != db.ExportPool() {
				t.Errorf("the export holds %d connections pages need", n)
			}
			if _, err := db.ListJobs(ctx, seed.Org.ID); err != nil {
				t.Errorf("a page's read during the export: %v", err)
			}
			return errors.New("enough")
		})
		if err == nil || err.Error() != "enough" {
			t.Fatalf("EachActivity = %v", err)
		}
	})
}
