package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/mail"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/sms/twilio"
	"github.com/hiretext/hiretext/internal/store"
)

// hiretext doctor checks a deployment from the machine it runs on, with the
// settings serve reads (flags or the same environment): the database, the
// base URL, a webhook signed the way the provider signs it, the provider's
// credentials, the SMTP server when email is on, and the clock. It prints one line per check and exits 1 when
// any check fails; warnings do not fail. It changes nothing, except that the
// simulator's signing key is created if serve never ran.

// checkStatus is a check's outcome.
type checkStatus string

const (
	checkOK   checkStatus = "ok"
	checkWarn checkStatus = "warn"
	checkFail checkStatus = "fail"
	checkSkip checkStatus = "skip" // it could not run: an earlier check failed
)

// checkResult is one line of the doctor's report.
type checkResult struct {
	Name   string      `json:"name"`
	Status checkStatus `json:"status"`
	Detail string      `json:"detail"`
}

// clockLimits: the simulator refuses webhooks signed more than
// simulator.Tolerance away from its clock; drift well inside that is a
// warning, beyond it a failure.
const (
	clockWarn = 30 * time.Second
	clockFail = simulator.Tolerance
)

// doctor holds what the checks learn for the checks after them.
type doctor struct {
	e        env
	dbURL    string
	rawBase  string
	addr     string
	provider string
	client   *http.Client
	timeout  time.Duration
	// mailConfig reads --smtp-url and --mail-from as serve reads them.
	mailConfig func() (*mail.Config, error)

	db     *store.DB      // nil when unreachable
	base   *url.URL       // nil when malformed
	twilio *twilio.Config // nil unless the provider is twilio, configured well
	clocks []clockReading
}

// clockReading is another clock's time against ours.
type clockReading struct {
	source string
	skew   time.Duration // theirs minus ours
}

