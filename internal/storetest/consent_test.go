package storetest

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// TestSpanishOptOutByIntent: "Por favor no me escriban más" opts every
// candidate with the phone out like STOP, the ledger names the rule, and
// the one confirmation is the Spanish one.
func TestSpanishOptOutByIntent(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		ana, phone := fx.MustCandidate(t, db, "Ana")
		res := fx.Receive(t, db, "SMes1", phone, "Por favor no me escriban más")
		if res.Message.Keyword != hiretext.KeywordOptOut || len(res.Replies) != 1 {
			t.Fatalf("keyword %q, replies %v; want an opt-out and one reply", res.Message.Keyword, res.Replies)
		}
		if c, _ := db.CandidateByID(ctx, fx.Org.ID, ana.ID); c.OptedIn() {
			t.Fatal("still opted in")
		}
		hist, _ := db.ConsentHistory(ctx, fx.Org.ID, ana.ID)
		if h := hist[0]; h.Source != hiretext.ConsentKeyword || !strings.HasPrefix(h.Rule, "phrase no me escriba") ||
			h.MessageID != int64(res.Message.ID) || h.PhoneNumber != phone {
			t.Fatalf("ledger head = %+v", h)
		}
		reply, _ := db.MessageByID(ctx, fx.Org.ID, res.Replies[0])
		if !strings.HasPrefix(reply.Body, "Cancelaste los mensajes de Acme.") {
			t.Fatalf("reply = %q, want the Spanish confirmation", reply.Body)
		}
		if help := fx.Receive(t, db, "SMes2", phone, "AYUDA"); len(help.Replies) != 1 {
			t.Fatal("AYUDA got no reply")
		} else if m, _ := db.MessageByID(ctx, fx.Org.ID, help.Replies[0]); !strings.Contains(m.Body, "Responde BAJA") {
			t.Fatalf("AYUDA reply = %q", m.Body)
		}
		if back := fx.Receive(t, db, "SMes3", phone, "COMENZAR"); len(back.Replies) != 1 {
			t.Fatal("COMENZAR did not opt back in with a confirmation")
		} else if m, _ := db.MessageByID(ctx, fx.Org.ID, back.Replies[0]); !strings.HasPrefix(m.Body, "Volverás a recibir") {
			t.Fatalf("COMENZAR reply = %q", m.Body)
		}
	})
}

// TestOptOutIsConfirmedOnce: a second STOP, a lower-case "stop" or an
// opt-out by intent from a phone already opted out is stored as an opt-out
// but changes no ledger entry, gets no confirmation and counts only itself;
// the same holds for a phone no candidate holds.
func TestOptOutIsConfirmedOnce(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 20)
		ann, phone := fx.MustCandidate(t, db, "Ann")
		if first := fx.Receive(t, db, "SMo1", phone, "STOP"); len(first.Replies) != 1 {
			t.Fatalf("first STOP: replies %v, want one confirmation", first.Replies)
		}
		hist, _ := db.ConsentHistory(ctx, fx.Org.ID, ann.ID)
		used := mustUsed(t, db, fx)
		for i, body := range []string{"stop", "STOP", "Please stop texting me", "wrong number"} {
			res := fx.Receive(t, db, fmt.Sprintf("SMo2-%d", i), phone, body)
			if res.Message.Keyword != hiretext.KeywordOptOut || len(res.Replies) != 0 {
				t.Fatalf("%q again: keyword %q, replies %v; want a stored opt-out and no reply", body, res.Message.Keyword, res.Replies)
			}
			if u := mustUsed(t, db, fx); u != used+i+1 {
				t.Fatalf("%q again: used %d, want %d (the text itself only)", body, u, used+i+1)
			}
		}
		if again, _ := db.ConsentHistory(ctx, fx.Org.ID, ann.ID); len(again) != len(hist) {
			t.Fatalf("ledger grew from %d to %d entries", len(hist), len(again))
		}
		stranger := "+13125550999"
		if first := fx.Receive(t, db, "SMu1", stranger, "STOP"); len(first.Replies) != 1 {
			t.Fatal("a STOP from an unknown phone got no confirmation")
		}
		if again := fx.Receive(t, db, "SMu2", stranger, "Stop"); len(again.Replies) != 0 {
			t.Fatal("a second STOP from an unknown phone was confirmed again")
		}
	})
}

