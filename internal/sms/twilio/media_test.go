package twilio_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

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

// TestHistoryListsAnMMSsMedia: a lost MMS shows in the history with its
// files as the webhook would have announced them, and each is fetched with
// the account's credentials from the URL given.
func TestHistoryListsAnMMSsMedia(t *testing.T) {
	t.Parallel()
	p, fake := newFake(t, nil)
	ours := buyFrom(t, p, fake)
	start := time.Now()
	pic := []byte("\x89PNG\r\n\x1a\ncertificate")
	if _, err := fake.LoseInboundMMS(candidate, ours, "My certificate", twiliotest.MediaFile{ContentType: "image/png", Content: pic}); err != nil {
		t.Fatal(err)
	}
	hist, err := p.History(context.Background(), sms.HistoryQuery{Number: ours, Since: start})
	if err != nil || len(hist) != 1 || len(hist[0].Media) != 1 || hist[0].Media[0].ContentType != "image/png" {
		t.Fatalf("History = %+v, %v; want the MMS with its picture", hist, err)
	}
	req, err := p.MediaRequest(context.Background(), hist[0].Media[0].URL)
	if err != nil {
		t.Fatalf("MediaRequest(%s): %v", hist[0].Media[0].URL, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, pic) {
		t.Fatalf("the picture: %s %q", resp.Status, got)
	}
}
