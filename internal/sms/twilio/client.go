package twilio

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hiretext/hiretext/internal/sms"
)

// maxResponseBytes caps what is read of a REST answer; Twilio's are a few KB.
const maxResponseBytes = 1 << 20

// call makes one authenticated REST request, bounded by the configured
// timeout, and returns the body of a 2xx answer. A form, when given, is sent
// form-encoded. Every failure is a classified *sms.Error.
func (p *Provider) call(ctx context.Context, method, rawURL string, form url.Values) ([]byte, error) {
	body, _, err := p.exchange(ctx, method, rawURL, form)
	return body, err
}

// exchange is call, also returning the answer's headers.
func (p *Provider) exchange(ctx context.Context, method, rawURL string, form url.Values) ([]byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	req, err := p.newRequest(ctx, method, rawURL, form)
	if err != nil {
		return nil, nil, &sms.Error{Class: sms.Permanent, Message: "could not build the Twilio request", Err: err}
	}
	resp, err := p.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, nil, transportError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, nil, transportError(err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, apiError(resp.StatusCode, body)
	}
	return body, resp.Header, nil
}

// newRequest builds a request with Basic auth and, for a form, its body.
func (p *Provider) newRequest(ctx context.Context, method, rawURL string, form url.Values) (*http.Request, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(p.cfg.AccountSID, p.cfg.AuthToken)
	req.Header.Set("Accept", "application/json")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req, nil
}