func runDoctor(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("doctor", "hiretext doctor [--database URL] [--base-url URL] [--sms-provider NAME] [--smtp-url URL --mail-from ADDR] [--timeout D] [--json]", e)
	d := &doctor{e: e}
	fs.StringVar(&d.dbURL, "database", envOr(e.getenv, "HIRETEXT_DATABASE", defaultDatabase), "database URL, as serve takes it (env HIRETEXT_DATABASE)")
	fs.StringVar(&d.rawBase, "base-url", e.getenv("HIRETEXT_BASE_URL"), "serve's public URL (env HIRETEXT_BASE_URL; default http://ADDR)")
	fs.StringVar(&d.addr, "addr", envOr(e.getenv, "HIRETEXT_ADDR", "127.0.0.1:8080"), "serve's listen address, for the default base URL (env HIRETEXT_ADDR)")
	fs.StringVar(&d.provider, "sms-provider", envOr(e.getenv, "HIRETEXT_SMS_PROVIDER", "simulator"), "simulator or twilio, with the TWILIO_* settings (env HIRETEXT_SMS_PROVIDER)")
	d.mailConfig = mailFlags(fs, e)
	fs.DurationVar(&d.timeout, "timeout", 10*time.Second, "how long each check may wait for an answer")
	asJSON := fs.Bool("json", false, "print one JSON object instead of lines")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	// Redirects are reported, not followed: a provider's POST is not
	// redirected, and a redirect means the base URL is not the public one.
	d.client = &http.Client{Timeout: d.timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	results := d.run(ctx)
	if d.db != nil {
		d.db.Close()
	}
	return report(e, results, *asJSON)
}

// run runs every check in order.
func (d *doctor) run(ctx context.Context) []checkResult {
	checks := []struct {
		name string
		fn   func(context.Context) (checkStatus, string)
	}{
		{"database", d.checkDatabase},
		{"base URL", d.checkBaseURL},
		{"reachable", d.checkReachable},
		{"provider", d.checkProvider},
		{"webhook", d.checkWebhook},
		{"email", d.checkEmail},
		{"clock", d.checkClock},
	}
	out := make([]checkResult, 0, len(checks))
	for _, c := range checks {
		status, detail := c.fn(ctx)
		out = append(out, checkResult{Name: c.name, Status: status, Detail: detail})
	}
	return out
}

// report prints the results and fails when a check failed.
func report(e env, results []checkResult, asJSON bool) error {
	failed := 0
	for _, r := range results {
		if r.Status == checkFail {
			failed++
		}
	}
	if asJSON {
		if err := printJSON(e, struct {
			OK     bool          `json:"ok"`
			Checks []checkResult `json:"checks"`
		}{failed == 0, results}); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			fmt.Fprintf(e.stdout, "%-5s %-10s %s\n", strings.ToUpper(string(r.Status)), r.Name, r.Detail)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d checks failed", failed, len(results))
	}
	return nil
}

// checkDatabase: reachable, and its schema is the one this binary needs.
func (d *doctor) checkDatabase(ctx context.Context) (checkStatus, string) {
	const setting = "check --database or HIRETEXT_DATABASE"
	if err := sqliteFileExists(d.dbURL); err != nil {
		return checkFail, strings.TrimPrefix(err.Error(), "--database: ")
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	db, err := store.Open(ctx, d.dbURL, store.Config{})
	if err != nil {
		return checkFail, fmt.Sprintf("cannot open %s (%s): %v", store.RedactURL(d.dbURL), setting, oneLine(err))
	}
	applied, known, err := db.SchemaVersion(ctx)
	if err != nil {
		db.Close()
		return checkFail, fmt.Sprintf("cannot reach %s (%s): %v", store.RedactURL(d.dbURL), setting, oneLine(err))
	}
	d.db = db
	where := store.RedactURL(d.dbURL)
	switch {
	case applied < known:
		return checkFail, fmt.Sprintf("%s is at schema version %d, this hiretext needs %d: run hiretext migrate (serve migrates on start unless --no-migrate)", where, applied, known)
	case applied > known:
		return checkFail, fmt.Sprintf("%s is at schema version %d, newer than this hiretext's %d: run the newer hiretext", where, applied, known)
	}
	if db.Dialect() == "postgres" {
		d.readDatabaseClock(ctx)
	}
	return checkOK, fmt.Sprintf("%s answers; schema version %d (current)", where, applied)
}

// readDatabaseClock notes PostgreSQL's clock, which may be another machine's.
func (d *doctor) readDatabaseClock(ctx context.Context) {
	read, _ := d.db.Pools()
	before := time.Now()
	var theirs time.Time
	if err := read.QueryRowContext(ctx, "SELECT CURRENT_TIMESTAMP").Scan(&theirs); err == nil {
		d.clocks = append(d.clocks, clockReading{"the PostgreSQL server", theirs.Sub(midpoint(before, time.Now()))})
	}
}

// checkBaseURL: well formed, and https.
func (d *doctor) checkBaseURL(context.Context) (checkStatus, string) {
	raw := d.rawBase
	if raw == "" {
		raw = "http://" + d.addr
	}
	base, err := parseBaseURL(raw)
	if err != nil {
		return checkFail, err.Error() + " (set --base-url or HIRETEXT_BASE_URL)"
	}
	d.base = base
	var warnings []string
	if d.rawBase == "" {
		warnings = append(warnings, "no --base-url or HIRETEXT_BASE_URL is set, so this checks serve's default, "+raw)
	}
	if base.Scheme != "https" {
		warnings = append(warnings, "it is not https: logins and candidates' texts would cross the network unencrypted (put TLS in front: docs/deploy/nginx.conf)")
	}
	if d.provider == "twilio" {
		if reason := notPublic(base); reason != "" && base.Scheme == "https" {
			warnings = append(warnings, reason)
		}
	}
	if len(warnings) > 0 {
		return checkWarn, base.String() + ": " + strings.Join(warnings, "; ")
	}
	return checkOK, base.String() + " is https"
}

// checkReachable: the base URL leads, from this machine, to a hiretext.
func (d *doctor) checkReachable(ctx context.Context) (checkStatus, string) {
	if d.base == nil {
		return checkSkip, "needs a well-formed base URL"
	}
	target := d.base.String() + "/healthz"
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	before := time.Now()
	resp, err := d.client.Do(req)
	if err != nil {
		return checkFail, fmt.Sprintf("GET %s: %v: is serve running, and do DNS and the proxy lead this URL to it?", target, oneLine(err))
	}
	defer resp.Body.Close()
	if at, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		d.clocks = append(d.clocks, clockReading{"the server behind the base URL", at.Sub(midpoint(before, time.Now()))})
	}
	var health struct{ Status, Version string }
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return checkFail, fmt.Sprintf("GET %s answered %d, a redirect to %s: use the URL it redirects to as the base URL", target, resp.StatusCode, resp.Header.Get("Location"))
	case resp.StatusCode != http.StatusOK || json.Unmarshal(body, &health) != nil || health.Status != "ok":
		return checkFail, fmt.Sprintf("GET %s answered %d, not hiretext's health check: does the proxy pass every path to hiretext?", target, resp.StatusCode)
	}
	return checkOK, fmt.Sprintf("GET %s answered 200 (hiretext %s)", target, health.Version)
}

