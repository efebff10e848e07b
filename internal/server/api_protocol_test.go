package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// apiResponse is an answer of the API as a client sees it.
type apiResponse struct {
	status int
	header http.Header
	body   map[string]any // nil when the body is not a JSON object
	raw    string
}

func (r apiResponse) message() string {
	e, _ := r.body["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// call sends req with client (http.DefaultClient when nil).
func call(t *testing.T, client *http.Client, req *http.Request) apiResponse {
	t.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	out := apiResponse{status: resp.StatusCode, header: resp.Header, raw: string(data)}
	_ = json.Unmarshal(data, &out.body)
	return out
}

// fieldError returns an error body's message for field.
func fieldError(body map[string]any, field string) string {
	e, _ := body["error"].(map[string]any)
	fields, _ := e["fields"].(map[string]any)
	m, _ := fields[field].(string)
	return m
}

func newRequest(t *testing.T, method, url, body string, header ...string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// TestBearerRequestsSkipCrossOriginProtection: a script with a token may
// send any Origin; a browser's cookie-authenticated request may not, and
// the API then refuses it in JSON.
func TestBearerRequestsSkipCrossOriginProtection(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	ann := storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin, hiretext.PermJobs)
	tok := token(t, db, ann)
	for _, h := range [][]string{{"Origin", "https://integrations.example"}, {"Sec-Fetch-Site", "cross-site"}} {
		for _, scheme := range []string{"Bearer", "bearer"} {
			body := fmt.Sprintf(`{"title":"Welder (%s, %s)","location":"Chicago","description":"Welds."}`, h[0], scheme)
			r := call(t, nil, newRequest(t, "POST", ts.URL+"/api/v1/jobs", body,
				"Authorization", scheme+" "+tok, "Content-Type", "application/json", h[0], h[1]))
			if r.status != http.StatusCreated {
				t.Errorf("%s <token> with %s: %d %s", scheme, h, r.status, r.raw)
			}
		}
	}

	b := ts.browser(t)
	b.login(ann.Email, storetest.TestPassword)
	r := call(t, b.client, newRequest(t, "POST", ts.URL+"/api/v1/jobs", `{"title":"Forged"}`,
		"Content-Type", "application/json", "Sec-Fetch-Site", "cross-site"))
	if r.status != http.StatusForbidden || errorCode(r.body) != "forbidden" || r.message() == "" ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("cookie API request from another site: %d %s %s", r.status, r.header.Get("Content-Type"), r.raw)
	}
	// A page ignores bearer tokens, so its session cookie still needs protecting.
	r = call(t, b.client, newRequest(t, "POST", ts.URL+"/jobs", "title=Forged",
		"Content-Type", "application/x-www-form-urlencoded", "Sec-Fetch-Site", "cross-site", "Authorization", "Bearer "+tok))
	if r.status != http.StatusForbidden {
		t.Fatalf("cross-site page POST with a bearer header: %d", r.status)
	}
	jobs, _ := db.ListJobs(t.Context(), org.ID)
	for _, j := range jobs {
		if j.Title == "Forged" {
			t.Fatal("a cross-site cookie request created a job")
		}
	}
}

// TestAPIAnswersUnknownPathsAndMethodsInJSON: 404 and 405 under /api/v1
// are JSON errors, 405 with Allow; pages keep the HTML 404.
func TestAPIAnswersUnknownPathsAndMethodsInJSON(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	tok := token(t, db, storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin))
	for _, c := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/v1/nonexistent", 404, "not_found", ""},
		{"POST", "/api/v1/me/extra", 404, "not_found", ""},
		{"DELETE", "/api/v1/me", 405, "method_not_allowed", "GET, HEAD, PATCH"},
		{"GET", "/api/v1/conversations/1/read", 405, "method_not_allowed", "POST"},
		{"DELETE", "/api/v1/jobs/1", 405, "method_not_allowed", "GET, HEAD, PATCH"},
	} {
		r := call(t, nil, newRequest(t, c.method, ts.URL+c.path, "", "Authorization", "Bearer "+tok))
		if r.status != c.status || errorCode(r.body) != c.code || r.message() == "" || r.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q %s; want %d %s Allow %q", c.method, c.path, r.status, r.header.Get("Allow"), r.raw, c.status, c.code, c.allow)
		}
	}
	r := call(t, nil, newRequest(t, "GET", ts.URL+"/conversations/1/nonexistent", ""))
	if r.status != 404 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown page: %d %s", r.status, r.header.Get("Content-Type"))
	}
}

