package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestAPIInboxPagesThroughEveryConversation texts 211 candidates, 15 of
// whom reply, then 4 others again: the inbox, read a page at a time with
// next_cursor, lists each conversation once, the 15 unread ones first
// (before newer read ones), each part newest first.
func TestAPIInboxPagesThroughEveryConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newTextingFixture(t, db)
		if _, err := db.SetAllowance(context.Background(), f.number.Phone, 1000); err != nil {
			t.Fatal(err)
		}
		cands := (&storetest.Texting{Org: f.org}).MustRecipients(t, db, 211)
		ids := make([]string, len(cands))
		for i, c := range cands {
			ids[i] = `"` + idStr(int64(c.ID)) + `"`
		}
		tok := token(t, db, f.recruiter)
		if st, body := f.ts.api(t, tok, "POST", "/api/v1/messages", `{"candidate_ids":[`+strings.Join(ids, ",")+`],"body":"Open house on Friday!"}`); st != http.StatusAccepted {
			t.Fatalf("send: %d %v", st, body)
		}
		replied := map[string]bool{}
		for i := 5; i < len(cands); i += 14 {
			replied[idStr(int64(cands[i].ID))] = true
			if st, body := f.ts.api(t, "", "POST", "/simulator/api/inbound", fmt.Sprintf(`{"from":%q,"to":%q,"body":"Interested!"}`, cands[i].MainPhone, f.number.Phone)); st != http.StatusAccepted {
				t.Fatalf("reply: %d %v", st, body)
			}
		}
		storetest.Eventually(t, "15 unread conversations", func() bool {
			n, _ := db.UnreadConversations(context.Background(), f.org.ID, f.number.ID)
			return n == 15
		})
		// Newer texts to others: read conversations newer than the unread ones.
		if st, body := f.ts.api(t, tok, "POST", "/api/v1/messages", `{"candidate_ids":[`+strings.Join(ids[:4], ",")+`],"body":"Still there?"}`); st != http.StatusAccepted {
			t.Fatalf("second send: %d %v", st, body)
		}

		convs := apiInbox(t, f, tok, "limit=50")
		seen := map[string]bool{}
		for i, c := range convs {
			if seen[c["id"].(string)] {
				t.Fatalf("conversation %v listed twice", c["id"])
			}
			seen[c["id"].(string)] = true
			if unread := c["unread"].(float64) > 0; unread != (i < 15) || unread != replied[c["candidate_id"].(string)] {
				t.Fatalf("conversation %d (%v) unread %v: want the 15 replies first", i, c["candidate_id"], c["unread"])
			}
			if i > 0 && i != 15 && !inboxOrdered(convs[i-1], c) {
				t.Fatalf("conversations %d and %d out of order: %v, %v", i-1, i, convs[i-1], c)
			}
		}
		if len(convs) != 211 {
			t.Fatalf("the inbox listed %d conversations, want 211", len(convs))
		}
		if unread := apiInbox(t, f, tok, "unread=true&limit=4"); len(unread) != 15 || unread[0]["id"] != convs[0]["id"] || unread[14]["id"] != convs[14]["id"] {
			t.Fatalf("unread only: %d conversations", len(unread))
		}
		_, first := f.ts.api(t, tok, "GET", "/api/v1/inbox", "")
		if list := first["conversations"].([]any); len(list) != 50 || first["next_cursor"] == nil {
			t.Fatalf("default page: %d conversations, next %v", len(list), first["next_cursor"])
		}
		for _, q := range []string{"limit=0", "limit=201", "limit=x", "cursor=abc", "unread=true&cursor=" + first["next_cursor"].(string)} {
			st, body := f.ts.api(t, tok, "GET", "/api/v1/inbox?"+q, "")
			fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
			if st != http.StatusUnprocessableEntity || len(fields) != 1 {
				t.Errorf("?%s: %d %v", q, st, body)
			}
		}
	})
}

// apiInbox follows next_cursor from the first page of /api/v1/inbox?query.
func apiInbox(t *testing.T, f *textingFixture, tok, query string) []map[string]any {
	t.Helper()
	var out []map[string]any
	path := "/api/v1/inbox?" + query
	for range 100 {
		st, body := f.ts.api(t, tok, "GET", path, "")
		if st != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, st, body)
		}
		for _, c := range body["conversations"].([]any) {
			out = append(out, c.(map[string]any))
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			return out
		}
		path = "/api/v1/inbox?" + query + "&cursor=" + next
	}
	t.Fatal("the inbox never ends")
	return nil
}

