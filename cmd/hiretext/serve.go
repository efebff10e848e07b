package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/netutil"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/demo"
	"github.com/hiretext/hiretext/internal/mail"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/sms/twilio"
	"github.com/hiretext/hiretext/internal/store"
)

// serveConfig is everything `hiretext serve` is configured with.
type serveConfig struct {
	Addr        string
	Database    string
	BaseURL     string
	SMSProvider string
	MetricsAddr string
	SendRate    float64
	SendTimeout time.Duration
	SendLease   time.Duration
	// ReconcileInterval is how often each number's history is checked
	// with the provider (--reconcile-interval); 0 turns it off.
	ReconcileInterval time.Duration
	Demo              bool
	NoMigrate         bool
	SimulatorPublic   bool
	// SimulatorFaults make the simulator lose send answers and drop
	// webhooks (--simulator-faults), to rehearse the delivery guarantees.
	SimulatorFaults simulator.Faults
	// MaxConnections bounds the connections served at once; half of them
	// may be live-update streams.
	MaxConnections int
	// MaxExports bounds the report downloads running at once, and the
	// database connections set apart for them.
	MaxExports      int
	ShutdownTimeout time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (--trusted-proxies).
	TrustedProxies []netip.Prefix
	// Twilio holds the TWILIO_* settings when SMSProvider is twilio.
	Twilio twilio.Config
	// Mail is how notification emails are sent (--smtp-url, --mail-from);
	// nil when email is off.
	Mail *mail.Config
	// clock is the time the database, the dispatcher, the provider and the
	// pages read: the system's, or a journey's (see env.clock). No flag
	// sets it.
	clock hiretext.Clock
}

