package twilio_test

import (
	"context"
	"net/url"
	"reflect"
	"testing"

	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/twilio/twiliotest"
)

func TestParseInboundMedia(t *testing.T) {
	t.Parallel()
	p, _ := newFake(t, nil)
	media := "https://api.twilio.com/2010-04-01/Accounts/" + twiliotest.AccountSID + "/Messages/MM1/Media/ME"
	body := url.Values{"MessageSid": {"MM0123456789abcdef0123456789abcdef"}, "From": {candidate}, "To": {ours}, "Body": {""},
		"NumMedia": {"2"}, "MediaUrl0": {media + "1"}, "MediaContentType0": {"image/jpeg"},
		"MediaUrl1": {media + "2"}, "MediaContentType1": {"application/pdf"}}
	got, err := p.ParseInbound(post(body.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	want := []sms.MediaRef{{URL: media + "1", ContentType: "image/jpeg"}, {URL: media + "2", ContentType: "application/pdf"}}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Media, want) {
		t.Fatalf("ParseInbound media = %+v, want %+v", got, want)
	}
}

func TestMediaRequestOnlyUnderTheAccount(t *testing.T) {
	t.Parallel()
	p, fake := newFake(t, nil)
	base := fake.Config(publicBase).APIBase
	ok := base + "/2010-04-01/Accounts/" + twiliotest.AccountSID + "/Messages/MM1/Media/ME1"
	req, err := p.MediaRequest(context.Background(), ok)
	if err != nil {
		t.Fatalf("MediaRequest(%s): %v", ok, err)
	}
	if user, pass, _ := req.BasicAuth(); user != twiliotest.AccountSID || pass != twiliotest.AuthToken {
		t.Errorf("MediaRequest sends Basic auth %q/%q, want the account's credentials", user, pass)
	}
	for _, bad := range []string{
		"https://evil.example/2010-04-01/Accounts/" + twiliotest.AccountSID + "/Messages/MM1/Media/ME1",
		base + "/2010-04-01/Accounts/ACother/Messages/MM1/Media/ME1",
		"javascript:alert(1)",
	} {
		if _, err := p.MediaRequest(context.Background(), bad); err == nil {
			t.Errorf("MediaRequest(%s) accepted a URL off the account's media", bad)
		}
	}
	for host, want := range map[string]bool{"https://media.twiliocdn.com/x": true, "https://evil.example/x": false,
		"http://media.twiliocdn.com/x": false, "https://twilio.com.evil.example/x": false} {
		u, _ := url.Parse(host)
		if got := p.MediaHost(u); got != want {
			t.Errorf("MediaHost(%s) = %v, want %v", host, got, want)
		}
	}
}
