package simulator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/nyaruka/phonenumbers"
)

// Search limits.
const (
	defaultSearchLimit = 5
	maxSearchLimit     = 20
	// attemptsPerNumber bounds the candidates tried per number offered, so a
	// search in an area code with no numbers ends quickly.
	attemptsPerNumber = 60
)

// SearchNumbers offers numbers that are free on the simulator, within
// q.AreaCode when given. The country (default US) must use the North
// American Numbering Plan. A malformed query, or an area code with no
// numbers in the country, is a hiretext.EInvalid error.
func (p *Provider) SearchNumbers(ctx context.Context, q sms.NumberQuery) ([]sms.AvailableNumber, error) {
	country, limit, err := checkQuery(q)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []sms.AvailableNumber
	for range attemptsPerNumber * limit {
		if len(out) == limit {
			break
		}
		e164 := candidate(q.AreaCode)
		if seen[e164] || !usable(e164, country) {
			continue
		}
		seen[e164] = true
		taken, err := p.cfg.Store.NumberActive(ctx, e164)
		if err != nil {
			return nil, transient(err)
		}
		if !taken {
			out = append(out, available(e164))
		}
	}
	if len(out) == 0 && q.AreaCode != "" {
		return nil, hiretext.Errorf(hiretext.EInvalid, "There are no %s numbers in area code %s. Try another area code.", country, q.AreaCode)
	}
	return out, nil
}

// checkQuery validates q and returns its country and result limit.
func checkQuery(q sms.NumberQuery) (string, int, error) {
	country := strings.ToUpper(q.Country)
	if country == "" {
		country = "US"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = defaultSearchLimit
	}
	switch {
	case phonenumbers.GetCountryCodeForRegion(country) != 1:
		return "", 0, hiretext.Errorf(hiretext.EInvalid, "The simulator offers North American numbers only, not numbers of %q.", country)
	case q.AreaCode != "" && !validAreaCode(q.AreaCode):
		return "", 0, hiretext.Errorf(hiretext.EInvalid, "An area code is three digits and does not start with 0 or 1, e.g. 312.")
	}
	return country, min(limit, maxSearchLimit), nil
}

// validAreaCode reports whether s has the form of a North American area
// code: NXX, N from 2 to 9.
func validAreaCode(s string) bool {
	return len(s) == 3 && s[0] >= '2' && s[0] <= '9' && strings.Trim(s, "0123456789") == ""
}

// FirstOfferedFictionalLine is where the part of the fictional 555-01XX
// range the simulator offers begins: it offers 555-0150 to 555-0199 and
// never 555-0100 to 555-0149, which are kept for the demo candidates'
// phones (internal/demo), so a demo company number is never also a
// candidate's phone.
const FirstOfferedFictionalLine = 150

// candidate returns a number to try in areaCode (a random one when empty).
// Half the tries use the upper half of the fictional 555-01XX range (see
// FirstOfferedFictionalLine), which never rings a real phone and which
// libphonenumber accepts in most US and Canadian area codes; the others use a
// random exchange other than 555, which covers area codes whose metadata
// rejects 555.
func candidate(areaCode string) string {
	if areaCode == "" {
		areaCode = fmt.Sprint(rand.IntN(800) + 200)
	}
	if rand.IntN(2) == 0 {
		return fmt.Sprintf("+1%s5550%03d", areaCode, FirstOfferedFictionalLine+rand.IntN(200-FirstOfferedFictionalLine))
	}
	exchange := rand.IntN(800) + 200
	for exchange%100 == 11 || exchange == 555 {
		exchange = rand.IntN(800) + 200
	}
	return fmt.Sprintf("+1%s%03d%04d", areaCode, exchange, rand.IntN(10000))
}

// usable reports whether e164 is a number the simulator hands out in
// country: valid in libphonenumber's metadata, of that country, and an
// ordinary geographic number (not toll-free or premium).
func usable(e164, country string) bool {
	if _, err := phone.Parse(e164, country); err != nil {
		return false
	}
	num, err := phonenumbers.Parse(e164, country)
	if err != nil || phonenumbers.GetRegionCodeForNumber(num) != country {
		return false
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.FIXED_LINE_OR_MOBILE, phonenumbers.MOBILE, phonenumbers.FIXED_LINE:
		return true
	}
	return false
}

// available describes e164 with the place of its area code ("Chicago,
// IL", "Illinois") when known.
func available(e164 string) sms.AvailableNumber {
	a := sms.AvailableNumber{Phone: e164}
	place := phone.Place(e164)
	if city, region, ok := strings.Cut(place, ", "); ok {
		a.Locality, a.Region = city, region
	} else {
		a.Region = place
	}
	return a
}

// BuyNumber provisions e164, which must be a number the simulator offers
// and not already provisioned (error code 21422 otherwise, as Twilio's).
func (p *Provider) BuyNumber(ctx context.Context, e164 string) (sms.ProvisionedNumber, error) {
	country := "US"
	if num, err := phonenumbers.Parse(e164, ""); err == nil {
		country = phonenumbers.GetRegionCodeForNumber(num)
	}
	if !usable(e164, country) || phonenumbers.GetCountryCodeForRegion(country) != 1 {
		return sms.ProvisionedNumber{}, unavailable(e164)
	}
	n := sms.ProvisionedNumber{Phone: e164, ProviderID: newID("PN")}
	ok, err := p.cfg.Store.ProvisionNumber(ctx, e164, n.ProviderID, p.now())
	if err != nil {
		return sms.ProvisionedNumber{}, transient(err)
	}
	if !ok {
		return sms.ProvisionedNumber{}, unavailable(e164)
	}
	return n, nil
}

func unavailable(e164 string) error {
	return &sms.Error{Class: sms.Permanent, Code: "21422", Message: phone.Format(e164) + " is not available."}
}

// ReleaseNumber gives n back; releasing a released number succeeds, so a
// retried release is harmless.
func (p *Provider) ReleaseNumber(ctx context.Context, n sms.ProvisionedNumber) error {
	if err := p.cfg.Store.ReleaseNumber(ctx, n.Phone, p.now()); err != nil {
		return transient(err)
	}
	return nil
}
