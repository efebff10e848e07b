package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestNumbersAPI(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, _ := newNumbersServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	admin := token(t, db, storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin))
	rita := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
	sam := storetest.MustCreateUser(t, db, org.ID, "Sam", hiretext.RoleUser)
	others := []*hiretext.User{storetest.MustCreateUser(t, db, org.ID, "Tia", hiretext.RoleUser), storetest.MustCreateUser(t, db, org.ID, "Uma", hiretext.RoleUser)}

	if st, body := ts.api(t, admin, "POST", "/api/v1/numbers", `{"area_code":"312"}`); st != 409 || errorCode(body) != "entitlement_exceeded" ||
		!strings.Contains(body["error"].(map[string]any)["message"].(string), "contact your account manager") {
		t.Fatalf("without a grant: %d %v", st, body)
	}
	storetest.MustGrantNumbers(t, db, org.ID, 2, 500)
	if st, body := ts.api(t, admin, "POST", "/api/v1/numbers", `{"area_code":"31"}`); st != 422 || errorCode(body) != "invalid" {
		t.Fatalf("bad area code: %d %v", st, body)
	}
	st, first := ts.api(t, admin, "POST", "/api/v1/numbers", `{"area_code":"312"}`)
	phone, _ := first["phone_number"].(string)
	resets, _ := time.Parse(time.RFC3339, first["resets_at"].(string))
	if st != 201 || !strings.HasPrefix(phone, "+1312") || first["monthly_allowance"] != 500.0 || first["used"] != 0.0 || first["remaining"] != 500.0 ||
		first["period"] != time.Now().In(org.Location()).Format("2006-01") || resets.In(org.Location()).Day() != 1 || len(first["users"].([]any)) != 0 {
		t.Fatalf("create: %d %v", st, first)
	}
	st, second := ts.api(t, admin, "POST", "/api/v1/numbers", "")
	if st != 201 || second["id"] == first["id"] {
		t.Fatalf("create without a body: %d %v", st, second)
	}
	if st, body := ts.api(t, admin, "POST", "/api/v1/numbers", `{}`); st != 409 || errorCode(body) != "entitlement_exceeded" {
		t.Fatalf("third number: %d %v", st, body)
	}
	if st, body := ts.api(t, admin, "POST", "/api/v1/numbers", `{"areacode":"312"}`); st != 400 {
		t.Fatalf("unknown field: %d %v", st, body)
	}

	id1, id2 := first["id"].(string), second["id"].(string)
	ids := func(us ...*hiretext.User) string {
		var s []string
		for _, u := range us {
			s = append(s, `"`+idStr(int64(u.ID))+`"`)
		}
		return `{"user_ids":[` + strings.Join(s, ",") + `]}`
	}
	if st, body := ts.api(t, admin, "PUT", "/api/v1/numbers/"+id1+"/users", ids(rita, sam, others[0], others[1])); st != 422 || errorCode(body) != "too_many_users" {
		t.Fatalf("four users: %d %v", st, body)
	}
	st, body := ts.api(t, admin, "PUT", "/api/v1/numbers/"+id1+"/users", ids(sam, rita))
	users, _ := body["users"].([]any)
	if st != 200 || len(users) != 2 || users[0].(map[string]any)["name"] != "Rita" || users[0].(map[string]any)["email"] != rita.Email {
		t.Fatalf("set users: %d %v", st, body)
	}
	if st, body := ts.api(t, admin, "PUT", "/api/v1/numbers/"+id2+"/users", ids(rita)); st != 422 || errorCode(body) != "user_on_other_number" {
		t.Fatalf("a user on two numbers: %d %v", st, body)
	}
	for _, bad := range []string{`{"user_ids":["abc"]}`, `{}`, `{"user_ids":["999999"]}`} {
		if st, body := ts.api(t, admin, "PUT", "/api/v1/numbers/"+id2+"/users", bad); st != 422 {
			t.Errorf("PUT %s: %d %v", bad, st, body)
		}
	}

	// Administrators see every number; a user sees their own, or none.
	if st, body := ts.api(t, admin, "GET", "/api/v1/numbers", ""); st != 200 || len(body["numbers"].([]any)) != 2 {
		t.Fatalf("admin list: %d %v", st, body)
	}
	ritaTok := token(t, db, rita)
	if st, body := ts.api(t, ritaTok, "GET", "/api/v1/numbers", ""); st != 200 || len(body["numbers"].([]any)) != 1 ||
		body["numbers"].([]any)[0].(map[string]any)["id"] != id1 {
		t.Fatalf("rita's list: %d %v", st, body)
	}
	if st, body := ts.api(t, token(t, db, others[0]), "GET", "/api/v1/numbers", ""); st != 200 || len(body["numbers"].([]any)) != 0 {
		t.Fatalf("an unassigned user's list: %d %v", st, body)
	}
	if st, body := ts.api(t, ritaTok, "PUT", "/api/v1/numbers/"+id1+"/users", ids(rita)); st != 403 {
		t.Fatalf("a user changing users: %d %v", st, body)
	}

	// Usage, this month and another.
	nums, _ := db.ListNumbers(t.Context(), org.ID)
	if _, err := db.ReserveAllowance(t.Context(), org.ID, nums[0].ID, 12); err != nil {
		t.Fatal(err)
	}
	month := time.Now().In(org.Location()).Format("2006-01")
	st, body = ts.api(t, ritaTok, "GET", "/api/v1/numbers/"+id1+"/usage?month="+month, "")
	if st != 200 || body["used"] != 12.0 || body["remaining"] != 488.0 || body["period"] != month || body["phone_number"] != phone {
		t.Fatalf("usage: %d %v", st, body)
	}
	for path, want := range map[string]int{
		"/api/v1/numbers/" + id2 + "/usage":               404, // not rita's number
		"/api/v1/numbers/" + id1 + "/usage?month=2020-1":  422,
		"/api/v1/numbers/" + id1 + "/usage?month=2020-01": 422, // before the number was added
		"/api/v1/numbers/" + id1 + "/usage?month=2999-01": 422,
		"/api/v1/numbers/nope/usage":                      404,
	} {
		if st, body := ts.api(t, ritaTok, "GET", path, ""); st != want {
			t.Errorf("GET %s: %d %v, want %d", path, st, body, want)
		}
	}
}

