package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
	"golang.org/x/text/unicode/norm"
)

// demoJobs are the demo company's job postings.
var demoJobs = []hiretext.NewJob{
	{Title: "Forklift Operator", Location: "Joliet, IL",
		Description: "Day and night shifts in our Joliet distribution center.\nForklift certification preferred; we train the right people."},
	{Title: "Registered Nurse (Nights)", Location: "Evanston, IL",
		Description: "Three 12-hour night shifts a week on a medical-surgical floor.\nActive Illinois RN license required."},
	{Title: "Customer Service Representative", Location: "Chicago, IL (hybrid)",
		Description: "Answer customers by phone and chat. Two days a week in our Loop office."},
}

// demoNames are the demo candidates, 45 of them.
var demoNames = [][2]string{
	{"Ana", "García"}, {"Marcus", "Johnson"}, {"Li", "Wei"}, {"Fatima", "Khan"}, {"Diego", "Hernández"},
	{"Emily", "Nguyen"}, {"Jamal", "Washington"}, {"Sofia", "Rossi"}, {"Noah", "Kim"}, {"Olivia", "Brown"},
	{"Ethan", "Patel"}, {"Ava", "Martinez"}, {"Liam", "O'Connor"}, {"Mia", "Schultz"}, {"Lucas", "Silva"},
	{"Chloé", "Dubois"}, {"Mateo", "López"}, {"Grace", "Okafor"}, {"Henry", "Adams"}, {"Zoë", "Fischer"},
	{"Omar", "Haddad"}, {"Priya", "Shah"}, {"Daniel", "Cohen"}, {"Hannah", "Müller"}, {"Samuel", "Mensah"},
	{"Isabella", "Romero"}, {"Jacob", "Miller"}, {"Aaliyah", "Brooks"}, {"Ryan", "Murphy"}, {"Maya", "Reyes"},
	{"Tyler", "Anderson"}, {"Nora", "Lindqvist"}, {"Kevin", "Tran"}, {"Leah", "Goldberg"}, {"Andre", "Thomas"},
	{"Julia", "Kowalski"}, {"Carlos", "Vega"}, {"Aisha", "Bello"}, {"Sean", "Walsh"}, {"Elena", "Popescu"},
	{"Brandon", "Lee"}, {"Rosa", "Castillo"}, {"Victor", "Ivanov"}, {"Kayla", "Jackson"}, {"Arjun", "Mehta"},
}

// demoAnswers spreads the texting answers: most opt in (some on the
// alternate phone), some decline, some imported applications never asked.
var demoAnswers = []hiretext.SMSAnswer{
	hiretext.AnswerMain, hiretext.AnswerMain, hiretext.AnswerAlternate, hiretext.AnswerMain, hiretext.AnswerNone,
	hiretext.AnswerMain, hiretext.AnswerMain, hiretext.AnswerUnanswered, hiretext.AnswerMain, hiretext.AnswerAlternate,
}

// demoBrowsers are the user agents of the demo's form applications.
var demoBrowsers = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36",
}

// seedATS creates the demo jobs and 45 candidates with their applications
// and consent, plus a returning candidate and a recruiter's opt-in. Phones
// are in the 555-0100…0149 part of the range set aside for fiction, which
// the simulator never offers as a company number
// (simulator.FirstOfferedFictionalLine).
func seedATS(ctx context.Context, db *store.DB, org *hiretext.Organization, users map[string]*hiretext.User) error {
	jobs := make([]*hiretext.Job, len(demoJobs))
	for i, n := range demoJobs {
		j, err := db.CreateJob(ctx, org.ID, n)
		if err != nil {
			return err
		}
		jobs[i] = j
	}
	settings, err := db.TextingSettings(ctx, org.ID)
	if err != nil {
		return err
	}
	apps := make([]hiretext.NewApplication, len(demoNames))
	for i := range demoNames {
		apps[i] = demoApplication(i, jobs[i%len(jobs)].ID, settings.Disclosure())
	}
	if err := db.ImportApplications(ctx, org.ID, apps); err != nil {
		return err
	}
	return seedConsentChanges(ctx, db, org, jobs, users, apps)
}

// demoApplication is the i-th demo candidate's application to job.
func demoApplication(i int, job hiretext.JobID, disclosure string) hiretext.NewApplication {
	first, last := demoNames[i][0], demoNames[i][1]
	n := hiretext.NewApplication{JobID: job, FirstName: first, LastName: last,
		Email:     fmt.Sprintf("%s.%s@example.com", asciiLower(first), asciiLower(last)),
		MainPhone: fmt.Sprintf("(312) 555-01%02d", i), SMS: demoAnswers[i%len(demoAnswers)], Channel: hiretext.ChannelForm,
		Disclosure: disclosure, IP: fmt.Sprintf("203.0.113.%d", 10+i), UserAgent: demoBrowsers[i%len(demoBrowsers)]}
	if n.SMS == hiretext.AnswerAlternate || i%6 == 0 {
		n.AlternatePhone = fmt.Sprintf("(773) 555-01%02d", i)
	}
	if n.SMS == hiretext.AnswerUnanswered {
		n.Channel, n.IP, n.UserAgent = hiretext.ChannelImport, "", ""
	}
	return n
}

// seedConsentChanges adds what happens after applying: a candidate applies
// to a second job and declines texts this time, and a recruiter opts in a
// candidate who was never asked, after a phone call.
func seedConsentChanges(ctx context.Context, db *store.DB, org *hiretext.Organization, jobs []*hiretext.Job,
	users map[string]*hiretext.User, apps []hiretext.NewApplication) error {
	again := apps[1]
	again.JobID, again.SMS = jobs[2].ID, hiretext.AnswerNone
	if _, err := db.Apply(ctx, org.ID, again); err != nil {
		return err
	}
	page, err := db.SearchCandidates(ctx, org.ID, hiretext.CandidateQuery{Text: apps[7].Email})
	if err != nil || len(page.Entries) != 1 {
		return fmt.Errorf("demo: find %s: %v", apps[7].Email, err)
	}
	marcus := users[People[1].Email]
	_, err = db.UpdateCandidate(ctx, org.ID, page.Entries[0].Candidate.ID, hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{
		Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneMain, Confirmed: true,
		Note: "Agreed on a phone screen to get interview reminders by text."}}, marcus.ID)
	return err
}

// asciiLower lower-cases s and keeps only ASCII letters and digits
// (José → jose, O'Connor → oconnor), for the demo's email addresses.
func asciiLower(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
