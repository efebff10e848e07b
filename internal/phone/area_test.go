package phone

import (
	"strings"
	"testing"
)

func TestAreaCodePlace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code, region string
		place        string // "" when not an area code of region
	}{
		{"312", "US", "Chicago, IL"},
		{"847", "US", "Illinois"},
		{"907", "US", "Alaska"},
		{"416", "CA", "Ontario"},
		{"416", "US", ""}, // Canadian
		{"312", "CA", ""},
		{"876", "US", ""}, // Jamaica
		{"800", "US", ""}, // toll-free
		{"999", "US", ""}, // not assigned
		{"211", "US", ""}, // a service code
		{"abc", "US", ""},
		{"12", "US", ""},
		{"3125", "US", ""},
		{"012", "US", ""},
		{"３１２", "US", ""}, // full-width digits
	}
	for _, tt := range tests {
		place, ok := AreaCodePlace(tt.code, tt.region)
		if ok != (tt.place != "") || place != tt.place {
			t.Errorf("AreaCodePlace(%q, %q) = %q, %v; want %q", tt.code, tt.region, place, ok, tt.place)
		}
	}
}

// TestTimeZoneAreaCodes: every area code the table suggests is one of its
// country's, so a suggestion never fails validation.
func TestTimeZoneAreaCodes(t *testing.T) {
	t.Parallel()
	for _, tz := range []string{"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
		"America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "America/Detroit", "America/Boise",
		"America/Indiana/Indianapolis", "America/Kentucky/Louisville", "America/Puerto_Rico", "America/Toronto",
		"America/Vancouver", "America/Edmonton", "America/Winnipeg", "America/Regina", "America/Halifax", "America/St_Johns"} {
		region := "US"
		switch {
		case tz == "America/Puerto_Rico":
			region = "PR"
		case strings.Contains("Toronto Vancouver Edmonton Winnipeg Regina Halifax St_Johns", tz[strings.LastIndex(tz, "/")+1:]):
			region = "CA"
		}
		code := TimeZoneAreaCode(tz)
		if _, ok := AreaCodePlace(code, region); !ok {
			t.Errorf("TimeZoneAreaCode(%q) = %q, not an area code of %s", tz, code, region)
		}
	}
	if got := TimeZoneAreaCode("Europe/London"); got != "" {
		t.Errorf("TimeZoneAreaCode(Europe/London) = %q, want none", got)
	}
}
