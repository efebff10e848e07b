package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
	"github.com/hiretext/hiretext/internal/store"
)

// seedTexting gives Marcus a few conversations: texts to candidates from his
// "Quick call" template, two replies, a candidate who texted STOP, and a
// text to a phone the simulator treats as invalid (it fails when the server
// starts delivering).
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
	marcusTexted := map[hiretext.CandidateID]bool{}
	for _, c := range cands {
		marcusTexted[c.ID] = true
		if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: org.ID, UserID: marcus.ID,
			CandidateIDs: []hiretext.CandidateID{c.ID}, TemplateID: templates["Quick call"].ID}); err != nil {
			return err
		}
	}
	num, err := db.NumberForUser(ctx, org.ID, marcus.ID)
	if err != nil {
		return err
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
	return seedOpenHouse(ctx, db, org, users["priya.natarajan@acme-staffing.example"], marcusTexted, templates["Open house"])
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

// seedOpenHouse has Priya announce an open house, in one bulk send, to the
// candidates who may be texted other than the five Marcus texted (one of
// them has a phone the simulator refuses, which would release its unit of
// allowance when the text fails), and six of them reply. Her number's
// allowance is then set so that these texts use 91% of it: she sees the
// allowance banner and its alert has fired, from texts the report lists.
func seedOpenHouse(ctx context.Context, db *store.DB, org *hiretext.Organization, priya *hiretext.User,
	marcusTexted map[hiretext.CandidateID]bool, openHouse *hiretext.Template) error {
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
