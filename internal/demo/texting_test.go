package demo

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestSeedUsageIsTheTextsStored checks that each demo number's usage is the
// texts the demo stored for it (which the SMS Activity report lists), and
// that Priya's is past the 90% warning.
func TestSeedUsageIsTheTextsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, org := seededDemo(t)
	numbers, err := db.ListNumbers(ctx, org.ID)
	if err != nil || len(numbers) != 2 {
		t.Fatalf("%d numbers, %v; want 2", len(numbers), err)
	}
	read, _ := db.Pools()
	near := 0
	for _, n := range numbers {
		var stored int
		if err := read.QueryRowContext(ctx, "SELECT COUNT(*) FROM messages WHERE number_id = ?", n.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if n.Usage.Used != stored || stored == 0 {
			t.Errorf("number %s: usage %d, texts stored %d", n.Phone, n.Usage.Used, stored)
		}
		if n.Usage.NearLimit() {
			near++
		}
	}
	if near != 1 {
		t.Errorf("%d numbers past the 90%% warning, want Priya's alone", near)
	}
}

// TestSeedTextsMakeSense: no company number is also a candidate's phone,
// every candidate's line is one the simulator never offers, and the
// candidate who texted STOP had received Marcus's text first (it is on their
// simulated handset and was not canceled).
func TestSeedTextsMakeSense(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, org := seededDemo(t)
	numbers, _ := db.ListNumbers(ctx, org.ID)
	for _, n := range numbers {
		if cs, err := db.CandidatesByPhone(ctx, org.ID, n.Phone); err != nil || len(cs) != 0 {
			t.Errorf("company number %s is also the phone of %d candidates (%v)", n.Phone, len(cs), err)
		}
	}
	page, err := db.SearchCandidates(ctx, org.ID, hiretext.CandidateQuery{Limit: hiretext.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entries {
		for _, p := range []string{e.Candidate.MainPhone, e.Candidate.AlternatePhone} {
			if p == "" {
				continue
			}
			if line, err := strconv.Atoi(p[len(p)-4:]); err != nil || line >= simulator.FirstOfferedFictionalLine {
				t.Errorf("%s's phone %s is a line the simulator may offer", e.Candidate.Name(), p)
			}
		}
	}
	stopper, stop := stopOf(t, db, org.ID)
	msgs, err := db.ConversationMessages(ctx, org.ID, stop.ConversationID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var before *hiretext.Message
	for _, m := range msgs {
		if m.Direction == hiretext.Outbound && m.ID < stop.ID {
			before = m
		}
	}
	if before == nil || before.Status == hiretext.StatusCanceled || before.Status == hiretext.StatusFailed {
		t.Fatalf("the text before %s's STOP: %+v; want one that went", stopper, before)
	}
	sim, _ := simulator.New(ctx, simulator.Config{Store: db.Simulator()})
	handset, _ := sim.Handset(ctx, stop.From)
	if !slices.ContainsFunc(handset, func(h simstate.HandsetMessage) bool { return h.Body == before.Body }) {
		t.Errorf("%s's handset never received %q before texting STOP", stopper, before.Body)
	}
}

// stopOf returns who texted STOP in the demo and their text.
func stopOf(t *testing.T, db *store.DB, org hiretext.OrgID) (string, *hiretext.Message) {
	t.Helper()
	read, _ := db.Pools()
	var id int64
	if err := read.QueryRowContext(context.Background(), "SELECT id FROM messages WHERE org_id = ? AND direction = 'inbound' AND keyword = 'opt_out'", org).Scan(&id); err != nil {
		t.Fatal(err)
	}
	m, err := db.MessageByID(context.Background(), org, hiretext.MessageID(id))
	if err != nil {
		t.Fatal(err)
	}
	return m.From, m
}

// TestREADMEMatchesTheDemo: the README's walk-through quotes the percentage
// of her allowance Priya's number shows, and its operator examples name the
// demo company by its slug, so they run against the demo as written.
func TestREADMEMatchesTheDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	db, org := seededDemo(t)
	numbers, _ := db.ListNumbers(ctx, org.ID)
	near := slices.IndexFunc(numbers, func(n *hiretext.Number) bool { return n.Usage.NearLimit() })
	if near < 0 {
		t.Fatal("no demo number near its limit")
	}
	if want := fmt.Sprintf("has used %d%% of its allowance", numbers[near].Usage.Percent()); !strings.Contains(string(readme), want) {
		t.Errorf("the README does not say %q", want)
	}
	for _, m := range regexp.MustCompile("--org [A-Za-z0-9_-]+").FindAllString(string(readme), -1) {
		if m != "--org "+Slug && m != "--org SLUG" {
			t.Errorf("the README's operator example says %q; the demo company is %q", m, Slug)
		}
	}
}

// seededDemo returns a new database with the demo seeded, and its company.
func seededDemo(t *testing.T) (*store.DB, *hiretext.Organization) {
	t.Helper()
	db := storetest.NewSQLite(t, storetest.Config{})
	if _, err := Seed(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	org, err := db.OrgBySlug(context.Background(), Slug)
	if err != nil {
		t.Fatal(err)
	}
	return db, org
}
