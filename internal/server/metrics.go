package server

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics hiretext exports. A nil *Metrics
// records nothing.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	carrier  *prometheus.CounterVec
}

// NewMetrics registers the HTTP and connection-pool metrics.
func NewMetrics(pools map[string]*sql.DB) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hiretext_http_requests_total",
			Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hiretext_http_request_duration_seconds",
			Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		carrier: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hiretext_carrier_errors_total",
			Help: "Texts the provider or carrier failed with a carrier error, by code and problem: unreachable (30003, 30005, 30006), " +
				"blocked (30004), filtered (30007), registration (30032, 30034)."}, []string{"code", "problem"}),
	}
	for _, code := range hiretext.CarrierCodes() { // at zero from the start, so increase() sees the first one
		problem, _ := hiretext.CarrierProblemOf(code)
		m.carrier.WithLabelValues(code, string(problem))
	}
	reg.MustRegister(m.requests, m.latency, m.carrier, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, db := range pools {
		reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
	return m
}

// Handler serves the metrics for scraping.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Register adds more collectors (the dispatcher's, say).
func (m *Metrics) Register(cs ...prometheus.Collector) {
	if m != nil {
		m.registry.MustRegister(cs...)
	}
}

// observe records one request. route must be a registered pattern (or
// "unmatched") and method is reduced to a known one, so that clients
// cannot grow the number of series by inventing paths or methods.
func (m *Metrics) observe(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, metricMethod(method), strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// CountCarrierError counts a text failed with a provider error code, if
// the code is a carrier error (hiretext.CarrierProblemOf); other codes
// are not counted, so the labels stay few.
func (m *Metrics) CountCarrierError(code string) {
	if m == nil {
		return
	}
	if problem, ok := hiretext.CarrierProblemOf(code); ok {
		m.carrier.WithLabelValues(code, string(problem)).Inc()
	}
}

// metricMethod is the method label: the standard methods hiretext can
// meet, "other" for anything else.
func metricMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// OperationsReader is what the operational gauges read at each scrape.
type OperationsReader interface {
	hiretext.Pinger
	hiretext.OperationsService
}

// WatchOperations reports, at each scrape, whether the database answers
// with a current schema, the texts due to go out and how long the oldest has
// waited, the numbers whose allowance is used up, the provider calls'
// outcomes as sends counts them (outcome → calls since start), and the
// lookups of sends in doubt as lookups counts them (result → lookups).
func (m *Metrics) WatchOperations(db OperationsReader, sends, lookups func() map[string]uint64) {
	if m != nil {
		m.registry.MustRegister(&opsCollector{db: db, sends: sends, lookups: lookups})
	}
}

// WatchReconcile reports, at each scrape, what reconciliation with the
// provider imported (kind → messages or statuses since start) and when it
// last checked every number.
func (m *Metrics) WatchReconcile(imported func() map[string]uint64, lastSuccess func() time.Time) {
	if m != nil {
		m.registry.MustRegister(&reconcileCollector{imported: imported, lastSuccess: lastSuccess})
	}
}

var (
	reconcileImportedDesc = prometheus.NewDesc("hiretext_reconcile_imported_total",
		"Messages and statuses reconciliation with the SMS provider found missing and imported, by kind: inbound (a reply whose webhook "+
			"never came), status (a delivery status whose callback never came).", []string{"kind"}, nil)
	reconcileLastDesc = prometheus.NewDesc("hiretext_reconcile_last_success_timestamp_seconds",
		"When reconciliation last checked every number with the SMS provider (Unix time); 0 before the first time.", nil, nil)
)

// reconcileCollector reads the reconciler's figures at each scrape.
type reconcileCollector struct {
	imported    func() map[string]uint64
	lastSuccess func() time.Time
}

func (c *reconcileCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- reconcileImportedDesc
	ch <- reconcileLastDesc
}

func (c *reconcileCollector) Collect(ch chan<- prometheus.Metric) {
	counters(ch, reconcileImportedDesc, c.imported)
	last := 0.0
	if t := c.lastSuccess(); !t.IsZero() {
		last = float64(t.Unix())
	}
	ch <- prometheus.MustNewConstMetric(reconcileLastDesc, prometheus.GaugeValue, last)
}

// The operational metrics, for the alert rules in docs/deploy/alerts.yml.
var (
	dbUpDesc = prometheus.NewDesc("hiretext_database_up",
		"1 when the database answers and its schema is current, 0 otherwise.", nil, nil)
	dueDesc = prometheus.NewDesc("hiretext_outbox_due_messages",
		"Texts due to be handed to the SMS provider now.", nil, nil)
	oldestDueDesc = prometheus.NewDesc("hiretext_outbox_oldest_due_age_seconds",
		"How long the oldest text due to go out has waited; 0 when none is.", nil, nil)
	maxedDesc = prometheus.NewDesc("hiretext_numbers_at_allowance_maximum",
		"Active texting numbers whose allowance this month is used up: they cannot send until it resets or is raised.", nil, nil)
	sendsDesc = prometheus.NewDesc("hiretext_provider_sends_total",
		"Calls to the SMS provider to send a text, by outcome: accepted, transient (retried), refused, invalid_recipient, opted_out, "+
			"uncertain (the answer was lost: looked up before any new call).",
		[]string{"outcome"}, nil)
	lookupsDesc = prometheus.NewDesc("hiretext_provider_send_lookups_total",
		"Lookups at the SMS provider of texts whose send had an unknown outcome, by result: found (adopted, not sent again), "+
			"not_found (sent again), failed (asked again later; nothing sent meanwhile).",
		[]string{"result"}, nil)
)

// opsCollector reads the database at each scrape, within scrapeTimeout.
type opsCollector struct {
	db      OperationsReader
	sends   func() map[string]uint64
	lookups func() map[string]uint64
}

// scrapeTimeout bounds the database reads of one scrape.
const scrapeTimeout = 3 * time.Second

func (c *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbUpDesc, dueDesc, oldestDueDesc, maxedDesc, sendsDesc, lookupsDesc} {
		ch <- d
	}
}

func (c *opsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	up := 0.0
	if c.db.Ready(ctx) == nil {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(dbUpDesc, prometheus.GaugeValue, up)
	if st, err := c.db.OperationalStats(ctx, time.Now()); err == nil {
		ch <- prometheus.MustNewConstMetric(dueDesc, prometheus.GaugeValue, float64(st.DueMessages))
		ch <- prometheus.MustNewConstMetric(oldestDueDesc, prometheus.GaugeValue, st.OldestDueAge.Seconds())
		ch <- prometheus.MustNewConstMetric(maxedDesc, prometheus.GaugeValue, float64(st.NumbersAtMaximum))
	}
	counters(ch, sendsDesc, c.sends)
	counters(ch, lookupsDesc, c.lookups)
}

// counters reports each count of read, if set, as desc labelled with its key.
func counters(ch chan<- prometheus.Metric, desc *prometheus.Desc, read func() map[string]uint64) {
	if read == nil {
		return
	}
	for label, n := range read() {
		ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(n), label)
	}
}
