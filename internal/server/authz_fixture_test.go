package server_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// Markers are written into the first company's data so the matrix can tell
// when a response shows something its caller must not see.
const (
	candidateMarker = "Quillfeather" // the candidate's last name
	messageMarker   = "Zq7secret"    // starts every text body, so snippets show it
	// forgedSignature is a well-formed X-Simulator-Signature that is not the
	// simulator's.
	forgedSignature = "00000000000000000000000000000000000000000000000000000000000000ff"
)

// matrixFixture is a running hiretext (simulator provider, live updates)
// with two companies. Acme has three simulator numbers: N1 (the recruiter,
// the texter and the profiler), N2 (the other recruiter and Sam) and N3 (nobody; released by
// the matrix). Its candidate has texts with N1, and N1 has a conversation
// with an unknown sender. Other Co has its administrator on its own number.
type matrixFixture struct {
	ts    *testServer
	db    *store.DB
	sim   *simulator.Provider
	users [nPrincipals]*hiretext.User // nil for the anonymous caller
	vars  map[string]string           // "$name" → value, for paths and bodies
}

// newMatrixServer is a test server with the simulator and live updates;
// streams end after a moment so a request for one returns.
func newMatrixServer(t *testing.T, db *store.DB) (*testServer, *simulator.Provider) {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + hs.Listener.Addr().String())
	sim, err := simulator.New(context.Background(), simulator.Config{Store: db.Simulator(), BaseURL: base.String()})
	if err != nil {
		t.Fatal(err)
	}
	broker, _ := startBroker(t, db, events.Config{})
	srv, err := server.New(context.Background(), server.Config{BaseURL: base, Clock: hiretext.SystemClock, Logger: testLogger(t),
		Provider: sim, Events: broker, Stream: server.StreamOptions{MaxAge: 100 * time.Millisecond}}, db)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	return &testServer{Server: hs, db: db, srv: srv}, sim
}

