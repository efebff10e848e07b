package twilio_test

import (
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio/twiliotest"
)

// london is a fictional UK number (Ofcom's drama range).
var london = sms.AvailableNumber{Phone: "+442079460018", Locality: "London", Region: "England"}

func TestSearchNumbers(t *testing.T) {
	t.Parallel()
	sf := []sms.AvailableNumber{
		{Phone: "+14155550101", Locality: "San Francisco", Region: "CA"},
		{Phone: "+14155550102", Locality: "San Francisco", Region: "CA"},
	}
	tests := []struct {
		name string
		q    sms.NumberQuery
		want []sms.AvailableNumber
	}{
		{"area code", sms.NumberQuery{Country: "US", AreaCode: "415"}, sf},
		{"limit", sms.NumberQuery{Country: "US", AreaCode: "415", Limit: 1}, sf[:1]},
		{"lower-case country", sms.NumberQuery{Country: "us", AreaCode: "415"}, sf},
		{"none there", sms.NumberQuery{Country: "US", AreaCode: "907"}, []sms.AvailableNumber{}},
		{"other country", sms.NumberQuery{Country: "CA"}, []sms.AvailableNumber{}},
		{"offered later", sms.NumberQuery{Country: "GB"}, []sms.AvailableNumber{london}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, fake := newFake(t, nil)
			fake.OfferNumbers("GB", london)
			got, err := p.SearchNumbers(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if !equalNumbers(got, tt.want) {
				t.Errorf("SearchNumbers = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func equalNumbers(a, b []sms.AvailableNumber) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSearchNumbersRequest(t *testing.T) {
	t.Parallel()
	var got *http.Request
	p := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		io.WriteString(w, `{"available_phone_numbers":[],"uri":"/x"}`)
	})
	if _, err := p.SearchNumbers(context.Background(), sms.NumberQuery{Country: "US", AreaCode: "212", Limit: 5}); err != nil {
		t.Fatal(err)
	}
	want := "/2010-04-01/Accounts/" + twiliotest.AccountSID + "/AvailablePhoneNumbers/US/Local.json?AreaCode=212&PageSize=5&SmsEnabled=true"
	if got.Method != http.MethodGet || got.URL.RequestURI() != want {
		t.Errorf("request = %s %s, want GET %s", got.Method, got.URL.RequestURI(), want)
	}
}

func TestSearchNumbersInvalidQuery(t *testing.T) {
	t.Parallel()
	tests := map[string]sms.NumberQuery{
		"no country":     {AreaCode: "415"},
		"long country":   {Country: "USA"},
		"path injection": {Country: "../"},
		"area code":      {Country: "US", AreaCode: "41a"},
		"negative limit": {Country: "US", Limit: -1},
	}
	for name, q := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var called atomic.Bool
			p := newStub(t, func(http.ResponseWriter, *http.Request) { called.Store(true) })
			_, err := p.SearchNumbers(context.Background(), q)
			if hiretext.ErrorCode(err) != hiretext.EInvalid || called.Load() {
				t.Errorf("error = %v (Twilio called: %v), want EInvalid without a call", err, called.Load())
			}
		})
	}
}

func TestBuyAndReleaseNumber(t *testing.T) {
	t.Parallel()
	p, fake := newFake(t, nil)
	ctx := context.Background()
	n, err := p.BuyNumber(ctx, "+12125550101")
	if err != nil {
		t.Fatal(err)
	}
	owned := fake.Numbers()
	if len(owned) != 1 || n.Phone != "+12125550101" || n.ProviderID != owned[0].SID {
		t.Fatalf("BuyNumber = %+v; fake owns %+v", n, owned)
	}
	if owned[0].SmsURL != publicBase+"/webhooks/twilio/inbound" || owned[0].SmsMethod != "POST" {
		t.Errorf("inbound webhook = %s %s", owned[0].SmsMethod, owned[0].SmsURL)
	}
	if err := p.ReleaseNumber(ctx, n); err != nil {
		t.Fatal(err)
	}
	if len(fake.Numbers()) != 0 {
		t.Error("the fake still owns the released number")
	}
	if err := p.ReleaseNumber(ctx, n); err != nil {
		t.Errorf("releasing again = %v, want nil (404 counts as released)", err)
	}
}

func TestBuyNumberNotAvailable(t *testing.T) {
	t.Parallel()
	p, fake := newFake(t, nil)
	_, err := p.BuyNumber(context.Background(), "+19075550101")
	if e := smsError(t, err); e.Class != sms.Permanent || e.Code != "21422" {
		t.Errorf("error = %v, want Permanent 21422", err)
	}
	if len(fake.Numbers()) != 0 {
		t.Error("the fake sold a number it did not offer")
	}
}

func TestBuyNumberUnreadableAnswerIsNotRetried(t *testing.T) {
	t.Parallel()
	p := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"phone_number":"+12125550101"}`)
	})
	_, err := p.BuyNumber(context.Background(), "+12125550101")
	if e := smsError(t, err); e.Class != sms.Permanent {
		t.Errorf("error = %v, want Permanent (a retry would buy a second number)", err)
	}
}

func TestReleaseNumberFailures(t *testing.T) {
	t.Parallel()
	p := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	ctx := context.Background()
	if err := p.ReleaseNumber(ctx, sms.ProvisionedNumber{Phone: ours}); sms.ClassOf(err) != sms.Permanent {
		t.Errorf("release without sid = %v, want a Permanent error", err)
	}
	err := p.ReleaseNumber(ctx, sms.ProvisionedNumber{Phone: ours, ProviderID: "PN1"})
	if sms.ClassOf(err) != sms.Transient {
		t.Errorf("release on HTTP 500 = %v, want a Transient error", err)
	}
}
