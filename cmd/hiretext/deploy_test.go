package main

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDeployFilesNameExportedMetrics scrapes a running serve's
// --metrics-addr and checks that every metric the alert rules and the
// Grafana dashboard in docs/deploy name is one hiretext exports.
func TestDeployFilesNameExportedMetrics(t *testing.T) {
	t.Parallel()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := free.Addr().String()
	free.Close()
	vars := map[string]string{"HIRETEXT_DATABASE": "sqlite:" + filepath.Join(t.TempDir(), "hiretext.db")}
	s := serveInProcess(t, vars, "--demo", "--metrics-addr", metricsAddr)
	if resp, err := http.Get(s.base + "/healthz"); err == nil { // a request, so the request series exist
		resp.Body.Close()
	}
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var exported []string
	for _, line := range strings.Split(string(body), "\n") {
		if f := strings.Fields(line); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			exported = append(exported, f[2])
		}
	}
	metric := regexp.MustCompile(`\b(?:hiretext|go|process)_[a-z_]+`)
	for _, file := range []string{"alerts.yml", "grafana-dashboard.json"} {
		text, err := os.ReadFile(filepath.Join("..", "..", "docs", "deploy", file))
		if err != nil {
			t.Fatal(err)
		}
		names := metric.FindAllString(string(text), -1)
		if len(names) < 5 {
			t.Fatalf("%s names %d metrics", file, len(names))
		}
		for _, name := range names {
			family := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			if !slices.Contains(exported, family) {
				t.Errorf("%s names %s, which hiretext does not export", file, name)
			}
		}
	}
}
