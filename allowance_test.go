package hiretext

import (
	"testing"
	"time"
)

func TestPeriodFollowsTheCompanysTimeZone(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	cases := []struct {
		at         time.Time
		loc        *time.Location
		period     string
		resetsAt   time.Time
		resetsText string
	}{
		// 03:00 UTC on April 1 is still March 31 in Chicago.
		{time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC), chicago, "2026-03", time.Date(2026, 4, 1, 5, 0, 0, 0, time.UTC), "2026-04-01 00:00 CDT"},
		// ... and already April 1 in Tokyo.
		{time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC), tokyo, "2026-04", time.Date(2026, 4, 30, 15, 0, 0, 0, time.UTC), "2026-05-01 00:00 JST"},
		// December rolls over into the next year; the reset is in standard time.
		{time.Date(2026, 12, 15, 12, 0, 0, 0, chicago), chicago, "2026-12", time.Date(2027, 1, 1, 6, 0, 0, 0, time.UTC), "2027-01-01 00:00 CST"},
		// The first instant of a month belongs to it.
		{time.Date(2026, 11, 1, 0, 0, 0, 0, chicago), chicago, "2026-11", time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC), "2026-12-01 00:00 CST"},
	}
	for _, c := range cases {
		if got := Period(c.at, c.loc); got != c.period {
			t.Errorf("Period(%v, %s) = %s, want %s", c.at, c.loc, got, c.period)
		}
		got := PeriodResetsAt(c.at, c.loc)
		if !got.Equal(c.resetsAt) || got.Format("2006-01-02 15:04 MST") != c.resetsText {
			t.Errorf("PeriodResetsAt(%v, %s) = %v, want %s", c.at, c.loc, got, c.resetsText)
		}
		start, err := PeriodStart(c.period, c.loc)
		if err != nil || Period(start, c.loc) != c.period || Period(start.Add(-time.Nanosecond), c.loc) == c.period {
			t.Errorf("PeriodStart(%s) = %v, %v: not the first instant", c.period, start, err)
		}
	}
	for _, bad := range []string{"", "2026-3", "2026/03", "2026-13", "26-03", "2026-03-01"} {
		if _, err := PeriodStart(bad, time.UTC); ErrorCode(err) != EInvalid || ErrorFields(err)["month"] == "" {
			t.Errorf("PeriodStart(%q) = %v, want an invalid month", bad, err)
		}
	}
}

func TestUsageThresholds(t *testing.T) {
	cases := []struct {
		u                           Usage
		remaining, percent          int
		nearLimit, exhausted, send3 bool
	}{
		{Usage{Allowance: 500, Used: 0}, 500, 0, false, false, true},
		{Usage{Allowance: 500, Used: 449}, 51, 89, false, false, true},
		{Usage{Allowance: 500, Used: 450}, 50, 90, true, false, true},
		{Usage{Allowance: 500, Used: 498}, 2, 99, true, false, false},
		{Usage{Allowance: 500, Used: 500}, 0, 100, true, true, false},
		{Usage{Allowance: 500, Used: 530}, 0, 106, true, true, false}, // inbound beyond the maximum
		{Usage{Allowance: 0, Used: 0}, 0, 100, true, true, false},     // texting stopped by the operator
	}
	for _, c := range cases {
		u := c.u
		if u.Remaining() != c.remaining || u.Percent() != c.percent || u.NearLimit() != c.nearLimit || u.Exhausted() != c.exhausted || u.CanSend(3) != c.send3 {
			t.Errorf("%d/%d: remaining %d percent %d near %v exhausted %v can send 3 %v", u.Used, u.Allowance,
				u.Remaining(), u.Percent(), u.NearLimit(), u.Exhausted(), u.CanSend(3))
		}
	}
}

func TestAllowanceExceededSaysWhatRemainsAndWhen(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	resets := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC) // midnight in Chicago
	cases := []struct {
		u    Usage
		n    int
		want string
	}{
		{Usage{Allowance: 500, Used: 497, ResetsAt: resets}, 5, "Only 3 of 500 messages remain this month (this needs 5); the allowance resets on Dec 1."},
		{Usage{Allowance: 500, Used: 499, ResetsAt: resets}, 2, "Only 1 of 500 messages remains this month (this needs 2); the allowance resets on Dec 1."},
		{Usage{Allowance: 500, Used: 512, ResetsAt: resets}, 1, "All 500 messages of this number's monthly allowance are used; the allowance resets on Dec 1."},
	}
	for _, c := range cases {
		err := AllowanceExceeded(c.u, c.n, chicago)
		if err.Code != EAllowanceExceeded || err.Message != c.want {
			t.Errorf("AllowanceExceeded(%d/%d, %d) = %q, want %q", c.u.Used, c.u.Allowance, c.n, err.Message, c.want)
		}
	}
}

func TestEntitlementRules(t *testing.T) {
	if ValidateEntitlement(2, 500) != nil || ValidateEntitlement(0, 1) != nil {
		t.Fatal("valid grants refused")
	}
	f := ErrorFields(ValidateEntitlement(-1, 0))
	if f["count"] == "" || f["monthly_allowance"] == "" {
		t.Fatalf("fields = %v", f)
	}
	if ValidateAllowance(0) != nil || ErrorCode(ValidateAllowance(-5)) != EInvalid || ErrorCode(ValidateAllowance(MaxMonthlyAllowance+1)) != EInvalid {
		t.Fatal("ValidateAllowance bounds")
	}
	e := &Entitlement{MaxNumbers: 2, InUse: 2}
	if e.CanAddNumber() || EntitlementExceeded(e).Message != "Your company has all 2 of the texting numbers it may have. To get more, contact your account manager." {
		t.Fatalf("full entitlement: %v %q", e.CanAddNumber(), EntitlementExceeded(e).Message)
	}
}

// TestUsagePeriodStartOffersTheNumbersMonths checks the months a number has
// usage for: from the one it was added in to the current one.
func TestUsagePeriodStartOffersTheNumbersMonths(t *testing.T) {
	chicago, _ := time.LoadLocation("America/Chicago")
	cases := []struct{ period, first, current, field string }{
		{"2026-01", "2026-01", "2026-03", ""},
		{"2026-03", "2026-01", "2026-03", ""},
		{"2025-12", "2026-01", "2026-03", "Use a month from 2026-01 to 2026-03."},
		{"0000-01", "2026-01", "2026-03", "Use a month from 2026-01 to 2026-03."},
		{"2026-04", "2026-01", "2026-03", "Use a month from 2026-01 to 2026-03."},
		{"2026-02", "2026-03", "2026-03", "Use 2026-03: the number was added this month."},
		{"2026-3", "2026-01", "2026-03", "Use the form YYYY-MM."},
	}
	for _, c := range cases {
		start, err := UsagePeriodStart(c.period, c.first, c.current, chicago)
		if got := ErrorFields(err)["month"]; got != c.field || (err != nil) != (c.field != "") {
			t.Errorf("UsagePeriodStart(%s) in %s…%s: %v, month %q; want %q", c.period, c.first, c.current, err, got, c.field)
		}
		if err == nil && Period(start, chicago) != c.period {
			t.Errorf("UsagePeriodStart(%s) = %v, in another month", c.period, start)
		}
	}
}
