package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// newNumbersServer is a test server with the simulator as its SMS provider.
func newNumbersServer(t *testing.T, db *store.DB, opts ...testOption) (*testServer, *simulator.Provider) {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + hs.Listener.Addr().String())
	sim, err := simulator.New(context.Background(), simulator.Config{Store: db.Simulator(), BaseURL: base.String()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{BaseURL: base, Clock: hiretext.SystemClock, Logger: testLogger(t), Provider: sim}
	var st server.Store = db
	for _, o := range opts {
		o(&cfg, &st)
	}
	srv, err := server.New(context.Background(), cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	return &testServer{Server: hs, db: db, srv: srv}, sim
}

// offeredRE finds the numbers an offers page lists (html/template writes
// the "+" as &#43;).
var offeredRE = regexp.MustCompile(`name="phone" value="(?:\+|&#43;)(1\d{10})"`)

// TestNumberOffersComeFromTheCompanysArea: without an area code a Chicago
// company is offered Chicago numbers (its time zone's city), then numbers in
// the area code of its first number, and the page says which area and why;
// a bad area code is a field error that the page does not repeat.
func TestNumberOffersComeFromTheCompanysArea(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, _ := newNumbersServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme") // America/Chicago, US
	admin := storetest.MustCreateUser(t, db, org.ID, "Dana Admin", hiretext.RoleAdmin)
	storetest.MustGrantNumbers(t, db, org.ID, 2, 500)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	allIn := func(body, area string) bool {
		offers := offeredRE.FindAllStringSubmatch(body, -1)
		for _, o := range offers {
			if !strings.HasPrefix(o[1], "1"+area) {
				return false
			}
		}
		return len(offers) > 0
	}

	_, body, _ := b.do("GET", "/admin/numbers", nil)
	mustContain(t, "step 1", body, "Leave it empty for numbers from area code 312 (Chicago, IL), the area code of the city your company")
	st, body, _ := b.do("GET", "/admin/numbers/new", nil)
	if st != http.StatusOK || !allIn(body, "312") {
		t.Fatalf("offers without an area code: %d, want Chicago numbers:\n%s", st, offeredRE.FindAllString(body, -1))
	}
	mustContain(t, "offers near the company", body, "numbers offered in area code 312 (Chicago, IL)",
		"These numbers are from area code 312 (Chicago, IL), the area code of the city your company&#39;s time zone is named after (America/Chicago).")

	st, body, _ = b.do("GET", "/admin/numbers/new?area_code=415", nil)
	pick := offeredRE.FindStringSubmatch(body)
	if st != http.StatusOK || !allIn(body, "415") || !strings.Contains(body, "numbers offered in area code 415 (California)") {
		t.Fatalf("offers in 415: %d", st)
	}
	// The hint names the company's area, not the one just searched.
	mustContain(t, "the hint after a search in 415", body, "Leave it empty for numbers from area code 312 (Chicago, IL), near your company.")
	if st, _, _ := b.do("POST", "/admin/numbers", url.Values{"phone": {"+" + pick[1]}}); st != http.StatusSeeOther {
		t.Fatalf("create: %d", st)
	}
	_, body, _ = b.do("GET", "/admin/numbers/new", nil)
	if !allIn(body, "415") {
		t.Fatal("without an area code the offers are not in the area code of the company's number")
	}
	mustContain(t, "offers near the number", body, "These numbers are from area code 415 (California), the area code of your company&#39;s number (415) ")

	for _, c := range []struct{ code, want string }{
		{"abc", "Enter an area code of three digits, e.g. 312."},
		{"31", "Enter an area code of three digits, e.g. 312."},
		{"999", "That is not an area code of a place in the United States."},
		{"416", "That is not an area code of a place in the United States."}, // Toronto
		{"800", "That is not an area code of a place in the United States."}, // toll-free
	} {
		st, body, _ := b.do("GET", "/admin/numbers/new?area_code="+c.code, nil)
		if st != http.StatusUnprocessableEntity || offeredRE.MatchString(body) {
			t.Errorf("area code %q: %d, want 422 and no offers", c.code, st)
		}
		mustContain(t, "area code "+c.code, body, `<p class="field-error" id="area_code-error">`+c.want, `aria-invalid="true"`)
		if strings.Contains(body, "area code "+c.code) || !strings.Contains(body, "pick one of the numbers offered</p>") ||
			!strings.Contains(body, `value="`+c.code+`"`) {
			t.Errorf("area code %q: the heading repeats it, or its box lost it", c.code)
		}
	}
}

func TestAdminGeneratesAndAssignsNumbers(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, sim := newNumbersServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := storetest.MustCreateUser(t, db, org.ID, "Dana Admin", hiretext.RoleAdmin)
	marcus := storetest.MustCreateUser(t, db, org.ID, "Marcus Reyes", hiretext.RoleUser)
	priya := storetest.MustCreateUser(t, db, org.ID, "Priya Natarajan", hiretext.RoleUser)
	tom := storetest.MustCreateUser(t, db, org.ID, "Tom Becker", hiretext.RoleUser)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)

	_, body, _ := b.do("GET", "/admin/numbers", nil)
	if !strings.Contains(body, "contact your account manager") || strings.Contains(body, "Find numbers") {
		t.Fatal("without a grant the page must say to contact the account manager")
	}
	storetest.MustGrantNumbers(t, db, org.ID, 2, 500)
	_, body, _ = b.do("GET", "/admin/numbers", nil)
	if !strings.Contains(body, "0 of 2 numbers in use") || !strings.Contains(body, "Find numbers") {
		t.Fatal("the generate form is missing after the grant")
	}

	// Area code → pick an offer → confirm.
	st, body, _ := b.do("GET", "/admin/numbers/new?area_code=312", nil)
	offers := offeredRE.FindAllStringSubmatch(body, -1)
	if st != 200 || len(offers) != 5 || !strings.HasPrefix(offers[2][1], "1312") || !strings.Contains(body, "Chicago, IL") {
		t.Fatalf("offers: %d, %d offers", st, len(offers))
	}
	pick := "+" + offers[2][1]
	display := fmt.Sprintf("(%s) %s-%s", pick[2:5], pick[5:8], pick[8:])
	st, body, _ = b.do("GET", "/admin/numbers/new/confirm?phone="+url.QueryEscape(pick), nil)
	if st != 200 || !strings.Contains(body, "Add "+display+"?") || !strings.Contains(body, "number 1 of the 2") {
		t.Fatalf("confirm: %d", st)
	}
	if st, _, _ := b.do("POST", "/admin/numbers", url.Values{"phone": {pick}}); st != http.StatusSeeOther {
		t.Fatalf("create: %d", st)
	}
	_, body, _ = b.do("GET", "/admin/numbers", nil)
	if !strings.Contains(body, "Added "+display) || !strings.Contains(body, display) || !strings.Contains(body, "1 of 2 numbers in use") {
		t.Fatal("the new number is not listed")
	}
	if st, body, _ := b.do("GET", "/admin/numbers/new?area_code=12", nil); st != http.StatusUnprocessableEntity || !strings.Contains(body, "three digits") {
		t.Fatalf("bad area code: %d", st)
	}
	nums, _ := db.ListNumbers(t.Context(), org.ID)
	if len(nums) != 1 || nums[0].Phone != pick || nums[0].Provider != "simulator" || nums[0].MonthlyAllowance != 500 {
		t.Fatalf("stored numbers = %+v", nums)
	}
	n := nums[0]
	path := "/admin/numbers/" + idStr(int64(n.ID))

	// Search by name, then assign three users; the fourth is refused.
	_, body, _ = b.do("GET", path+"/assign?q=mar", nil)
	if !strings.Contains(body, "Marcus Reyes") || strings.Contains(body, "Priya") {
		t.Fatal("search by name does not filter")
	}
	for _, u := range []*hiretext.User{marcus, priya, tom} {
		if st, _, _ := b.do("POST", path+"/users", url.Values{"user_id": {idStr(int64(u.ID))}}); st != http.StatusSeeOther {
			t.Fatalf("assign %s: %d", u.Name, st)
		}
	}
	st, body, _ = b.do("POST", path+"/users", url.Values{"user_id": {idStr(int64(admin.ID))}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, display+" already has 3 users, the most a number can have.") {
		t.Fatalf("fourth user: %d", st)
	}
	_, body, _ = b.do("GET", "/admin/numbers", nil)
	if !strings.Contains(body, "3 of 3 users: full") || !strings.Contains(body, "Marcus Reyes") {
		t.Fatal("users missing from the list")
	}
	// Unassigning asks first, saying what the user loses; asking changes nothing.
	confirm := path + "/users/" + idStr(int64(tom.ID)) + "/unassign"
	if !strings.Contains(body, `href="`+confirm+`"`) {
		t.Fatal("the list does not lead to the unassign confirmation")
	}
	if st, body, _ := b.do("GET", confirm, nil); st != http.StatusOK || !strings.Contains(body, "Unassign "+tom.Name+" from "+display+"?") ||
		!strings.Contains(body, "loses its conversations") {
		t.Fatalf("unassign confirmation: %d", st)
	}
	if got, _ := db.NumberByID(t.Context(), org.ID, n.ID); !got.HasUser(tom.ID) {
		t.Fatal("opening the confirmation unassigned the user")
	}
	if st, _, _ := b.do("POST", confirm, url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("unassign: %d", st)
	}
	if got, _ := db.NumberByID(t.Context(), org.ID, n.ID); got.HasUser(tom.ID) || len(got.Users) != 2 {
		t.Fatalf("after unassign: %d users", len(got.Users))
	}

	// The second number, any area code; then the entitlement is used up.
	_, body, _ = b.do("GET", "/admin/numbers/new", nil)
	second := offeredRE.FindStringSubmatch(body)
	if second == nil {
		t.Fatal("no offers without an area code")
	}
	if st, _, _ := b.do("POST", "/admin/numbers", url.Values{"phone": {"+" + second[1]}}); st != http.StatusSeeOther {
		t.Fatalf("second number: %d", st)
	}
	_, body, _ = b.do("GET", "/admin/numbers", nil)
	if !strings.Contains(body, "all 2 of the texting numbers it may have. To get more, contact your account manager.") {
		t.Fatal("the entitlement message is missing")
	}
	more, err := sim.SearchNumbers(t.Context(), sms.NumberQuery{AreaCode: "415", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	extra := more[0].Phone
	if st, body, _ := b.do("POST", "/admin/numbers", url.Values{"phone": {extra}}); st != http.StatusConflict || !strings.Contains(body, "contact your account manager") {
		t.Fatalf("beyond the entitlement: %d", st)
	}
	if active, _ := db.Simulator().NumberActive(t.Context(), extra); active {
		t.Fatal("a refused number was bought anyway")
	}

	// Release, after a confirmation that names the number.
	st, body, _ = b.do("GET", path+"/release", nil)
	if st != 200 || !strings.Contains(body, "Release "+display+"?") || !strings.Contains(body, "Marcus Reyes, Priya Natarajan will no longer text from it") {
		t.Fatalf("release confirmation: %d", st)
	}
	if st, _, _ := b.do("POST", path+"/release", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("release: %d", st)
	}
	_, body, _ = b.do("GET", "/admin/numbers", nil)
	if !strings.Contains(body, "Released "+display) || !strings.Contains(body, "Released numbers") {
		t.Fatal("released number not shown as history")
	}
	if active, _ := db.Simulator().NumberActive(t.Context(), pick); active {
		t.Fatal("the provider still has the released number")
	}
	if _, err := db.NumberForUser(t.Context(), org.ID, marcus.ID); hiretext.ErrorCode(err) != hiretext.ENotAssigned {
		t.Fatalf("marcus is still on the released number: %v", err)
	}
}

// TestAssignmentLimitsHoldUnderParallelRequests has two administrators'
// browsers and API clients race, on both databases.
func TestAssignmentLimitsHoldUnderParallelRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ts, _ := newNumbersServer(t, db)
		org := storetest.MustCreateOrg(t, db, "Acme")
		admins := []*hiretext.User{storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin), storetest.MustCreateUser(t, db, org.ID, "Ben", hiretext.RoleAdmin)}
		n1, n2, n3 := storetest.MustAddNumber(t, db, org.ID), storetest.MustAddNumber(t, db, org.ID), storetest.MustAddNumber(t, db, org.ID)
		var users []*hiretext.User
		for i := range 8 {
			users = append(users, storetest.MustCreateUser(t, db, org.ID, fmt.Sprintf("User %d", i), hiretext.RoleUser))
		}
		clients := []*http.Client{loggedInClient(t, ts, admins[0]), loggedInClient(t, ts, admins[1])}
		statuses := race(len(users), func(i int) (int, error) {
			return postForm(clients[i%2], ts.URL+"/admin/numbers/"+idStr(int64(n1.ID))+"/users", url.Values{"user_id": {idStr(int64(users[i].ID))}})
		})
		if count(statuses, http.StatusSeeOther) != 3 || count(statuses, http.StatusUnprocessableEntity) != 5 {
			t.Fatalf("8 parallel assigns to one number: %v", statuses)
		}
		if got, _ := db.NumberByID(t.Context(), org.ID, n1.ID); len(got.Users) != 3 {
			t.Fatalf("number has %d users", len(got.Users))
		}

		// One user, two numbers, two administrators at the same moment.
		tokens := []string{token(t, db, admins[0]), token(t, db, admins[1])}
		for _, u := range users {
			if _, err := db.NumberForUser(t.Context(), org.ID, u.ID); err == nil {
				continue
			}
			statuses := race(2, func(i int) (int, error) {
				return putJSON(tokens[i], ts.URL+"/api/v1/numbers/"+idStr(int64([]hiretext.NumberID{n2.ID, n3.ID}[i]))+"/users",
					`{"user_ids":["`+idStr(int64(u.ID))+`"]}`)
			})
			if count(statuses, 200) != 1 || count(statuses, http.StatusUnprocessableEntity) != 1 {
				t.Fatalf("%s onto two numbers at once: %v", u.Name, statuses)
			}
			mine, err := db.NumberForUser(t.Context(), org.ID, u.ID)
			if err != nil || (mine.ID != n2.ID && mine.ID != n3.ID) {
				t.Fatalf("%s ended on %v, %v", u.Name, mine, err)
			}
			// Free the user again for the next round.
			if err := db.UnassignUser(t.Context(), org.ID, mine.ID, u.ID); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func loggedInClient(t *testing.T, ts *testServer, u *hiretext.User) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if st, err := postForm(c, ts.URL+"/login", url.Values{"email": {u.Email}, "password": {storetest.TestPassword}}); err != nil || st != http.StatusSeeOther {
		t.Fatalf("login %s: %d %v", u.Email, st, err)
	}
	return c
}

func postForm(c *http.Client, target string, form url.Values) (int, error) {
	req, _ := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return doStatus(c, req)
}

func putJSON(tok, target, body string) (int, error) {
	req, _ := http.NewRequest("PUT", target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	return doStatus(http.DefaultClient, req)
}

func doStatus(c *http.Client, req *http.Request) (int, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// race runs fn(0..n-1) at once and returns the statuses.
func race(n int, fn func(i int) (int, error)) []int {
	out := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			st, err := fn(i)
			if err != nil {
				st = -1
			}
			out[i] = st
		})
	}
	close(start)
	wg.Wait()
	return out
}

func count(statuses []int, status int) int {
	n := 0
	for _, s := range statuses {
		if s == status {
			n++
		}
	}
	return n
}

// TestNumbersPageSaysWhenCheckedWithTheCarrier: the administrator sees,
// by each number, when reconciliation last checked it and what it found
// missing; a number never checked says nothing.
func TestNumbersPageSaysWhenCheckedWithTheCarrier(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	fx := storetest.MustSetUpTexting(t, db, 100)
	admin := storetest.MustCreateUser(t, db, fx.Org.ID, "Dana Admin", hiretext.RoleAdmin)
	b := ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	if _, body, _ := b.do("GET", "/admin/numbers", nil); strings.Contains(body, "Checked with the carrier") {
		t.Fatal("a number never checked says it was")
	}
	target := hiretext.ReconcileTarget{NumberID: fx.Number.ID, OrgID: fx.Org.ID}
	check := hiretext.ReconcileCheck{CheckedAt: time.Now().Add(-2*time.Minute - 10*time.Second), Missing: 0}
	if err := db.SaveReconcileCheck(context.Background(), target, check); err != nil {
		t.Fatal(err)
	}
	if _, body, _ := b.do("GET", "/admin/numbers", nil); !strings.Contains(body, "Checked with the carrier 2 minutes ago · 0 missing") {
		t.Fatalf("the page lacks the check:\n%s", grepLines(body, "number-phone"))
	}
}
