package phone_test

import (
	"slices"
	"testing"

	"github.com/hiretext/hiretext/internal/phone"
)

func TestTimeZonesAndState(t *testing.T) {
	tests := []struct {
		e164  string
		zones []string
		state string
	}{
		{"+18085550150", []string{"Pacific/Honolulu"}, "HI"},
		{"+13055550150", []string{"America/New_York"}, "FL"},
		{"+15125550150", []string{"America/Chicago"}, "TX"},
		{"+14105550150", []string{"America/New_York"}, "MD"},
		{"+14055550150", []string{"America/Chicago"}, "OK"},
		{"+13125550150", []string{"America/Chicago"}, "IL"},
		{"+19075550150", []string{"America/Adak", "America/Anchorage"}, "AK"},
		{"+14165550150", []string{"America/Toronto"}, ""},                                         // Canada has no US state
		{"+447911123456", []string{"Europe/Guernsey", "Europe/Isle_of_Man", "Europe/London"}, ""}, // a mobile prefix of several zones
	}
	for _, tt := range tests {
		if got := phone.TimeZones(tt.e164); !slices.Equal(got, tt.zones) {
			t.Errorf("TimeZones(%s) = %v, want %v", tt.e164, got, tt.zones)
		}
		if got := phone.State(tt.e164); got != tt.state {
			t.Errorf("State(%s) = %q, want %q", tt.e164, got, tt.state)
		}
	}
}
