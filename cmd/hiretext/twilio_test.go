package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms/twilio"
	"github.com/hiretext/hiretext/internal/sms/twilio/twiliotest"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestServeTwilioEndToEnd runs the real `serve --sms-provider twilio` against
// a fake Twilio: an administrator buys a number (Twilio learns where to send
// replies), a recruiter texts candidates through the API, Twilio's signed
// status callbacks and replies land in the conversation, forged and
// tampered webhooks change nothing, and Twilio's refusals end as the
// recruiter should see them.
func TestServeTwilioEndToEnd(t *testing.T) {
	t.Parallel()
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := startTwilioApp(t, dbURL(t))
			if !strings.Contains(a.log.String(), `"level":"WARN","msg":"Twilio sends webhooks to the base URL`) {
				t.Error("serve did not warn that its http://127.0.0.1 base URL cannot be Twilio's")
			}
			number := a.buyNumber()
			// A send Twilio never answers takes the client's 10-second timeout
			// to resolve: start the failing sends first, check them last.
			failing := a.sendFailing()
			lost := a.sendLosingAnswer()
			a.checkRoundTrip(number)
			a.checkRefusedWebhooks(number)
			a.checkDoctor()
			failing.check()
			lost.check()
			// Counted: the texts to Ana and Gus, the two still queued for Eve
			// and Fay, and Ana's and Bob's replies. The texts refused for Cy
			// and Dee gave their units back; forged and repeated webhooks
			// took none.
			var usage struct{ Used int }
			if st := a.api(a.admin, "GET", "/api/v1/numbers/"+number.ID+"/usage", nil, &usage); st != http.StatusOK || usage.Used != 6 {
				t.Errorf("usage: %d, used %d, want 6", st, usage.Used)
			}
		})
	}
}

// TestServeTwilioRejectsBadSettings: a missing or malformed Twilio setting
// stops serve before it opens the database, naming the setting and never
// repeating a secret.
func TestServeTwilioRejectsBadSettings(t *testing.T) {
	t.Parallel()
	good := map[string]string{"TWILIO_ACCOUNT_SID": twiliotest.AccountSID, "TWILIO_AUTH_TOKEN": twiliotest.AuthToken}
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		want []string
	}{
		{"nothing set", map[string]string{"TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": ""}, nil,
			[]string{"TWILIO_ACCOUNT_SID is missing", "TWILIO_AUTH_TOKEN is missing"}},
		{"a secret-looking token", map[string]string{"TWILIO_AUTH_TOKEN": "hunter2-hunter2"}, nil, []string{"TWILIO_AUTH_TOKEN is malformed"}},
		{"an auth token as account", map[string]string{"TWILIO_ACCOUNT_SID": twiliotest.AuthToken}, nil, []string{`TWILIO_ACCOUNT_SID is malformed: want "AC"`}},
		{"a bad messaging service", map[string]string{"TWILIO_MESSAGING_SERVICE_SID": "MG42"}, nil, []string{"TWILIO_MESSAGING_SERVICE_SID is malformed"}},
		{"an API base without scheme", map[string]string{"TWILIO_API_BASE": "api.twilio.com"}, nil, []string{"TWILIO_API_BASE is malformed"}},
		{"a base URL Twilio refuses", nil, []string{"--base-url", "https://my_ats.example.com"}, []string{"underscores"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			vars := sqliteVars(t)
			vars["HIRETEXT_SMS_PROVIDER"] = "twilio"
			maps.Copy(vars, good)
			maps.Copy(vars, c.vars)
			_, _, err := runCmd(t, "", vars, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
			for _, w := range c.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v, want it to say %q", err, w)
				}
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error repeats the auth token: %v", err)
			}
			dbFile := strings.TrimPrefix(vars["HIRETEXT_DATABASE"], "sqlite:")
			if _, statErr := os.Stat(filepath.Dir(dbFile)); statErr == nil {
				t.Error("serve opened the database before checking the Twilio settings")
			}
		})
	}
}