// mustUsed returns how many texts the fixture's number counted this month.
func mustUsed(tb testing.TB, db *store.DB, fx *Texting) int {
	tb.Helper()
	u, err := db.Usage(ctx, fx.Org.ID, fx.Number.ID, "")
	if err != nil {
		tb.Fatal(err)
	}
	return u.Used
}

// TestWrongNumberOptsOutAndMarksThePhone: the phone is opted out and marked
// for every profile holding it; START from it lifts the mark.
func TestWrongNumberOptsOutAndMarksThePhone(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		bo, phone := fx.MustCandidate(t, db, "Bo")
		fx.Receive(t, db, "SMwn", phone, "Sorry, wrong number")
		if c, _ := db.CandidateByID(ctx, fx.Org.ID, bo.ID); c.OptedIn() {
			t.Fatal("a wrong number stays opted in")
		}
		notices, err := db.PhoneNotices(ctx, fx.Org.ID, phone)
		if err != nil || notices[phone].WrongNumberAt.IsZero() || notices[phone].OptedOutAt.IsZero() {
			t.Fatalf("notices = %+v, %v; want a wrong number that opted out", notices, err)
		}
		fx.Receive(t, db, "SMwn2", phone, "START")
		if notices, _ := db.PhoneNotices(ctx, fx.Org.ID, phone); !notices[phone].WrongNumberAt.IsZero() {
			t.Fatal("START left the wrong-number mark")
		}
	})
}

// TestPossibleOptOutIsListedNotActedOn: "not interested" flags the text for
// review and lists it for administrators; the candidate stays opted in.
func TestPossibleOptOutIsListedNotActedOn(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		cy, phone := fx.MustCandidate(t, db, "Cy")
		res := fx.Receive(t, db, "SMpo", phone, "Not interested")
		if !res.Message.LooksLikeOptOut || res.Message.Keyword != hiretext.KeywordNone || len(res.Replies) != 0 {
			t.Fatalf("message = %+v, replies %v", res.Message, res.Replies)
		}
		list, err := db.PossibleOptOuts(ctx, fx.Org.ID, 50)
		if err != nil || len(list) != 1 || list[0].Candidate.ID != cy.ID || list[0].Message.Body != "Not interested" {
			t.Fatalf("possible opt-outs = %v, %v", list, err)
		}
		if _, err := db.UpdateCandidate(ctx, fx.Org.ID, cy.ID, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.PossibleOptOuts(ctx, fx.Org.ID, 50); len(list) != 0 {
			t.Fatalf("an opted-out candidate is still listed: %v", list)
		}
	})
}

// TestConsentLedgerVerifies: the chain of a company holds, a company with no
// entries verifies, and editing an entry, its evidence or its link in the
// database makes verification fail naming the entry.
func TestConsentLedgerVerifies(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		empty := MustCreateOrg(t, db, "Empty")
		if rep, err := db.VerifyConsentLedger(ctx, empty.ID); err != nil || !rep.OK() || rep.Entries != 0 {
			t.Fatalf("empty company: %+v, %v", rep, err)
		}
		_, phone := fx.MustCandidate(t, db, "Di")
		fx.MustCandidate(t, db, "Ed")
		fx.Receive(t, db, "SMv1", phone, "STOP")
		rep, err := db.VerifyConsentLedger(ctx, fx.Org.ID)
		if err != nil || !rep.OK() || rep.Entries != 3 || len(rep.Head) != 64 {
			t.Fatalf("verify = %+v, %v; want 3 good entries", rep, err)
		}
		_, write := db.Pools()
		exec := func(stmt string) {
			t.Helper()
			if _, err := write.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		// The evidence is not append-only (erasure deletes it), but its hash is in the chain.
		exec("UPDATE consent_evidence SET note = 'edited' WHERE event_id = (SELECT MIN(event_id) FROM consent_evidence)")
		if rep, _ := db.VerifyConsentLedger(ctx, fx.Org.ID); rep.OK() || !strings.Contains(rep.Problem, "entry 1 ") {
			t.Fatalf("after editing evidence: %+v", rep)
		}
	})
}

