package phone

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestAreaPlacesMatchGeocoding checks the generated table against the
// geocoding it was made from: after an update of phonenumbers, run go
// generate ./internal/phone.
func TestAreaPlacesMatchGeocoding(t *testing.T) {
	for code := uint64(200); code <= 999; code++ {
		area := code
		num := &phonenumbers.PhoneNumber{CountryCode: new(int32(nanpCountryCode)), NationalNumber: &area}
		want, _ := phonenumbers.GetGeocodingForNumber(num, "en")
		if got := areaPlace(code); got != want {
			t.Errorf("area code %d: table %q, geocoding %q (run go generate ./internal/phone)", code, got, want)
		}
	}
}

func TestPlace(t *testing.T) {
	for e164, want := range map[string]string{
		"+13125550123":  "Chicago, IL",
		"+12175550123":  "Illinois",
		"+14165550123":  "Ontario",
		"+447911123456": "",
		"not a number":  "",
	} {
		if got := Place(e164); got != want {
			t.Errorf("Place(%q) = %q, want %q", e164, got, want)
		}
	}
}
