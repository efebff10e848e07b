package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
)

// MustCreateJob creates an open job of org.
func MustCreateJob(tb testing.TB, db *store.DB, org hiretext.OrgID, title string) *hiretext.Job {
	tb.Helper()
	j, err := db.CreateJob(context.Background(), org, hiretext.NewJob{Title: title, Location: "Chicago, IL",
		Description: "A test job."})
	if err != nil {
		tb.Fatalf("create job: %v", err)
	}
	return j
}

// applicantSeq makes Applicant's emails and phones unique within a test binary.
var applicantSeq atomic.Int64

// Applicant returns a valid application to job by a new person with a
// unique email and main phone, opting in on the main phone through the form.
// Change its fields before applying to test other cases.
func Applicant(job hiretext.JobID, first, last string) hiretext.NewApplication {
	n := applicantSeq.Add(1)
	return hiretext.NewApplication{JobID: job, FirstName: first, LastName: last,
		Email:     fmt.Sprintf("applicant-%d-%s@example.com", n, randomHex(3)),
		MainPhone: fictionalPhone(n), SMS: hiretext.AnswerMain, Channel: hiretext.ChannelForm,
		Disclosure: hiretext.DefaultConsentDisclosure, IP: "203.0.113.7", UserAgent: "storetest"}
}

// fictionalPhone returns a distinct valid US number for each n below 1,600:
// the area code varies and the line stays in 555-0100…0149, the part of the
// range set aside for fiction that the simulator never offers as a company
// number (simulator.FirstOfferedFictionalLine). A candidate whose phone were
// the number texting them would test a case no company has, and a check that
// a candidate's phone is shown somewhere could pass on the company number.
func fictionalPhone(n int64) string {
	areas := []int64{312, 773, 872, 630, 847, 708, 415, 646, 212, 617, 206, 512, 303, 404, 305, 213,
		224, 331, 779, 815, 510, 650, 718, 917, 202, 503, 602, 702, 713, 214, 619, 720}
	const lines = simulator.FirstOfferedFictionalLine - 100
	return fmt.Sprintf("(%d) 555-0%d", areas[(n/lines)%int64(len(areas))], 100+n%lines)
}

// MustApply records an application and fails the test on error.
func MustApply(tb testing.TB, db *store.DB, org hiretext.OrgID, n hiretext.NewApplication) *hiretext.Application {
	tb.Helper()
	a, err := db.Apply(context.Background(), org, n)
	if err != nil {
		tb.Fatalf("apply %s %s: %v", n.FirstName, n.LastName, err)
	}
	return a
}