// TestEditedLedgerEntryFailsVerification edits a stored entry past the
// append-only triggers, as only someone with the database could.
func TestEditedLedgerEntryFailsVerification(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		_, phone := fx.MustCandidate(t, db, "Fay")
		fx.Receive(t, db, "SMe1", phone, "STOP")
		_, write := db.Pools()
		stmts := []string{"DROP TRIGGER consent_events_no_update", "UPDATE consent_events SET status = 'opted_in' WHERE id = (SELECT MAX(id) FROM consent_events)"}
		if db.Dialect() == "postgres" {
			stmts = []string{"ALTER TABLE consent_events DISABLE TRIGGER consent_events_append_only",
				"UPDATE consent_events SET status = 'opted_in' WHERE id = (SELECT MAX(id) FROM consent_events)"}
		}
		for _, s := range stmts {
			if _, err := write.ExecContext(ctx, s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
		rep, err := db.VerifyConsentLedger(ctx, fx.Org.ID)
		if err != nil || rep.OK() || !strings.Contains(rep.Problem, "entry 2 ") || !strings.Contains(rep.Problem, "hash does not match") {
			t.Fatalf("verify after edit = %+v, %v; want entry 2 named", rep, err)
		}
	})
}

// TestConsentLedgerIsAppendOnly: the database refuses to change or remove an
// entry or its link in the chain.
func TestConsentLedgerIsAppendOnly(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		job := MustCreateJob(t, db, org.ID, "Welder")
		id := MustApply(t, db, org.ID, Applicant(job.ID, "Gil", "Ho")).CandidateID
		_, write := db.Pools()
		for _, stmt := range []string{"UPDATE consent_events SET rule = 'rewritten'", "DELETE FROM consent_events",
			"UPDATE consent_chain SET hash = 'x'", "DELETE FROM consent_chain"} {
			if _, err := write.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only refusal", stmt, err)
			}
		}
		if events, _ := db.ConsentHistory(ctx, org.ID, id); len(events) != 1 || events[0].Rule != "" || events[0].Seq != 1 {
			t.Fatalf("ledger changed: %+v", events)
		}
	})
}

// TestConcurrentStopsChainInOrder: STOPs from many phones at once each get
// one link, and the chain still verifies.
func TestConcurrentStopsChainInOrder(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		const n = 8
		phones := make([]string, n)
		for i := range phones {
			_, phones[i] = fx.MustCandidate(t, db, fmt.Sprintf("P%d", i))
		}
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i, p := range phones {
			wg.Go(func() {
				_, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: fx.Number.Provider,
					ProviderMessageID: fmt.Sprintf("SMc%d", i), From: p, To: fx.Number.Phone, Body: "STOP"})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rep, err := db.VerifyConsentLedger(ctx, fx.Org.ID)
		if err != nil || !rep.OK() || rep.Entries != 2*n {
			t.Fatalf("verify = %+v, %v; want %d good entries", rep, err, 2*n)
		}
	})
}

// erasedValues are the personal values of the candidate the erasure tests
// erase, all unique to them.
type erasedValues struct {
	first, last, email, phone, alt, ip, agent, body, reply string
}

