package server_test

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/server"
)

// fakeOperations answers the operational gauges' reads.
type fakeOperations struct {
	down  bool
	stats hiretext.OperationalStats
}

func (f *fakeOperations) Ready(context.Context) error {
	if f.down {
		return errors.New("connection refused")
	}
	return nil
}

func (f *fakeOperations) OperationalStats(context.Context, time.Time) (*hiretext.OperationalStats, error) {
	if f.down {
		return nil, errors.New("connection refused")
	}
	return &f.stats, nil
}

func scrape(t *testing.T, m *server.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

// TestOperationalMetrics: each scrape reads the database's figures and the
// dispatcher's counts; a database that does not answer is reported down,
// without figures that would read as "nothing waiting".
func TestOperationalMetrics(t *testing.T) {
	t.Parallel()
	ops := &fakeOperations{stats: hiretext.OperationalStats{DueMessages: 12, OldestDueAge: 95 * time.Second, NumbersAtMaximum: 2}}
	m := server.NewMetrics(nil)
	m.WatchOperations(ops, func() map[string]uint64 { return map[string]uint64{"accepted": 40, "transient": 3} },
		func() map[string]uint64 { return map[string]uint64{"found": 2} })
	body := scrape(t, m)
	for _, want := range []string{"hiretext_database_up 1", "hiretext_outbox_due_messages 12", "hiretext_outbox_oldest_due_age_seconds 95",
		"hiretext_numbers_at_allowance_maximum 2", `hiretext_provider_sends_total{outcome="accepted"} 40`, `hiretext_provider_sends_total{outcome="transient"} 3`,
		`hiretext_provider_send_lookups_total{result="found"} 2`} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("the scrape lacks %q", want)
		}
	}
	ops.down = true
	body = scrape(t, m)
	if !strings.Contains(body, "hiretext_database_up 0\n") || strings.Contains(body, "hiretext_outbox_due_messages ") {
		t.Errorf("with the database down:\n%s", grepLines(body, "hiretext_"))
	}
}

// TestCarrierErrorsAreCountedByCode: carrier errors are counted by code and
// problem, for the carrier-filtering alert, each shown from zero; other
// codes are not, so a provider inventing codes cannot grow the series.
func TestCarrierErrorsAreCountedByCode(t *testing.T) {
	t.Parallel()
	m := server.NewMetrics(nil)
	for _, code := range []string{"30007", "30007", "30034", "21211", "99999", ""} {
		m.CountCarrierError(code)
	}
	body := scrape(t, m)
	for _, want := range []string{`hiretext_carrier_errors_total{code="30007",problem="filtered"} 2`,
		`hiretext_carrier_errors_total{code="30034",problem="registration"} 1`} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("the scrape lacks %q", want)
		}
	}
	if got := grepLines(body, "hiretext_carrier_errors_total{"); strings.Contains(got, "21211") || strings.Contains(got, "99999") ||
		!strings.Contains(got, `hiretext_carrier_errors_total{code="30004",problem="blocked"} 0`) {
		t.Errorf("want every carrier code shown from zero and no other code:\n%s", got)
	}
}
