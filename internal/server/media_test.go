package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/mediafetch"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// fetchMedia runs the media worker once, as serve does, through the
// simulator's signed media URL on the test server.
func (f *textingFixture) fetchMedia(t *testing.T) {
	t.Helper()
	w := mediafetch.New(f.db, f.sim.Name(), f.sim, mediafetch.Config{Clock: time.Now})
	if _, err := w.FetchDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestPictureFromTheSimulatorPhoneReachesTheThread: the simulator phone
// sends a sample picture; its webhook announces it; the worker fetches it
// from the simulator's URL; the recruiter sees it inline in the
// conversation and gets it from the page and the API with headers that
// keep it inert; another company, or a user of another number, gets 404.
func TestPictureFromTheSimulatorPhoneReachesTheThread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTextingFixture(t, db)
		ann := f.candidate(t, "Ann")
		annPhone, _ := phone.Parse(ann.MainPhone, "US")
		sim := f.ts.browser(t)
		if st, _, _ := sim.do("POST", "/simulator/reply", url.Values{"phone": {annPhone}, "to": {f.number.Phone},
			"body": {"My forklift certificate"}, "sample": {"certificate.png"}}); st != http.StatusSeeOther {
			t.Fatalf("simulator reply with a picture: %d", st)
		}
		msgs, err := db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{})
		if err != nil || len(msgs) != 1 || len(msgs[0].Media) != 1 || msgs[0].Media[0].Status != hiretext.MediaPending {
			t.Fatalf("after the webhook: %+v, %v; want the text with its picture pending", msgs, err)
		}
		b := f.ts.browser(t)
		b.login(f.recruiter.Email, storetest.TestPassword)
		conv := "/candidates/" + idStr(int64(ann.ID)) + "/conversation"
		if _, page, _ := b.do("GET", conv, nil); !strings.Contains(page, "A picture is on its way") {
			t.Error("the conversation does not say the picture is on its way")
		}
		f.fetchMedia(t)
		id := idStr(int64(msgs[0].Media[0].ID))
		_, page, _ := b.do("GET", conv, nil)
		if !strings.Contains(page, `<img src="/media/`+id+`"`) {
			t.Fatalf("the conversation does not show the picture inline:\n%s", page)
		}
		st, body, h := b.do("GET", "/media/"+id, nil)
		if st != http.StatusOK || h.Get("Content-Type") != "image/png" || !strings.HasPrefix(body, "\x89PNG") ||
			h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Disposition"), "inline") ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("GET /media/%s = %d %v", id, st, h)
		}
		tok := token(t, db, f.recruiter)
		st, got := f.ts.api(t, tok, "GET", "/api/v1/candidates/"+idStr(int64(ann.ID))+"/messages", "")
		media := got["messages"].([]any)[0].(map[string]any)["media"].([]any)
		if st != http.StatusOK || len(media) != 1 || media[0].(map[string]any)["url"] != "/api/v1/media/"+id ||
			media[0].(map[string]any)["content_type"] != "image/png" {
			t.Fatalf("API messages %d %v", st, got)
		}
		req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/media/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("API media: %v %v", resp, err)
		}
		resp.Body.Close()

		// The SMS Activity report lists the attachment on its page, CSV, XLSX and API.
		admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
		ab := f.ts.browser(t)
		ab.login(admin.Email, storetest.TestPassword)
		if _, report, _ := ab.do("GET", "/reports/sms-activity", nil); !strings.Contains(report, `My forklift certificate<span class="report-template">1 attachment</span>`) {
			t.Error("the report page does not list the attachment")
		}
		csvText, _ := ab.get("/reports/sms-activity.csv", http.StatusOK)
		if !strings.Contains(csvText, "Attachments") || !strings.Contains(csvText, "1 attachment") {
			t.Errorf("the report's CSV does not list the attachment:\n%s", csvText)
		}
		raw, _ := ab.get("/reports/sms-activity.xlsx", http.StatusOK)
		if x := readXLSX(t, []byte(raw)); len(x) != 2 || x[0][13] != "Attachments" || x[1][13] != "1 attachment" {
			t.Errorf("the report's XLSX rows %v", x)
		}
		st, rep := f.ts.api(t, token(t, db, admin), "GET", "/api/v1/reports/sms-activity", "")
		if rows := rep["messages"].([]any); st != http.StatusOK || len(rows) != 1 || rows[0].(map[string]any)["attachments"] != float64(1) {
			t.Errorf("the report's API: %d %v", st, rep)
		}

		other := storetest.MustSetUpTexting(t, db, 10)
		ob := f.ts.browser(t)
		ob.login(other.Recruiter.Email, storetest.TestPassword)
		if st, body, _ := ob.do("GET", "/media/"+id, nil); st != http.StatusNotFound || strings.Contains(body, "PNG") {
			t.Errorf("another company's recruiter: GET /media/%s = %d, want 404", id, st)
		}
	})
}