// TestMetricsLabelsStayBounded: invented methods and paths add no series.
func TestMetricsLabelsStayBounded(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	metrics := server.NewMetrics(nil)
	ts := newTestServer(t, db, func(cfg *server.Config, _ *server.Store) { cfg.Metrics = metrics })
	for _, req := range []*http.Request{
		newRequest(t, "XYZ1", ts.URL+"/", ""),
		newRequest(t, "XYZ2", ts.URL+"/api/v1/me", ""),
		newRequest(t, "GET", ts.URL+"/no-such-page-7f3a", ""),
		newRequest(t, "GET", ts.URL+"/api/v1/no-such-endpoint-7f3a", ""),
		newRequest(t, "GET", ts.URL+"/healthz", ""),
	} {
		call(t, nil, req)
	}
	rec := httptest.NewRecorder()
	metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	var series []string
	for line := range strings.Lines(rec.Body.String()) {
		if strings.HasPrefix(line, "hiretext_http_requests_total{") {
			series = append(series, strings.TrimSpace(line))
		}
	}
	all := strings.Join(series, "\n")
	for _, bad := range []string{"XYZ", "7f3a"} {
		if strings.Contains(all, bad) {
			t.Errorf("a label holds the client's %q:\n%s", bad, all)
		}
	}
	for _, want := range []string{`method="other",route="/",`, `method="other",route="/api/v1/",`, `method="GET",route="/",`,
		`method="GET",route="/api/v1/",`, `method="GET",route="GET /healthz",`} {
		if !strings.Contains(all, want) {
			t.Errorf("no series with %s:\n%s", want, all)
		}
	}
}

// TestAPIUnauthorizedAsksForBearer: 401s name the scheme (RFC 6750), the
// scheme is case-insensitive and public routes ignore a bad token.
func TestAPIUnauthorizedAsksForBearer(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	tok := token(t, db, storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin))
	for _, auth := range []string{"", "Bearer ht_wrong", "Basic YTpi", "Bearer"} {
		r := call(t, nil, newRequest(t, "GET", ts.URL+"/api/v1/me", "", "Authorization", auth))
		if r.status != 401 || r.header.Get("WWW-Authenticate") != "Bearer" || errorCode(r.body) != "unauthorized" {
			t.Errorf("Authorization %q: %d WWW-Authenticate %q %s", auth, r.status, r.header.Get("WWW-Authenticate"), r.raw)
		}
		if auth == "" && r.message() != "Use the Authorization header as: Bearer <token>." {
			t.Errorf("no token: message %q", r.message())
		}
	}
	for _, auth := range []string{"bearer " + tok, "BEARER " + tok, "Bearer  " + tok} {
		if r := call(t, nil, newRequest(t, "GET", ts.URL+"/api/v1/me", "", "Authorization", auth)); r.status != 200 {
			t.Errorf("Authorization %q: %d %s", strings.Replace(auth, tok, "<token>", 1), r.status, r.raw)
		}
	}
	for _, auth := range []string{"Bearer ht_wrong", "Basic YTpi"} {
		if r := call(t, nil, newRequest(t, "GET", ts.URL+"/api/v1/openapi.json", "", "Authorization", auth)); r.status != 200 {
			t.Errorf("openapi.json with %q: %d", auth, r.status)
		}
	}
}

