package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/sms"
)

// Provisioning numbers from the SMS provider, for the pages and the API:
// whether a company may have another number, searching the provider's
// offers, buying one (given back when it cannot be recorded) and releasing
// one. The provider's refusals become messages for the administrator.

// errNoProvider is returned when the server runs without an SMS provider.
var errNoProvider = hiretext.Errorf(hiretext.EConflict, "Texting is not set up on this server: no SMS provider is configured.")

// canGenerate returns org's entitlement when it may have another number.
func (s *Server) canGenerate(ctx context.Context, org *hiretext.Organization) (*hiretext.Entitlement, error) {
	ent, err := s.store.Entitlement(ctx, org.ID)
	switch {
	case err != nil:
		return nil, err
	case s.provider == nil:
		return ent, errNoProvider
	case !ent.CanAddNumber():
		return ent, hiretext.EntitlementExceeded(ent)
	}
	return ent, nil
}

// offers are the numbers a provider offers and where they are from.
type offers struct {
	Area     numberArea
	Home     numberArea // the company's area, where an empty area code searches
	Fallback string     // the company's area, which had no free numbers, so Area is anywhere
	Offers   []sms.AvailableNumber
}

// findOffers asks the provider for numbers in the area code typed, or in
// the company's area when none was; when that area has no free numbers it
// offers any rather than none, and says so.
func (s *Server) findOffers(ctx context.Context, org *hiretext.Organization, typed string) (offers, error) {
	var o offers
	nums, err := s.store.ListNumbers(ctx, org.ID)
	if err != nil {
		return o, err
	}
	o.Home = companyArea(org, nums)
	if typed != "" {
		if o.Area, err = typedArea(org, typed); err != nil {
			return o, err
		}
		o.Offers, err = s.searchNumbers(ctx, org, o.Area.Code)
		return o, err
	}
	o.Area = o.Home
	o.Offers, err = s.searchNumbers(ctx, org, o.Area.Code)
	if hiretext.ErrorCode(err) == hiretext.EInvalid && o.Area.Code != "" {
		o.Fallback, o.Area = o.Area.Label(), numberArea{Country: o.Area.Country}
		o.Offers, err = s.searchNumbers(ctx, org, "")
	}
	return o, err
}

// searchNumbers asks the provider for numbers in org's country, within
// areaCode (validated) when given.
func (s *Server) searchNumbers(ctx context.Context, org *hiretext.Organization, areaCode string) ([]sms.AvailableNumber, error) {
	offers, err := s.provider.SearchNumbers(ctx, sms.NumberQuery{Country: org.Region, AreaCode: areaCode, Limit: 5})
	if err != nil {
		return nil, providerError(err)
	}
	if len(offers) == 0 {
		return nil, hiretext.Errorf(hiretext.EInvalid, "No numbers are available right now. Try an area code.")
	}
	return offers, nil
}

// generateNumber buys e164 from the provider and records it for org. When
// the store refuses it (another administrator took the last place a moment
// ago) the number goes back to the provider, so nobody pays for it. A
// provider's refusal is returned as is (an *sms.Error); see providerError.
func (s *Server) generateNumber(ctx context.Context, org *hiretext.Organization, e164 string) (*hiretext.Number, error) {
	if _, err := s.canGenerate(ctx, org); err != nil {
		return nil, err
	}
	pn, err := s.provider.BuyNumber(ctx, e164)
	if err != nil {
		return nil, err
	}
	n, err := s.store.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: pn.Phone, Provider: s.provider.Name(), ProviderID: pn.ProviderID})
	if err != nil {
		if rerr := s.provider.ReleaseNumber(context.WithoutCancel(ctx), pn); rerr != nil {
			s.log.Error("release an unrecorded number", "org_id", org.ID, "provider", s.provider.Name(), "phone", pn.Phone, "err", rerr)
		}
		return nil, err
	}
	s.log.Info("number added", "org_id", org.ID, "number_id", n.ID, "provider", n.Provider)
	return n, nil
}

// releaseNumber gives n back to the provider, then marks it released. The
// provider goes first: if it fails nothing changes and the administrator
// can retry; a release the provider already did succeeds again.
func (s *Server) releaseNumber(ctx context.Context, n *hiretext.Number) error {
	switch {
	case !n.Active():
		return hiretext.Errorf(hiretext.EConflict, "%s was already released.", phone.Format(n.Phone))
	case s.provider == nil:
		return errNoProvider
	case n.Provider != s.provider.Name():
		return hiretext.Errorf(hiretext.EConflict, "%s belongs to the %s provider, but this server uses %s; release it there.",
			phone.Format(n.Phone), n.Provider, s.provider.Name())
	}
	if err := s.provider.ReleaseNumber(ctx, sms.ProvisionedNumber{Phone: n.Phone, ProviderID: n.ProviderID}); err != nil {
		return providerError(err)
	}
	_, err := s.store.ReleaseNumber(ctx, n.OrgID, n.ID)
	if err == nil {
		s.log.Info("number released", "org_id", n.OrgID, "number_id", n.ID, "provider", n.Provider)
	}
	return err
}

// providerError turns a provider's refusal into a message for the person
// who asked; outages stay internal errors (logged, not shown).
func providerError(err error) error {
	var se *sms.Error
	switch {
	case hiretext.ErrorCode(err) != hiretext.EInternal:
		return err
	case errors.As(err, &se) && se.Class != sms.Transient:
		return hiretext.Errorf(hiretext.EConflict, "The SMS provider refused: %s", se.Message)
	}
	return fmt.Errorf("sms provider: %w", err)
}