// TestNotPublic: serve warns about base URLs Twilio cannot call, or would
// call in the clear.
func TestNotPublic(t *testing.T) {
	t.Parallel()
	for raw, warn := range map[string]bool{
		"https://ats.example.com":        false,
		"https://ats.example.com:8443/x": false,
		"https://203.0.113.7":            false,
		"http://ats.example.com":         true,
		"https://localhost:8080":         true,
		"https://app.localhost":          true,
		"https://127.0.0.1":              true,
		"https://[::1]:8443":             true,
		"https://10.0.0.5":               true,
		"https://[::]:8080":              true,
	} {
		u, _ := url.Parse(raw)
		if got := notPublic(u); (got != "") != warn {
			t.Errorf("notPublic(%s) = %q, want a warning: %v", raw, got, warn)
		}
	}
}

// twilioApp is hiretext serving through run with the Twilio provider pointed
// at a fake Twilio, on a random port, with a company ready to text.
type twilioApp struct {
	t     *testing.T
	base  string // hiretext's URL and base URL: the fake sends webhooks there
	fake  *twiliotest.Server
	db    *store.DB // another handle on hiretext's database, for setup and retry times
	dbURL string
	log   *lockedLog

	org              *hiretext.Organization
	job              *hiretext.Job
	recruiterID      hiretext.UserID
	admin, recruiter string // API tokens
}

// startTwilioApp sets up a company (an administrator, a recruiter, a job)
// in the database at dbURL and starts serve on it. It stops when the test
// ends.
func startTwilioApp(t *testing.T, dbURL string) *twilioApp {
	t.Helper()
	db := storetest.Open(t, dbURL, storetest.Config{})
	a := &twilioApp{t: t, db: db, dbURL: dbURL, log: &lockedLog{}, org: storetest.MustCreateOrg(t, db, "Acme Staffing")}
	storetest.MustGrantNumbers(t, db, a.org.ID, 1, 500)
	admin := storetest.MustCreateUser(t, db, a.org.ID, "Dana Admin", hiretext.RoleAdmin)
	rec := storetest.MustCreateUser(t, db, a.org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles)
	a.admin, a.recruiter, a.recruiterID = a.token(admin), a.token(rec), rec.ID
	a.job = storetest.MustCreateJob(t, db, a.org.ID, "Forklift Operator")

	// Cleanups run last first: registering serve's stop before the fake exists
	// closes the fake first, which lets go of a send it holds (HangSendsTo), so
	// serve's shutdown does not wait out the client timeout.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
		if t.Failed() {
			t.Logf("server log, without requests:\n%s", a.log.withoutRequests())
		}
	})
	a.fake = twiliotest.NewServer(t)
	vars := map[string]string{"HIRETEXT_DATABASE": dbURL, "TWILIO_ACCOUNT_SID": twiliotest.AccountSID,
		"TWILIO_AUTH_TOKEN": twiliotest.AuthToken, "TWILIO_API_BASE": a.fake.URL()}
	pr, pw := io.Pipe()
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--sms-provider", "twilio", "--send-rate", "100"},
			func(k string) string { return vars[k] }, strings.NewReader(""), pw, a.log)
		pw.Close()
	}()
	a.base = strings.TrimPrefix(readLines(t, pr, 1)[0], "hiretext is running at ")
	return a
}

// twilioNumber is a number in the API.
type twilioNumber struct {
	ID    string
	Phone string `json:"phone_number"`
}

// buyNumber has the administrator generate a number through the API and
// assigns the recruiter to it. Twilio must have been told to send the
// number's texts to hiretext's inbound webhook.
func (a *twilioApp) buyNumber() twilioNumber {
	t := a.t
	t.Helper()
	var n twilioNumber
	if st := a.api(a.admin, "POST", "/api/v1/numbers", map[string]string{"area_code": "415"}, &n); st != http.StatusCreated {
		t.Fatalf("generate a number: %d", st)
	}
	owned := a.fake.Numbers()
	if len(owned) != 1 || owned[0].Phone != n.Phone || !strings.HasPrefix(n.Phone, "+1415") ||
		owned[0].SmsURL != a.base+"/webhooks/twilio/inbound" || owned[0].SmsMethod != "POST" {
		t.Fatalf("bought %+v from Twilio, API says %+v; want one 415 number whose SmsUrl is %s/webhooks/twilio/inbound (POST)", owned, n, a.base)
	}
	id, _ := strconv.ParseInt(n.ID, 10, 64)
	if stored, err := a.db.NumberByID(context.Background(), a.org.ID, hiretext.NumberID(id)); err != nil ||
		stored.Provider != "twilio" || stored.ProviderID != owned[0].SID {
		t.Fatalf("stored number %+v (%v), want provider twilio with sid %s", stored, err, owned[0].SID)
	}
	body := map[string][]string{"user_ids": {strconv.FormatInt(int64(a.recruiterID), 10)}}
	if st := a.api(a.admin, "PUT", "/api/v1/numbers/"+n.ID+"/users", body, nil); st != http.StatusOK {
		t.Fatalf("assign the recruiter: %d", st)
	}
	return n
}