// parseServeConfig reads flags, then environment variables, then defaults.
func parseServeConfig(args []string, e env) (*serveConfig, bool, error) {
	fs := newFlagSet("serve", "hiretext serve [flags]", e)
	c := &serveConfig{}
	ev := newEnvValues(e.getenv)
	fs.StringVar(&c.Addr, "addr", envOr(e.getenv, "HIRETEXT_ADDR", "127.0.0.1:8080"), "address to listen on (env HIRETEXT_ADDR)")
	fs.StringVar(&c.Database, "database", envOr(e.getenv, "HIRETEXT_DATABASE", defaultDatabase),
		"database URL: sqlite:PATH, sqlite::memory: or postgres://… (env HIRETEXT_DATABASE)")
	fs.StringVar(&c.BaseURL, "base-url", e.getenv("HIRETEXT_BASE_URL"),
		"public URL of this service, used in links and webhook signatures (env HIRETEXT_BASE_URL; default http://ADDR)")
	fs.StringVar(&c.SMSProvider, "sms-provider", envOr(e.getenv, "HIRETEXT_SMS_PROVIDER", "simulator"),
		"SMS provider: simulator, or twilio configured by TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and optionally "+
			"TWILIO_MESSAGING_SERVICE_SID and TWILIO_API_BASE (env HIRETEXT_SMS_PROVIDER)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", e.getenv("HIRETEXT_METRICS_ADDR"), "address for Prometheus /metrics; empty disables it (env HIRETEXT_METRICS_ADDR)")
	fs.Float64Var(&c.SendRate, "send-rate", ev.float("send-rate", "HIRETEXT_SEND_RATE"),
		"texts per second per number; 0 uses the provider's default (env HIRETEXT_SEND_RATE)")
	fs.DurationVar(&c.SendTimeout, "send-timeout", ev.duration("send-timeout", "HIRETEXT_SEND_TIMEOUT", 15*time.Second),
		"how long one call to the SMS provider may take (env HIRETEXT_SEND_TIMEOUT)")
	fs.DurationVar(&c.SendLease, "send-lease", ev.duration("send-lease", "HIRETEXT_SEND_LEASE", 2*time.Minute),
		"how long a text whose send was cut short by a crash waits before it is sent again; longer than --send-timeout (env HIRETEXT_SEND_LEASE)")
	mailConfig := mailFlags(fs, e)
	proxies := fs.String("trusted-proxies", e.getenv("HIRETEXT_TRUSTED_PROXIES"),
		"comma-separated addresses or CIDR ranges of the reverse proxies in front of hiretext, whose X-Forwarded-For names the client "+
			"(env HIRETEXT_TRUSTED_PROXIES; default none: the peer is the client)")
	fs.BoolVar(&c.Demo, "demo", false, "on an empty database, create the demo company and print its logins")
	fs.IntVar(&c.MaxConnections, "max-connections", ev.integer("max-connections", "HIRETEXT_MAX_CONNECTIONS", 4096),
		"connections served at once, half of them at most live-update streams; keep it below the open-file limit (env HIRETEXT_MAX_CONNECTIONS)")
	fs.IntVar(&c.MaxExports, "max-exports", ev.integer("max-exports", "HIRETEXT_MAX_EXPORTS", 4),
		"report downloads (CSV, XLSX) running at once, each on a database connection of its own; 2 at most per company (env HIRETEXT_MAX_EXPORTS)")
	fs.BoolVar(&c.SimulatorPublic, "simulator-public", false,
		"open the simulator's phone and API to everyone, not only administrators and this machine")
	fs.DurationVar(&c.ReconcileInterval, "reconcile-interval", ev.duration("reconcile-interval", "HIRETEXT_RECONCILE_INTERVAL", 5*time.Minute),
		"how often each number's messages are checked with the SMS provider, to import replies and statuses whose webhooks were lost; "+
			"0 turns it off (env HIRETEXT_RECONCILE_INTERVAL)")
	faults := fs.String("simulator-faults", e.getenv("HIRETEXT_SIMULATOR_FAULTS"),
		"make the simulator fail like a carrier, e.g. lose-answers=0.05,hang-sends=0.01,drop-status=0.1,drop-inbound=0.1: the share of sends "+
			"taken but answered as lost, of sends never answered (and not taken), and of status and inbound webhooks never posted (env HIRETEXT_SIMULATOR_FAULTS; default none)")
	fs.BoolVar(&c.NoMigrate, "no-migrate", false, "refuse to start on an outdated schema instead of migrating")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", ev.duration("shutdown-timeout", "HIRETEXT_SHUTDOWN_TIMEOUT", 15*time.Second),
		"how long in-flight requests and provider calls may take to finish after SIGTERM or SIGINT; at least --send-timeout (env HIRETEXT_SHUTDOWN_TIMEOUT)")
	if done, err := parseFlags(fs, args); done {
		return nil, true, err
	}
	if err := ev.err(fs); err != nil {
		return nil, false, err
	}
	var err error
	if c.TrustedProxies, err = parseTrustedProxies(*proxies); err != nil {
		return nil, false, err
	}
	if c.SimulatorFaults, err = simulator.ParseFaults(*faults); err != nil {
		return nil, false, fmt.Errorf("--simulator-faults: %w", err)
	}
	if err := c.validate(); err != nil {
		return nil, false, err
	}
	if c.Mail, err = mailConfig(); err != nil {
		return nil, false, err
	}
	if c.SMSProvider == "twilio" {
		if c.Twilio, err = readTwilioConfig(e.getenv, c.BaseURL, c.Addr); err != nil {
			return nil, false, err
		}
	}
	return c, false, nil
}

