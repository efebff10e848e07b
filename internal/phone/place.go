package phone

import "github.com/nyaruka/phonenumbers"

//go:generate go run gen_areaplaces.go

// Where a number is comes from a table of the North American area codes
// (areaplaces.go, generated from libphonenumber's English geocoding), not
// from phonenumbers.GetGeocodingForNumber: that loads the geocoding of every
// prefix of every country into a map of about 11 MB the first time it is
// called, and keeps it for the life of the process, to answer questions
// hiretext asks only of area codes.

// areaPlace returns where the area code area is ("Chicago, IL", "Illinois",
// "Ontario"), or "" when it is not an area code geocoding names.
func areaPlace(area uint64) string {
	if area < 200 || area > 999 {
		return ""
	}
	return areaPlaces[area-200]
}

// Place returns where the area code of the North American number e164 is,
// as geocoding names the code ("+13125550123" → "Chicago, IL"; "+12175550123"
// → "Illinois"), or "" for any other number.
func Place(e164 string) string {
	num, err := phonenumbers.Parse(e164, "")
	if err != nil || num.GetCountryCode() != nanpCountryCode {
		return ""
	}
	return areaPlace(num.GetNationalNumber() / 10_000_000)
}
