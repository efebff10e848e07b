package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ArtifactsEnv names the environment variable that overrides where tests
// leave screenshots and HTML: $HIRETEXT_TEST_ARTIFACTS/<TestName>/.
const ArtifactsEnv = "HIRETEXT_TEST_ARTIFACTS"

// unsafeName matches what may not appear in a directory or file name.
var unsafeName = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// ArtifactDir is where t's screenshots and page HTML go:
// testdata/artifacts/<TestName>/ in the test's package directory, or under
// $HIRETEXT_TEST_ARTIFACTS. Subtests get subdirectories.
func ArtifactDir(t testing.TB) string {
	root := os.Getenv(ArtifactsEnv)
	if root == "" {
		root = filepath.Join("testdata", "artifacts")
	}
	parts := strings.Split(t.Name(), "/")
	for i, part := range parts {
		parts[i] = fileName(part)
	}
	return filepath.Join(append([]string{root}, parts...)...)
}

// fileName makes s safe as one path element.
func fileName(s string) string {
	s = strings.Trim(unsafeName.ReplaceAllString(s, "_"), "._")
	if s == "" {
		return "_"
	}
	return s
}

// Screenshot saves a PNG of the whole page as <name>.png in the test's
// ArtifactDir and returns its path.
func (p *Page) Screenshot(name string) string {
	p.t.Helper()
	path, err := p.screenshot(name)
	if err != nil {
		p.fatalf("screenshot: %v", err)
	}
	p.t.Logf("browsertest: page %q: screenshot %s", p.name, path)
	return path
}

func (p *Page) screenshot(name string) (string, error) {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, not JPEG
	if err != nil {
		return "", err
	}
	return writeArtifact(p.t, fileName(name)+".png", png)
}

// saveArtifacts keeps a failed test's evidence: a screenshot and the HTML
// of the page as it is now.
func (p *Page) saveArtifacts() {
	p.t.Helper()
	url := p.currentURL()
	shot, err := p.screenshot(p.name)
	if err != nil {
		p.t.Logf("browsertest: page %q at %s: no screenshot: %v", p.name, url, err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	var page string
	if err == nil {
		page, err = writeArtifact(p.t, fileName(p.name)+".html", []byte("<!-- "+url+" -->\n"+html))
	}
	if err != nil {
		p.t.Logf("browsertest: page %q at %s: no HTML saved: %v", p.name, url, err)
	}
	p.t.Logf("browsertest: page %q was at %s when the test failed; artifacts: %s %s", p.name, url, shot, page)
}

// writeArtifact writes data as file in t's ArtifactDir.
func writeArtifact(t testing.TB, file string, data []byte) (string, error) {
	dir := ArtifactDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, file)
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, os.WriteFile(path, data, 0o644)
}