// checkProvider: the provider's settings and credentials work.
func (d *doctor) checkProvider(ctx context.Context) (checkStatus, string) {
	switch d.provider {
	case "simulator":
		if d.base != nil && !isLoopback(d.base) {
			return checkWarn, "the built-in simulator: no real texts are sent, and /simulator shows every text to anyone; use --sms-provider twilio for real texting"
		}
		return checkOK, "the built-in simulator needs no credentials (no real texts are sent)"
	case "twilio":
		return d.checkTwilio(ctx)
	}
	return checkFail, fmt.Sprintf("--sms-provider %q: the available providers are simulator and twilio (or set HIRETEXT_SMS_PROVIDER)", d.provider)
}

// checkTwilio reads the TWILIO_* settings and fetches the account.
func (d *doctor) checkTwilio(ctx context.Context) (checkStatus, string) {
	cfg, err := readTwilioConfig(d.e.getenv, d.rawBase, d.addr)
	if err != nil {
		return checkFail, err.Error()
	}
	if d.base != nil {
		cfg.PublicBaseURL = d.base.String()
	}
	cfg.Timeout = d.timeout
	p, err := twilio.New(cfg)
	if err != nil {
		return checkFail, err.Error()
	}
	d.twilio = &cfg
	before := time.Now()
	a, err := p.CheckAccount(ctx)
	var se *sms.Error
	switch {
	case errors.As(err, &se) && se.Code == "20003":
		return checkFail, "Twilio refused the credentials (error 20003): check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN against the Twilio Console"
	case err != nil:
		return checkFail, fmt.Sprintf("Twilio account %s: %v", cfg.AccountSID, oneLine(err))
	}
	if !a.ServerTime.IsZero() {
		d.clocks = append(d.clocks, clockReading{"Twilio", a.ServerTime.Sub(midpoint(before, time.Now()))})
	}
	if a.Status != "active" {
		return checkFail, fmt.Sprintf("Twilio account %s (%s) is %s: texts cannot be sent", cfg.AccountSID, a.FriendlyName, a.Status)
	}
	return checkOK, fmt.Sprintf("Twilio account %s (%s) is active; the credentials work", cfg.AccountSID, a.FriendlyName)
}

