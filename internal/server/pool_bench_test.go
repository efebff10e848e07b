package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// BenchmarkPoolPages100k measures Candidate Pool pages end to end on SQLite
// with 100,000 candidates: an HTTP request with a session, the query and the
// rendered page of 50 rows, over loopback. See docs/benchmarks.md.
func BenchmarkPoolPages100k(b *testing.B) {
	db, org, jobs := storetest.OpenBenchPool(b, 100_000, 20)
	hs := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + hs.Listener.Addr().String())
	srv, err := server.New(context.Background(), server.Config{BaseURL: base, Clock: hiretext.SystemClock,
		Logger: slog.New(slog.DiscardHandler)}, db)
	if err != nil {
		b.Fatal(err)
	}
	hs.Config.Handler = srv
	hs.Start()
	defer hs.Close()
	client := benchLogin(b, hs.URL, storetest.MustCreateUser(b, db, org, "Bench Recruiter", hiretext.RoleUser,
		hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles))
	for _, c := range []struct{ name, path string }{
		{"pool/first-page", "/candidates"},
		{"pool/opted-in", "/candidates?sms_status=opted_in"},
		{"pool/search-name", "/candidates?q=smith"},
		{"pool/search-full-name", "/candidates?q=jennifer+smith"},
		{"pool/search-phone", "/candidates?q=" + url.QueryEscape("555")},
		{"pool/job+opted-in", "/candidates?sms_status=opted_in&job_id=" + idStr(int64(jobs[3].ID))},
		{"api/search-name", "/api/v1/candidates?q=smith"},
		{"job-page", "/jobs/" + idStr(int64(jobs[3].ID))},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				resp, err := client.Get(hs.URL + c.path)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", c.path, resp.StatusCode)
				}
			}
		})
	}
}

// benchLogin returns a client with u's session (the API accepts it too).
func benchLogin(b *testing.B, base string, u *hiretext.User) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"email": {u.Email}, "password": {storetest.TestPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	return c
}