// TestErasureRemovesEveryPersonalValue erases a candidate with applications,
// texts both ways, a STOP and a wrong-number text from an unknown phone, then
// searches every column of every table for their values. The texts still
// count; the ledger still verifies; the phone stays opted out.
func TestErasureRemovesEveryPersonalValue(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 100)
		admin := MustCreateUser(t, db, fx.Org.ID, "Ada Admin", hiretext.RoleAdmin)
		v := erasedValues{first: "Zebulon", last: "Quixote", email: "zebulon.quixote@example.org", phone: "+13125550187",
			alt: "+17735550188", ip: "198.51.100.77", agent: "ZebBrowser/9.9", body: "Zebulon's secret reply", reply: "Hola Zebulon"}
		n := Applicant(fx.Job.ID, v.first, v.last)
		n.Email, n.MainPhone, n.AlternatePhone, n.IP, n.UserAgent = v.email, "(312) 555-0187", "(773) 555-0188", v.ip, v.agent
		a := MustApply(t, db, fx.Org.ID, n)
		second := MustCreateJob(t, db, fx.Org.ID, "Second Shift")
		n.JobID = second.ID
		MustApply(t, db, fx.Org.ID, n)
		fx.MustSend(t, db, v.reply, a.CandidateID)
		fx.Receive(t, db, "SMz1", v.phone, v.body)
		fx.Receive(t, db, "SMz2", v.phone, "STOP")
		other, _ := fx.MustCandidate(t, db, "Other")
		before := fx.StatusCounts(t, db, hiretext.KindInbound)

		if err := db.EraseCandidate(ctx, fx.Org.ID, a.CandidateID, admin.ID); err != nil {
			t.Fatal(err)
		}
		for _, value := range []string{v.first, v.last, v.email, v.phone, v.alt, strings.TrimPrefix(v.phone, "+1"), "5550187",
			v.ip, v.agent, v.body, v.reply} {
			if hits := searchEveryColumn(t, db, value); len(hits) > 0 {
				t.Errorf("%q is still stored in %v", value, hits)
			}
		}
		if _, err := db.CandidateByID(ctx, fx.Org.ID, a.CandidateID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("erased candidate: %v, want not found", err)
		}
		if err := db.EraseCandidate(ctx, fx.Org.ID, a.CandidateID, admin.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("erasing twice: %v, want not found", err)
		}
		if after := fx.StatusCounts(t, db, hiretext.KindInbound); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("texts counted %v after erasure, %v before", after, before)
		}
		if rep, err := db.VerifyConsentLedger(ctx, fx.Org.ID); err != nil || !rep.OK() {
			t.Fatalf("ledger after erasure: %+v, %v", rep, err)
		}
		if c, _ := db.CandidateByID(ctx, fx.Org.ID, other.ID); c == nil || !c.OptedIn() {
			t.Fatal("erasure touched another candidate")
		}
		if job, _ := db.JobByID(ctx, fx.Org.ID, second.ID); job.Applicants != 0 {
			t.Fatalf("the job still counts %d applicants", job.Applicants)
		}
		page, err := db.SearchCandidates(ctx, fx.Org.ID, hiretext.CandidateQuery{Limit: 50})
		if err != nil || len(page.Entries) != 1 || page.Entries[0].Candidate.ID != other.ID {
			t.Fatalf("pool after erasure: %+v, %v", page, err)
		}
	})
}

// TestOptOutSurvivesErasure: an erased candidate's opted-out phone stays
// opted out for an import that claims consent and for an application that
// does not opt in; an application that opts in is the person's new consent.
func TestOptOutSurvivesErasure(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		c, phone := fx.MustCandidate(t, db, "Gus")
		fx.Receive(t, db, "SMg1", phone, "no me escriban")
		if err := db.EraseCandidate(ctx, fx.Org.ID, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		imp := Applicant(fx.Job.ID, "Gus", "Again")
		imp.MainPhone, imp.Channel = phone, hiretext.ChannelImport
		if err := db.ImportApplications(ctx, fx.Org.ID, []hiretext.NewApplication{imp}); err != nil {
			t.Fatal(err)
		}
		again, err := db.CandidatesByPhone(ctx, fx.Org.ID, phone)
		if err != nil || len(again) != 1 || again[0].OptedIn() {
			t.Fatalf("imported candidate = %+v, %v; want opted out", again, err)
		}
		hist, _ := db.ConsentHistory(ctx, fx.Org.ID, again[0].ID)
		if !strings.Contains(hist[0].Note, "opted out on") {
			t.Fatalf("ledger = %+v, want the reason", hist[0])
		}
		res := fx.MustSend(t, db, "Hello again", again[0].ID)
		if res[0].Skipped != hiretext.SkipOptedOut {
			t.Fatalf("send = %+v, want skipped as opted out", res[0])
		}
		form := Applicant(fx.Job.ID, "Gus", "Again")
		form.Email, form.MainPhone = imp.Email, phone
		if a := MustApply(t, db, fx.Org.ID, form); a.CandidateID != again[0].ID {
			t.Fatal("the application did not attach to the candidate")
		}
		if c, _ := db.CandidateByID(ctx, fx.Org.ID, again[0].ID); !c.OptedIn() {
			t.Fatal("the person's own new opt-in was refused")
		}
	})
}