// checkRoundTrip texts a candidate and follows the text through Twilio's
// status callbacks, then the candidate's reply.
func (a *twilioApp) checkRoundTrip(number twilioNumber) {
	t := a.t
	t.Helper()
	ana := a.candidate("Ana", "+17735550140")
	id := a.send("Hi Ana, can you interview Tuesday at 10?", ana.ID)[0]
	var sent twiliotest.Message
	storetest.Eventually(a.t, "Twilio to get the text", func() (ok bool) { sent, ok = a.fakeMessageTo(ana.TextingPhone()); return ok })
	want := twiliotest.Message{SID: sent.SID, From: number.Phone, To: ana.TextingPhone(), Body: "Hi Ana, can you interview Tuesday at 10?",
		StatusCallback: a.base + "/webhooks/twilio/status", Status: "queued", Segments: 1, Created: sent.Created}
	if sent != want {
		t.Fatalf("Twilio got %+v, want %+v", sent, want)
	}
	storetest.Eventually(a.t, "the text to be recorded as handed to Twilio", func() bool { return a.message(id).Status == "sending" })

	ctx := context.Background()
	for _, step := range []struct {
		twilio, want string
		forged       bool
	}{
		{"sent", "sent", false},
		{"failed", "sent", true}, // not signed by Twilio: refused
		{"delivered", "delivered", false},
		{"sent", "delivered", false},                // late: a status never moves back
		{"partially_delivered", "delivered", false}, // unknown to hiretext: acknowledged, logged
	} {
		if step.forged {
			forged := url.Values{"MessageSid": {sent.SID}, "MessageStatus": {step.twilio}, "ErrorCode": {"30006"}}
			sig := twilio.Sign("ffeeddccbbaa99887766554433221100", a.base+"/webhooks/twilio/status", forged)
			if st, _, _ := a.webhook("/webhooks/twilio/status", forged, sig); st != http.StatusForbidden {
				t.Errorf("forged status callback: %d, want 403", st)
			}
		} else if err := a.fake.DeliverStatus(ctx, sent.SID, step.twilio, ""); err != nil {
			t.Fatalf("status callback %s: %v", step.twilio, err)
		}
		if got := a.message(id).Status; got != step.want {
			t.Errorf("after a status callback %s (forged: %v) the text is %s, want %s", step.twilio, step.forged, got, step.want)
		}
	}
	if !strings.Contains(a.log.String(), "unknown message status acknowledged") {
		t.Error("the unknown status was not logged")
	}

	if _, err := a.fake.DeliverInbound(ctx, ana.TextingPhone(), number.Phone, "Tuesday at 10 works, thanks!"); err != nil {
		t.Fatalf("inbound: %v", err)
	}
	conv := a.conversation(ana.ID)
	if len(conv) != 2 || conv[1].Direction != "inbound" || conv[1].Body != "Tuesday at 10 works, thanks!" || conv[1].Status != "received" {
		t.Fatalf("conversation: %+v, want the text and then the reply", conv)
	}
}

