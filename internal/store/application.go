package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// Apply records an application to an open job of org. The applicant is the
// candidate with the same email or, failing that, a candidate with one of
// the same phones; otherwise a new candidate. The candidate takes the
// application's details, and its texting answer becomes their consent, all
// in one transaction: invalid input stores nothing.
func (db *DB) Apply(ctx context.Context, org hiretext.OrgID, n hiretext.NewApplication) (*hiretext.Application, error) {
	o, err := db.OrgByID(ctx, org)
	if err != nil {
		return nil, err
	}
	if n.Form, err = db.jobApplicationForm(ctx, org, n.JobID); err != nil {
		return nil, err
	}
	if err := n.Validate(phone.Parse, o.Region); err != nil {
		return nil, err
	}
	// Sealed before the transaction: the key may have to be created first.
	if err := db.sealAnswers(ctx, org, n.Given); err != nil {
		return nil, err
	}
	var app *hiretext.Application
	apply := func(tx conn) (err error) {
		app, err = db.apply(ctx, tx, org, n)
		return err
	}
	err = db.changingConsent(func() error { return db.inTx(ctx, apply) })
	if db.dialect.isUniqueViolation(err) {
		// Another instance created this applicant's candidate a moment ago;
		// the second attempt finds and attaches to it.
		err = db.changingConsent(func() error { return db.inTx(ctx, apply) })
	}
	if err != nil {
		return nil, err
	}
	return app, nil
}

// jobApplicationForm is the form of job id, for an application to it. A job
// that is not org's is not found.
func (db *DB) jobApplicationForm(ctx context.Context, org hiretext.OrgID, id hiretext.JobID) (*hiretext.ApplicationForm, error) {
	j, err := db.JobByID(ctx, org, id)
	if err != nil {
		return nil, err
	}
	return db.ApplicationForm(ctx, org, j.Form)
}

// ImportApplications records many applications of org in one transaction,
// with the same rules as Apply: all are stored or, when one is invalid or its
// job is not open, none. Keep batches to a few thousand so the transaction
// does not hold the writer for long.
func (db *DB) ImportApplications(ctx context.Context, org hiretext.OrgID, apps []hiretext.NewApplication) error {
	o, err := db.OrgByID(ctx, org)
	if err != nil {
		return err
	}
	for i := range apps {
		if err := apps[i].Validate(phone.Parse, o.Region); err != nil {
			return fmt.Errorf("application %d (%s): %w", i+1, apps[i].Email, err)
		}
	}
	return db.changingConsent(func() error {
		return db.inTx(ctx, func(tx conn) error {
			for i, n := range apps {
				if _, err := db.apply(ctx, tx, org, n); err != nil {
					return fmt.Errorf("application %d (%s): %w", i+1, n.Email, err)
				}
			}
			if len(apps) > poolFoldAt {
				return foldPoolCountsIn(ctx, tx, org) // a row of changes per candidate: fold them now
			}
			return nil
		})
	})
}

// apply is Apply's transaction, for input that has been validated. An
// existing candidate's details and consent change in the order the ledger
// needs (see changeCandidate): an opt-out is recorded while the candidate
// still has the number it covers, an opt-in once they have the number
// consented to.
func (db *DB) apply(ctx context.Context, tx conn, org hiretext.OrgID, n hiretext.NewApplication) (*hiretext.Application, error) {
	title, err := openJobTitle(ctx, tx, org, n.JobID)
	if err != nil {
		return nil, err
	}
	before, err := matchApplicant(ctx, tx, org, n)
	if err != nil {
		return nil, err
	}
	after := applicantDetails(before, org, n, db.now())
	if before == nil {
		if err := db.insertCandidate(ctx, tx, after); err != nil {
			return nil, err
		}
		before = after
	}
	a := &hiretext.Application{OrgID: org, CandidateID: after.ID, JobID: n.JobID, JobTitle: title, FirstName: n.FirstName,
		LastName: n.LastName, Email: n.Email, MainPhone: n.MainPhone, AlternatePhone: n.AlternatePhone, SMSAnswer: n.SMS,
		Channel: n.Channel, UserID: n.UserID, Answers: n.Given, CreatedAt: db.now()}
	if n.Form != nil {
		a.FormName = n.Form.Name
	}
	if err := countApplicant(ctx, tx, a); err != nil {
		return nil, err
	}
	if err := insertApplication(ctx, tx, a); err != nil {
		return nil, err
	}
	change := applicationConsent(after.ID, a.ID, n)
	if err := db.keepPhoneOptedOut(ctx, tx, org, n, change); err != nil {
		return nil, err
	}
	return a, db.changeCandidate(ctx, tx, before, after, change)
}

