package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
)

// seedTexting gives Marcus a few conversations: texts to candidates, two
// replies, a candidate who texted STOP, and a text to a phone the simulator
// treats as invalid (it fails when the server starts delivering).
func seedTexting(ctx context.Context, db *store.DB, org *hiretext.Organization, users map[string]*hiretext.User) error {
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
	if err := db.SetPhoneFlag(ctx, cands[4].TextingPhone(), simulator.FlagInvalid, time.Now()); err != nil {
		return err
	}
	for _, c := range cands {
		body := fmt.Sprintf("Hi %s, this is Marcus from Acme Staffing. Thanks for applying to %s! Are you free for a quick call tomorrow?",
			c.FirstName, jobTitle(page, c.ID))
		if _, err := db.SendMessages(ctx, hiretext.SendRequest{OrgID: org.ID, UserID: marcus.ID,
			CandidateIDs: []hiretext.CandidateID{c.ID}, Body: body}); err != nil {
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
	return nil
}

func jobTitle(p *hiretext.CandidatePage, id hiretext.CandidateID) string {
	for _, e := range p.Entries {
		if e.Candidate.ID == id && e.Application.JobTitle != "" {
			return "the " + e.Application.JobTitle + " position"
		}
	}
	return "our opening"
}