// inboxOrdered reports whether conversation a comes before b in the same
// part of the inbox: newer first, then the higher id.
func inboxOrdered(a, b map[string]any) bool {
	at, _ := time.Parse(time.RFC3339Nano, a["at"].(string))
	bt, _ := time.Parse(time.RFC3339Nano, b["at"].(string))
	if !at.Equal(bt) {
		return at.After(bt)
	}
	aid, _ := strconv.ParseInt(a["id"].(string), 10, 64)
	bid, _ := strconv.ParseInt(b["id"].(string), 10, 64)
	return aid > bid
}

// TestAPISendNeedsWhatTheWebNeeds sends as users on the number with
// different permissions: texting one candidate or several needs the pool
// and profiles, as reading the answers does; a user without them learns
// nothing about the ids.
func TestAPISendNeedsWhatTheWebNeeds(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	ann, bob := f.candidate(t, "Ann"), f.candidate(t, "Bob")
	nobody := storetest.MustCreateUser(t, db, f.org.ID, "Nora None", hiretext.RoleUser)
	profiles := storetest.MustCreateUser(t, db, f.org.ID, "Pia Profiles", hiretext.RoleUser, hiretext.PermProfiles)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, nobody.ID)
	storetest.MustAssign(t, db, f.org.ID, f.number.ID, profiles.ID)
	send := func(u *hiretext.User, ids ...hiretext.CandidateID) (int, map[string]any) {
		quoted := make([]string, len(ids))
		for i, id := range ids {
			quoted[i] = `"` + idStr(int64(id)) + `"`
		}
		return f.ts.api(t, token(t, db, u), "POST", "/api/v1/messages", `{"candidate_ids":[`+strings.Join(quoted, ",")+`],"body":"Hi"}`)
	}
	for _, c := range []struct {
		who  *hiretext.User
		ids  []hiretext.CandidateID
		want int
	}{
		{nobody, []hiretext.CandidateID{ann.ID}, http.StatusForbidden},
		{nobody, []hiretext.CandidateID{ann.ID, 999999}, http.StatusForbidden},
		{profiles, []hiretext.CandidateID{ann.ID, bob.ID}, http.StatusForbidden},
		{profiles, []hiretext.CandidateID{ann.ID}, http.StatusForbidden},
		{f.recruiter, []hiretext.CandidateID{ann.ID, bob.ID}, http.StatusAccepted},
	} {
		st, body := send(c.who, c.ids...)
		if st != c.want || (st == http.StatusForbidden && (errorCode(body) != "forbidden" || body["results"] != nil)) {
			t.Errorf("%s texts %d candidates: %d %v, want %d", c.who.Name, len(c.ids), st, body, c.want)
		}
	}
	if n, _ := db.NumberByID(context.Background(), f.org.ID, f.number.ID); n.Usage.Used != 2 {
		t.Fatalf("%d texts used the allowance, want the 2 allowed", n.Usage.Used)
	}
	b := f.ts.browser(t)
	b.login(nobody.Email, storetest.TestPassword)
	if st, _, _ := b.do("POST", "/messages/bulk", map[string][]string{"candidate": {idStr(int64(ann.ID))}, "body": {"Hi"}}); st != http.StatusForbidden {
		t.Fatalf("the web's bulk send for the same user: %d, want 403 as the API", st)
	}
}

// TestAPISendReportsEveryMissingField checks that an empty send names both
// fields it lacks, and that one mistake keeps its own message.
func TestAPISendReportsEveryMissingField(t *testing.T) {
	t.Parallel()
	db := storetest.NewSQLite(t, storetest.Config{})
	f := newTextingFixture(t, db)
	tok := token(t, db, f.recruiter)
	st, body := f.ts.api(t, tok, "POST", "/api/v1/messages", `{}`)
	fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
	if st != http.StatusUnprocessableEntity || len(fields) != 2 || fields["body"] == nil || fields["candidate_ids"] == nil {
		t.Fatalf("empty send: %d %v; want body and candidate_ids", st, body)
	}
	ann := f.candidate(t, "Ann")
	st, body = f.ts.api(t, tok, "POST", "/api/v1/messages", `{"candidate_ids":["`+idStr(int64(ann.ID))+`"]}`)
	e, _ := body["error"].(map[string]any)
	if fields, _ = e["fields"].(map[string]any); st != http.StatusUnprocessableEntity || e["message"] != "Write a message." ||
		len(fields) != 1 || fields["body"] == nil {
		t.Fatalf("send without a body: %d %v", st, body)
	}
}