// TestErasureIsPerCompany: another company's candidate is not found.
func TestErasureIsPerCompany(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		fx := MustSetUpTexting(t, db, 10)
		c, _ := fx.MustCandidate(t, db, "Hal")
		globex := MustCreateOrg(t, db, "Globex")
		if err := db.EraseCandidate(ctx, globex.ID, c.ID, 0); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("erase across companies: %v", err)
		}
		if _, err := db.CandidateRecord(ctx, globex.ID, c.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("record across companies: %v", err)
		}
	})
}

// TestRetention: off by default; on, it erases old bodies and inactive
// candidates and counts them.
func TestRetention(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); testRetention(t, NewSQLite) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); testRetention(t, NewPostgres) })
}

func testRetention(t *testing.T, open func(testing.TB, Config) *store.DB) {
	clock := NewClock(time.Date(2025, 1, 10, 12, 0, 0, 0, time.UTC))
	db := open(t, Config{Clock: clock.Now})
	{
		fx := MustSetUpTexting(t, db, 10)
		old, phone := fx.MustCandidate(t, db, "Old")
		fx.Receive(t, db, "SMr1", phone, "old news")
		clock.Set(time.Date(2025, 9, 10, 12, 0, 0, 0, time.UTC))
		recent, _ := fx.MustCandidate(t, db, "Recent")
		if runs, err := db.ApplyRetention(ctx, clock.Now()); err != nil || len(runs) != 0 {
			t.Fatalf("retention off: %v, %v", runs, err)
		}
		s, _ := db.RetentionSettings(ctx, fx.Org.ID)
		if s.MessageMonths != 0 || s.CandidateMonths != 0 {
			t.Fatalf("defaults = %+v, want off", s)
		}
		if _, err := db.UpdateRetentionSettings(ctx, hiretext.RetentionSettings{OrgID: fx.Org.ID, MessageMonths: 121}, fx.Recruiter.ID); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Fatalf("121 months: %v", err)
		}
		if _, err := db.UpdateRetentionSettings(ctx, hiretext.RetentionSettings{OrgID: fx.Org.ID, MessageMonths: 6, CandidateMonths: 6}, fx.Recruiter.ID); err != nil {
			t.Fatal(err)
		}
		runs, err := db.ApplyRetention(ctx, clock.Now())
		if err != nil || len(runs) != 1 || runs[0].CandidatesErased != 1 || runs[0].MessagesErased != 0 {
			t.Fatalf("runs = %+v, %v; want the old candidate erased (their texts with them)", runs, err)
		}
		if _, err := db.CandidateByID(ctx, fx.Org.ID, old.ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatal("the inactive candidate is still there")
		}
		if _, err := db.CandidateByID(ctx, fx.Org.ID, recent.ID); err != nil {
			t.Fatal("the recent candidate was erased")
		}
	}
}

// searchEveryColumn returns "table.column" for every column of every table
// holding value (as text), except the simulator's, which stands for the
// carrier and the candidate's own handset, outside any company's data.
func searchEveryColumn(t *testing.T, db *store.DB, value string) []string {
	t.Helper()
	read, _ := db.Pools()
	listing := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`
	if db.Dialect() == "postgres" {
		listing = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := read.QueryContext(ctx, listing)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(tbl, "sim_") && !strings.HasPrefix(tbl, "sqlite_") {
			cols = append(cols, [2]string{tbl, col})
		}
	}
	rows.Close()
	if len(cols) < 50 {
		t.Fatalf("found only %d columns to search", len(cols))
	}
	var hits []string
	for _, c := range cols {
		var n int
		q := db.Rebind(fmt.Sprintf(`SELECT COUNT(*) FROM %q WHERE CAST(%q AS TEXT) LIKE ?`, c[0], c[1]))
		if err := read.QueryRowContext(ctx, q, "%"+value+"%").Scan(&n); err != nil && err != sql.ErrNoRows {
			t.Fatalf("%s: %v", q, err)
		}
		if n > 0 {
			hits = append(hits, c[0]+"."+c[1])
		}
	}
	return hits
}
