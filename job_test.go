package hiretext_test

import (
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
)

func TestJobUpdateApply(t *testing.T) {
	t.Parallel()
	job := hiretext.Job{Title: "Welder", Location: "Gary, IN", Status: hiretext.JobOpen}
	title, closed, bad := "  Senior Welder ", hiretext.JobClosed, hiretext.JobStatus("paused")
	got, err := hiretext.JobUpdate{Title: &title, Status: &closed}.Apply(job)
	if err != nil || got.Title != "Senior Welder" || got.Location != "Gary, IN" || got.IsOpen() {
		t.Fatalf("Apply = %+v, %v", got, err)
	}
	long := strings.Repeat("x", hiretext.MaxJobDescription+1)
	_, err = hiretext.JobUpdate{Status: &bad, Description: &long}.Apply(job)
	if f := hiretext.ErrorFields(err); f["status"] == "" || f["description"] == "" {
		t.Fatalf("invalid update: fields %v", f)
	}
	n := hiretext.NewJob{Title: "\tNurse\n"}
	if err := n.Validate(); err != nil || n.Title != "Nurse" {
		t.Fatalf("NewJob.Validate = %v, %q", err, n.Title)
	}
}
