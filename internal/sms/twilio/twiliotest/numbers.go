package twiliotest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext/internal/sms"
)

// Number is a number bought from the fake.
type Number struct {
	SID       string // PN…
	Phone     string
	SmsURL    string // where inbound messages are delivered
	SmsMethod string
}

// availableJSON is one entry of Twilio's AvailablePhoneNumbers list.
type availableJSON struct {
	FriendlyName string          `json:"friendly_name"`
	PhoneNumber  string          `json:"phone_number"`
	Locality     string          `json:"locality"`
	Region       string          `json:"region"`
	ISOCountry   string          `json:"iso_country"`
	Capabilities map[string]bool `json:"capabilities"`
}

// incomingJSON is Twilio's IncomingPhoneNumber resource (the fields that matter).
type incomingJSON struct {
	SID          string          `json:"sid"`
	AccountSID   string          `json:"account_sid"`
	FriendlyName string          `json:"friendly_name"`
	PhoneNumber  string          `json:"phone_number"`
	SmsURL       string          `json:"sms_url"`
	SmsMethod    string          `json:"sms_method"`
	Capabilities map[string]bool `json:"capabilities"`
	DateCreated  string          `json:"date_created"`
	URI          string          `json:"uri"`
}

// defaultOffers are fictional 555-01xx numbers in three US cities.
func defaultOffers() []offer {
	return []offer{
		{sms.AvailableNumber{Phone: "+14155550101", Locality: "San Francisco", Region: "CA"}, "US"},
		{sms.AvailableNumber{Phone: "+14155550102", Locality: "San Francisco", Region: "CA"}, "US"},
		{sms.AvailableNumber{Phone: "+12125550101", Locality: "New York", Region: "NY"}, "US"},
		{sms.AvailableNumber{Phone: "+13125550101", Locality: "Chicago", Region: "IL"}, "US"},
	}
}

// OfferNumbers puts numbers of the country (ISO code) up for sale.
func (s *Server) OfferNumbers(country string, numbers ...sms.AvailableNumber) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range numbers {
		s.offers = append(s.offers, offer{n, country})
	}
}

// Numbers returns the numbers bought and not released, oldest first.
func (s *Server) Numbers() []Number {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.owned)
}

// searchNumbers is GET /AvailablePhoneNumbers/{country}/Local.json.
func (s *Server) searchNumbers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := strconv.Atoi(q.Get("PageSize"))
	if err != nil || limit <= 0 {
		limit = 50
	}
	list := []availableJSON{}
	for _, o := range s.offersIn(r.PathValue("country")) {
		if len(list) < limit && inAreaCode(o.Phone, q.Get("AreaCode")) {
			list = append(list, availableJSON{
				FriendlyName: o.Phone, PhoneNumber: o.Phone, Locality: o.Locality, Region: o.Region,
				ISOCountry: o.country, Capabilities: map[string]bool{"voice": true, "SMS": true, "MMS": true},
			})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"available_phone_numbers": list, "uri": r.URL.RequestURI()})
}

// inAreaCode reports whether a North American number is in the area code;
// every number is in the empty one.
func inAreaCode(phone, areaCode string) bool {
	return areaCode == "" || strings.HasPrefix(phone, "+1"+areaCode)
}

// offersIn returns the numbers for sale in a country.
func (s *Server) offersIn(country string) []offer {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []offer
	for _, o := range s.offers {
		if o.country == country {
			out = append(out, o)
		}
	}
	return out
}

// buyNumber is POST /IncomingPhoneNumbers.json.
func (s *Server) buyNumber(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("PhoneNumber") == "" {
		writeError(w, r, 21421)
		return
	}
	n, ok := s.buy(r.PostForm.Get("PhoneNumber"), r.PostForm.Get("SmsUrl"), r.PostForm.Get("SmsMethod"))
	if !ok {
		writeError(w, r, 21422)
		return
	}
	writeJSON(w, http.StatusCreated, incomingJSON{
		SID: n.SID, AccountSID: AccountSID, FriendlyName: n.Phone, PhoneNumber: n.Phone,
		SmsURL: n.SmsURL, SmsMethod: n.SmsMethod,
		Capabilities: map[string]bool{"voice": true, "sms": true, "mms": true},
		DateCreated:  time.Now().UTC().Format(time.RFC1123Z),
		URI:          "/2010-04-01/Accounts/" + AccountSID + "/IncomingPhoneNumbers/" + n.SID + ".json",
	})
}

// buy moves an offered number to the owned ones.
func (s *Server) buy(phone, smsURL, smsMethod string) (Number, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.offers, func(o offer) bool { return o.Phone == phone })
	if i < 0 {
		return Number{}, false
	}
	s.offers = slices.Delete(s.offers, i, i+1)
	if smsMethod == "" {
		smsMethod = http.MethodPost
	}
	n := Number{SID: s.nextSID("PN"), Phone: phone, SmsURL: smsURL, SmsMethod: smsMethod}
	s.owned = append(s.owned, n)
	return n, true
}

// releaseNumber is DELETE /IncomingPhoneNumbers/{sid}.json.
func (s *Server) releaseNumber(w http.ResponseWriter, r *http.Request) {
	sid, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok || !s.release(sid) {
		writeError(w, r, 20404)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// release forgets an owned number.
func (s *Server) release(sid string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.owned)
	s.owned = slices.DeleteFunc(s.owned, func(o Number) bool { return o.SID == sid })
	return len(s.owned) < n
}
