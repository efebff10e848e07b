package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// availableNumbers is a page of the AvailablePhoneNumbers Local list.
type availableNumbers struct {
	Numbers []struct {
		PhoneNumber string `json:"phone_number"`
		Locality    string `json:"locality"`
		Region      string `json:"region"`
	} `json:"available_phone_numbers"`
}

// incomingNumber is the part of an IncomingPhoneNumber we read.
type incomingNumber struct {
	SID         string `json:"sid"`
	PhoneNumber string `json:"phone_number"`
}

// SearchNumbers lists SMS-capable local numbers for sale in q.Country,
// optionally within q.AreaCode. A malformed query is a hiretext.EInvalid
// error and costs no request.
func (p *Provider) SearchNumbers(ctx context.Context, q sms.NumberQuery) ([]sms.AvailableNumber, error) {
	country, err := checkQuery(q)
	if err != nil {
		return nil, err
	}
	u := p.accountURL("AvailablePhoneNumbers", country, "Local.json") + "?" + searchParams(q).Encode()
	body, err := p.call(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	var page availableNumbers
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, &sms.Error{Class: sms.Transient, Message: "unreadable list of available numbers", Err: err}
	}
	out := make([]sms.AvailableNumber, 0, len(page.Numbers))
	for _, n := range page.Numbers {
		out = append(out, sms.AvailableNumber{Phone: n.PhoneNumber, Locality: n.Locality, Region: n.Region})
	}
	return out, nil
}

// checkQuery validates q and returns its country in upper case.
func checkQuery(q sms.NumberQuery) (string, error) {
	country := strings.ToUpper(q.Country)
	switch {
	case len(country) != 2 || strings.Trim(country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "":
		return "", hiretext.Errorf(hiretext.EInvalid, "The country must be a two-letter code such as US.")
	case strings.Trim(q.AreaCode, "0123456789") != "":
		return "", hiretext.Errorf(hiretext.EInvalid, "The area code must be digits only.")
	case q.Limit < 0:
		return "", hiretext.Errorf(hiretext.EInvalid, "The limit must not be negative.")
	}
	return country, nil
}

// searchParams is the query string of a number search.
func searchParams(q sms.NumberQuery) url.Values {
	v := url.Values{"SmsEnabled": {"true"}}
	if q.AreaCode != "" {
		v.Set("AreaCode", q.AreaCode)
	}
	if q.Limit > 0 {
		v.Set("PageSize", strconv.Itoa(q.Limit))
	}
	return v
}

// BuyNumber buys phone and points its inbound-message webhook (POST) at
// InboundPath.
func (p *Provider) BuyNumber(ctx context.Context, phone string) (sms.ProvisionedNumber, error) {
	form := url.Values{
		"PhoneNumber": {phone},
		"SmsUrl":      {p.publicURL(InboundPath)},
		"SmsMethod":   {http.MethodPost},
	}
	body, err := p.call(ctx, http.MethodPost, p.accountURL("IncomingPhoneNumbers.json"), form)
	if err != nil {
		return sms.ProvisionedNumber{}, err
	}
	var n incomingNumber
	if err := json.Unmarshal(body, &n); err != nil || n.SID == "" {
		return sms.ProvisionedNumber{}, garbledSuccess("purchase of "+phone, err)
	}
	if n.PhoneNumber == "" {
		n.PhoneNumber = phone
	}
	return sms.ProvisionedNumber{Phone: n.PhoneNumber, ProviderID: n.SID}, nil
}

// ReleaseNumber deletes the IncomingPhoneNumber n.ProviderID. A number Twilio
// no longer knows (404) counts as released, so a retried release succeeds.
func (p *Provider) ReleaseNumber(ctx context.Context, n sms.ProvisionedNumber) error {
	if n.ProviderID == "" {
		return &sms.Error{Class: sms.Permanent, Message: "number " + n.Phone + " has no Twilio sid to release"}
	}
	_, err := p.call(ctx, http.MethodDelete, p.accountURL("IncomingPhoneNumbers", n.ProviderID+".json"), nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.HTTPStatus == http.StatusNotFound {
		return nil
	}
	return err
}
