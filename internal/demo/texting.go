package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
	"github.com/hiretext/hiretext/internal/store"
)

// seedTexting gives Marcus a few conversations: texts to candidates from his
// "Quick call" template, handed to the simulator at once, so that the two
// replies and the candidate who texted STOP answer a text they received;
// and a text to a phone the simulator treats as invalid (it stays queued and
// fails when the server starts delivering).
func seedTexting(ctx context.Context, db *store.DB, org *hiretext.Organization, users map[string]*hiretext.User,
	templates map[string]*hiretext.Template) error {
	if err := seedHelpContact(ctx, db, org, users["dana.whitfield@acme-staffing.example"]); err != nil {
		return err
	}
	marcus := users["marcus.reyes@acme-staffing.example"]
	page, err := db.SearchCandidates(ctx, org.ID, hiretext.CandidateQuery{SMSStatus: hiretext.SMSOptedIn, Limit: 5})
	if err != nil {
		return err
	}
	if len(page.Entries) < 5 {
		return fmt.Errorf("demo: need 5 opted-in candidates, have %d", len(page.Entries))
	}
	var cands []*hiretext.Candidate
	for _, e := range page.Entries {
		cands = append(cands, e.Candidate)
	}
	// The fifth candidate's phone is out of service in the simulated network.
	if err := db.Simulator().SetPhoneFlag(ctx, cands[4].TextingPhone(), simstate.FlagInvalid, time.Now()); err != nil {
		return err
	}
	num, err := db.NumberForUser(ctx, org.ID, marcus.ID)
	if err != nil {
		return err
	}
	sim, err := simulator.New(ctx, simulator.Config{Store: db.Simulator()})
	if err != nil {
		return err
	}
	marcusTexted := map[hiretext.CandidateID]bool{}
	for i, c := range cands {
		if i == 4 { // the invalid phone's text waits for the server
			if err := deliverQueued(ctx, db, sim, num); err != nil {
				return err
			}
		}
		marcusTexted[c.ID] = true
		if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: org.ID, UserID: marcus.ID,
			CandidateIDs: []hiretext.CandidateID{c.ID}, TemplateID: templates["Quick call"].ID}); err != nil {
			return err
		}
	}
	replies := []struct {
		who  int
		body string
	}{
		{0, "Yes! Any time after 2pm works for me."},
		{1, "Could we do Thursday instead? I work mornings."},
		{2, "STOP"},
	}
	for i, r := range replies {
		if _, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: num.Provider, ProviderMessageID: fmt.Sprintf("SMdemo%02d", i),
			From: cands[r.who].TextingPhone(), To: num.Phone, Body: r.body}); err != nil {
			return err
		}
	}
	return seedOpenHouse(ctx, db, org, users["priya.natarajan@acme-staffing.example"], marcusTexted, templates["Open house"], sim)
}

// deliverQueued hands the texts queued on num to the simulator now, as the
// dispatcher does once the server runs, and records them as sent; the
// simulator reports their delivery when the server starts.
func deliverQueued(ctx context.Context, db *store.DB, sim *simulator.Provider, num *hiretext.Number) error {
	claimed, err := db.ClaimDeliveries(ctx, num.ID, hiretext.MaxPageSize, time.Minute)
	if err != nil {
		return err
	}
	sent := make([]hiretext.SentDelivery, 0, len(claimed))
	for _, dl := range claimed {
		res, err := sim.Send(ctx, sms.OutboundMessage{From: dl.From, To: dl.To, Body: dl.Body, Reference: fmt.Sprint(int64(dl.ID))})
		if err != nil {
			return fmt.Errorf("demo: hand text %d to the simulator: %w", dl.ID, err)
		}
		sent = append(sent, hiretext.SentDelivery{Delivery: dl, ProviderID: res.ProviderMessageID, Status: res.Status})
	}
	_, err = db.RecordSentBatch(ctx, sent, nil)
	return err
}

// openHouseReplies are the candidates' answers to Priya's announcement.
var openHouseReplies = []string{
	"Yes, I'll be there!",
	"What time does it start?",
	"Is there parking near the office?",
	"Sorry, I can't make it Friday. Is there another date?",
	"Can I bring a friend who is also looking for work?",
	"Sounds great, thanks Priya.",
}

// seedOpenHouse has Priya announce an open house, in one bulk send handed to
// the simulator at once, to the candidates who may be texted other than the
// five Marcus texted (one of them has a phone the simulator refuses, which
// would release its unit of allowance when the text fails), and six of them
// reply. Her number's
// allowance is then set so that these texts use at least 91% of it (the
// README gives the figure the demo shows, 37 of 40, 92%): she sees the
// allowance banner and its alert has fired, from texts the report lists.
func seedOpenHouse(ctx context.Context, db *store.DB, org *hiretext.Organization, priya *hiretext.User,
	marcusTexted map[hiretext.CandidateID]bool, openHouse *hiretext.Template, sim *simulator.Provider) error {
	page, err := db.SearchCandidates(ctx, org.ID, hiretext.CandidateQuery{SMSStatus: hiretext.SMSOptedIn, Limit: hiretext.MaxPageSize})
	if err != nil {
		return err
	}
	var ids []hiretext.CandidateID
	var cands []*hiretext.Candidate
	for _, e := range page.Entries {
		if !marcusTexted[e.Candidate.ID] {
			ids = append(ids, e.Candidate.ID)
			cands = append(cands, e.Candidate)
		}
	}
	if len(cands) < len(openHouseReplies) {
		return fmt.Errorf("demo: need %d opted-in candidates Marcus did not text, have %d", len(openHouseReplies), len(cands))
	}
	num, err := db.NumberForUser(ctx, org.ID, priya.ID)
	if err != nil {
		return err
	}
	if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: org.ID, UserID: priya.ID, CandidateIDs: ids,
		TemplateID: openHouse.ID}); err != nil {
		return err
	}
	if err := deliverQueued(ctx, db, sim, num); err != nil {
		return err
	}
	for i, body := range openHouseReplies {
		if _, err := db.ReceiveText(ctx, hiretext.IncomingText{Provider: num.Provider, ProviderMessageID: fmt.Sprintf("SMopenhouse%02d", i),
			From: cands[len(cands)-1-i].TextingPhone(), To: num.Phone, Body: body}); err != nil {
			return err
		}
	}
	num, err = db.NumberForUser(ctx, org.ID, priya.ID)
	if err != nil {
		return err
	}
	_, err = db.SetAllowance(ctx, num.Phone, num.Usage.Used*100/91)
	return err
}

// seedHelpContact keeps the default texts and gives the reply to HELP a way
// to reach the recruiting team, as carriers expect.
func seedHelpContact(ctx context.Context, db *store.DB, org *hiretext.Organization, admin *hiretext.User) error {
	d := hiretext.DefaultTextingSettings(org)
	_, err := db.UpdateTextingSettings(ctx, org.ID, hiretext.TextingSettingsUpdate{ConsentDisclosure: d.ConsentDisclosure,
		OptOutConfirmation: d.OptOutConfirmation, OptOutConfirmationEnabled: true, OptInConfirmation: d.OptInConfirmation,
		HelpReply: d.HelpReply, HelpContact: "recruiting@acme-staffing.example or (312) 555-0100"}, admin.ID)
	return err
}
