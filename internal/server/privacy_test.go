package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// rawAPI sends a request with a bearer token and returns the status and
// the raw body.
func rawAPI(t *testing.T, ts *testServer, tok, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, data
}

// TestAPIEraseCandidate: erasing needs {"confirm": true}; then 204, and the
// candidate is 404, erasing again too; another company's candidate is 404.
func TestAPIEraseCandidate(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	tok := token(t, db, admin)
	ann := f.candidate(t, "Ann")
	path := "/api/v1/candidates/" + idStr(int64(ann.ID))
	for _, body := range []string{`{"confirm":false}`, `{}`} {
		if st, _, data := rawAPI(t, f.ts, tok, "DELETE", path, body); st != http.StatusUnprocessableEntity || !strings.Contains(string(data), `"confirm"`) {
			t.Fatalf("DELETE %s: %d %s, want 422 on confirm", body, st, data)
		}
	}
	other := storetest.MustCreateOrg(t, db, "Globex")
	otherAdmin := storetest.MustCreateUser(t, db, other.ID, "Gia Globex", hiretext.RoleAdmin)
	if st, _, _ := rawAPI(t, f.ts, token(t, db, otherAdmin), "DELETE", path, `{"confirm":true}`); st != http.StatusNotFound {
		t.Fatalf("another company's admin: %d, want 404", st)
	}
	if st, _, data := rawAPI(t, f.ts, tok, "DELETE", path, `{"confirm":true}`); st != http.StatusNoContent || len(data) != 0 {
		t.Fatalf("erase: %d %q, want 204", st, data)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if st, _, _ := rawAPI(t, f.ts, tok, m, path, map[string]string{"GET": "", "DELETE": `{"confirm":true}`}[m]); st != http.StatusNotFound {
			t.Fatalf("%s after erasure: %d, want 404", m, st)
		}
	}
}

