package browsertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A link that a script opens in a dialog (aria-haspopup=dialog) loads no
// page: Click must not wait for one.
func TestClickLinkThatOpensDialog(t *testing.T) {
	t.Parallel()
	Shared(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		switch r.URL.Path {
		case "/dialog.js":
			w.Header().Set("Content-Type", "text/javascript")
			io.WriteString(w, `document.addEventListener("click", function (e) {
  var a = e.target.closest("a[aria-haspopup=dialog]");
  if (!a) { return; }
  e.preventDefault();
  document.getElementById("d").showModal();
});`)
		default:
			io.WriteString(w, `<!doctype html><title>t</title><script src="/dialog.js" defer></script>`+
				`<a href="/conversation" aria-haspopup="dialog">Open the conversation</a><dialog id="d"><p>In the dialog</p></dialog>`)
		}
	}))
	t.Cleanup(ts.Close)
	p := NewPage(t, "dialog")
	p.BaseURL = ts.URL
	p.Visit("/")
	p.Click("Open the conversation")
	p.WaitText("In the dialog")
}
