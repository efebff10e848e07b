package server_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/sms/twilio"
	"github.com/hiretext/hiretext/internal/sms/twilio/twiliotest"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestTwilioWebhookSignedOverPublicURL runs hiretext as it runs behind a
// proxy: its public URL (https, another host, a path prefix the proxy
// strips) is not the URL requests arrive at. Twilio signs the public URL it
// called, raw query included, so only a signature over exactly that URL is
// accepted, and nothing is stored before it is.
func TestTwilioWebhookSignedOverPublicURL(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	public, _ := url.Parse("https://ats.example.com/hiretext")
	ts, _ := newTwilioServer(t, db, public)

	f := &textingFixture{db: db, org: storetest.MustCreateOrg(t, db, "Acme")}
	f.number = storetest.MustAddNumber(t, db, f.org.ID)
	f.job = storetest.MustCreateJob(t, db, f.org.ID, "Forklift Operator")
	ann := f.candidate(t, "Ann")

	// A query string Twilio would keep byte for byte: %2F and + stay encoded.
	const query = "?src=console%2Fsms&tag=a+b"
	signed := public.String() + twilio.InboundPath + query
	form := url.Values{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "AccountSid": {twiliotest.AccountSID},
		"From": {ann.TextingPhone()}, "To": {f.number.Phone}, "Body": {"Tuesday works"}, "NumSegments": {"1"},
		"ToCity": {"CHICAGO"}, "AddOns": {"b", "a"}} // unknown and repeated parameters are signed too
	post := func(path, sig string, form url.Values) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sig != "" {
			req.Header.Set(twilio.SignatureHeader, sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}
	tampered := maps.Clone(form)
	tampered.Set("Body", "STOP")

	for _, c := range []struct {
		name string
		sig  string
		form url.Values
	}{
		{"no signature", "", form},
		{"another account's token", twilio.Sign("ffeeddccbbaa99887766554433221100", signed, form), form},
		{"the URL the request arrived at", twilio.Sign(twiliotest.AuthToken, ts.URL+twilio.InboundPath+query, form), form},
		{"the public URL without its path", twilio.Sign(twiliotest.AuthToken, "https://ats.example.com"+twilio.InboundPath+query, form), form},
		{"the query decoded", twilio.Sign(twiliotest.AuthToken, public.String()+twilio.InboundPath+"?src=console/sms&tag=a b", form), form},
		{"no query", twilio.Sign(twiliotest.AuthToken, public.String()+twilio.InboundPath, form), form},
		{"a body changed after signing", twilio.Sign(twiliotest.AuthToken, signed, form), tampered},
	} {
		if resp, body := post(twilio.InboundPath+query, c.sig, c.form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", c.name, resp.StatusCode, body)
		}
	}
	if msgs, _ := db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{}); len(msgs) != 0 {
		t.Fatalf("refused webhooks stored %d messages", len(msgs))
	}

	// Signed over the public URL: stored once however often it comes, and
	// answered with empty TwiML.
	for range 2 {
		resp, body := post(twilio.InboundPath+query, twilio.Sign(twiliotest.AuthToken, signed, form), form)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/xml" || !strings.HasSuffix(body, "<Response/>") {
			t.Fatalf("signed inbound: %d %q %q, want 200 text/xml <Response/>", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	msgs, _ := db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{})
	if len(msgs) != 1 || msgs[0].Body != "Tuesday works" || msgs[0].Provider != "twilio" {
		t.Fatalf("stored %+v, want the one reply from twilio", msgs)
	}

	// A status Twilio may add later is acknowledged, not refused (a refusal
	// would only make Twilio log errors).
	status := url.Values{"MessageSid": {"SMffffffffffffffffffffffffffffffff"}, "MessageStatus": {"partially_delivered"}}
	statusURL := public.String() + twilio.StatusPath
	if resp, body := post(twilio.StatusPath, twilio.Sign(twiliotest.AuthToken, statusURL, status), status); resp.StatusCode != http.StatusOK {
		t.Fatalf("unknown status: %d %s, want 200", resp.StatusCode, body)
	}

	// The simulator's pages and webhooks do not exist beside Twilio.
	for _, path := range []string{"/simulator", "/webhooks/simulator/inbound"} {
		method := map[bool]string{true: "GET", false: "POST"}[path == "/simulator"]
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s with Twilio: %d, want 404", method, path, resp.StatusCode)
		}
	}
}

// TestTwilioNumbersFromAdminPages: an administrator generates a number from
// Twilio's offers and releases it, through the same pages as with the
// simulator. Twilio is told to send the number's texts to hiretext.
func TestTwilioNumbersFromAdminPages(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, fake := newTwilioServer(t, db, nil)
	org := storetest.MustCreateOrg(t, db, "Acme")
	storetest.MustGrantNumbers(t, db, org.ID, 1, 500)
	admin := storetest.MustCreateUser(t, db, org.ID, "Dana Admin", hiretext.RoleAdmin)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)

	st, body, _ := b.do("GET", "/admin/numbers/new?area_code=212", nil)
	offered := offeredRE.FindAllStringSubmatch(body, -1)
	if st != http.StatusOK || len(offered) != 1 || offered[0][1] != "12125550101" || !strings.Contains(body, "New York, NY") {
		t.Fatalf("offers in 212: %d %v, want Twilio's New York number", st, offered)
	}
	if st, _, _ := b.do("POST", "/admin/numbers", url.Values{"phone": {"+12125550101"}}); st != http.StatusSeeOther {
		t.Fatalf("generate: %d", st)
	}
	owned := fake.Numbers()
	if len(owned) != 1 || owned[0].Phone != "+12125550101" || owned[0].SmsURL != ts.URL+twilio.InboundPath || owned[0].SmsMethod != "POST" {
		t.Fatalf("Twilio has %+v, want +12125550101 with SmsUrl %s (POST)", owned, ts.URL+twilio.InboundPath)
	}
	nums, err := db.ListNumbers(context.Background(), org.ID)
	if err != nil || len(nums) != 1 || nums[0].Provider != "twilio" || nums[0].ProviderID != owned[0].SID {
		t.Fatalf("stored %+v %v, want the number with provider twilio and sid %s", nums, err, owned[0].SID)
	}

	if st, _, _ := b.do("POST", "/admin/numbers/"+idStr(int64(nums[0].ID))+"/release", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("release: %d", st)
	}
	if owned := fake.Numbers(); len(owned) != 0 {
		t.Fatalf("Twilio still has %+v after the release", owned)
	}
	if n, _ := db.NumberByID(context.Background(), org.ID, nums[0].ID); n.Active() {
		t.Fatal("the released number is still active")
	}
}

// newTwilioServer serves hiretext with the Twilio provider pointed at a
// fake, with the public URL given, or the listener's own when nil.
func newTwilioServer(t *testing.T, db *store.DB, public *url.URL) (*testServer, *twiliotest.Server) {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	if public == nil {
		public, _ = url.Parse("http://" + hs.Listener.Addr().String())
	}
	fake := twiliotest.NewServer(t)
	p, err := twilio.New(fake.Config(public.String()))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), server.Config{BaseURL: public, Clock: hiretext.SystemClock, Logger: testLogger(t), Provider: p}, db)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	return &testServer{Server: hs, db: db, srv: srv}, fake
}