// TestAPIUsageMonthsAreTheNumbersOwn reads a number's usage in each month
// from the one it was added in (in the company's time zone: still January
// in Chicago, February in UTC) to the current one, and refuses any other
// month, saying which are available.
func TestAPIUsageMonthsAreTheNumbersOwn(t *testing.T) {
	t.Parallel()
	chicago, _ := time.LoadLocation("America/Chicago")
	clock := storetest.NewClock(time.Date(2026, 1, 31, 23, 30, 0, 0, chicago))
	db := storetest.NewSQLite(t, storetest.Config{Clock: clock.Now})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	storetest.MustGrantNumbers(t, db, org.ID, 1, 500)
	n := storetest.MustAddNumber(t, db, org.ID)
	admin := token(t, db, storetest.MustCreateUser(t, db, org.ID, "Ann Admin", hiretext.RoleAdmin))
	clock.Set(time.Date(2026, 3, 10, 12, 0, 0, 0, chicago))
	usage := "/api/v1/numbers/" + idStr(int64(n.ID)) + "/usage"
	for month, resets := range map[string]string{"2026-01": "2026-02-01T00:00:00-06:00", "2026-02": "2026-03-01T00:00:00-06:00",
		"2026-03": "2026-04-01T00:00:00-05:00", "": "2026-04-01T00:00:00-05:00"} {
		st, body := ts.api(t, admin, "GET", usage+"?month="+month, "")
		if st != 200 || body["resets_at"] != resets || body["used"] != 0.0 || body["monthly_allowance"] != 500.0 {
			t.Errorf("month %q: %d %v", month, st, body)
		}
	}
	for _, month := range []string{"2025-12", "1900-01", "0000-01", "2026-04", "9999-12"} {
		st, body := ts.api(t, admin, "GET", usage+"?month="+month, "")
		e, _ := body["error"].(map[string]any)
		fields, _ := e["fields"].(map[string]any)
		if st != 422 || fields["month"] != "Use a month from 2026-01 to 2026-03." || !strings.Contains(e["message"].(string), "2026-01 to 2026-03") {
			t.Errorf("month %s: %d %v", month, st, body)
		}
	}
}

