package storetest

import (
	"context"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/store"
)

// Texting is a company ready to text: a number with an allowance, a
// recruiter assigned to it, and a job to apply to.
type Texting struct {
	Org       *hiretext.Organization
	Number    *hiretext.Number
	Recruiter *hiretext.User
	Job       *hiretext.Job
}

// MustSetUpTexting creates a company whose recruiter texts from a number
// with the given monthly allowance.
func MustSetUpTexting(tb testing.TB, db *store.DB, allowance int) *Texting {
	tb.Helper()
	org := MustCreateOrg(tb, db, "Acme")
	MustGrantNumbers(tb, db, org.ID, 2, allowance)
	num := MustAddNumber(tb, db, org.ID)
	rec := MustCreateUser(tb, db, org.ID, "Rita Recruiter", hiretext.RoleUser, hiretext.PermJobs, hiretext.PermPool, hiretext.PermProfiles)
	MustAssign(tb, db, org.ID, num.ID, rec.ID)
	return &Texting{Org: org, Number: num, Recruiter: rec, Job: MustCreateJob(tb, db, org.ID, "Forklift Operator")}
}

// MustCandidate applies to the company's job as a new person opted in on
// their main phone and returns the candidate with that phone in E.164.
func (fx *Texting) MustCandidate(tb testing.TB, db *store.DB, first string) (*hiretext.Candidate, string) {
	tb.Helper()
	a := MustApply(tb, db, fx.Org.ID, Applicant(fx.Job.ID, first, "Tester"))
	c, err := db.CandidateByID(context.Background(), fx.Org.ID, a.CandidateID)
	if err != nil {
		tb.Fatal(err)
	}
	e164, _ := phone.Parse(c.MainPhone, "US")
	return c, e164
}

// MustSend queues body to the candidates as the recruiter.
func (fx *Texting) MustSend(tb testing.TB, db *store.DB, body string, ids ...hiretext.CandidateID) []hiretext.SendResult {
	tb.Helper()
	res, err := db.SendMessages(context.Background(), hiretext.SendRequest{OrgID: fx.Org.ID, UserID: fx.Recruiter.ID, CandidateIDs: ids, Body: body})
	if err != nil {
		tb.Fatalf("send: %v", err)
	}
	return res
}

// Receive delivers an inbound text from phone to the company's number.
func (fx *Texting) Receive(tb testing.TB, db *store.DB, providerID, from, body string) *hiretext.InboundResult {
	tb.Helper()
	res, err := db.ReceiveText(context.Background(), hiretext.IncomingText{Provider: fx.Number.Provider,
		ProviderMessageID: providerID, From: from, To: fx.Number.Phone, Body: body})
	if err != nil {
		tb.Fatalf("receive: %v", err)
	}
	return res
}
