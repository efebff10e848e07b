package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestServeStreamsEventsAndEndsStreamsOnShutdown runs the real server, has
// another handle on its database record an event for a logged-in user, sees
// it on the user's stream, and stops the server with the stream open: the
// stream ends and serve returns well within its shutdown timeout.
func TestServeStreamsEventsAndEndsStreamsOnShutdown(t *testing.T) {
	t.Parallel()
	for name, dbURL := range map[string]func(testing.TB) string{"sqlite": storetest.SQLiteURL, "postgres": storetest.PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := dbURL(t)
			vars := map[string]string{"HIRETEXT_DATABASE": u}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			pr, pw := io.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--demo"}, func(k string) string { return vars[k] },
					strings.NewReader(""), pw, io.Discard)
				pw.Close()
			}()
			base := strings.TrimPrefix(readLines(t, pr, 1)[0], "hiretext is running at ")
			client := demoClient(t, base)
			me := demoMe(t, client, base)

			resp, err := client.Get(base + "/events")
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /events: %v %v", resp, err)
			}
			defer resp.Body.Close()
			lines := make(chan string, 100)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(resp.Body)
				for sc.Scan() {
					lines <- sc.Text()
				}
			}()

			other := storetest.Open(t, u, storetest.Config{}) // as another instance would
			org, err := other.OrgBySlug(context.Background(), me.Org.Slug)
			if err != nil {
				t.Fatal(err)
			}
			userID, _ := strconv.ParseInt(me.ID, 10, 64)
			e := hiretext.Event{OrgID: org.ID, UserID: hiretext.UserID(userID), Kind: hiretext.EventMessageStatus}
			if err := other.RecordEvent(context.Background(), &e); err != nil {
				t.Fatal(err)
			}
			waitLine(t, lines, "event: message.status", 5*time.Second)

			start := time.Now()
			cancel()
			waitLine(t, lines, "", 5*time.Second) // drains to the end of the stream
			select {
			case err := <-done:
				if err != nil || time.Since(start) > 5*time.Second {
					t.Fatalf("serve returned %v after %v", err, time.Since(start))
				}
			case <-time.After(10 * time.Second):
				t.Fatal("serve did not stop while a live-update stream was open")
			}
		})
	}
}

// waitLine waits for line on lines, or with line "" for lines to close.
func waitLine(t *testing.T, lines <-chan string, line string, within time.Duration) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case l, ok := <-lines:
			if !ok && line == "" {
				return
			}
			if !ok {
				t.Fatalf("the stream ended before %q", line)
			}
			if line != "" && l == line {
				return
			}
		case <-timeout:
			t.Fatalf("no %q within %v", line, within)
		}
	}
}

// demoClient logs in as the demo administrator and keeps the session cookie.
func demoClient(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Post(base+"/login", "application/x-www-form-urlencoded",
		strings.NewReader("email=dana.whitfield%40acme-staffing.example&password=hiretext-demo"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("demo login: %d", resp.StatusCode)
	}
	return client
}

type demoUser struct {
	ID  string `json:"id"`
	Org struct {
		Slug string `json:"slug"`
	} `json:"org"`
}

func demoMe(t *testing.T, client *http.Client, base string) demoUser {
	t.Helper()
	resp, err := client.Get(base + "/api/v1/me")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var me demoUser
	if err := json.NewDecoder(resp.Body).Decode(&me); err != nil || me.ID == "" {
		t.Fatalf("GET /api/v1/me: %v %+v", err, me)
	}
	return me
}
