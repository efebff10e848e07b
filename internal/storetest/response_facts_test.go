package storetest

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// The response figures come from facts the store keeps as it writes texts.
// This test replays the texts themselves, in time order (what the report
// did before the facts), and checks both give the same figures after a mix
// of everything that changes them.

// replayText is a text the response figures count, as the replay reads it.
type replayText struct {
	id        hiretext.MessageID
	candidate hiretext.CandidateID
	number    hiretext.NumberID
	user      hiretext.UserID // 0 for the candidate's text
	at        time.Time
}

// replayResponses computes the figures of period p from every text, by the
// rules of hiretext's response figures: a wait begins with the candidate's
// first text in the period (or after an answer) and a user's text ends it;
// a candidate first texted in the period replied when their next text came
// within hiretext.ResponseWindow.
func replayResponses(texts []replayText, p hiretext.ReportPeriod, hours *hiretext.Week, f hiretext.ActivityFilter) *hiretext.ResponseReport {
	type pending struct {
		user   hiretext.UserID
		number hiretext.NumberID
		at     time.Time
	}
	type conv struct {
		waitingSince time.Time
		texted       map[hiretext.UserID]bool
		numberTexted bool
		pending      []pending
	}
	tally := hiretext.NewResponseTally(p.Location(), hours)
	credit := func(q pending, replied bool) {
		if q.user != 0 {
			tally.TextedByUser(q.user, replied)
		} else {
			tally.TextedByNumber(q.number, replied)
		}
	}
	convs := map[[2]int64]*conv{}
	start, end := p.Start(), p.End()
	var order []*conv
	for _, t := range texts {
		if t.at.Before(start) || !t.at.Before(end.Add(hiretext.ResponseWindow)) ||
			(f.NumberID != 0 && t.number != f.NumberID) || (f.CandidateID != 0 && t.candidate != f.CandidateID) {
			continue
		}
		key := [2]int64{int64(t.number), int64(t.candidate)}
		c := convs[key]
		if c == nil {
			c = &conv{texted: map[hiretext.UserID]bool{}}
			convs[key] = c
			order = append(order, c)
		}
		inPeriod := t.at.Before(end)
		if t.user == 0 {
			for _, q := range c.pending {
				credit(q, t.at.Sub(q.at) <= hiretext.ResponseWindow)
			}
			c.pending = nil
			if c.waitingSince.IsZero() && inPeriod {
				c.waitingSince = t.at
			}
			continue
		}
		counted := f.UserID == 0 || f.UserID == t.user
		if !c.waitingSince.IsZero() {
			if counted {
				tally.Answer(t.user, t.number, c.waitingSince, t.at)
			}
			c.waitingSince = time.Time{}
		}
		if !inPeriod || !counted {
			continue
		}
		if !c.texted[t.user] {
			c.texted[t.user] = true
			c.pending = append(c.pending, pending{user: t.user, at: t.at})
		}
		if !c.numberTexted {
			c.numberTexted = true
			c.pending = append(c.pending, pending{number: t.number, at: t.at})
		}
	}
	for _, c := range order {
		for _, q := range c.pending {
			credit(q, false)
		}
	}
	return tally.Finish()
}

