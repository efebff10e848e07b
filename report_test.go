package hiretext

import (
	"slices"
	"testing"
	"time"
)

func TestNewReportPeriod(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	// 03:30 UTC on April 1 is still March 31 in Chicago.
	now := time.Date(2026, 4, 1, 3, 30, 0, 0, time.UTC)
	cases := []struct {
		from, to      string
		first, last   string
		days          int
		field, reason string
	}{
		{"", "", "2026-03-01", "2026-03-31", 31, "", "no dates: this month so far, in the company's time zone"},
		{"2026-03-15", "", "2026-03-15", "2026-03-31", 17, "", "to defaults to today"},
		{"", "2026-02-10", "2026-02-01", "2026-02-10", 10, "", "from defaults to the first of to's month"},
		{"2026-03-31", "2026-03-31", "2026-03-31", "2026-03-31", 1, "", "one day"},
		{"2025-03-01", "2026-02-28", "2025-03-01", "2026-02-28", 365, "", "a year"},
		{"2024-03-01", "2025-02-28", "2024-03-01", "2025-02-28", 365, "", "a year after a leap day"},
		{"2023-03-01", "2024-02-29", "2023-03-01", "2024-02-29", 366, "", "a year with a leap day: the maximum"},
		{"2025-03-01", "2026-03-01", "2025-03-01", "2026-03-01", 366, "", "366 days"},
		{"2025-03-01", "2026-03-02", "", "", 0, "to", "367 days"},
		{"2026-03-10", "2026-03-09", "", "", 0, "to", "to before from"},
		{"2026-02-30", "", "", "", 0, "from", "no such day"},
		{"2026-3-1", "", "", "", 0, "from", "not zero-padded"},
		{"03/01/2026", "", "", "", 0, "from", "US style"},
		{"", "tomorrow", "", "", 0, "to", "a word"},
		{"2026-03-01T00:00:00Z", "", "", "", 0, "from", "a timestamp"},
	}
	for _, c := range cases {
		p, err := NewReportPeriod(c.from, c.to, chicago, now)
		if c.field != "" {
			if ErrorFields(err)[c.field] == "" {
				t.Errorf("%s (%q, %q): %v, want an error on %s", c.reason, c.from, c.to, err, c.field)
			}
			continue
		}
		if err != nil || p.FromDate() != c.first || p.ToDate() != c.last || p.Days() != c.days || len(p.EachDay()) != c.days {
			t.Errorf("%s: %s to %s (%d days), %v; want %s to %s (%d)", c.reason, p.FromDate(), p.ToDate(), p.Days(), err, c.first, c.last, c.days)
		}
	}
}

func TestReportPeriodInstantsFollowTheTimeZone(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	p, err := NewReportPeriod("2026-03-07", "2026-03-08", chicago, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// March 8, 2026 is 23 hours long in Chicago: clocks skip 2:00 to 3:00.
	if want := time.Date(2026, 3, 7, 6, 0, 0, 0, time.UTC); !p.Start().Equal(want) {
		t.Errorf("start %v, want %v", p.Start(), want)
	}
	if want := time.Date(2026, 3, 9, 5, 0, 0, 0, time.UTC); !p.End().Equal(want) {
		t.Errorf("end %v, want %v (midnight CDT)", p.End(), want)
	}
	days := p.EachDay()
	if len(days) != 2 || days[1].Hour() != 0 || days[1].Day() != 8 {
		t.Errorf("days = %v", days)
	}
	year, _ := NewReportPeriod("2025-11-15", "2026-02-03", chicago, time.Now())
	if got := year.Months(); !slices.Equal(got, []string{"2025-11", "2025-12", "2026-01", "2026-02"}) {
		t.Errorf("months = %q", got)
	}
}

func TestActivityCounts(t *testing.T) {
	var c ActivityCounts
	for _, x := range []struct {
		d Direction
		s MessageStatus
	}{{Outbound, StatusQueued}, {Outbound, StatusDelivered}, {Outbound, StatusSent}, {Outbound, StatusFailed},
		{Outbound, StatusUndelivered}, {Outbound, StatusCanceled}, {Inbound, StatusReceived}} {
		c.Add(x.d, x.s, 1, 2)
	}
	if want := (ActivityCounts{Sent: 3, Received: 1, Failed: 2, Canceled: 1, Segments: 14}); c != want {
		t.Errorf("counts = %+v, want %+v", c, want)
	}
	row := ActivityRow{Direction: Outbound, Kind: KindKeywordReply, Status: StatusDelivered, ErrorMessage: "stale"}
	if row.Sender() != "Automatic reply" || row.FailureReason() != "" {
		t.Errorf("keyword reply: sender %q, failure %q", row.Sender(), row.FailureReason())
	}
	row = ActivityRow{Direction: Outbound, Kind: KindRecruiter, UserName: "Rita", Status: StatusUndelivered, ErrorMessage: "Phone off."}
	if row.Sender() != "Rita" || row.FailureReason() != "Phone off." {
		t.Errorf("undelivered: sender %q, failure %q", row.Sender(), row.FailureReason())
	}
	if err := (ActivityFilter{Period: ReportPeriod{First: time.Now(), Last: time.Now()}, Direction: "up", Status: "lost"}).Validate(); len(ErrorFields(err)) != 2 {
		t.Errorf("Validate: %v", err)
	}
}