// checkRefusedWebhooks posts webhooks Twilio did not sign, or signed for
// another body, then one reply twice: only that reply, once, is stored.
func (a *twilioApp) checkRefusedWebhooks(number twilioNumber) {
	t := a.t
	t.Helper()
	bob := a.candidate("Bob", "+17735550145")
	inboundURL := a.base + "/webhooks/twilio/inbound"
	reply := url.Values{"MessageSid": {"SM00000000000000000000000000000e2e"}, "AccountSid": {twiliotest.AccountSID},
		"From": {bob.TextingPhone()}, "To": {number.Phone}, "Body": {"See you then."}, "NumSegments": {"1"}, "SmsStatus": {"received"}}
	stop := maps.Clone(reply)
	stop.Set("Body", "STOP")
	for _, c := range []struct {
		name string
		sig  string
		form url.Values
	}{
		{"an unsigned STOP", "", stop},
		{"a STOP signed with another auth token", twilio.Sign("ffeeddccbbaa99887766554433221100", inboundURL, stop), stop},
		{"a signed reply replayed as STOP", twilio.Sign(twiliotest.AuthToken, inboundURL, reply), stop},
	} {
		if st, _, body := a.webhook("/webhooks/twilio/inbound", c.form, c.sig); st != http.StatusForbidden {
			t.Errorf("%s: %d %s, want 403", c.name, st, body)
		}
	}
	for range 2 { // Twilio may deliver a webhook twice
		st, ctype, body := a.webhook("/webhooks/twilio/inbound", reply, twilio.Sign(twiliotest.AuthToken, inboundURL, reply))
		if st != http.StatusOK || ctype != "text/xml" || !strings.HasSuffix(body, "<Response/>") {
			t.Fatalf("signed reply: %d %q %q, want 200 text/xml with empty <Response/>", st, ctype, body)
		}
	}
	if conv := a.conversation(bob.ID); len(conv) != 1 || conv[0].Body != "See you then." {
		t.Errorf("conversation: %+v, want the one signed reply", conv)
	}
	var c struct{ SMS struct{ Status string } }
	if a.api(a.recruiter, "GET", fmt.Sprint("/api/v1/candidates/", bob.ID), nil, &c); c.SMS.Status != "opted_in" {
		t.Errorf("after forged STOPs the candidate is %q, want opted_in", c.SMS.Status)
	}
	for _, path := range []string{"/webhooks/simulator/inbound", "/simulator"} {
		if st, _, _ := a.webhook(path, reply, twilio.Sign(twiliotest.AuthToken, a.base+path, reply)); st != http.StatusNotFound {
			t.Errorf("POST %s with Twilio: %d, want 404", path, st)
		}
	}
}

// failingSends are texts Twilio refuses: an invalid number (21211), a
// candidate who replied STOP to the carrier (21610), Twilio too busy (20429)
// and Twilio never answering.
type failingSends struct {
	a        *twilioApp
	optedOut hiretext.CandidateID
	ids      []string // the texts' ids, in the order above
}

// sendFailing queues one text to each failing candidate.
func (a *twilioApp) sendFailing() *failingSends {
	cands := []*hiretext.Candidate{a.candidate("Cy", "+17735550141"), a.candidate("Dee", "+17735550142"),
		a.candidate("Eve", "+17735550143"), a.candidate("Fay", "+17735550144")}
	a.fake.FailSendsTo(cands[0].TextingPhone(), 21211)
	a.fake.FailSendsTo(cands[1].TextingPhone(), 21610)
	a.fake.FailSendsTo(cands[2].TextingPhone(), 20429)
	a.fake.HangSendsTo(cands[3].TextingPhone())
	ids := a.send("Your interview is confirmed.", cands[0].ID, cands[1].ID, cands[2].ID, cands[3].ID)
	return &failingSends{a: a, optedOut: cands[1].ID, ids: ids}
}

