package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// TimeZones returns the IANA time zones libphonenumber gives the prefix of
// e164: one for most phones, several when the prefix spans several (Alaska's
// 907 covers America/Anchorage and America/Adak), none when it has no data.
func TimeZones(e164 string) []string {
	zones, err := phonenumbers.GetTimezonesForPrefix(e164)
	if err != nil {
		return nil
	}
	out := zones[:0:0]
	for _, z := range zones {
		if !strings.HasPrefix(z, "Etc/") {
			out = append(out, z)
		}
	}
	return out
}

// State returns the two-letter code of the US state (or district) of the
// area code of e164, as libphonenumber's geocoding places it ("+13055550150"
// → "FL"), or "" for phones outside the United States and area codes
// without a state (toll-free, non-geographic).
func State(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil || num.GetCountryCode() != nanpCountryCode || phonenumbers.GetRegionCodeForNumber(num) != "US" {
		return ""
	}
	area := num.GetNationalNumber() / 10_000_000
	if area < 200 || area > 999 {
		return ""
	}
	place := areaPlace(area)
	// Geocoding names the area ("Florida") or its main city ("Chicago, IL").
	if _, code, ok := strings.Cut(place, ", "); ok && len(code) == 2 {
		return code
	}
	return stateCodes[place]
}

// stateCodes are the postal codes of the names geocoding gives US states.
var stateCodes = map[string]string{
	"Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
	"Connecticut": "CT", "Delaware": "DE", "Washington D.C.": "DC", "Florida": "FL", "Georgia": "GA", "Hawaii": "HI",
	"Idaho": "ID", "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
	"Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN", "Mississippi": "MS",
	"Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ",
	"New Mexico": "NM", "New York": "NY", "North Carolina": "NC", "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK",
	"Oregon": "OR", "Pennsylvania": "PA", "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD",
	"Tennessee": "TN", "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
	"West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
}