// TestIDsMustBeWrittenAsTheAPIWritesThem: "+48" and "048" are not 48, in
// paths, queries and bodies.
func TestIDsMustBeWrittenAsTheAPIWritesThem(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	fx := storetest.MustSetUpTexting(t, db, 50)
	cand, _ := fx.MustCandidate(t, db, "Cara")
	res := fx.MustSend(t, db, "Hello", cand.ID)
	msg, job, cid := idStr(int64(res[0].MessageID)), idStr(int64(fx.Job.ID)), idStr(int64(cand.ID))
	tok := token(t, db, fx.Recruiter)
	if st, body := ts.api(t, tok, "GET", "/api/v1/messages/"+msg, ""); st != 200 {
		t.Fatalf("the message: %d %v", st, body)
	}
	for _, path := range []string{"/api/v1/messages/%2B" + msg, "/api/v1/messages/0" + msg, "/api/v1/messages/0",
		"/api/v1/jobs/0" + job, "/api/v1/candidates/%2B" + cid, "/api/v1/candidates/0" + cid + "/messages"} {
		if st, body := ts.api(t, tok, "GET", path, ""); st != 404 || errorCode(body) != "not_found" {
			t.Errorf("GET %s: %d %v, want 404", path, st, body)
		}
	}
	for _, ids := range []string{`["+` + cid + `"]`, `["0` + cid + `"]`, `["0"]`, `[" ` + cid + `"]`} {
		st, body := ts.api(t, tok, "POST", "/api/v1/messages", `{"candidate_ids":`+ids+`,"body":"Hi"}`)
		if st != 422 || fieldError(body, "candidate_ids") == "" {
			t.Errorf("candidate_ids %s: %d %v", ids, st, body)
		}
	}
	admin := token(t, db, storetest.MustCreateUser(t, db, fx.Org.ID, "Ada Admin", hiretext.RoleAdmin))
	users := "/api/v1/numbers/" + idStr(int64(fx.Number.ID)) + "/users"
	body := `{"user_ids":["0` + idStr(int64(fx.Recruiter.ID)) + `"]}`
	if st, out := ts.api(t, admin, "PUT", users, body); st != 422 || fieldError(out, "user_ids") == "" {
		t.Errorf("PUT %s: %d %v", body, st, out)
	}
	for _, q := range []string{"job_id=%2B" + job, "job_id=0" + job} {
		if st, body := ts.api(t, tok, "GET", "/api/v1/candidates?"+q, ""); st != 422 {
			t.Errorf("candidates?%s: %d %v", q, st, body)
		}
	}
}

// TestJSONBodiesMatchFieldNamesExactly: "TITLE" is not "title", and a body
// that is not an object says so.
func TestJSONBodiesMatchFieldNamesExactly(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	ts := newTestServer(t, db)
	org := storetest.MustCreateOrg(t, db, "Acme")
	tok := token(t, db, storetest.MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleAdmin, hiretext.PermJobs, hiretext.PermProfiles))
	jobID := storetest.MustCreateJob(t, db, org.ID, "Welder").ID
	job := idStr(int64(jobID))
	for body, want := range map[string]string{
		`{"TITLE":"x"}`:                   `Unknown field "TITLE".`,
		`{"title":"x","Status":"closed"}`: `Unknown field "Status".`,
	} {
		st, out := ts.api(t, tok, "PATCH", "/api/v1/jobs/"+job, body)
		if e, _ := out["error"].(map[string]any); st != 400 || e["message"] != want {
			t.Errorf("PATCH %s: %d %v, want 400 %q", body, st, out, want)
		}
	}
	if j, err := db.JobByID(t.Context(), org.ID, jobID); err != nil || j.Title != "Welder" {
		t.Errorf("the job after refused changes: %v %v", j, err)
	}
	for _, body := range []string{`[{"title":"x"}]`, `"x"`, `null`} {
		st, out := ts.api(t, tok, "POST", "/api/v1/jobs", body)
		e, _ := out["error"].(map[string]any)
		if _, hasFields := e["fields"]; st != 400 || e["message"] != "The body must be a JSON object." || hasFields {
			t.Errorf("POST %s: %d %v", body, st, out)
		}
	}
}
