package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/hiretext/hiretext/internal/sms/twilio/twiliotest"
	"github.com/hiretext/hiretext/internal/storetest"
)

// apiTestMedia is a file of a message as the API gives it.
type apiTestMedia struct {
	ID          string
	Status      string
	ContentType *string `json:"content_type"`
	URL         *string
}

// TestServeTwilioFetchesAnMMS: `serve` with Twilio receives an MMS whose
// webhook announces a picture and an HTML file; the media worker fetches
// both from the fake Twilio with the account's credentials; the API lists
// the picture as image/png at hiretext's own URL, which serves its bytes,
// and the HTML only as a download.
func TestServeTwilioFetchesAnMMS(t *testing.T) {
	t.Parallel()
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := startTwilioApp(t, dbURL(t))
			number := a.buyNumber()
			ivy := a.candidate("Ivy", "+17735550147")
			pic := []byte("\x89PNG\r\n\x1a\nIvy's forklift certificate")
			if _, err := a.fake.DeliverInboundMMS(context.Background(), ivy.TextingPhone(), number.Phone, "My certificate",
				twiliotest.MediaFile{ContentType: "image/png", Content: pic},
				twiliotest.MediaFile{ContentType: "text/html", Content: []byte("<script>alert(1)</script>")}); err != nil {
				t.Fatalf("inbound MMS: %v", err)
			}
			var media []apiTestMedia
			storetest.EventuallyNil(t, storetest.Patience, "both files fetched", func() error {
				var out struct {
					Messages []struct{ Media []apiTestMedia }
				}
				a.api(a.recruiter, "GET", fmt.Sprint("/api/v1/candidates/", ivy.ID, "/messages"), nil, &out)
				if len(out.Messages) != 1 || len(out.Messages[0].Media) != 2 ||
					out.Messages[0].Media[0].Status != "stored" || out.Messages[0].Media[1].Status != "stored" {
					return fmt.Errorf("messages: %+v", out.Messages)
				}
				media = out.Messages[0].Media
				return nil
			})
			if *media[0].ContentType != "image/png" || *media[1].ContentType != "application/octet-stream" {
				t.Fatalf("stored as %s and %s, want image/png and application/octet-stream", *media[0].ContentType, *media[1].ContentType)
			}
			req, _ := http.NewRequest("GET", a.base+*media[0].URL, nil)
			req.Header.Set("Authorization", "Bearer "+a.recruiter)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, pic) {
				t.Fatalf("GET %s: %s %s %q", *media[0].URL, resp.Status, resp.Header.Get("Content-Type"), got)
			}
		})
	}
}
