package phone

import (
	"fmt"

	"github.com/nyaruka/phonenumbers"
)

// AreaCodePlace reports whether code is a geographic area code of region
// (ISO 3166, e.g. "US" or "CA", upper case) and where it is used, as
// libphonenumber's geocoding names it: "Chicago, IL", "Illinois", "Ontario".
// It is false for anything else: not of the form NXX, not assigned (999), of
// another country (416 is Canadian, 876 Jamaican) or not geographic (800 is
// toll-free).
func AreaCodePlace(code, region string) (place string, ok bool) {
	if len(code) != 3 || code[0] < '2' || code[0] > '9' || code[1] < '0' || code[1] > '9' || code[2] < '0' || code[2] > '9' {
		return "", false
	}
	// An area code is in use when some number in it is valid; exchanges
	// below 200 are never assigned, and most codes accept the first tried.
	for exchange := 200; exchange <= 999; exchange++ {
		num, err := phonenumbers.Parse(fmt.Sprintf("+1%s%03d0100", code, exchange), "")
		if err != nil || !phonenumbers.IsValidNumber(num) {
			continue
		}
		if phonenumbers.GetRegionCodeForNumber(num) != region || !geographic(num) {
			return "", false
		}
		// Geocoding matches the longest known prefix: the area code alone
		// names the area ("Illinois"), not the exchange's town.
		area := uint64(code[0]-'0')*100 + uint64(code[1]-'0')*10 + uint64(code[2]-'0')
		return areaPlace(area), true
	}
	return "", false
}

// geographic reports whether num is a fixed line or mobile number, the kind
// texting numbers are: not toll-free, premium or personal.
func geographic(num *phonenumbers.PhoneNumber) bool {
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return true
	}
	return false
}

// TimeZoneAreaCode returns the area code of the city a North American IANA
// time zone is named after ("America/Chicago" → "312"), so a company's time
// zone can suggest where its numbers should be from, or "" for any other
// zone.
func TimeZoneAreaCode(tz string) string {
	switch tz {
	case "America/New_York":
		return "212"
	case "America/Chicago":
		return "312"
	case "America/Denver":
		return "303"
	case "America/Phoenix":
		return "602"
	case "America/Los_Angeles":
		return "213"
	case "America/Anchorage":
		return "907"
	case "Pacific/Honolulu":
		return "808"
	case "America/Detroit":
		return "313"
	case "America/Boise":
		return "208"
	case "America/Indiana/Indianapolis":
		return "317"
	case "America/Kentucky/Louisville":
		return "502"
	case "America/Puerto_Rico":
		return "787"
	case "America/Toronto":
		return "416"
	case "America/Vancouver":
		return "604"
	case "America/Edmonton":
		return "780"
	case "America/Winnipeg":
		return "204"
	case "America/Regina":
		return "306"
	case "America/Halifax":
		return "902"
	case "America/St_Johns":
		return "709"
	}
	return ""
}
