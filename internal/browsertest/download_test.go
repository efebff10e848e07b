package browsertest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPageDownloads(t *testing.T) {
	t.Parallel()
	Shared(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		switch r.URL.Path {
		case "/report.csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Header().Set("Content-Disposition", `attachment; filename="report.csv"`)
			io.WriteString(w, "name,texts\nAda,3\n")
		case "/notes.txt":
			io.WriteString(w, "plain notes")
		default:
			io.WriteString(w, `<!doctype html><title>t</title><h1>Reports</h1>`+
				`<a href="/report.csv">Download CSV</a> <a href="/notes.txt" download="notes.txt">Notes</a>`)
		}
	}))
	t.Cleanup(ts.Close)
	p := NewPage(t, "reports")
	p.BaseURL = ts.URL
	p.Visit("/")
	for _, c := range []struct{ link, name, data string }{
		{"Download CSV", "report.csv", "name,texts\nAda,3\n"},
		{"Notes", "notes.txt", "plain notes"},
	} {
		name, data := p.Download(c.link)
		if name != c.name || string(data) != c.data {
			t.Errorf("Download(%q) = %q, %q; want %q, %q", c.link, name, data, c.name, c.data)
		}
	}
	p.WaitText("Reports") // the page stays
}
