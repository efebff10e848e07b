package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/events"
	"github.com/hiretext/hiretext/internal/server"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestNotesOnAConversation: Rita notes something on Ann's conversation
// through the API and Sam through the page form; both see both notes, with
// author, apart from the texts and as inert HTML, on the conversation page
// and the profile's history, and the API lists them beside the texts.
// Nothing is sent and the allowance is untouched; bad notes are refused on
// their body (the page form returns to its page saying why) and store nothing.
func TestNotesOnAConversation(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	sam := storetest.MustCreateUser(t, db, f.org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, sam.ID)
	ann := f.candidate(t, "Ann")
	rita := token(t, db, f.recruiter)
	if st, body := f.ts.api(t, rita, "POST", "/api/v1/messages", `{"candidate_ids":[`+strconv.Quote(idStr(int64(ann.ID)))+`],"body":"Free on Monday?"}`); st != http.StatusAccepted {
		t.Fatalf("send: %d %v", st, body)
	}
	conv := apiInbox(t, f, rita, "")[0]["id"].(string)
	usagePath := "/api/v1/numbers/" + idStr(int64(f.number.ID)) + "/usage"
	_, usage := f.ts.api(t, rita, "GET", usagePath, "")

	script := `<script>alert("x")</script> prefers mornings`
	st, note := f.ts.api(t, rita, "POST", "/api/v1/conversations/"+conv+"/notes", `{"body":`+strconv.Quote(script)+`}`)
	author, _ := note["author"].(map[string]any)
	if st != http.StatusCreated || note["body"] != script || note["id"] == nil || note["created_at"] == nil ||
		author["user_id"] != idStr(int64(f.recruiter.ID)) || author["name"] != "Rita Recruiter" {
		t.Fatalf("add note: %d %v", st, note)
	}
	for name, body := range map[string]string{"empty": `{"body":""}`, "missing": `{}`, "bell": `{"body":"ring\u0007"}`,
		"too long": `{"body":"` + strings.Repeat("a", hiretext.MaxNoteChars+1) + `"}`} {
		st, res := f.ts.api(t, rita, "POST", "/api/v1/conversations/"+conv+"/notes", body)
		e, _ := res["error"].(map[string]any)
		if fields, _ := e["fields"].(map[string]any); st != http.StatusUnprocessableEntity || fields["body"] == nil {
			t.Errorf("%s note: %d %v; want 422 on body", name, st, res)
		}
	}
	if _, list := f.ts.api(t, rita, "GET", "/api/v1/conversations/"+conv+"/notes", ""); len(list["notes"].([]any)) != 1 {
		t.Fatalf("notes after bad ones: %v; want only the good one", list)
	}

	samB := f.ts.browser(t)
	samB.login(sam.Email, storetest.TestPassword)
	back := "/candidates/" + idStr(int64(ann.ID)) + "/conversation"
	st, _, h := samB.do("POST", "/conversations/"+conv+"/notes", url.Values{"body": {"Called: no answer"}, "return_to": {back}})
	if st != http.StatusSeeOther || h.Get("Location") != back {
		t.Fatalf("page note: %d to %q, want back to %s", st, h.Get("Location"), back)
	}
	if st, _, h := samB.do("POST", "/conversations/"+conv+"/notes", url.Values{"body": {"  "}, "return_to": {back}}); st != http.StatusSeeOther || h.Get("Location") != back {
		t.Fatalf("blank page note: %d to %q, want back to %s with the reason", st, h.Get("Location"), back)
	}
	if _, page, _ := samB.do("GET", back, nil); !strings.Contains(page, "Write the note.") {
		t.Fatalf("the page after a blank note does not say why it was not added:\n%s", page)
	}
	for _, path := range []string{back, "/candidates/" + idStr(int64(ann.ID))} {
		_, page, _ := samB.do("GET", path, nil)
		mustContain(t, path, page, `class="note"`, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; prefers mornings",
			"Rita Recruiter ·", "Called: no answer", "Sam Second ·", `action="/conversations/`+conv+`/notes"`)
		if strings.Contains(page, `<script>alert("x")`) {
			t.Fatalf("%s runs the note's script", path)
		}
	}

	_, list := f.ts.api(t, rita, "GET", "/api/v1/conversations/"+conv+"/notes", "")
	if notes, _ := list["notes"].([]any); len(notes) != 2 || notes[0].(map[string]any)["body"] != script {
		t.Fatalf("notes: %v; want Rita's then Sam's", list)
	}
	_, msgs := f.ts.api(t, rita, "GET", "/api/v1/candidates/"+idStr(int64(ann.ID))+"/messages", "")
	if m, _ := msgs["messages"].([]any); len(m) != 1 {
		t.Fatalf("messages after notes: %v; want the one text", msgs["messages"])
	}
	if n, _ := msgs["notes"].([]any); len(n) != 2 {
		t.Fatalf("the messages' notes: %v; want both", msgs["notes"])
	}
	if _, after := f.ts.api(t, rita, "GET", usagePath, ""); after["used"] != usage["used"] {
		t.Fatalf("usage %v after notes, want %v", after["used"], usage["used"])
	}
	if got := f.handset(t, ann.TextingPhone()); len(got) > 1 {
		t.Fatalf("Ann's phone received %q: notes are never sent", got)
	}
}

