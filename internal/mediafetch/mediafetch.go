// Package mediafetch fetches the files (pictures) candidates send with their
// texts from the provider that announced them, in the background: the
// inbound webhook stores the links with the text and answers at once; the
// Worker claims pending files (each once across instances, by lease),
// downloads each with the provider's credentials from the provider's own
// host only, checks its size and type, and keeps it, retries it with
// backoff, or refuses it with the reason recorded.
package mediafetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// Config tunes a Worker.
type Config struct {
	Poll    time.Duration // how often to look for pending files; default 2 s
	Lease   time.Duration // how long a claimed file is the worker's; default 2 min, longer than Timeout
	Timeout time.Duration // bounds one download; default 30 s
	Batch   int           // files claimed at once; default 10
	Clock   hiretext.Clock
	Logger  *slog.Logger
	// Transport makes the requests; http.DefaultTransport when nil.
	Transport http.RoundTripper
}

// Worker fetches pending files of one provider.
type Worker struct {
	store    hiretext.MediaFetch
	provider string
	source   sms.MediaSource
	client   *http.Client
	cfg      Config
}

// New returns a worker fetching, through source, the files provider (its
// name) announced.
func New(store hiretext.MediaFetch, provider string, source sms.MediaSource, cfg Config) *Worker {
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Worker{store: store, provider: provider, source: source, cfg: cfg}
	w.client = &http.Client{Transport: cfg.Transport, Timeout: cfg.Timeout, CheckRedirect: w.checkRedirect}
	return w
}

// maxRedirects bounds the redirects of one download.
const maxRedirects = 3

// checkRedirect follows a redirect only to the provider's own media hosts:
// a redirect elsewhere is refused, never followed.
func (w *Worker) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > maxRedirects {
		return &refusal{fmt.Sprintf("More than %d redirects.", maxRedirects)}
	}
	if !w.source.MediaHost(req.URL) {
		return &refusal{"The provider redirected to another host (" + req.URL.Host + ")."}
	}
	return nil
}

// Run fetches pending files every Poll until ctx ends. A file is not
// waited for: the text it came with is in the conversation already.
func (w *Worker) Run(ctx context.Context) {
	ticker := time.NewTicker(w.cfg.Poll)
	defer ticker.Stop()
	for {
		for {
			n, err := w.FetchDue(ctx)
			if err != nil && ctx.Err() == nil {
				w.cfg.Logger.Error("media fetch", "error", err)
			}
			if err != nil || n < w.cfg.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// FetchDue claims the files due now, fetches them one after another and
// records each outcome; it returns how many it claimed.
func (w *Worker) FetchDue(ctx context.Context) (int, error) {
	claimed, err := w.store.ClaimMediaFetches(ctx, w.provider, w.cfg.Batch, w.cfg.Lease)
	if err != nil {
		return 0, err
	}
	for _, m := range claimed {
		contentType, content, err := w.fetch(ctx, m)
		if err := w.settle(ctx, m, contentType, content, err); err != nil {
			return len(claimed), err
		}
	}
	return len(claimed), nil
}

// refusal is a file that will never be acceptable: fetching it again would
// give the same answer.
type refusal struct{ reason string }

func (r *refusal) Error() string { return r.reason }

// fetch downloads m and checks it: at most hiretext.MaxMediaBytes, of a
// type hiretext.CheckMedia accepts.
func (w *Worker) fetch(ctx context.Context, m *hiretext.Media) (string, []byte, error) {
	req, err := w.source.MediaRequest(ctx, m.ProviderURL)
	if err != nil {
		return "", nil, &refusal{"The file's address is not on the provider's media host."}
	}
	resp, err := w.client.Do(req)
	if err != nil {
		var r *refusal
		if errors.As(err, &r) {
			return "", nil, r
		}
		return "", nil, err
	}
	defer resp.Body.Close()
	if err := statusError(resp); err != nil {
		return "", nil, err
	}
	if resp.ContentLength > hiretext.MaxMediaBytes {
		return "", nil, tooLarge()
	}
	content, err := io.ReadAll(io.LimitReader(resp.Body, hiretext.MaxMediaBytes+1))
	if err != nil {
		return "", nil, err
	}
	if len(content) > hiretext.MaxMediaBytes {
		return "", nil, tooLarge()
	}
	// The provider's declaration and the file's own bytes must agree; the
	// response's Content-Type is the provider's too and is not trusted.
	stored, err := hiretext.CheckMedia(m.DeclaredType, http.DetectContentType(content))
	if err != nil {
		return "", nil, &refusal{hiretext.ErrorMessage(err)}
	}
	return stored, content, nil
}

func tooLarge() error {
	return &refusal{"The file is larger than " + strconv.Itoa(hiretext.MaxMediaBytes>>20) + " MB."}
}

// statusError reads a provider's answer: 2xx is the file; 404, 429 and
// 5xx are tried again (Twilio may answer 404 for a moment after the
// webhook); any other answer is final.
func statusError(resp *http.Response) error {
	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return nil
	case code == http.StatusNotFound || code == http.StatusTooManyRequests || code >= 500:
		return fmt.Errorf("the provider answered %s", resp.Status)
	case code >= 300 && code <= 399:
		return &refusal{"The provider redirected without a location."}
	default:
		return &refusal{"The provider answered " + resp.Status + "."}
	}
}

// settle records what fetching m did.
func (w *Worker) settle(ctx context.Context, m *hiretext.Media, contentType string, content []byte, fetchErr error) error {
	log := w.cfg.Logger.With("media_id", int64(m.ID), "org_id", int64(m.OrgID), "message_id", int64(m.MessageID), "attempt", m.Attempts)
	var r *refusal
	switch {
	case fetchErr == nil:
		log.Info("media stored", "content_type", contentType, "size", len(content))
		return w.store.StoreMediaContent(ctx, m.ID, contentType, content)
	case ctx.Err() != nil:
		return ctx.Err() // shutting down: the lease runs out and the file is fetched after the restart
	case errors.As(fetchErr, &r):
		log.Warn("media refused", "reason", r.reason)
		return w.store.GiveUpMedia(ctx, m.ID, hiretext.MediaRefused, r.reason)
	case m.Attempts >= hiretext.MaxMediaAttempts:
		log.Warn("media given up", "error", fetchErr.Error())
		return w.store.GiveUpMedia(ctx, m.ID, hiretext.MediaFailed, "The provider did not give the file: "+fetchErr.Error())
	}
	at := w.cfg.Clock.Now().Add(hiretext.MediaBackoff(m.Attempts))
	log.Info("media fetch delayed", "error", fetchErr.Error(), "retry_at", at)
	return w.store.RetryMediaFetch(ctx, m.ID, at, fetchErr.Error())
}
