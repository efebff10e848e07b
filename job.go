package hiretext

import (
	"context"
	"time"
)

// JobID identifies a job posting.
type JobID int64

// JobStatus says whether a job posting accepts applications.
type JobStatus string

// The job statuses.
const (
	JobOpen   JobStatus = "open"   // the public application form accepts applications
	JobClosed JobStatus = "closed" // the form says the job is closed; applicants stay
)

// Valid reports whether s is a known status.
func (s JobStatus) Valid() bool { return s == JobOpen || s == JobClosed }

// Limits on job posting fields, in characters.
const (
	MaxJobTitle       = 200
	MaxJobLocation    = 200
	MaxJobDescription = 20000
)

// Job is a job posting of one organization.
type Job struct {
	ID          JobID
	OrgID       OrgID
	Title       string
	Location    string
	Description string
	Status      JobStatus
	Form        FormID // the application form candidates fill in
	Applicants  int    // distinct candidates who applied
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// IsOpen reports whether the job accepts applications.
func (j *Job) IsOpen() bool { return j.Status == JobOpen }

// NewJob is the input for creating a job posting. New postings are open.
type NewJob struct {
	Title       string
	Location    string
	Description string
	Form        FormID // "" for the Standard application
}

// Validate trims n and checks every field, reporting all problems at once.
func (n *NewJob) Validate() error {
	v := Validation{}
	n.Title, n.Location, n.Description = validJobText(v, n.Title, n.Location, n.Description)
	if n.Form == "" {
		n.Form = FormStandard
	}
	return v.Err()
}

// validJobText trims the three text fields of a job and records their errors.
func validJobText(v Validation, title, location, description string) (string, string, string) {
	title = requiredText(v, "title", "job title", MaxJobTitle, title)
	location = optionalText(v, "location", SingleLine, MaxJobLocation, "Use at most 200 characters for the location.", location)
	description = optionalText(v, "description", MultiLine, MaxJobDescription, "Use at most 20,000 characters for the description.", description)
	return title, location, description
}

// JobUpdate changes a job posting; nil fields are left alone.
type JobUpdate struct {
	Title       *string
	Location    *string
	Description *string
	Status      *JobStatus
	Form        *FormID // the store checks that the company has the form
}

// Apply validates u against job and returns the changed copy.
func (u JobUpdate) Apply(job Job) (Job, error) {
	if u.Title != nil {
		job.Title = *u.Title
	}
	if u.Location != nil {
		job.Location = *u.Location
	}
	if u.Description != nil {
		job.Description = *u.Description
	}
	v := Validation{}
	job.Title, job.Location, job.Description = validJobText(v, job.Title, job.Location, job.Description)
	if u.Status != nil {
		if !u.Status.Valid() {
			v.Add("status", `Use "open" or "closed".`)
		}
		job.Status = *u.Status
	}
	if u.Form != nil {
		job.Form = *u.Form
	}
	return job, v.Err()
}

// JobService manages the job postings of an organization. Every method takes
// the organization explicitly; a job of another organization is not found.
type JobService interface {
	CreateJob(ctx context.Context, org OrgID, n NewJob) (*Job, error)
	JobByID(ctx context.Context, org OrgID, id JobID) (*Job, error)
	// ListJobs lists open jobs first, newest first within each status.
	ListJobs(ctx context.Context, org OrgID) ([]*Job, error)
	UpdateJob(ctx context.Context, org OrgID, id JobID, u JobUpdate) (*Job, error)
}
