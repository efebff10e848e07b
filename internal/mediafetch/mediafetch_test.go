package mediafetch_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/mediafetch"
)

// fakeStore is the media queue in memory: what a fetch recorded.
type fakeStore struct {
	mu      sync.Mutex
	pending []*hiretext.Media
	outcome map[hiretext.MediaID]string // "stored image/png", "retry: …", "refused: …"
	content map[hiretext.MediaID][]byte
}

func (f *fakeStore) ClaimMediaFetches(_ context.Context, _ string, limit int, _ time.Duration) ([]*hiretext.Media, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := min(limit, len(f.pending))
	out := f.pending[:n]
	f.pending = f.pending[n:]
	for _, m := range out {
		m.Attempts++
	}
	return out, nil
}

func (f *fakeStore) StoreMediaContent(_ context.Context, id hiretext.MediaID, contentType string, content []byte) error {
	f.record(id, "stored "+contentType)
	f.content[id] = content
	return nil
}

func (f *fakeStore) RetryMediaFetch(_ context.Context, id hiretext.MediaID, _ time.Time, reason string) error {
	f.record(id, "retry: "+reason)
	return nil
}

func (f *fakeStore) GiveUpMedia(_ context.Context, id hiretext.MediaID, status hiretext.MediaStatus, reason string) error {
	f.record(id, string(status)+": "+reason)
	return nil
}

func (f *fakeStore) record(id hiretext.MediaID, s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outcome[id] = s
}

// source is a provider whose media live on one test server, fetched with
// Basic auth.
type source struct{ base *url.URL }

func (s source) MediaRequest(ctx context.Context, raw string) (*http.Request, error) {
	if !strings.HasPrefix(raw, s.base.String()+"/media/") {
		return nil, fmt.Errorf("not the provider's media: %s", raw)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err == nil {
		req.SetBasicAuth("AC1", "token")
	}
	return req, err
}

func (s source) MediaHost(u *url.URL) bool { return u.Host == s.base.Host }

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFetch runs every case against one provider server: a picture behind
// Basic auth, a flaky one, one too big, one elsewhere, a redirect away, a
// mislabelled one and a text/html one.
func TestFetch(t *testing.T) {
	t.Parallel()
	pic := pngBytes(t)
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(pic) }))
	t.Cleanup(elsewhere.Close)
	var flaky sync.Once
	mux := http.NewServeMux()
	mux.HandleFunc("/media/", func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "AC1" || pass != "token" {
			http.Error(w, "authenticate", http.StatusUnauthorized)
			return
		}
		switch strings.TrimPrefix(r.URL.Path, "/media/") {
		case "pic", "redirected":
			_, _ = w.Write(pic)
		case "flaky":
			failed := false
			flaky.Do(func() { failed = true })
			if failed {
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
			_, _ = w.Write(pic)
		case "big":
			_, _ = w.Write(append(pic, make([]byte, hiretext.MaxMediaBytes)...))
		case "away":
			http.Redirect(w, r, elsewhere.URL+"/x.png", http.StatusFound)
		case "local":
			http.Redirect(w, r, "/media/redirected", http.StatusFound)
		case "html":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html><script>alert(1)</script></html>"))
		}
	})
	provider := httptest.NewServer(mux)
	t.Cleanup(provider.Close)
	base, _ := url.Parse(provider.URL)

	cases := []struct {
		path, declared, want string
	}{
		{"pic", "image/png", "stored image/png"},
		{"flaky", "image/png", "retry: the provider answered 503 Service Unavailable"},
		{"big", "image/png", "refused: The file is larger than 5 MB."},
		{"away", "image/png", "refused: The provider redirected to another host (" + strings.TrimPrefix(elsewhere.URL, "http://") + ")."},
		{"local", "image/png", "stored image/png"},
		{"html", "image/jpeg", "refused: The file was declared as image/jpeg but is text/html."},
		{"html", "text/html", "stored application/octet-stream"},
	}
	store := &fakeStore{outcome: map[hiretext.MediaID]string{}, content: map[hiretext.MediaID][]byte{}}
	for i, c := range cases {
		store.pending = append(store.pending, &hiretext.Media{ID: hiretext.MediaID(i + 1), ProviderURL: provider.URL + "/media/" + c.path,
			DeclaredType: c.declared})
	}
	wrongHost := hiretext.MediaID(len(cases) + 1)
	store.pending = append(store.pending, &hiretext.Media{ID: wrongHost, ProviderURL: elsewhere.URL + "/media/pic", DeclaredType: "image/png"})
	w := mediafetch.New(store, "test", source{base}, mediafetch.Config{Batch: 20, Clock: time.Now})
	if n, err := w.FetchDue(context.Background()); err != nil || n != len(cases)+1 {
		t.Fatalf("FetchDue = %d, %v", n, err)
	}
	for i, c := range cases {
		if got := store.outcome[hiretext.MediaID(i+1)]; got != c.want {
			t.Errorf("%s declared %s: %q, want %q", c.path, c.declared, got, c.want)
		}
	}
	if got := store.outcome[wrongHost]; got != "refused: The file's address is not on the provider's media host." {
		t.Errorf("a file on another host: %q, want refused", got)
	}
	if !bytes.Equal(store.content[1], pic) {
		t.Errorf("the stored picture is %d bytes, want the provider's %d", len(store.content[1]), len(pic))
	}
	// The flaky file, tried again, is stored.
	store.pending = append(store.pending, &hiretext.Media{ID: 2, ProviderURL: provider.URL + "/media/flaky", DeclaredType: "image/png", Attempts: 1})
	if _, err := w.FetchDue(context.Background()); err != nil || store.outcome[2] != "stored image/png" {
		t.Fatalf("the flaky file tried again: %q, %v", store.outcome[2], err)
	}
}

// TestFetchGivesUpAfterMaxAttempts: a file the provider never gives is
// failed, with why, on its last attempt.
func TestFetchGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	t.Cleanup(provider.Close)
	base, _ := url.Parse(provider.URL)
	store := &fakeStore{outcome: map[hiretext.MediaID]string{}, content: map[hiretext.MediaID][]byte{},
		pending: []*hiretext.Media{{ID: 1, ProviderURL: provider.URL + "/media/x", DeclaredType: "image/png", Attempts: hiretext.MaxMediaAttempts - 1}}}
	w := mediafetch.New(store, "test", source{base}, mediafetch.Config{Clock: time.Now})
	if _, err := w.FetchDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := store.outcome[1]; got != "failed: The provider did not give the file: the provider answered 502 Bad Gateway" {
		t.Fatalf("outcome %q, want failed", got)
	}
}