// TestNoteReachesOpenPages: a note is recorded with its event, so Sam's
// open page hears of it and reads it again with the note.
func TestNoteReachesOpenPages(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	b, _ := startBroker(t, db, events.Config{PollInterval: 100 * time.Millisecond})
	ts := newEventServer(t, db, b, server.StreamOptions{})
	fx := storetest.MustSetUpTexting(t, db, 100)
	sam := storetest.MustCreateUser(t, db, fx.Org.ID, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
	storetest.MustAssign(t, db, fx.Org.ID, fx.Number.ID, sam.ID)
	ann, _ := fx.MustCandidate(t, db, "Ann")
	fx.MustSend(t, db, "Hello", ann.ID)
	conv, err := db.CandidateConversation(context.Background(), fx.Org.ID, fx.Number.ID, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	samB := ts.sessionBrowser(t, sam)
	s := openStream(t, samB.client, ts.URL+"/events", nil)

	st, note := ts.api(t, token(t, db, fx.Recruiter), "POST", "/api/v1/conversations/"+idStr(int64(conv.ID))+"/notes", `{"body":"Asked for Tuesday"}`)
	if st != http.StatusCreated {
		t.Fatalf("add note: %d %v", st, note)
	}
	wantLive(t, s, hiretext.EventConversationChanged, map[string]any{"conversation_id": idStr(int64(conv.ID)), "note_id": note["id"]})
	_, page, _ := samB.do("GET", "/candidates/"+idStr(int64(ann.ID))+"/conversation", nil)
	mustContain(t, "Sam's page read again", page, "Asked for Tuesday", `id="notes-`+idStr(int64(conv.ID))+`" data-live`)
}

// TestNotesOnAnUnknownSender: an unknown sender's page takes notes too,
// and its form without JavaScript comes back to that page.
func TestNotesOnAnUnknownSender(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	if st, res := f.ts.api(t, "", "POST", "/simulator/api/inbound", `{"from":"+13125550199","to":"`+f.number.Phone+`","body":"Is the job open?"}`); st != http.StatusAccepted {
		t.Fatalf("inbound: %d %v", st, res)
	}
	conv := apiInbox(t, f, token(t, db, f.recruiter), "")[0]["id"].(string)
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)
	page := "/conversations/" + conv
	st, _, h := b.do("POST", page+"/notes", url.Values{"body": {"Sounds like a driver <b>applicant</b>"}})
	if st != http.StatusSeeOther || h.Get("Location") != page {
		t.Fatalf("note: %d to %q, want %s", st, h.Get("Location"), page)
	}
	_, body, _ := b.do("GET", page, nil)
	mustContain(t, "the unknown sender's page", body, "Sounds like a driver &lt;b&gt;applicant&lt;/b&gt;", "Rita Recruiter ·")
}