// TestMediaServedOnlyAsWhatItIs: a file kept as a download (declared
// text/html) is an application/octet-stream attachment, sandboxed; a file
// whose bytes are not what its stored type says is a download too. The
// inbox previews a text of files only as such.
func TestMediaServedOnlyAsWhatItIs(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann := f.candidate(t, "Ann")
	annPhone, _ := phone.Parse(ann.MainPhone, "US")
	html := []byte("<html><script>alert(document.cookie)</script></html>")
	ids := map[string]hiretext.MediaID{}
	for i, stored := range []string{hiretext.DownloadType, "image/png"} {
		if _, err := db.ReceiveText(context.Background(), hiretext.IncomingText{Provider: "simulator", ProviderMessageID: "MMh" + idStr(int64(i)),
			From: annPhone, To: f.number.Phone, Media: []hiretext.IncomingMedia{{URL: "https://x.example/" + stored, ContentType: "text/html"}}}); err != nil {
			t.Fatal(err)
		}
		claimed, err := db.ClaimMediaFetches(context.Background(), "simulator", 1, time.Minute)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %v %v", claimed, err)
		}
		if err := db.StoreMediaContent(context.Background(), claimed[0].ID, stored, html); err != nil {
			t.Fatal(err)
		}
		ids[stored] = claimed[0].ID
	}
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	for stored, id := range ids {
		st, _, h := b.do("GET", "/media/"+idStr(int64(id)), nil)
		if st != http.StatusOK || h.Get("Content-Type") != "application/octet-stream" ||
			!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") || !strings.Contains(h.Get("Content-Security-Policy"), "sandbox") ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("HTML stored as %s: %d %v; want an inert download", stored, st, h)
		}
	}
	_, page, _ := b.do("GET", "/candidates/"+idStr(int64(ann.ID))+"/conversation", nil)
	if _, inbox, _ := b.do("GET", "/inbox", nil); !strings.Contains(inbox, "Sent a picture or file") {
		t.Error("the inbox previews a text of files only as nothing")
	}
	download := idStr(int64(ids[hiretext.DownloadType]))
	if strings.Contains(page, `<img src="/media/`+download+`"`) || !strings.Contains(page, "Download file-"+download+".bin") {
		t.Errorf("the conversation should offer the HTML file as a download, not an image:\n%s", page)
	}
}

// TestSimulatorPhoneRefusesAnUnknownSample: a sample the simulator does
// not offer is a form error and nothing is sent; a picture alone, without
// words, is an MMS.
func TestSimulatorPhoneRefusesAnUnknownSample(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann := f.candidate(t, "Ann")
	annPhone, _ := phone.Parse(ann.MainPhone, "US")
	sim := f.ts.browser(t)
	st, page, _ := sim.do("POST", "/simulator/reply", url.Values{"phone": {annPhone}, "to": {f.number.Phone}, "body": {"Hi"},
		"sample": {"virus.exe"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "Choose one of the sample files.") {
		t.Fatalf("an unknown sample: %d, want 422 naming the sample", st)
	}
	if msgs, _ := db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{}); len(msgs) != 0 {
		t.Fatalf("a refused reply was sent: %+v", msgs)
	}
	if st, _, _ := sim.do("POST", "/simulator/reply", url.Values{"phone": {annPhone}, "to": {f.number.Phone},
		"sample": {"resume.pdf"}}); st != http.StatusSeeOther {
		t.Fatalf("a picture without words: %d", st)
	}
	msgs, err := db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{})
	if err != nil || len(msgs) != 1 || msgs[0].Body != "" || len(msgs[0].Media) != 1 || msgs[0].Media[0].DeclaredType != "application/pdf" {
		t.Fatalf("the MMS without words: %+v, %v", msgs, err)
	}
	// The simulator's API for scripts: the same samples, the same refusal.
	send := func(samples string) int {
		st, _ := f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":"From a script","samples":%s}`,
			annPhone, f.number.Phone, samples))
		return st
	}
	if st := send(`["virus.exe"]`); st != http.StatusUnprocessableEntity {
		t.Fatalf("the API with an unknown sample: %d, want 422", st)
	}
	if st := send(`["certificate.png","resume.pdf"]`); st != http.StatusAccepted {
		t.Fatalf("the API with two samples: %d, want 202", st)
	}
	msgs, err = db.CandidateMessages(context.Background(), f.org.ID, f.number.ID, ann.ID, time.Time{})
	if err != nil || len(msgs) != 2 || len(msgs[1].Media) != 2 || msgs[1].Media[0].DeclaredType != "image/png" {
		t.Fatalf("after the API's MMS: %+v, %v", msgs, err)
	}
}