// replayTexts reads every text of org from the report's listing, oldest
// first, keeping those the response figures count.
func replayTexts(t *testing.T, db *store.DB, org *hiretext.Organization, now time.Time) []replayText {
	t.Helper()
	p, err := hiretext.NewReportPeriod("2026-10-01", "2027-02-28", org.Location(), now)
	if err != nil {
		t.Fatal(err)
	}
	var out []replayText
	err = db.EachActivity(ctx, org.ID, hiretext.ActivityFilter{Period: p}, func(r *hiretext.ActivityRow) error {
		inbound := r.Direction == hiretext.Inbound && hiretext.MatchKeyword(r.Body) == hiretext.KeywordNone
		outbound := r.Direction == hiretext.Outbound && r.Kind == hiretext.KindRecruiter && r.UserID != 0 &&
			slices.Contains([]hiretext.MessageStatus{hiretext.StatusQueued, hiretext.StatusSending, hiretext.StatusSent, hiretext.StatusDelivered}, r.Status)
		if inbound || outbound {
			out = append(out, replayText{id: r.MessageID, candidate: r.CandidateID, number: r.NumberID, user: r.UserID, at: r.CreatedAt.UTC()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b replayText) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return int(a.id - b.id)
	})
	return out
}

// sameResponses fails unless got and want hold the same figures.
func sameResponses(t *testing.T, what string, got, want *hiretext.ResponseReport) {
	t.Helper()
	type row struct {
		texted, replied, answered int
		median                    time.Duration
	}
	index := func(figures []*hiretext.ResponseFigures) map[[2]int64]row {
		m := map[[2]int64]row{}
		for _, f := range figures {
			m[[2]int64{int64(f.UserID), int64(f.NumberID)}] = row{f.Texted, f.Replied, f.Answered, f.MedianAnswer}
		}
		return m
	}
	g, w := index(append(got.ByUser, got.ByNumber...)), index(append(want.ByUser, want.ByNumber...))
	if len(g) != len(w) {
		t.Errorf("%s: %d rows, want %d: %v, want %v", what, len(g), len(w), g, w)
		return
	}
	for k, wr := range w {
		if g[k] != wr {
			t.Errorf("%s: user/number %v: %+v, want %+v", what, k, g[k], wr)
		}
	}
}

// TestResponseFactsGiveTheFiguresOfTheTexts: after sends, a held text
// that goes after the candidate wrote, failures (at the provider and by
// status callback), keywords, replies within and after 7 days, runs and
// waits across the start of the period, linking an unknown sender and
// erasing a candidate, the report's figures equal a replay of the texts,
// for several periods and every filter, in clock and business hours, and
// again once the facts are rebuilt from the texts.
func TestResponseFactsGiveTheFiguresOfTheTexts(t *testing.T) {
	eachWithClock(t, time.Date(2026, 11, 23, 9, 0, 0, 0, chicago), func(t *testing.T, db *store.DB, clock *Clock) {
		fx := MustSetUpTexting(t, db, 1000)
		org := fx.Org.ID
		priya := MustCreateUser(t, db, org, "Priya Shah", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
		MustAssign(t, db, org, fx.Number.ID, priya.ID)
		second := MustAddNumber(t, db, org)
		sam := MustCreateUser(t, db, org, "Sam Second", hiretext.RoleUser, hiretext.PermPool, hiretext.PermProfiles)
		MustAssign(t, db, org, second.ID, sam.ID)
		admin := MustCreateUser(t, db, org, "Ada Admin", hiretext.RoleAdmin)
		names := []string{"Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Gus", "Hal"}
		cands := map[string]*hiretext.Candidate{}
		phones := map[string]string{}
		for _, n := range names {
			cands[n], phones[n] = fx.MustCandidate(t, db, n)
		}
		at := func(month time.Month, day, hour, minute int) {
			clock.Set(time.Date(2026, month, day, hour, minute, 0, 0, chicago))
		}
		send := func(u *hiretext.User, sendAt time.Time, who ...string) {
			t.Helper()
			var ids []hiretext.CandidateID
			for _, w := range who {
				ids = append(ids, cands[w].ID)
			}
			if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: org, UserID: u.ID, CandidateIDs: ids,
				Body: "Hello", SendAt: sendAt}); err != nil {
				t.Fatal(err)
			}
		}
		seq := 0
		receive := func(n *hiretext.Number, from, body string) {
			t.Helper()
			seq++
			if _, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: n.Provider, ProviderMessageID: "SMf" + strconv.Itoa(seq),
				From: from, To: n.Phone, Body: body}); err != nil {
				t.Fatal(err)
			}
		}
		rita := fx.Recruiter
		unknown := "+16125550142"
		var none time.Time

		// Before December: runs and waits that go on into it.
		at(11, 23, 10, 0)
		send(rita, none, "Ann", "Bob", "Cat", "Eve")
		at(11, 24, 11, 0)
		receive(fx.Number, phones["Ann"], "Yes please")
		at(11, 27, 12, 0)
		receive(fx.Number, phones["Ann"], "Hello?")
		send(sam, none, "Dan")
		at(11, 30, 16, 0)
		send(rita, none, "Bob")
		receive(fx.Number, unknown, "Is the job still open?") // a phone nobody has yet: linked to Eve later

		// December.
		at(12, 1, 10, 0)
		send(rita, none, "Bob") // Bob's run began on 23 November
		receive(fx.Number, phones["Ann"], "Anyone there?")
		at(12, 1, 15, 30)
		send(priya, none, "Ann") // answers the wait that began in November, from its December text
		at(12, 2, 9, 0)
		send(rita, time.Date(2026, 12, 3, 10, 0, 0, 0, chicago), "Fay") // held until tomorrow
		at(12, 2, 15, 0)
		receive(fx.Number, phones["Fay"], "Hi, I applied yesterday") // before the held text goes
		receive(second, phones["Dan"], "HELP")                       // a keyword: neither replies nor waits
		linkUnknown(t, db, fx, unknown, cands["Eve"].ID)             // its texts move into Eve's conversation
		at(12, 3, 10, 0)
		mustRelease(t, db, 1) // Fay's text goes, dated when it was written: before her text
		send(rita, none, "Eve", "Gus", "Hal")
		claimed, err := db.ClaimDeliveries(ctx, fx.Number.ID, 100, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, dl := range claimed {
			switch dl.To {
			case phones["Gus"]:
				if err := db.FailDelivery(ctx, dl, hiretext.StatusFailed, "21211", "Not sent: invalid phone number.", false); err != nil {
					t.Fatal(err)
				}
			case phones["Hal"]:
				id := "SMout" + strconv.Itoa(int(dl.ID))
				if _, err := db.RecordSentBatch(ctx, []hiretext.SentDelivery{{Delivery: dl, ProviderID: id, Status: hiretext.StatusSent}}, nil); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: dl.Provider, ProviderMessageID: id,
					Status: hiretext.StatusFailed, ErrorCode: "30006"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		at(12, 4, 11, 0)
		receive(fx.Number, phones["Cat"], "Sorry, just saw this") // 11 days after Rita's text
		receive(fx.Number, phones["Fay"], "Thanks!")
		at(12, 8, 9, 30)
		receive(fx.Number, phones["Bob"], "Yes") // 7 days 23 hours after Rita's text of 1 December
		at(12, 9, 14, 0)
		send(priya, none, "Bob", "Cat")
		at(12, 30, 17, 0)
		receive(fx.Number, phones["Bob"], "See you then")
		at(1, 4, 10, 0) // the answer comes in the 7 days after December
		send(rita, none, "Bob")
		at(1, 20, 9, 0)

		bob := cands["Bob"]
		filters := []hiretext.ActivityFilter{{}, {UserID: rita.ID}, {UserID: priya.ID}, {UserID: sam.ID}, {NumberID: fx.Number.ID}, {NumberID: second.ID},
			{CandidateID: bob.ID}, {CandidateID: cands["Ann"].ID, UserID: priya.ID}}
		periods := [][2]string{{"2026-12-01", "2026-12-31"}, {"2026-12-01", "2026-12-01"}, {"2026-12-02", "2026-12-03"},
			{"2026-11-24", "2026-12-01"}, {"2026-11-01", "2027-01-19"}, {"2026-12-09", "2026-12-09"}}
		texts := replayTexts(t, db, fx.Org, clock.Now())
		if len(texts) < 15 {
			t.Fatalf("%d texts to replay", len(texts))
		}
		compare := func(stage string, hours *hiretext.Week) {
			t.Helper()
			for _, pd := range periods {
				p, err := hiretext.NewReportPeriod(pd[0], pd[1], fx.Org.Location(), clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range filters {
					f.Period = p
					got, err := db.ResponseReport(ctx, org, f)
					if err != nil {
						t.Fatal(err)
					}
					sameResponses(t, stage+" "+pd[0]+"–"+pd[1]+" "+filterName(f), got, replayResponses(texts, p, hours, f))
				}
			}
		}
		compare("clock hours", nil)
		policy := hiretext.DefaultEscalationPolicy(org)
		if _, err := db.UpdateEscalationPolicy(ctx, org, policy.Update(), admin.ID); err != nil {
			t.Fatal(err)
		}
		compare("business hours", &policy.BusinessHours)
		if err := db.EraseCandidate(ctx, org, bob.ID, admin.ID); err != nil {
			t.Fatal(err)
		}
		compare("after erasing Bob", &policy.BusinessHours)
		if err := db.MarkResponseFactsStale(ctx, org); err != nil {
			t.Fatal(err)
		}
		compare("rebuilt", &policy.BusinessHours)
	})
}

// filterName names a filter in failures.
func filterName(f hiretext.ActivityFilter) string {
	return "user " + strconv.Itoa(int(f.UserID)) + " number " + strconv.Itoa(int(f.NumberID)) + " candidate " + strconv.Itoa(int(f.CandidateID))
}

// linkUnknown links the conversation of an unknown sender's phone on fx's
// number to candidate.
func linkUnknown(t *testing.T, db *store.DB, fx *Texting, phone string, candidate hiretext.CandidateID) {
	t.Helper()
	convs, err := db.ListConversations(ctx, fx.Org.ID, fx.Number.ID, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		if c.Phone == phone && c.CandidateID == 0 {
			if _, err := db.LinkConversation(ctx, fx.Org.ID, fx.Number.ID, c.ID, candidate); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no unknown conversation with %s", phone)
}

// TestBuildAllResponseFactsBuildsEveryCompany: the facts serve builds at
// start for a history that predates them (marked stale, as migration 0026
// marks every conversation) are built for every company, and give the
// figures the facts kept as texts were written.
func TestBuildAllResponseFactsBuildsEveryCompany(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		var companies []*Texting
		for range 2 {
			fx := MustSetUpTexting(t, db, 100)
			ann, e164 := fx.MustCandidate(t, db, "Ann")
			fx.MustSend(t, db, "Still interested?", ann.ID)
			fx.Receive(t, db, "SM"+randomHex(6), e164, "Yes!")
			companies = append(companies, fx)
		}
		type figureSet struct {
			Texted, Replied, Answered int
			Median                    time.Duration
		}
		figures := func(fx *Texting) figureSet {
			t.Helper()
			today := time.Now().In(fx.Org.Location()).Format("2006-01-02")
			p, err := hiretext.NewReportPeriod(today, today, fx.Org.Location(), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			r, err := db.ResponseReport(ctx, fx.Org.ID, hiretext.ActivityFilter{Period: p})
			if err != nil || len(r.ByUser) != 1 {
				t.Fatalf("response figures: %+v, %v", r, err)
			}
			f := *r.ByUser[0]
			return figureSet{Texted: f.Texted, Replied: f.Replied, Answered: f.Answered, Median: f.MedianAnswer}
		}
		before := make([]figureSet, len(companies))
		for i, fx := range companies {
			if before[i] = figures(fx); before[i].Texted != 1 {
				t.Fatalf("company %d before: %+v, want Ann texted", i+1, before[i])
			}
			if err := db.MarkResponseFactsStale(ctx, fx.Org.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.BuildAllResponseFacts(ctx); err != nil {
			t.Fatal(err)
		}
		for i, fx := range companies {
			if n, err := db.StaleResponseFacts(ctx, fx.Org.ID); err != nil || n != 0 {
				t.Fatalf("company %d: %d conversations still waiting for their facts (%v)", i+1, n, err)
			}
			if after := figures(fx); after != before[i] {
				t.Fatalf("company %d after the build: %+v, want %+v", i+1, after, before[i])
			}
		}
	})
}
