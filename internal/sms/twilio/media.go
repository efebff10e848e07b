package twilio

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hiretext/hiretext/internal/sms"
)

var _ sms.MediaSource = (*Provider)(nil)

// MediaRequest returns the GET of a picture Twilio announced with an inbound
// message, with the account's credentials (Basic auth, needed when the
// account enforces HTTP authentication on media). Only a URL under our own
// account on the REST API's origin is fetched: the credentials never go
// anywhere else, and a webhook naming another host is refused.
func (p *Provider) MediaRequest(ctx context.Context, rawURL string) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("twilio: media URL: %w", err)
	}
	prefix := p.accountURL() + "/Messages/"
	if u.User != nil || !strings.HasPrefix(u.Scheme+"://"+u.Host+u.EscapedPath(), prefix) {
		return nil, fmt.Errorf("twilio: media URL %q is not under the account's messages at %s", rawURL, p.cfg.APIBase)
	}
	return p.newRequest(ctx, http.MethodGet, u.String(), nil)
}

// MediaHost reports whether a redirect goes to Twilio's own hosts: the REST
// API's origin, or Twilio's media delivery hosts (*.twilio.com,
// *.twiliocdn.com), over HTTPS. Go's client drops the credentials on a
// redirect to another host.
func (p *Provider) MediaHost(u *url.URL) bool {
	api, err := url.Parse(p.cfg.APIBase)
	if err == nil && u.Scheme == api.Scheme && u.Host == api.Host {
		return true
	}
	host := u.Hostname()
	return u.Scheme == "https" && (strings.HasSuffix(host, ".twilio.com") || strings.HasSuffix(host, ".twiliocdn.com"))
}