// TestEraseFromProfileNeedsTheName: the profile's Erase form refuses a name
// that is not the candidate's, keeping what was typed, and erases with it.
func TestEraseFromProfileNeedsTheName(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	ann := f.candidate(t, "Ann")
	b := f.ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	path := "/candidates/" + idStr(int64(ann.ID))
	_, page, _ := b.do("GET", path, nil)
	if !strings.Contains(page, `action="`+path+`/erase"`) || !strings.Contains(page, path+"/export.zip") {
		t.Fatal("the profile offers no Erase form or export to an administrator")
	}
	st, page, _ := b.do("POST", path+"/erase", url.Values{"confirm_name": {"Ann"}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(page, "Type the candidate&#39;s name") || !strings.Contains(page, `value="Ann"`) {
		t.Fatalf("wrong name: %d", st)
	}
	if _, err := db.CandidateByID(context.Background(), f.org.ID, ann.ID); err != nil {
		t.Fatal("a refused erasure erased")
	}
	st, _, h := b.do("POST", path+"/erase", url.Values{"confirm_name": {" ann   tester "}})
	if st != http.StatusSeeOther || h.Get("Location") != "/candidates" {
		t.Fatalf("erase: %d %q", st, h.Get("Location"))
	}
	if st, _, _ := b.do("GET", path, nil); st != http.StatusNotFound {
		t.Fatalf("profile after erasure: %d, want 404", st)
	}
}

// TestCandidateExportZIP: the export holds the profile, applications,
// consent history with hashes, texts and internal notes, as JSON files in a
// ZIP, and the pictures the candidate sent under media/.
func TestCandidateExportZIP(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	ann := f.candidate(t, "Ann")
	if _, err := db.ReceiveText(context.Background(), hiretext.IncomingText{Provider: "simulator", ProviderMessageID: "SMx1",
		From: ann.TextingPhone(), To: f.number.Phone, Body: "Hola, ¿a qué hora?",
		Media: []hiretext.IncomingMedia{{URL: "https://sim.example/m", ContentType: "image/png"}}}); err != nil {
		t.Fatal(err)
	}
	claimed, err := db.ClaimMediaFetches(context.Background(), "simulator", 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if err := db.StoreMediaContent(context.Background(), claimed[0].ID, "image/png", []byte("\x89PNG\r\n\x1a\nQx")); err != nil {
		t.Fatal(err)
	}
	conv, err := db.CandidateConversation(context.Background(), f.org.ID, f.number.ID, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddNote(context.Background(), f.org.ID, f.number.ID, conv.ID, f.recruiter.ID, "Prefers Spanish."); err != nil {
		t.Fatal(err)
	}
	st, h, data := rawAPI(t, f.ts, token(t, db, admin), "GET", "/api/v1/candidates/"+idStr(int64(ann.ID))+"/export", "")
	if st != http.StatusOK || h.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %s", st, h.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[zf.Name] = string(b)
	}
	var profile map[string]any
	var consent, msgs []map[string]any
	if json.Unmarshal([]byte(files["profile.json"]), &profile) != nil || profile["first_name"] != "Ann" {
		t.Fatalf("profile.json = %s", files["profile.json"])
	}
	if json.Unmarshal([]byte(files["consent.json"]), &consent) != nil || len(consent) != 1 || len(fmt.Sprint(consent[0]["hash"])) != 64 {
		t.Fatalf("consent.json = %s", files["consent.json"])
	}
	if json.Unmarshal([]byte(files["messages.json"]), &msgs) != nil || len(msgs) != 1 || msgs[0]["body"] != "Hola, ¿a qué hora?" {
		t.Fatalf("messages.json = %s", files["messages.json"])
	}
	var notes []map[string]any
	if json.Unmarshal([]byte(files["notes.json"]), &notes) != nil || len(notes) != 1 || notes[0]["body"] != "Prefers Spanish." ||
		notes[0]["conversation_id"] != idStr(int64(conv.ID)) || !strings.Contains(files["README.txt"], "notes.json") {
		t.Fatalf("notes.json = %s", files["notes.json"])
	}
	if !strings.Contains(files["applications.json"], "Forklift") || !strings.Contains(files["README.txt"], "media/") {
		t.Fatalf("applications.json or README.txt missing: %v", files)
	}
	pic := "media/picture-" + idStr(int64(claimed[0].ID)) + ".png"
	if files[pic] != "\x89PNG\r\n\x1a\nQx" || !strings.Contains(files["messages.json"], `"url": "/api/v1/media/`+idStr(int64(claimed[0].ID))+`"`) {
		t.Fatalf("the picture %s is not in the export: %v", pic, slices.Collect(maps.Keys(files)))
	}
}

// TestConsentCSVCarriesHashes: the consent export has the chain's columns.
func TestConsentCSVCarriesHashes(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	ann := f.candidate(t, "Ann")
	b := f.ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	_, body, _ := b.do("GET", "/candidates/"+idStr(int64(ann.ID))+"/consent.csv", nil)
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v %d rows", err, len(rows))
	}
	head, row := rows[0], rows[1]
	if head[len(head)-1] != "Hash" || head[len(head)-4] != "Phone hash" || row[len(row)-5] != "1" ||
		len(row[len(row)-1]) != 64 || row[len(row)-2] != "" || len(row[len(row)-4]) != 64 {
		t.Fatalf("csv = %q / %q", head, row)
	}
}

// TestPossibleOptOutsReport lists a possible opt-out for administrators
// with its one-click opt-out, which returns to the list.
func TestPossibleOptOutsReport(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	ann := f.candidate(t, "Ann")
	if _, err := db.ReceiveText(context.Background(), hiretext.IncomingText{Provider: "simulator", ProviderMessageID: "SMp1",
		From: ann.TextingPhone(), To: f.number.Phone, Body: "Sorry, who are you?"}); err != nil {
		t.Fatal(err)
	}
	b := f.ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	_, page, _ := b.do("GET", "/reports/possible-opt-outs", nil)
	path := "/candidates/" + idStr(int64(ann.ID))
	if !strings.Contains(page, "Sorry, who are you?") || !strings.Contains(page, `action="`+path+`/sms"`) {
		t.Fatal("the possible opt-out is not listed with its one-click opt-out")
	}
	st, _, h := b.do("POST", path+"/sms", url.Values{"sms_status": {"opted_out"}, "return_to": {"/reports/possible-opt-outs"}})
	if st != http.StatusSeeOther || h.Get("Location") != "/reports/possible-opt-outs" {
		t.Fatalf("opt out: %d %q", st, h.Get("Location"))
	}
	if _, page, _ := b.do("GET", "/reports/possible-opt-outs", nil); strings.Contains(page, "Sorry, who are you?") {
		t.Fatal("still listed after the opt-out")
	}
}

// TestRetentionSettingsForm: off by default; a bad period is refused with
// its error; a good one is saved.
func TestRetentionSettingsForm(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	b := f.ts.browser(t)
	b.login(admin.Email, storetest.TestPassword)
	if st, page, _ := b.do("GET", "/admin/retention", nil); st != http.StatusOK || !strings.Contains(page, `name="message_months" inputmode="numeric" value=""`) {
		t.Fatalf("retention page: %d", st)
	}
	if st, page, _ := b.do("POST", "/admin/retention", url.Values{"message_months": {"twelve"}, "candidate_months": {"24"}}); st != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "from 1 to 120") || !strings.Contains(page, `value="twelve"`) {
		t.Fatalf("bad period: %d", st)
	}
	if s, _ := db.RetentionSettings(context.Background(), f.org.ID); s.CandidateMonths != 0 {
		t.Fatal("a refused form saved")
	}
	if st, _, _ := b.do("POST", "/admin/retention", url.Values{"message_months": {"12"}, "candidate_months": {"24"}}); st != http.StatusSeeOther {
		t.Fatalf("save: %d", st)
	}
	if s, _ := db.RetentionSettings(context.Background(), f.org.ID); s.MessageMonths != 12 || s.CandidateMonths != 24 {
		t.Fatalf("saved %+v", s)
	}
}