// check waits for each refusal to be recorded: the invalid number fails in
// plain words with Twilio's code, the carrier opt-out with Twilio's reason
// and code (and the opt-out opts
// the candidate out); the busy Twilio leaves the text queued with a retry
// scheduled, the silent one with a lookup before any new send.
func (f *failingSends) check() {
	a, t := f.a, f.a.t
	t.Helper()
	for i, want := range []apiTestMessage{
		{Status: "failed", ErrorCode: "21211", ErrorMessage: "Not sent: invalid phone number — this is not a valid phone number (code 21211)."},
		{Status: "failed", ErrorCode: "21610", ErrorMessage: "Not sent: the recipient opted out at the carrier (Attempt to send to unsubscribed recipient, code 21610)."},
		{Status: "queued", ErrorCode: "20429", ErrorMessage: "Retrying: Too Many Requests."},
		{Status: "queued", ErrorMessage: "Checking with the provider whether it took the text: Twilio did not answer in time."},
	} {
		var got apiTestMessage
		storetest.Eventually(t, "the outcome "+want.ErrorMessage, func() bool {
			got = a.message(f.ids[i])
			return got.ErrorMessage != "" && (want.Status == "failed" || a.retryScheduled(f.ids[i]))
		})
		if got.Status != want.Status || got.ErrorCode != want.ErrorCode || got.ErrorMessage != want.ErrorMessage {
			t.Errorf("text %d: %+v, want %+v", i, got, want)
		}
	}
	for _, m := range a.fake.Messages() {
		if m.Body == "Your interview is confirmed." {
			t.Errorf("Twilio accepted a text it should have refused: %+v", m)
		}
	}
	var consent struct {
		Events []struct {
			Status, Source string
			MessageID      string `json:"message_id"`
		}
	}
	a.api(a.recruiter, "GET", fmt.Sprint("/api/v1/candidates/", f.optedOut, "/consent"), nil, &consent)
	if e := consent.Events; len(e) == 0 || e[0].Status != "opted_out" || e[0].Source != "provider" || e[0].MessageID != f.ids[1] {
		t.Errorf("consent history after 21610: %+v, want it to start (newest first) with an opt-out by the provider citing message %s", e, f.ids[1])
	}
}

// lostAnswer is a text Twilio takes while its answer is lost (a proxy's
// 502 after Twilio acted).
type lostAnswer struct {
	a     *twilioApp
	id    string
	phone string
}

// sendLosingAnswer queues a text to Gus, whose sends Twilio takes and whose
// answers are lost.
func (a *twilioApp) sendLosingAnswer() *lostAnswer {
	gus := a.candidate("Gus", "+17735550146")
	a.fake.LoseAnswersTo(gus.TextingPhone(), http.StatusBadGateway)
	return &lostAnswer{a: a, id: a.send("Can you start Monday?", gus.ID)[0], phone: gus.TextingPhone()}
}

// check waits for the text to be recorded as handed over: hiretext looked
// it up in Twilio's list instead of sending it again, so Gus got it once.
func (l *lostAnswer) check() {
	a, t := l.a, l.a.t
	t.Helper()
	storetest.Eventually(t, "the text Twilio took to be found and recorded", func() bool { return a.message(l.id).Status == "sending" })
	n := 0
	for _, m := range a.fake.Messages() {
		if m.To == l.phone {
			n++
		}
	}
	if n != 1 {
		t.Errorf("Twilio holds %d texts to Gus, want 1: a send whose answer was lost was repeated", n)
	}
}

// apiTestMessage is a message as the API shows it.
type apiTestMessage struct {
	Direction, Body, Status string
	ErrorCode               string `json:"error_code"`
	ErrorMessage            string `json:"error_message"`
}

// candidate applies to the job as a new person who agreed to texts on phone.
func (a *twilioApp) candidate(first, phone string) *hiretext.Candidate {
	a.t.Helper()
	app := storetest.Applicant(a.job.ID, first, "Tester")
	app.MainPhone = phone
	c, err := a.db.CandidateByID(context.Background(), a.org.ID, storetest.MustApply(a.t, a.db, a.org.ID, app).CandidateID)
	if err != nil || c.TextingPhone() != phone {
		a.t.Fatalf("candidate %s: %+v %v", first, c, err)
	}
	return c
}

// send has the recruiter text the candidates and returns the message ids.
func (a *twilioApp) send(body string, ids ...hiretext.CandidateID) []string {
	a.t.Helper()
	in := map[string]any{"body": body, "candidate_ids": []string{}}
	for _, id := range ids {
		in["candidate_ids"] = append(in["candidate_ids"].([]string), fmt.Sprint(id))
	}
	var out struct {
		Results []struct {
			Status    string
			MessageID string `json:"message_id"`
		}
	}
	if st := a.api(a.recruiter, "POST", "/api/v1/messages", in, &out); st != http.StatusAccepted || len(out.Results) != len(ids) {
		a.t.Fatalf("send: %d %+v", st, out)
	}
	var msgs []string
	for _, r := range out.Results {
		if r.Status != "queued" {
			a.t.Fatalf("send: %+v, want every text queued", out)
		}
		msgs = append(msgs, r.MessageID)
	}
	return msgs
}

