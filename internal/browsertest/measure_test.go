package browsertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestEvaluateAndSetViewport(t *testing.T) {
	t.Parallel()
	Shared(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `<!doctype html><title>t</title><p>Measured</p>`)
	}))
	t.Cleanup(ts.Close)
	p := NewPage(t, "measure")
	p.BaseURL = ts.URL
	p.SetViewport(1366, 800)
	p.Visit("/")
	var size struct{ Width, Height int }
	p.Evaluate(`({width: window.innerWidth, height: window.innerHeight})`, &size)
	if size.Width != 1366 || size.Height != 800 {
		t.Errorf("the viewport is %dx%d, want 1366x800", size.Width, size.Height)
	}
	var text string
	p.Evaluate(`document.querySelector("p").textContent`, &text)
	if text != "Measured" {
		t.Errorf("Evaluate read %q", text)
	}
}
