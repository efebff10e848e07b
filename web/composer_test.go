package web

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
)

// TestComposerCountsLikeTheServer runs the composer's segment counter
// (static/js/composer.js) under Node.js and checks it agrees with the domain
// rule on every sample, so the live count a recruiter sees is the count the
// server bills. It skips where Node.js is not installed.
func TestComposerCountsLikeTheServer(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the composer's counter is checked where it is")
	}
	samples := []string{"", "a", strings.Repeat("a", 160), strings.Repeat("a", 161), strings.Repeat("€", 80),
		strings.Repeat("€", 81), strings.Repeat("a", 152) + "€" + strings.Repeat("a", 152), strings.Repeat("é", 70),
		strings.Repeat("ж", 70), strings.Repeat("ж", 71), strings.Repeat("😀", 35), strings.Repeat("😀", 36),
		strings.Repeat("a", 66) + "😀" + strings.Repeat("a", 66), "Smart “quotes” — and… dashes", "Tab\there", "{[~]}|^\\",
		"Hi 👋🏽 family 👨‍👩‍👧", strings.Repeat("Interview at 10:00 tomorrow? ", 50)}
	input, _ := json.Marshal(samples)
	script := `global.window = {}; global.document = {readyState: "complete", querySelectorAll: () => []};
require(process.argv[1]);
const samples = JSON.parse(process.argv[2]);
console.log(JSON.stringify(samples.map(s => { const c = window.hiretextComposer.count(s); return [c.segments, c.encoding, c.characters]; })));`
	out, err := exec.Command(node, "-e", script, "./static/js/composer.js", string(input)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got [][3]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	for i, s := range samples {
		want := hiretext.CountSegments(s)
		if int(got[i][0].(float64)) != want.Segments || got[i][1] != string(want.Encoding) || int(got[i][2].(float64)) != want.Characters {
			t.Errorf("sample %d (%q): composer says %v, server says %d segments %s %d characters",
				i, s, got[i], want.Segments, want.Encoding, want.Characters)
		}
	}
}

// TestPickerSearchesLikeTheServer runs the template picker's search
// (matchTemplates in static/js/composer.js) under Node.js and checks it finds
// and ranks what hiretext.MatchTemplates does, so the list a person filters
// as they type is the list the page shows without JavaScript.
func TestPickerSearchesLikeTheServer(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the picker's search is checked where it is")
	}
	templates := []*hiretext.Template{
		{Name: "Documents reminder", Body: "Bring a photo ID to your interview."},
		{Name: "Interview invitation", Body: "Hi {FirstName|there}, can you come in?"},
		{Name: "Open house", Body: "Meet the team on Friday"},
		{Name: "Entrevista", Body: "¿Puede venir el viernes? Llámenos"},
		{Name: "Quick call", Body: "Are you free for a CALL tomorrow?"},
	}
	queries := []string{"", "interview", "INTERVIEW inv", "call", "friday team", "llámenos", "  open   house ", "nothing", "{firstname"}
	type sample struct{ Name, Body string }
	var list []sample
	for _, tpl := range templates {
		list = append(list, sample{tpl.Name, tpl.Body})
	}
	input, _ := json.Marshal(map[string]any{"templates": list, "queries": queries})
	script := `global.window = {}; global.document = {readyState: "complete", querySelectorAll: () => []};
require(process.argv[1]);
const input = JSON.parse(process.argv[2]);
const ts = input.templates.map(t => ({name: t.Name, body: t.Body}));
console.log(JSON.stringify(input.queries.map(q => window.hiretextComposer.matchTemplates(ts, q))));`
	out, err := exec.Command(node, "-e", script, "./static/js/composer.js", string(input)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got [][]int
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node output %q: %v", out, err)
	}
	for i, q := range queries {
		var want []int
		for _, m := range hiretext.MatchTemplates(templates, q) {
			want = append(want, slices.Index(templates, m))
		}
		if !slices.Equal(got[i], want) && !(len(got[i]) == 0 && len(want) == 0) {
			t.Errorf("query %q: the picker finds %v, the server %v", q, got[i], want)
		}
	}
}
