// Package server is hiretext's HTTP surface: server-rendered pages, the JSON
// API under /api/v1, webhooks and health endpoints. routes.go lists every
// route; handlers are grouped one file per resource.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/sms"
)

// Store is everything the server needs from storage.
type Store interface {
	hiretext.OrgService
	hiretext.UserService
	hiretext.AuthService
	hiretext.Pinger
	// ATS services.
	hiretext.JobService
	hiretext.CandidateService
	hiretext.ApplicationService
	hiretext.ConsentService
	hiretext.TextingSettingsService
	hiretext.SendPolicyService
	hiretext.EscalationService
	// Numbers and their allowance.
	hiretext.NumberService
	hiretext.AllowanceService
	hiretext.CarrierGuardService
	// Texting services.
	hiretext.MessagingService
	hiretext.ConversationService
	hiretext.NoteService
	hiretext.ReportService
	hiretext.ResponseReportService
	hiretext.ThrottleService
	hiretext.BulkSendService
	hiretext.PrivacyService
	hiretext.AuditService
	hiretext.TemplateService
	hiretext.SignatureService
	hiretext.NotificationService
	hiretext.ReconcileService
	hiretext.NotifyService
	hiretext.FormService
	hiretext.ScheduleService
	hiretext.MediaService
	hiretext.CandidateZoneService
	AppSecret(ctx context.Context, name string) ([]byte, error)
}

// Config configures a Server.
type Config struct {
	BaseURL      *url.URL // the public URL: links, cookies' Secure flag, webhook signatures
	Logger       *slog.Logger
	Clock        hiretext.Clock
	Version      string
	MaxBodyBytes int64                 // cap on request bodies; default 1 MiB
	Metrics      *Metrics              // optional
	LoginLimit   hiretext.ThrottleRule // failed logins of one email from one client; zero value: DefaultLoginLimit
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the
	// client (see clientIP); from anyone else the header is ignored.
	TrustedProxies []netip.Prefix
	// Email says whether notification emails are sent (serve --smtp-url);
	// without it My settings says email is off.
	Email bool
	// SimulatorPublic opens the simulator's phone and API to everyone, not
	// only administrators and this machine (--simulator-public).
	SimulatorPublic bool
	Events          *events.Broker // live updates (GET /events); nil: those routes answer 404
	Stream          StreamOptions  // live-update heartbeat and stream lifetime; zero value: defaults
	Exports         ExportLimits   // how many streaming exports run at once, and for how long; zero value: defaults
	// Provider is the SMS provider numbers are generated from and released
	// to; without one, those pages and endpoints say texting is not set up.
	Provider sms.Provider
}

// Server serves hiretext over HTTP.
type Server struct {
	cfg         Config
	store       Store
	log         *slog.Logger
	pages       *pageRenderer
	assets      *assets
	flashKey    []byte
	routes      []route
	patterns    map[string]bool             // the patterns registered on the mux: the metrics' route labels
	crossOrigin *http.CrossOriginProtection // CSRF: see checkOrigin
	handler     http.Handler
	startedAt   time.Time
	provider    sms.Provider
	streams     streamSlots // open live-update streams, bounded (see streamSlots)
	exports     exportSlots // running exports, bounded (see ExportLimits)
}

// New builds a Server: it parses every template (failing fast on an error)
// and wires the routes.
func New(ctx context.Context, cfg Config, st Store) (*Server, error) {
	if cfg.BaseURL == nil {
		return nil, fmt.Errorf("server: BaseURL is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.LoginLimit == (hiretext.ThrottleRule{}) {
		cfg.LoginLimit = DefaultLoginLimit
	}
	s := &Server{cfg: cfg, store: st, log: cfg.Logger, startedAt: cfg.Clock.Now(), provider: cfg.Provider}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = newPageRenderer(s.assets); err != nil {
		return nil, err
	}
	if s.flashKey, err = st.AppSecret(ctx, "flash"); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()
	s.handler = s.buildHandler()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// secureCookies reports whether cookies must be Secure: when the public URL is https.
func (s *Server) secureCookies() bool { return s.cfg.BaseURL.Scheme == "https" }