// validate checks the configuration before anything starts.
func (c *serveConfig) validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr %q: want host:port, e.g. 127.0.0.1:9090", c.MetricsAddr)
		}
	}
	if c.BaseURL != "" {
		if _, err := parseBaseURL(c.BaseURL); err != nil {
			return err
		}
	}
	switch c.SMSProvider {
	case "simulator", "twilio":
	default:
		return fmt.Errorf("--sms-provider %q: the available providers are simulator and twilio", c.SMSProvider)
	}
	if c.SendRate < 0 || c.SendRate > 1000 {
		return fmt.Errorf("--send-rate %v: want 0 (the provider's default) up to 1000 texts per second", c.SendRate)
	}
	if c.SendTimeout <= 0 || c.SendTimeout > 10*time.Minute {
		return fmt.Errorf("--send-timeout %v: want a duration above 0 and up to 10m, e.g. 15s", c.SendTimeout)
	}
	// The lease must outlast the call, or a slow send still in flight would
	// be claimed and sent again by another worker or instance.
	if c.ReconcileInterval < 0 || (c.ReconcileInterval > 0 && c.ReconcileInterval < time.Second) || c.ReconcileInterval > 24*time.Hour {
		return fmt.Errorf("--reconcile-interval %v: want 0 (off) or from 1s up to 24h, e.g. 5m", c.ReconcileInterval)
	}
	if c.SendLease <= c.SendTimeout || c.SendLease > 24*time.Hour {
		return fmt.Errorf("--send-lease %v: want longer than --send-timeout (%v) and at most 24h, e.g. 2m", c.SendLease, c.SendTimeout)
	}
	if c.MaxExports < 1 || c.MaxExports > 100 {
		return fmt.Errorf("--max-exports %d: want 1 to 100", c.MaxExports)
	}
	if c.MaxConnections < 2 {
		return fmt.Errorf("--max-connections %d: want at least 2", c.MaxConnections)
	}
	// A provider call in flight at shutdown is let finish, so its outcome is
	// recorded rather than sent again after its lease: the shutdown must
	// leave it the time.
	if c.ShutdownTimeout < c.SendTimeout || c.ShutdownTimeout > 10*time.Minute {
		return fmt.Errorf("--shutdown-timeout %v: want at least --send-timeout (%v) and at most 10m, e.g. 15s", c.ShutdownTimeout, c.SendTimeout)
	}
	return nil
}

