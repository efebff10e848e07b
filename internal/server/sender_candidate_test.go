package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// receiveUnknown delivers a text from a phone no candidate has and returns
// its conversation's id as the API writes it.
func receiveUnknown(t *testing.T, f *textingFixture, id, from, body string) string {
	t.Helper()
	res, err := f.db.ReceiveText(context.Background(), hiretext.IncomingText{Provider: "simulator", ProviderMessageID: id,
		From: from, To: f.number.Phone, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return idStr(int64(res.Message.ConversationID))
}

// TestUnknownSenderBecomesCandidate: Rita makes an unknown sender a
// candidate from their conversation page; bad names show the form again
// with the error and make nobody; the candidate's profile says "Texted us
// first", Rita's answer reaches their phone, a bulk send skips them with
// the reason, and once the administrator turns the policy off the answer is
// refused with a clear message.
func TestUnknownSenderBecomesCandidate(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann := f.candidate(t, "Ann")
	const marta = "+12245550188"
	conv := receiveUnknown(t, f, "SMm1", marta, "Hi, saw your sign. Are you hiring?")
	b := f.ts.browser(t)
	b.login(f.recruiter.Email, storetest.TestPassword)

	_, page, _ := b.do("GET", "/conversations/"+conv, nil)
	mustContain(t, "thread", page, `action="/conversations/`+conv+`/candidate"`, `value="(224) 555-0188" readonly`, "Make the sender a new candidate")
	st, page, _ := b.do("POST", "/conversations/"+conv+"/candidate", url.Values{"first_name": {"Marta"}, "last_name": {"  "}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("no last name: %d, want 422", st)
	}
	mustContain(t, "thread with errors", page, "Enter a last name.", `value="Marta"`, "Are you hiring?")
	if v, _ := db.ConversationByID(context.Background(), f.org.ID, f.number.ID, parseID(t, conv)); v.CandidateID != 0 {
		t.Fatalf("a refused form linked the conversation: %+v", v)
	}

	st, _, h := b.do("POST", "/conversations/"+conv+"/candidate", url.Values{"first_name": {"Marta"}, "last_name": {"Diaz"}})
	v, _ := db.ConversationByID(context.Background(), f.org.ID, f.number.ID, parseID(t, conv))
	profile := "/candidates/" + idStr(int64(v.CandidateID))
	if st != http.StatusSeeOther || v.CandidateID == 0 || h.Get("Location") != profile+"/conversation" {
		t.Fatalf("create: %d to %q, conversation %+v", st, h.Get("Location"), v)
	}
	_, page, _ = b.do("GET", profile, nil)
	mustContain(t, "profile", page, "Marta Diaz", "Texted us first", "Are you hiring?")
	_, page, _ = b.do("GET", "/candidates", nil)
	mustContain(t, "pool", page, "From texts, not applied yet", `<a href="`+profile+`">Marta Diaz</a>`, "Texted us first")

	// Rita answers in the conversation; Marta's phone gets it.
	if st, _, _ = b.do("POST", profile+"/messages", url.Values{"body": {"Yes! Come by at 10."}}); st != http.StatusSeeOther {
		t.Fatalf("answer: %d", st)
	}
	storetest.Eventually(t, "Marta receives the answer", func() bool { return slices.Contains(f.handset(t, marta), "Yes! Come by at 10.") })

	// A bulk send skips her, with the reason.
	rita := token(t, db, f.recruiter)
	st, res := f.ts.api(t, rita, "POST", "/api/v1/messages", `{"candidate_ids":[`+strconv.Quote(idStr(int64(ann.ID)))+`,`+
		strconv.Quote(idStr(int64(v.CandidateID)))+`],"body":"Open interviews Friday"}`)
	results, _ := res["results"].([]any)
	if st != http.StatusAccepted || len(results) != 2 || results[0].(map[string]any)["status"] != "queued" ||
		results[1].(map[string]any)["reason"] != "texted_first" {
		t.Fatalf("bulk send: %d %v", st, res)
	}

	// The administrator turns answering them off: the answer is refused.
	admin := storetest.MustCreateUser(t, db, f.org.ID, "Ada Admin", hiretext.RoleAdmin)
	adm := token(t, db, admin)
	_, policy := f.ts.api(t, adm, "GET", "/api/v1/texting-settings/send-policy", "")
	if policy["answer_texted_first"] != true {
		t.Fatalf("default policy: %v", policy)
	}
	put := `{"quiet_hours":{"mon":["00:00","24:00"],"tue":["00:00","24:00"],"wed":["00:00","24:00"],"thu":["00:00","24:00"],` +
		`"fri":["00:00","24:00"],"sat":["00:00","24:00"],"sun":["00:00","24:00"]},"state_windows":[],"reply_grace_minutes":30,` +
		`"attempt_limit":0,"answer_texted_first":false}`
	if st, policy = f.ts.api(t, adm, "PUT", "/api/v1/texting-settings/send-policy", put); st != http.StatusOK || policy["answer_texted_first"] != false {
		t.Fatalf("policy off: %d %v", st, policy)
	}
	_, page, _ = b.do("GET", profile+"/conversation", nil)
	mustContain(t, "composer with the policy off", page, "do not allow answering them until they opt in")
	if st, _, h = b.do("POST", profile+"/messages", url.Values{"body": {"Still there?"}}); st != http.StatusSeeOther {
		t.Fatalf("answer with the policy off: %d", st)
	}
	_, page, _ = b.do("GET", h.Get("Location"), nil)
	mustContain(t, "refused answer", page, "Not sent: the candidate texted us first and has not opted in, and the company")
	if slices.Contains(f.handset(t, marta), "Still there?") {
		t.Fatal("the refused answer reached Marta")
	}
}

// TestAPICreateSenderCandidate: POST /api/v1/conversations/{id}/candidate
// makes the sender a candidate who texted first; bad names are 422 on the
// field, a conversation or phone that is already a candidate's 409, and
// none of them changes anything.
func TestAPICreateSenderCandidate(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann := f.candidate(t, "Ann")
	rita := token(t, db, f.recruiter)
	conv := receiveUnknown(t, f, "SMl1", "+12245550177", "Do you have night shifts?")
	path := "/api/v1/conversations/" + conv + "/candidate"

	st, res := f.ts.api(t, rita, "POST", path, `{"first_name":"Lee"}`)
	e, _ := res["error"].(map[string]any)
	if fields, _ := e["fields"].(map[string]any); st != http.StatusUnprocessableEntity || fields["last_name"] == nil {
		t.Fatalf("no last name: %d %v", st, res)
	}
	st, c := f.ts.api(t, rita, "POST", path, `{"first_name":"Lee","last_name":"Park"}`)
	sms, _ := c["sms"].(map[string]any)
	if st != http.StatusCreated || c["main_phone"] != "+12245550177" || c["last_name"] != "Park" ||
		sms["status"] != "opted_out" || sms["texted_first"] != true {
		t.Fatalf("create: %d %v", st, c)
	}
	if st, res = f.ts.api(t, rita, "POST", path, `{"first_name":"Lee","last_name":"Park"}`); st != http.StatusConflict {
		t.Fatalf("again: %d %v; want 409", st, res)
	}

	// A phone that became a candidate's since the text came in.
	other := receiveUnknown(t, f, "SMl2", "+12245550166", "Hello?")
	alt := "+12245550166"
	if _, err := db.UpdateCandidate(context.Background(), f.org.ID, ann.ID, hiretext.CandidateUpdate{AlternatePhone: &alt}, f.recruiter.ID); err != nil {
		t.Fatal(err)
	}
	st, res = f.ts.api(t, rita, "POST", "/api/v1/conversations/"+other+"/candidate", `{"last_name":"Ghost"}`)
	e, _ = res["error"].(map[string]any)
	if st != http.StatusConflict || e["message"] != "(224) 555-0166 already belongs to Ann Tester: link this conversation to that candidate instead." {
		t.Fatalf("phone of a candidate: %d %v", st, res)
	}
	if v, _ := db.ConversationByID(context.Background(), f.org.ID, f.number.ID, parseID(t, other)); v.CandidateID != 0 {
		t.Fatalf("a refused creation linked the conversation: %+v", v)
	}
}

// parseID reads an id the API wrote.
func parseID(t *testing.T, s string) hiretext.ConversationID {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return hiretext.ConversationID(n)
}