// keepPhoneOptedOut turns an import's opt-in into an opt-out when the
// phone's newest consent entry is an opt-out, of anyone, erased or not: an
// import carries what another system believed, not the person's new
// consent, and an opt-out must outlive the record of who gave it. An
// application through the form or the API opts in as the applicant asked.
func (db *DB) keepPhoneOptedOut(ctx context.Context, tx conn, org hiretext.OrgID, n hiretext.NewApplication, c *hiretext.ConsentChange) error {
	if n.Channel != hiretext.ChannelImport || c.Status != hiretext.SMSOptedIn {
		return nil
	}
	number := n.MainPhone
	if c.Phone == hiretext.PhoneAlternate {
		number = n.AlternatePhone
	}
	at, err := db.phoneOptOut(ctx, tx, org, number)
	if err != nil || at == nil {
		return err
	}
	c.Status, c.Phone = hiretext.SMSOptedOut, hiretext.PhoneNone
	c.Note = "The import said this applicant agreed to texts, but " + phone.Format(number) + " opted out on " +
		at.Format("January 2, 2006") + ": only the person can opt it back in (an application, START, or a recruiter who confirms their consent)."
	return nil
}

// applicantDetails is the candidate after the application: before (nil for
// a new candidate) with the application's names, email and phones.
func applicantDetails(before *hiretext.Candidate, org hiretext.OrgID, n hiretext.NewApplication, now time.Time) *hiretext.Candidate {
	c := hiretext.Candidate{OrgID: org, CreatedAt: now, UpdatedAt: now}
	if before != nil {
		c = *before
	}
	c.FirstName, c.LastName, c.Email = n.FirstName, n.LastName, n.Email
	c.MainPhone, c.AlternatePhone = n.MainPhone, n.AlternatePhone
	return &c
}

// applicationConsent is the consent an application's texting answer gives,
// with its evidence.
func applicationConsent(cand hiretext.CandidateID, app hiretext.ApplicationID, n hiretext.NewApplication) *hiretext.ConsentChange {
	status, which := n.SMS.Consent()
	change := &hiretext.ConsentChange{CandidateID: cand, Status: status, Phone: which, Source: hiretext.ConsentApplication,
		ApplicationID: app, Disclosure: n.Disclosure, IP: n.IP, UserAgent: n.UserAgent, UserID: n.UserID}
	switch {
	case n.SMS != hiretext.AnswerUnanswered:
	case n.Channel == hiretext.ChannelImport:
		change.Note = "The application did not ask about texting; no answer means opted out."
	default:
		change.Note = hiretext.NoAnswerNote
	}
	return change
}

// openJobTitle returns the title of a job that accepts applications.
func openJobTitle(ctx context.Context, tx conn, org hiretext.OrgID, id hiretext.JobID) (string, error) {
	var title string
	var status hiretext.JobStatus
	err := tx.queryRow(ctx, "SELECT title, status FROM jobs WHERE org_id = ? AND id = ?", org, id).Scan(&title, &status)
	if err != nil {
		return "", orNotFound(err, "Job")
	}
	if status != hiretext.JobOpen {
		return "", hiretext.Errorf(hiretext.EConflict, "The job %q is closed and no longer accepts applications.", title)
	}
	return title, nil
}

// matchApplicant returns the candidate an application belongs to, or nil:
// the one with its email, else the most recent with its main phone, else
// with its alternate phone.
func matchApplicant(ctx context.Context, tx conn, org hiretext.OrgID, n hiretext.NewApplication) (*hiretext.Candidate, error) {
	c, err := candidateByEmail(ctx, tx, org, n.Email)
	if hiretext.ErrorCode(err) != hiretext.ENotFound {
		return c, err
	}
	for _, p := range []string{n.MainPhone, n.AlternatePhone} {
		cs, err := candidatesByPhone(ctx, tx, org, p)
		if err != nil || len(cs) > 0 {
			return first(cs), err
		}
	}
	return nil, nil
}