func TestNumbersAreTenantIsolatedOverHTTP(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, _ := newNumbersServer(t, db)
	acme, globex := storetest.MustCreateOrg(t, db, "Acme"), storetest.MustCreateOrg(t, db, "Globex")
	n := storetest.MustAddNumber(t, db, acme.ID)
	ann := storetest.MustCreateUser(t, db, acme.ID, "Ann", hiretext.RoleUser)
	storetest.MustAssign(t, db, acme.ID, n.ID, ann.ID)
	gus := storetest.MustCreateUser(t, db, globex.ID, "Gus", hiretext.RoleAdmin)
	b := ts.browser(t)
	b.login(gus.Email, storetest.TestPassword)
	id := idStr(int64(n.ID))
	for _, c := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/admin/numbers/" + id + "/assign", nil},
		{"POST", "/admin/numbers/" + id + "/users", url.Values{"user_id": {idStr(int64(gus.ID))}}},
		{"POST", "/admin/numbers/" + id + "/users/" + idStr(int64(ann.ID)) + "/unassign", url.Values{}},
		{"GET", "/admin/numbers/" + id + "/release", nil},
		{"POST", "/admin/numbers/" + id + "/release", url.Values{}},
	} {
		if st, _, _ := b.do(c.method, c.path, c.form); st != http.StatusNotFound {
			t.Errorf("another company's admin %s %s: %d, want 404", c.method, c.path, st)
		}
	}
	tok := token(t, db, gus)
	if st, _ := ts.api(t, tok, "GET", "/api/v1/numbers/"+id+"/usage", ""); st != 404 {
		t.Errorf("usage across companies: %d", st)
	}
	if st, _ := ts.api(t, tok, "PUT", "/api/v1/numbers/"+id+"/users", `{"user_ids":[]}`); st != 404 {
		t.Errorf("PUT users across companies: %d", st)
	}
	if _, body, _ := b.do("GET", "/admin/numbers", nil); strings.Contains(body, "Ann") {
		t.Error("Globex sees Acme's number")
	}
	if got, _ := db.NumberByID(t.Context(), acme.ID, n.ID); !got.Active() || !got.HasUser(ann.ID) {
		t.Fatal("another company changed the number")
	}
	user := ts.browser(t)
	user.login(ann.Email, storetest.TestPassword)
	if st, _, _ := user.do("GET", "/admin/numbers", nil); st != http.StatusForbidden {
		t.Errorf("a user opens Text Message Numbers: %d, want 403", st)
	}
}

func TestAllowanceBannerOnEveryPage(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts, _ := newNumbersServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	storetest.MustGrantNumbers(t, db, org.ID, 1, 100)
	n := storetest.MustAddNumber(t, db, org.ID)
	rita := storetest.MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
	admin := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin)
	storetest.MustAssign(t, db, org.ID, n.ID, rita.ID)
	b := ts.browser(t)
	b.login(rita.Email, storetest.TestPassword)
	reserve := func(k int) {
		if _, err := db.ReserveAllowance(t.Context(), org.ID, n.ID, k); err != nil {
			t.Fatal(err)
		}
	}
	reserve(89)
	if _, body, _ := b.do("GET", "/", nil); strings.Contains(body, "allowance-banner") {
		t.Fatal("banner at 89%")
	}
	reserve(1)
	for _, path := range []string{"/", "/settings"} {
		if _, body, _ := b.do("GET", path, nil); !strings.Contains(body, "has used 90% of its monthly allowance") || !strings.Contains(body, "10 left until it resets on") {
			t.Fatalf("no 90%% banner on %s", path)
		}
	}
	reserve(10)
	if _, body, _ := b.do("GET", "/", nil); !strings.Contains(body, "has used its whole monthly allowance") || !strings.Contains(body, "Sending is paused") {
		t.Fatal("no maximum banner")
	}
	a := ts.browser(t)
	a.login(admin.Email, storetest.TestPassword)
	if _, body, _ := a.do("GET", "/", nil); strings.Contains(body, "allowance-banner") {
		t.Fatal("an unassigned administrator sees the banner")
	}
}