func newMatrixFixture(t *testing.T, db *store.DB) *matrixFixture {
	t.Helper()
	ts, sim := newMatrixServer(t, db)
	f := &matrixFixture{ts: ts, db: db, sim: sim}
	org := storetest.MustCreateOrg(t, db, "Acme")
	storetest.MustGrantNumbers(t, db, org.ID, 4, 100) // one more than it has, so the admin sees offers
	n1, n2, n3 := f.simNumber(t, org.ID), f.simNumber(t, org.ID), f.simNumber(t, org.ID)
	sam := f.createUsers(t, org.ID, n1, n2)
	job := storetest.MustCreateJob(t, db, org.ID, "Forklift Operator")
	app := storetest.MustApply(t, db, org.ID, storetest.Applicant(job.ID, "Ann", candidateMarker))
	cand, err := db.CandidateByID(context.Background(), org.ID, app.CandidateID)
	if err != nil {
		t.Fatal(err)
	}
	candPhone, _ := phone.Parse(cand.MainPhone, "US")
	sent, unknown := f.texts(t, org.ID, cand.ID, candPhone, n1.Phone)
	note := f.notification(t, org.ID, n1)
	samToken, _, err := db.CreateToken(context.Background(), org.ID, sam.ID, "sam")
	if err != nil {
		t.Fatal(err)
	}
	offers, err := sim.SearchNumbers(context.Background(), sms.NumberQuery{Country: "US", AreaCode: "415", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	f.users[pOtherCompany] = otherCompanyAdmin(t, db)
	tpl, tpl2, rtpl := f.templates(t, org.ID)
	forms := f.forms(t, org.ID)
	q := url.QueryEscape
	f.vars = map[string]string{
		"$org": org.Slug, "$job": idStr(int64(job.ID)), "$cand": idStr(int64(cand.ID)), "$sam": idStr(int64(sam.ID)),
		"$token": idStr(int64(samToken.ID)), "$n1": idStr(int64(n1.ID)), "$n2": idStr(int64(n2.ID)), "$n3": idStr(int64(n3.ID)),
		"$conv": idStr(int64(unknown)), "$message": idStr(int64(sent)),
		"$rec1": idStr(int64(f.users[pRecruiter].ID)), "$rec2": idStr(int64(f.users[pOtherNumber].ID)),
		"$texter": idStr(int64(f.users[pTexter].ID)), "$profiler": idStr(int64(f.users[pProfiler].ID)), "$candphone": q(candPhone), "$n1phone": q(n1.Phone),
		"$note": idStr(int64(note)), "$offer": q(offers[0].Phone), "$tpl": idStr(int64(tpl)), "$tpl2": idStr(int64(tpl2)), "$rtpl": idStr(int64(rtpl)),
		"$form": forms[0], "$form2": forms[1], "$form3": forms[2], "$app": idStr(int64(app.ID)),
		"$media": idStr(int64(f.picture(t, candPhone, n1.Phone))),
	}
	return f
}

// templates saves two company templates and one of the recruiter's own,
// and returns their ids.
func (f *matrixFixture) templates(t *testing.T, org hiretext.OrgID) (company, company2, recruiters hiretext.TemplateID) {
	t.Helper()
	var ids [3]hiretext.TemplateID
	for i, in := range []struct {
		user  hiretext.UserID
		scope hiretext.TemplateScope
		name  string
	}{{f.users[pAdmin].ID, hiretext.ScopeCompany, "Interview invitation"}, {f.users[pAdmin].ID, hiretext.ScopeCompany, "Open house"},
		{f.users[pRecruiter].ID, hiretext.ScopePersonal, "Rita's follow-up"}} {
		tpl, err := f.db.CreateTemplate(context.Background(), org, in.user, hiretext.TemplateInput{Scope: in.scope, Name: in.name,
			Body: "Hi {FirstName|there}, about {JobTitle|the role}"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = tpl.ID
	}
	return ids[0], ids[1], ids[2]
}

// forms saves three custom application forms (one to keep, one to delete
// on the page, one through the API) and returns their ids.
func (f *matrixFixture) forms(t *testing.T, org hiretext.OrgID) [3]string {
	t.Helper()
	var ids [3]string
	for i, name := range []string{"Warehouse application", "Office application", "Yard application"} {
		in := storetest.WarehouseForm()
		in.Name = name
		form, err := f.db.CreateApplicationForm(context.Background(), org, in)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = string(form.ID)
	}
	return ids
}

// createUsers creates the first company's principals and Sam, a spare
// user, and assigns them: the recruiter, the texter and the profiler to n1,
// the other recruiter and Sam to n2. It returns Sam.
func (f *matrixFixture) createUsers(t *testing.T, org hiretext.OrgID, n1, n2 *hiretext.Number) *hiretext.User {
	t.Helper()
	user := func(name string, role hiretext.Role, perms ...hiretext.Permission) *hiretext.User {
		return storetest.MustCreateUser(t, f.db, org, name, role, perms...)
	}
	ats := []hiretext.Permission{hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles}
	f.users[pManager] = user("Hank Manager", hiretext.RoleUser, ats...)
	f.users[pRecruiter] = user("Rita Recruiter", hiretext.RoleUser, ats...)
	f.users[pOtherNumber] = user("Omar Othernumber", hiretext.RoleUser, ats...)
	f.users[pAdmin] = user("Dana Admin", hiretext.RoleAdmin)
	f.users[pReporter] = user("Rory Reporter", hiretext.RoleUser, hiretext.PermSMSReport)
	f.users[pTexter] = user("Tess Texter", hiretext.RoleUser, hiretext.PermJobs)
	f.users[pProfiler] = user("Pat Profiler", hiretext.RoleUser, hiretext.PermProfiles)
	sam := user("Sam Spare", hiretext.RoleUser, ats...)
	for _, u := range []*hiretext.User{f.users[pRecruiter], f.users[pTexter], f.users[pProfiler]} {
		storetest.MustAssign(t, f.db, org, n1.ID, u.ID)
	}
	for _, u := range []*hiretext.User{f.users[pOtherNumber], sam} {
		storetest.MustAssign(t, f.db, org, n2.ID, u.ID)
	}
	return sam
}

// texts has the recruiter text the candidate from n1 and the candidate
// reply, and an unknown sender text n1. It returns the recruiter's text and
// the unknown sender's conversation.
func (f *matrixFixture) texts(t *testing.T, org hiretext.OrgID, cand hiretext.CandidateID, candPhone, n1 string) (hiretext.MessageID, hiretext.ConversationID) {
	t.Helper()
	sent, err := f.db.SendMessages(context.Background(), hiretext.SendRequest{OrgID: org, UserID: f.users[pRecruiter].ID,
		CandidateIDs: []hiretext.CandidateID{cand}, Body: messageMarker + " Are you free Monday?"})
	if err != nil || !sent[0].Queued {
		t.Fatalf("send: %v %+v", err, sent)
	}
	f.receive(t, "SM-matrix-1", candPhone, n1, messageMarker+" Yes, Monday works.")
	unknown := f.receive(t, "SM-matrix-2", storetest.RandomPhone(t), n1, messageMarker+" Who is this?")
	return sent[0].MessageID, unknown.ConversationID
}

// picture has the candidate send n1 a picture, fetched and stored, and
// returns its id.
func (f *matrixFixture) picture(t *testing.T, candPhone, n1 string) hiretext.MediaID {
	t.Helper()
	ctx := context.Background()
	if _, err := f.db.ReceiveText(ctx, hiretext.IncomingText{Provider: "simulator", ProviderMessageID: "MM-matrix-1", From: candPhone, To: n1,
		Body: messageMarker + " My certificate.", Media: []hiretext.IncomingMedia{{URL: "https://sim.example/m", ContentType: "image/png"}}}); err != nil {
		t.Fatal(err)
	}
	claimed, err := f.db.ClaimMediaFetches(ctx, "simulator", 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim the picture: %v %v", claimed, err)
	}
	if err := f.db.StoreMediaContent(ctx, claimed[0].ID, "image/png", []byte("\x89PNG\r\n\x1a\n")); err != nil {
		t.Fatal(err)
	}
	return claimed[0].ID
}

// notification has the operator lower n1's allowance to what it used and
// raise it again: each user of n1 gets the alerts as notifications. It
// returns the recruiter's newest.
func (f *matrixFixture) notification(t *testing.T, org hiretext.OrgID, n1 *hiretext.Number) hiretext.NotificationID {
	t.Helper()
	ctx := context.Background()
	u, err := f.db.Usage(ctx, org, n1.ID, "")
	for _, monthly := range []int{u.Used, u.Allowance} {
		if err == nil {
			_, err = f.db.SetAllowance(ctx, n1.Phone, monthly)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	notes, err := f.db.ListNotifications(ctx, org, f.users[pRecruiter].ID)
	if err != nil || len(notes) == 0 {
		t.Fatalf("the recruiter's notifications: %v, %v", notes, err)
	}
	return notes[0].ID
}

// otherCompanyAdmin creates another company whose administrator texts from
// its own number.
func otherCompanyAdmin(t *testing.T, db *store.DB) *hiretext.User {
	t.Helper()
	other := storetest.MustCreateOrg(t, db, "Other Co")
	admin := storetest.MustCreateUser(t, db, other.ID, "Olga Otheradmin", hiretext.RoleAdmin)
	storetest.MustGrantNumbers(t, db, other.ID, 1, 100)
	storetest.MustAssign(t, db, other.ID, storetest.MustAddNumber(t, db, other.ID).ID, admin.ID)
	return admin
}

// simNumber buys a simulator number for org.
func (f *matrixFixture) simNumber(t *testing.T, org hiretext.OrgID) *hiretext.Number {
	t.Helper()
	ctx := context.Background()
	offers, err := f.sim.SearchNumbers(ctx, sms.NumberQuery{Country: "US", AreaCode: "312", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	pn, err := f.sim.BuyNumber(ctx, offers[0].Phone)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.db.AddNumber(ctx, org, hiretext.NewNumber{Phone: pn.Phone, Provider: "simulator", ProviderID: pn.ProviderID})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// receive stores an inbound text as the webhook would.
func (f *matrixFixture) receive(t *testing.T, id, from, to, body string) *hiretext.Message {
	t.Helper()
	res, err := f.db.ReceiveText(context.Background(), hiretext.IncomingText{Provider: "simulator", ProviderMessageID: id,
		From: from, To: to, Body: body})
	if err != nil || res.Message == nil {
		t.Fatalf("receive: %v", err)
	}
	return res.Message
}

// expand replaces the fixture's "$name" variables in s; "$now" is the
// current time, for webhook timestamps.
func (f *matrixFixture) expand(s string) string {
	vars := maps.Clone(f.vars)
	vars["$now"] = url.QueryEscape(time.Now().UTC().Format(time.RFC3339Nano))
	// Longest first, so "$cand" does not replace the start of "$candphone".
	keys := slices.SortedFunc(maps.Keys(vars), func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, k, vars[k])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// caller sends requests as one principal: pages with the session cookie of
// a browser that logged in, the API with a bearer token.
type caller struct {
	browser *http.Client
	api     *http.Client
	token   string
}

func (f *matrixFixture) caller(t *testing.T, u *hiretext.User) *caller {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c := &caller{browser: &http.Client{Jar: jar, CheckRedirect: noRedirect, Timeout: 10 * time.Second},
		api: &http.Client{CheckRedirect: noRedirect, Timeout: 10 * time.Second}}
	if u == nil {
		return c
	}
	c.token = token(t, f.db, u)
	form := url.Values{"email": {u.Email}, "password": {storetest.TestPassword}}
	if st, _, _ := c.send(t, f.ts.URL, "POST", "/login", form.Encode(), false); st != http.StatusSeeOther {
		t.Fatalf("login %s: %d", u.Name, st)
	}
	return c
}

// send makes one request as a same-origin browser (form bodies) or an API
// client (JSON bodies) and returns the status, the redirect target and the
// body. Provider webhooks carry a forged signature: no caller may pass one.
func (c *caller) send(t *testing.T, base, method, target, body string, api bool) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, base+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	client := c.browser
	switch {
	case api:
		client = c.api
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
	case method != http.MethodGet:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if strings.HasPrefix(target, "/webhooks/") {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(simulator.SignatureHeader, forgedSignature)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(data)
}