func first(cs []*hiretext.Candidate) *hiretext.Candidate {
	if len(cs) == 0 {
		return nil
	}
	return cs[0]
}

// countApplicant adds a's candidate to the job's applicant count unless
// they applied to it before; the count is kept in the application's
// transaction so listing jobs never counts applications.
func countApplicant(ctx context.Context, tx conn, a *hiretext.Application) error {
	var n int
	err := tx.queryRow(ctx, "SELECT COUNT(*) FROM applications WHERE org_id = ? AND job_id = ? AND candidate_id = ?",
		a.OrgID, a.JobID, a.CandidateID).Scan(&n)
	if err != nil || n > 0 {
		return err
	}
	_, err = tx.exec(ctx, "UPDATE jobs SET applicants = applicants + 1 WHERE org_id = ? AND id = ?", a.OrgID, a.JobID)
	return err
}

// insertApplication inserts a and points its candidate's pool position at it.
func insertApplication(ctx context.Context, tx conn, a *hiretext.Application) error {
	answers, err := json.Marshal(a.Answers)
	if err != nil {
		return err
	}
	if a.Answers == nil {
		answers = []byte("[]")
	}
	err = tx.queryRow(ctx, `INSERT INTO applications (org_id, candidate_id, job_id, first_name, last_name, email,
			main_phone, alternate_phone, sms_answer, channel, user_id, form_name, answers, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.OrgID, a.CandidateID, a.JobID, a.FirstName, a.LastName, a.Email, a.MainPhone, nullString(a.AlternatePhone),
		a.SMSAnswer, a.Channel, nullInt(a.UserID), a.FormName, string(answers), a.CreatedAt).Scan(&a.ID)
	if err != nil {
		return err
	}
	// A candidate without a position enters the pool: counted with its
	// status (see pool_count.go).
	var status hiretext.SMSStatus
	err = tx.queryRow(ctx, `UPDATE candidates SET last_application_id = ? WHERE org_id = ? AND id = ? AND last_application_id IS NULL
		RETURNING sms_status`, a.ID, a.OrgID, a.CandidateID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.exec(ctx, "UPDATE candidates SET last_application_id = ? WHERE org_id = ? AND id = ?", a.ID, a.OrgID, a.CandidateID)
		return err
	} else if err != nil {
		return err
	}
	return countPoolChange(ctx, tx, a.OrgID, "", status)
}

const applicationColumns = `a.id, a.org_id, a.candidate_id, a.job_id, j.title, a.first_name, a.last_name, a.email,
	a.main_phone, a.alternate_phone, a.sms_answer, a.channel, a.user_id, a.form_name, a.answers, a.created_at`

// CandidateApplications lists a candidate's applications, newest first.
func (db *DB) CandidateApplications(ctx context.Context, org hiretext.OrgID, id hiretext.CandidateID) ([]*hiretext.Application, error) {
	return queryAll(ctx, db.reader(), scanApplication, "SELECT "+applicationColumns+` FROM applications a
		JOIN jobs j ON j.org_id = a.org_id AND j.id = a.job_id
		WHERE a.org_id = ? AND a.candidate_id = ? ORDER BY a.id DESC`, org, id)
}

func scanApplication(s scanner) (*hiretext.Application, error) {
	var a hiretext.Application
	var alt sql.NullString
	var user sql.NullInt64
	var answers string
	if err := s.Scan(&a.ID, &a.OrgID, &a.CandidateID, &a.JobID, &a.JobTitle, &a.FirstName, &a.LastName, &a.Email,
		&a.MainPhone, &alt, &a.SMSAnswer, &a.Channel, &user, &a.FormName, &answers, &a.CreatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
		return nil, err
	}
	a.AlternatePhone, a.UserID = alt.String, hiretext.UserID(user.Int64)
	return &a, nil
}