// message returns a message of the recruiter's number.
func (a *twilioApp) message(id string) apiTestMessage {
	a.t.Helper()
	var m apiTestMessage
	if st := a.api(a.recruiter, "GET", "/api/v1/messages/"+id, nil, &m); st != http.StatusOK {
		a.t.Fatalf("GET message %s: %d", id, st)
	}
	return m
}

// conversation returns the texts between the recruiter's number and a
// candidate, oldest first.
func (a *twilioApp) conversation(id hiretext.CandidateID) []apiTestMessage {
	a.t.Helper()
	var out struct{ Messages []apiTestMessage }
	if st := a.api(a.recruiter, "GET", fmt.Sprint("/api/v1/candidates/", id, "/messages"), nil, &out); st != http.StatusOK {
		a.t.Fatalf("GET conversation: %d", st)
	}
	return out.Messages
}

// fakeMessageTo returns the text Twilio accepted for phone.
func (a *twilioApp) fakeMessageTo(phone string) (twiliotest.Message, bool) {
	for _, m := range a.fake.Messages() {
		if m.To == phone {
			return m, true
		}
	}
	return twiliotest.Message{}, false
}

// retryScheduled reports whether a message waits in the queue for a retry
// the dispatcher scheduled: not claimed, next attempt after its last change.
func (a *twilioApp) retryScheduled(id string) bool {
	a.t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		a.t.Fatal(err)
	}
	read, _ := a.db.Pools()
	var due int
	err = read.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM messages WHERE id = %d AND status = 'queued'
		AND lease_until IS NULL AND next_attempt_at > updated_at`, n)).Scan(&due)
	if err != nil {
		a.t.Fatal(err)
	}
	return due == 1
}

// token creates an API token for u.
func (a *twilioApp) token(u *hiretext.User) string {
	a.t.Helper()
	_, secret, err := a.db.CreateToken(context.Background(), u.OrgID, u.ID, "twilio test")
	if err != nil {
		a.t.Fatal(err)
	}
	return secret
}

// api sends in as JSON with a bearer token, decodes the answer into out
// when given, and returns the status.
func (a *twilioApp) api(token, method, path string, in, out any) int {
	a.t.Helper()
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

// webhook posts a form as Twilio does, with sig as X-Twilio-Signature
// unless it is empty.
func (a *twilioApp) webhook(path string, form url.Values, sig string) (status int, contentType, body string) {
	a.t.Helper()
	req, _ := http.NewRequest("POST", a.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set(twilio.SignatureHeader, sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(data)
}

// lockedLog is serve's log, written by its goroutines and read by the test.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// withoutRequests is the log without its line per request: what went on.
func (l *lockedLog) withoutRequests() string {
	var keep []string
	for line := range strings.Lines(l.String()) {
		if !strings.Contains(line, `"msg":"request"`) {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}

// checkDoctor runs hiretext doctor with serve's Twilio settings: the
// credentials work, a webhook signed as Twilio signs it is accepted, and
// Twilio's clock is compared; with a wrong auth token both fail.
func (a *twilioApp) checkDoctor() {
	t := a.t
	t.Helper()
	vars := map[string]string{"HIRETEXT_DATABASE": a.dbURL, "HIRETEXT_SMS_PROVIDER": "twilio", "HIRETEXT_BASE_URL": a.base,
		"TWILIO_ACCOUNT_SID": twiliotest.AccountSID, "TWILIO_AUTH_TOKEN": twiliotest.AuthToken, "TWILIO_API_BASE": a.fake.URL()}
	lines, err := doctorLines(t, vars)
	if err != nil {
		t.Errorf("doctor: %v\n%v", err, lines)
	}
	wantLine(t, lines, "provider", "OK", "Twilio account "+twiliotest.AccountSID, "is active")
	wantLine(t, lines, "webhook", "OK", "signed as twilio signs them", a.base+"/webhooks/twilio/check")
	wantLine(t, lines, "clock", "OK", "Twilio")
	vars["TWILIO_AUTH_TOKEN"] = "ffeeddccbbaa99887766554433221100"
	lines, _ = doctorLines(t, vars)
	wantLine(t, lines, "provider", "FAIL", "20003", "TWILIO_AUTH_TOKEN")
	wantLine(t, lines, "webhook", "FAIL", "refused (403)")
}
