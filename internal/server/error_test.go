package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// jobsUntilCancelled is a store whose ListJobs waits for its request to be
// cancelled and then queries the database with the cancelled context, as a
// slow query does when the browser gives up on the page.
type jobsUntilCancelled struct {
	*store.DB
	waiting chan struct{} // closed when ListJobs starts waiting
	once    sync.Once
}

func (s *jobsUntilCancelled) ListJobs(ctx context.Context, org hiretext.OrgID) ([]*hiretext.Job, error) {
	s.once.Do(func() { close(s.waiting) })
	<-ctx.Done()
	return s.DB.ListJobs(ctx, org)
}

// logRecorder keeps every log record (every level) for inspection.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }

func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// find returns the first record with message msg and, if route is not "",
// that route attribute.
func (l *logRecorder) find(msg, route string) (slog.Record, map[string]slog.Value, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.records {
		attrs := map[string]slog.Value{}
		r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value; return true })
		if r.Message == msg && (route == "" || attrs["route"].String() == route) {
			return r, attrs, true
		}
	}
	return slog.Record{}, nil, false
}

func TestCancelledRequestIsNotAServerError(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	st := &jobsUntilCancelled{DB: db, waiting: make(chan struct{})}
	logs, metrics := &logRecorder{}, server.NewMetrics(nil)
	ts := newTestServer(t, db, func(cfg *server.Config, s *server.Store) {
		cfg.Logger, cfg.Metrics, *s = slog.New(logs), metrics, st
	})
	org := storetest.MustCreateOrg(t, db, "Acme")
	u := storetest.MustCreateUser(t, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs)
	b := ts.browser(t)
	b.login(u.Email, storetest.TestPassword)

	// The browser asks for the Jobs page and gives up while it loads.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/jobs", nil)
	gaveUp := make(chan error, 1)
	go func() {
		resp, err := b.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		gaveUp <- err
	}()
	select {
	case <-st.waiting:
	case <-time.After(10 * time.Second):
		t.Fatal("the Jobs page never asked for the jobs")
	}
	cancel()
	if err := <-gaveUp; err == nil {
		t.Fatal("the cancelled request got a response")
	}

	var access map[string]slog.Value
	var rec slog.Record
	storetest.Eventually(t, "the cancelled request's access log", func() bool {
		rec, access, _ = logs.find("request", "GET /jobs")
		return access != nil
	})
	if got := access["status"].Int64(); got != 499 || rec.Level != slog.LevelInfo {
		t.Errorf("access log: %s status %d, want INFO status 499 (client closed request)", rec.Level, got)
	}
	if r, _, ok := logs.find("client went away", "GET /jobs"); !ok {
		t.Error(`no "client went away" record`)
	} else if r.Level != slog.LevelInfo {
		t.Errorf(`"client went away" logged at %s, want INFO`, r.Level)
	}
	if r, attrs, ok := logs.find("internal error", ""); ok {
		t.Errorf("a cancelled request was logged as %s %q: %v", r.Level, r.Message, attrs["err"])
	}

	scrape := httptest.NewRecorder()
	metrics.Handler().ServeHTTP(scrape, httptest.NewRequest("GET", "/metrics", nil))
	body := scrape.Body.String()
	if !strings.Contains(body, `hiretext_http_requests_total{method="GET",route="GET /jobs",status="499"} 1`) {
		t.Errorf("metrics do not count the request as 499:\n%s", grepLines(body, "hiretext_http_requests_total"))
	}
	if strings.Contains(body, `status="500"`) {
		t.Errorf("metrics count a server error:\n%s", grepLines(body, "hiretext_http_requests_total"))
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