// parseTrustedProxies reads "10.0.0.0/8, 192.0.2.7": ranges, or single
// addresses standing for themselves.
func parseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for item := range strings.SplitSeq(list, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil {
			a, aerr := netip.ParseAddr(item)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is neither an address nor a CIDR range such as 10.0.0.0/8", item)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseBaseURL accepts an absolute http(s) URL without query or fragment.
func parseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(s, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("--base-url %q: want an absolute http(s) URL such as https://ats.example.com", s)
	}
	return u, nil
}

// newLogger logs JSON unless stderr is a terminal.
func newLogger(w io.Writer) *slog.Logger {
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return slog.New(slog.NewTextHandler(w, nil))
		}
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func runServe(ctx context.Context, args []string, e env) error {
	cfg, done, err := parseServeConfig(args, e)
	if done || err != nil {
		return err
	}
	cfg.clock = e.clock
	log := newLogger(e.stderr)
	db, err := prepareDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	seeded := false
	if cfg.Demo {
		if seeded, err = demo.Seed(ctx, db); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base, err := resolveBaseURL(cfg.BaseURL, ln.Addr())
	if err != nil {
		ln.Close()
		return err
	}
	return serve(ctx, cfg, db, ln, base, log, e, seeded)
}

// prepareDatabase opens the database and migrates it, or with --no-migrate
// refuses an outdated schema.
func prepareDatabase(ctx context.Context, cfg *serveConfig, log *slog.Logger) (*store.DB, error) {
	db, err := openDB(ctx, cfg.Database, store.Config{ExportConns: cfg.MaxExports, Clock: cfg.clock})
	if err != nil {
		return nil, err
	}
	if cfg.NoMigrate {
		err = db.CheckSchema(ctx)
	} else {
		var applied []string
		applied, err = db.Migrate(ctx)
		if len(applied) > 0 {
			log.Info("migrations applied", "migrations", applied)
		}
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: %w", store.RedactURL(cfg.Database), err)
	}
	log.Info("database ready", "dialect", db.Dialect(), "database", store.RedactURL(cfg.Database))
	return db, nil
}

// resolveBaseURL defaults the public URL to the address actually bound.
func resolveBaseURL(configured string, addr net.Addr) (*url.URL, error) {
	if configured != "" {
		return parseBaseURL(configured)
	}
	return &url.URL{Scheme: "http", Host: addr.String()}, nil
}

// serve runs the HTTP servers until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, cfg *serveConfig, db *store.DB, ln net.Listener, base *url.URL,
	log *slog.Logger, e env, seeded bool) error {
	// The links in emails, before any background work that queues them.
	db.SetPublicURL(base)
	read, write := db.Pools()
	pools := map[string]*sql.DB{"read": read, "export": db.ExportPool()}
	if write != read {
		pools["write"] = write
	}
	metrics := server.NewMetrics(pools)
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		var err error
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr %s: %w", cfg.MetricsAddr, err)
		}
		defer metricsLn.Close() // when start-up fails below; a no-op after the server's shutdown
	}
	provider, stopProvider, err := startProvider(ctx, cfg, db, base, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopProvider()
	broker, stopEvents, err := startEvents(ctx, cfg, db, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopEvents()
	stopDispatcher := startDispatcher(ctx, cfg, db, provider, metrics, log)
	defer stopDispatcher()
	stopRetention := startRetention(ctx, db, log)
	defer stopRetention()
	stopReconcile := startReconcile(ctx, cfg, db, provider, metrics, log)
	defer stopReconcile()
	stopMail := startMail(ctx, cfg, db, log)
	defer stopMail()
	stopEscalation := startEscalation(ctx, db, log)
	defer stopEscalation()
	stopMedia := startMediaFetch(ctx, cfg, db, provider, log)
	defer stopMedia()
	stopFacts := runInBackground(ctx, func(ctx context.Context) { buildResponseFacts(ctx, db, log) })
	defer stopFacts()
	srv, err := server.New(ctx, server.Config{BaseURL: base, Logger: log, Clock: cfg.clock,
		Version: versionString(), Metrics: metrics, Provider: provider, Events: broker, TrustedProxies: cfg.TrustedProxies,
		SimulatorPublic: cfg.SimulatorPublic, Email: cfg.Mail != nil, Stream: server.StreamOptions{Max: max(1, cfg.MaxConnections/2)},
		Exports: server.ExportLimits{Max: cfg.MaxExports, PerCompany: min(2, cfg.MaxExports)}}, db)
	if err != nil {
		ln.Close()
		return err
	}
	stopPresence := startPresence(ctx, srv)
	defer stopPresence()
	httpSrv := newHTTPServer(srv, log)
	errc := make(chan error, 2)
	// Past the limit, connections wait in the kernel's queue instead of
	// taking file descriptors the database and the streams need.
	go func() { errc <- httpSrv.Serve(netutil.LimitListener(ln, cfg.MaxConnections)) }()
	var metricsSrv *http.Server
	if metricsLn != nil {
		metricsSrv = newHTTPServer(metrics.Handler(), log)
		go func() { errc <- metricsSrv.Serve(metricsLn) }()
	}
	log.Info("listening", "addr", ln.Addr().String(), "base_url", base.String())
	printWelcome(ctx, e.stdout, base, db, cfg, seeded)
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	stopEvents() // ends live-update streams, which would otherwise hold the shutdown up
	// While requests drain, the background work stops taking new work: the
	// dispatcher claims no more texts, and its provider calls in flight end
	// within --send-timeout, no later than the requests' deadline, and are
	// recorded. Texts queued meanwhile wait in the outbox for the next start.
	var background sync.WaitGroup
	background.Go(stopDispatcher)
	background.Go(stopRetention)
	background.Go(stopReconcile)
	background.Go(stopMail)
	background.Go(stopPresence)
	err = shutdown(cfg.ShutdownTimeout, log, httpSrv, metricsSrv)
	background.Wait()
	log.Info("stopped", "err", err)
	return err
}

// newHTTPServer sets every timeout, so no client can hold a connection
// open for free.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// shutdown stops accepting connections and waits for in-flight requests
// until timeout; then it closes the connections still open, so the process
// ends on time whatever a client does.
func shutdown(timeout time.Duration, log *slog.Logger, servers ...*http.Server) error {
	log.Info("shutting down", "timeout", timeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if s == nil {
			continue
		}
		if err := s.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
			log.Warn("requests still running at the shutdown timeout were cut off", "timeout", timeout.String())
			errs = append(errs, s.Close())
		} else {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// printWelcome prints where hiretext runs and, with --demo, the demo logins
// as the last lines.
func printWelcome(ctx context.Context, w io.Writer, base *url.URL, db *store.DB, cfg *serveConfig, seeded bool) {
	fmt.Fprintf(w, "hiretext is running at %s\n", base)
	if cfg.SMSProvider == "simulator" {
		who := "in a browser on this machine, or logged in as an administrator"
		if cfg.SimulatorPublic {
			who = "by anyone (--simulator-public)"
		}
		fmt.Fprintf(w, "The simulator phone is at %s/simulator: open it %s.\n", base, who)
	}
	if !cfg.Demo {
		return
	}
	if !seeded && !demo.Present(ctx, db) {
		fmt.Fprintln(w, "The database already holds other companies, so no demo company was created.")
		return
	}
	fmt.Fprintf(w, "Demo company Acme Staffing: log in at %s/login with password %q as\n", base, demo.Password)
	for _, l := range demo.Logins() {
		fmt.Fprintf(w, "  %-40s %s (%s)\n", l.Email, l.Name, l.Role)
	}
}

// startProvider builds the SMS provider and starts its background work (the
// simulator's webhook deliveries; Twilio has none). The returned function
// stops that work and waits for it; it runs after the HTTP servers have shut
// down, so in-flight requests may still use the provider.
func startProvider(ctx context.Context, cfg *serveConfig, db *store.DB, base *url.URL, log *slog.Logger) (sms.Provider, func(), error) {
	if cfg.SMSProvider == "twilio" {
		return startTwilio(cfg.Twilio, base, log)
	}
	sim, err := simulator.New(ctx, simulator.Config{Store: db.Simulator(), BaseURL: base.String(), Logger: log,
		Clock: cfg.clock, StepDelay: time.Second, Faults: cfg.SimulatorFaults})
	if err != nil {
		return nil, nil, err
	}
	// A public address with the simulator is most likely a production
	// install that forgot --sms-provider: nothing reaches real phones, and
	// /simulator shows every text to anyone.
	level := slog.LevelInfo
	if !isLoopback(base) {
		level = slog.LevelWarn
	}
	open := "administrators and this machine"
	if cfg.SimulatorPublic {
		open = "anyone who can reach this server"
	}
	log.Log(ctx, level, "the SMS provider is the built-in simulator: no real texts are sent, and /simulator shows every text "+
		"to "+open+"; use --sms-provider twilio for real texting", "base_url", base.String())
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		sim.Run(runCtx)
	}()
	return sim, func() { cancel(); <-done }, nil
}

// envValues reads typed settings from the environment. A malformed value
// is remembered under its flag's name and reported, naming the variable and
// what it holds, unless the flag itself was given.
type envValues struct {
	getenv func(string) string
	bad    map[string]error // by flag name
}

func newEnvValues(getenv func(string) string) *envValues {
	return &envValues{getenv: getenv, bad: map[string]error{}}
}

// duration reads a duration such as 15s, or def when key is unset.
func (v *envValues) duration(flagName, key string, def time.Duration) time.Duration {
	raw := v.getenv(key)
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		v.bad[flagName] = fmt.Errorf("%s=%q: want a duration such as %v (or set --%s)", key, raw, def, flagName)
		return def
	}
	return d
}

// float reads a number, or 0 when key is unset.
func (v *envValues) float(flagName, key string) float64 {
	raw := v.getenv(key)
	if raw == "" {
		return 0
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		v.bad[flagName] = fmt.Errorf("%s=%q: want a number (or set --%s)", key, raw, flagName)
		return 0
	}
	return f
}

// integer reads a whole number, or def when key is unset.
func (v *envValues) integer(flagName, key string, def int) int {
	raw := v.getenv(key)
	if raw == "" {
		return def
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		v.bad[flagName] = fmt.Errorf("%s=%q: want a whole number (or set --%s)", key, raw, flagName)
		return def
	}
	return n
}

// err returns a malformed variable's error for the first flag (in name
// order) that was not given on the command line.
func (v *envValues) err(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	names := make([]string, 0, len(v.bad))
	for name := range v.bad {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !given[name] {
			return v.bad[name]
		}
	}
	return nil
}

// isLoopback reports whether base names this machine only (localhost or a
// loopback address), as a demo or a developer's run does.
func isLoopback(base *url.URL) bool {
	host := base.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