// checkWebhook signs a request the way the provider signs its webhooks,
// posts it to the base URL's check endpoint and expects it accepted: the
// proxy passes webhooks through intact, and serve verifies them with the
// same key against the same base URL.
func (d *doctor) checkWebhook(ctx context.Context) (checkStatus, string) {
	if d.base == nil {
		return checkSkip, "needs a well-formed base URL"
	}
	target := d.base.String() + "/webhooks/" + d.provider + "/check"
	req, err := d.signedCheck(ctx, target)
	if err != nil {
		return checkSkip, err.Error()
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return checkFail, fmt.Sprintf("POST %s: %v", target, oneLine(err))
	}
	defer resp.Body.Close()
	var ack struct {
		Status  string `json:"status"`
		BaseURL string `json:"base_url"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode == http.StatusForbidden:
		return checkFail, fmt.Sprintf("POST %s was refused (403): the signature did not verify. serve checks signatures against its own --base-url: "+
			"is it exactly %s? Does a proxy change the path, the query or the body? Do serve and doctor share the database and the provider's settings?", target, d.base)
	case resp.StatusCode == http.StatusNotFound:
		return checkFail, fmt.Sprintf("POST %s answered 404: serve uses another SMS provider than %s, or the proxy does not pass /webhooks/ to hiretext", target, d.provider)
	case resp.StatusCode != http.StatusOK || json.Unmarshal(body, &ack) != nil || ack.Status != "accepted":
		return checkFail, fmt.Sprintf("POST %s answered %d, not hiretext's webhook check", target, resp.StatusCode)
	case ack.BaseURL != d.base.String():
		return checkFail, fmt.Sprintf("POST %s was accepted, but serve's base URL is %s: the provider signs and calls %s; "+
			"set the same --base-url (HIRETEXT_BASE_URL) for serve and doctor, the public one", target, ack.BaseURL, d.base)
	}
	return checkOK, fmt.Sprintf("a webhook signed as %s signs them, POSTed to %s, was accepted", d.provider, target)
}

// signedCheck builds the check request, signed as the provider would sign
// it: the simulator's HMAC-SHA256 of the body with its key (kept in the
// database) and a fresh timestamp, or Twilio's HMAC-SHA1 of the URL and
// parameters with the auth token.
func (d *doctor) signedCheck(ctx context.Context, target string) (*http.Request, error) {
	var body string
	header := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	switch d.provider {
	case "simulator":
		if d.db == nil {
			return nil, errors.New("needs the database, which holds the simulator's signing key")
		}
		sim, err := simulator.New(ctx, simulator.Config{Store: d.db.Simulator(), BaseURL: d.base.String()})
		if err != nil {
			return nil, fmt.Errorf("the simulator's signing key: %v", oneLine(err))
		}
		body = url.Values{"EventType": {"check"}, "Timestamp": {time.Now().UTC().Format(time.RFC3339Nano)}}.Encode()
		header.Set(simulator.SignatureHeader, sim.Sign([]byte(body)))
	case "twilio":
		if d.twilio == nil {
			return nil, errors.New("needs the Twilio settings")
		}
		params := url.Values{"AccountSid": {d.twilio.AccountSID}, "EventType": {"check"}}
		body = params.Encode()
		header.Set(twilio.SignatureHeader, twilio.Sign(d.twilio.AuthToken, target, params))
	default:
		return nil, errors.New("needs a known SMS provider")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header
	return req, nil
}

// checkEmail: with --smtp-url set, the SMTP server answers, protects the
// connection as the URL asks and takes the credentials, exactly as serve
// would before an email (mail.Sender.Check); nothing is sent. Without it
// email is off, which is a choice, not a failure.
func (d *doctor) checkEmail(ctx context.Context) (checkStatus, string) {
	cfg, err := d.mailConfig()
	if err != nil {
		return checkFail, err.Error()
	}
	if cfg == nil {
		return checkOK, "off: no --smtp-url (HIRETEXT_SMTP_URL) is set, so hiretext sends no notification emails"
	}
	cfg.Timeout = d.timeout
	server := "SMTP server " + cfg.Addr()
	if err := mail.NewSender(*cfg, hiretext.SystemClock).Check(ctx); err != nil {
		return checkFail, server + ": " + d.smtpAdvice(cfg, err)
	}
	how := map[mail.Security]string{mail.StartTLS: "STARTTLS", mail.ImplicitTLS: "TLS", mail.NoTLS: "no TLS (tls=none)"}[cfg.Security]
	who := "no credentials given"
	if cfg.Username != "" {
		who = fmt.Sprintf("user %q authenticated", cfg.Username)
	}
	return checkOK, fmt.Sprintf("%s answered over %s, %s; no email was sent", server, how, who)
}

// smtpAdvice says what failed on the way to the SMTP server and which
// part of --smtp-url to check. It never repeats the password: the URL is
// not printed, and the server's replies do not hold it.
func (d *doctor) smtpAdvice(cfg *mail.Config, err error) string {
	const setting = "--smtp-url (HIRETEXT_SMTP_URL)"
	var step *mail.StepError
	var cert *tls.CertificateVerificationError
	var netErr net.Error
	switch {
	case errors.As(err, &cert):
		return certificateAdvice(cfg.Host, cert.Err, setting)
	case !errors.As(err, &step):
		return oneLine(err)
	case step.Step == "connect":
		return fmt.Sprintf("cannot connect: %v: check the host and port in %s (587 for smtp://, 465 for smtps://) and that this machine may reach them", oneLine(step.Err), setting)
	case step.Step == "AUTH" && errors.As(err, new(*textproto.Error)):
		return fmt.Sprintf("the server refused user %q: %v: check the user name and password in %s", cfg.Username, oneLine(step.Err), setting)
	case step.Step == "AUTH": // go-mail's PlainAuth would not send the password: in the clear to another machine
		return fmt.Sprintf("the password for user %q was not sent: %v: with ?tls=none it goes only to this machine; use smtp:// (STARTTLS) or smtps:// in %s", cfg.Username, oneLine(step.Err), setting)
	case step.Step == "STARTTLS" && errors.As(err, new(*mail.PermanentError)): // not offered
		return fmt.Sprintf("%v in %s", oneLine(step.Err), setting)
	case step.Step == "STARTTLS":
		return fmt.Sprintf("STARTTLS failed: %v: check %s", oneLine(step.Err), setting)
	case errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Sprintf("connected, but no SMTP answer to %s within %v: is this port an SMTP server's? A port that speaks TLS from the start (465) needs smtps:// in %s", step.Step, d.timeout, setting)
	}
	return fmt.Sprintf("%s: %v: is it an SMTP server? Check %s", step.Step, oneLine(step.Err), setting)
}

// certificateAdvice explains a certificate that does not verify: a name
// the certificate does not hold, or an authority this machine does not
// trust.
func certificateAdvice(host string, err error, setting string) string {
	var name x509.HostnameError
	var authority x509.UnknownAuthorityError
	switch {
	case errors.As(err, &name):
		return fmt.Sprintf("its certificate is not for %s: %v: use in %s a host name the certificate holds", host, oneLine(err), setting)
	case errors.As(err, &authority):
		return fmt.Sprintf("its certificate is signed by an authority this machine does not trust: %v: install that authority's certificate "+
			"among the system's (or name a file of them in SSL_CERT_FILE), or check the host in %s", oneLine(err), setting)
	}
	return fmt.Sprintf("its certificate does not verify for %s: %v: check the host in %s", host, oneLine(err), setting)
}

// checkClock compares this machine's clock with the others the checks
// met: PostgreSQL's, the Date header of the base URL's answer, and
// Twilio's. The worst difference counts.
func (d *doctor) checkClock(context.Context) (checkStatus, string) {
	if len(d.clocks) == 0 {
		return checkSkip, "no other clock answered to compare with"
	}
	worst := d.clocks[0]
	var seen []string
	for _, c := range d.clocks {
		if c.skew.Abs() > worst.skew.Abs() {
			worst = c
		}
		seen = append(seen, fmt.Sprintf("%s %s", c.source, describeSkew(c.skew)))
	}
	detail := strings.Join(seen, "; ")
	switch {
	case worst.skew.Abs() >= clockFail:
		return checkFail, detail + fmt.Sprintf(": signed webhooks more than %v off are refused; synchronise the clocks (NTP)", clockFail)
	case worst.skew.Abs() >= clockWarn:
		return checkWarn, detail + ": synchronise the clocks (NTP) before the difference reaches " + clockFail.String()
	}
	return checkOK, detail
}

// describeSkew says how far another clock is from ours. HTTP dates have
// whole seconds, so a second either way is no difference.
func describeSkew(skew time.Duration) string {
	switch {
	case skew.Abs() <= time.Second:
		return "agrees with this machine's clock"
	case skew > 0:
		return "is " + skew.Round(time.Second).String() + " ahead of this machine"
	}
	return "is " + (-skew).Round(time.Second).String() + " behind this machine"
}

// midpoint is the instant halfway between a and b: the best guess of when
// a remote clock read its time during a round trip.
func midpoint(a, b time.Time) time.Time { return a.Add(b.Sub(a) / 2) }

// oneLine keeps an error's message on one line, without the request a
// *url.Error repeats (the line names it already).
func oneLine(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
