package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

// TestAdminConsentVerifyAndErase: verify succeeds on a company with no
// entries and says so, holds on a real ledger, fails (exit 1) naming the
// entry after the database is edited; erase removes a candidate once and
// then says not found.
func TestAdminConsentVerifyAndErase(t *testing.T) {
	t.Parallel()
	vars := sqliteVars(t)
	if _, _, err := runCmd(t, "", vars, "admin", "org", "create", "--name", "Acme", "--slug", "acme"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, "", vars, "admin", "consent", "verify", "--org", "acme")
	if err != nil || !strings.Contains(out, "no entries yet") {
		t.Fatalf("empty ledger: %v %q", err, out)
	}
	db := storetest.Open(t, vars["HIRETEXT_DATABASE"], storetest.Config{})
	org, _ := db.OrgBySlug(context.Background(), "acme")
	job := storetest.MustCreateJob(t, db, org.ID, "Welder")
	first := storetest.MustApply(t, db, org.ID, storetest.Applicant(job.ID, "Ann", "Lee"))
	storetest.MustApply(t, db, org.ID, storetest.Applicant(job.ID, "Bo", "Diaz"))
	if out, _, err := runCmd(t, "", vars, "admin", "consent", "verify", "--org", "acme", "--json"); err != nil || !strings.Contains(out, `"ok":true,"entries":2`) {
		t.Fatalf("verify: %v %q", err, out)
	}

	id := strconv.FormatInt(int64(first.CandidateID), 10)
	if out, _, err := runCmd(t, "", vars, "admin", "candidate", "erase", "--org", "acme", "--id", id); err != nil || !strings.Contains(out, "Erased candidate "+id) {
		t.Fatalf("erase: %v %q", err, out)
	}
	if _, _, err := runCmd(t, "", vars, "admin", "candidate", "erase", "--org", "acme", "--id", id); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("erase again: %v, want not found", err)
	}
	if _, err := db.CandidateByID(context.Background(), org.ID, first.CandidateID); hiretext.ErrorCode(err) != hiretext.ENotFound {
		t.Fatalf("erased candidate: %v", err)
	}
	if _, _, err := runCmd(t, "", vars, "admin", "consent", "verify", "--org", "acme"); err != nil {
		t.Fatalf("verify after erasure: %v", err)
	}

	_, write := db.Pools()
	for _, stmt := range []string{"DROP TRIGGER consent_events_no_update",
		"UPDATE consent_events SET source = 'recruiter' WHERE id = (SELECT MIN(id) FROM consent_events)"} {
		if _, err := write.ExecContext(context.Background(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err = runCmd(t, "", vars, "admin", "consent", "verify", "--org", "acme")
	if err == nil || exitCode(err) != 1 || !strings.Contains(out, "does NOT verify: entry 1 ") {
		t.Fatalf("verify after an edit: %v %q, want exit 1 naming entry 1", err, out)
	}
}
