package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/storetest"
)

func TestAdminNumbersGrant(t *testing.T) {
	t.Parallel()
	vars := sqliteVars(t)
	if _, _, err := runCmd(t, "", vars, "admin", "org", "create", "--name", "Acme Staffing", "--slug", "acme"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, "", vars, "admin", "numbers", "grant", "--org", "acme", "--count", "2")
	want := "Acme Staffing (acme) may now have 2 texting numbers (was 0); new numbers get 500 messages a month (unchanged). It has 0 numbers in use."
	if err != nil || !strings.HasPrefix(out, want) {
		t.Fatalf("grant: %q %v, want it to start %q", out, err, want)
	}
	out, _, err = runCmd(t, "", vars, "admin", "numbers", "grant", "--org", "acme", "--count", "3", "--monthly-allowance", "800", "--json")
	var got struct {
		Org              string
		MaxNumbers       int `json:"max_numbers"`
		MonthlyAllowance int `json:"monthly_allowance"`
		Previous         struct {
			MaxNumbers int `json:"max_numbers"`
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &got) != nil || got.Org != "acme" || got.MaxNumbers != 3 || got.MonthlyAllowance != 800 || got.Previous.MaxNumbers != 2 {
		t.Fatalf("grant --json: %q %v", out, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--org", "acme", "--count", "-1"}, "--count"},
		{[]string{"--org", "acme", "--count", "2", "--monthly-allowance", "0"}, "--monthly-allowance"},
		{[]string{"--org", "nope", "--count", "2"}, `no company with slug "nope"`},
	} {
		_, _, err := runCmd(t, "", vars, append([]string{"admin", "numbers", "grant"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("grant %v: %v, want it to mention %s", c.args, err, c.want)
		}
	}
	if _, stderr, err := runCmd(t, "", vars, "admin", "numbers", "grant", "--org", "acme"); !errors.Is(err, errUsage) || !strings.Contains(stderr, "--count is required") {
		t.Errorf("grant without --count: %v %q", err, stderr)
	}
	if _, _, err := runCmd(t, "", vars, "admin", "numbers", "grant", "--org", "acme", "--count", "two"); !errors.Is(err, errUsage) {
		t.Errorf("grant --count two: %v", err)
	}
	out, _, _ = runCmd(t, "", vars, "admin", "numbers", "grant", "--org", "acme", "--count", "3", "--json")
	if !strings.Contains(out, `"monthly_allowance":800`) {
		t.Fatalf("refused grants changed the entitlement, or a grant without --monthly-allowance reset it: %s", out)
	}
}

func TestAdminAllowanceSet(t *testing.T) {
	t.Parallel()
	vars := sqliteVars(t)
	if _, _, err := runCmd(t, "", vars, "admin", "org", "create", "--name", "Acme Staffing", "--slug", "acme", "--timezone", "America/Chicago"); err != nil {
		t.Fatal(err)
	}
	db := storetest.Open(t, vars["HIRETEXT_DATABASE"], storetest.Config{})
	org, err := db.OrgBySlug(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	n := storetest.MustAddNumber(t, db, org.ID)
	if _, err := db.ReserveAllowance(context.Background(), org.ID, n.ID, 120); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCmd(t, "", vars, "admin", "allowance", "set", "--number", n.Phone, "--monthly", "800")
	if err != nil || !strings.Contains(out, n.Phone+" (Acme Staffing) now has 800 messages a month (was 500). This applies at once to ") ||
		!strings.Contains(out, "120 used, 680 remain") {
		t.Fatalf("allowance set: %q %v", out, err)
	}
	out, _, err = runCmd(t, "", vars, "admin", "allowance", "set", "--number", n.Phone, "--monthly", "125", "--json")
	var got struct {
		MonthlyAllowance int `json:"monthly_allowance"`
		Previous, Used   int
		Remaining        int
		Alerts           []string
	}
	if err != nil || json.Unmarshal([]byte(out), &got) != nil || got.MonthlyAllowance != 125 || got.Previous != 800 || got.Remaining != 5 ||
		len(got.Alerts) != 1 || got.Alerts[0] != "allowance_90" {
		t.Fatalf("allowance set --json: %q %v", out, err)
	}
	if u, _ := db.Usage(context.Background(), org.ID, n.ID, ""); u.Allowance != 125 {
		t.Fatalf("this month's allowance = %d, want 125 at once", u.Allowance)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--number", n.Phone, "--monthly", "-5"}, "--monthly"},
		{[]string{"--number", "312-555", "--monthly", "10"}, "--number"},
		{[]string{"--number", storetest.RandomPhone(t), "--monthly", "10"}, "No company has an active texting number"},
	} {
		_, _, err := runCmd(t, "", vars, append([]string{"admin", "allowance", "set"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("allowance set %v: %v, want it to mention %s", c.args, err, c.want)
		}
	}
	if _, stderr, err := runCmd(t, "", vars, "admin", "allowance", "set", "--number", n.Phone); !errors.Is(err, errUsage) || !strings.Contains(stderr, "--monthly is required") {
		t.Errorf("without --monthly: %v %q", err, stderr)
	}
	// The trail holds the two changes as the operator's, and nothing of the refused ones.
	var changes []string
	if err := db.EachAudit(context.Background(), org.ID, auditAround(t, org), func(e *hiretext.AuditEntry) error {
		if e.Action == hiretext.AuditAllowanceChanged {
			changes = append(changes, fmt.Sprintf("%s %v", e.Actor.Kind, e.Details["monthly"]))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(changes, "; "); got != "operator map[from:800 to:125]; operator map[from:500 to:800]" {
		t.Fatalf("audit trail: %s", got)
	}
	if out, _, err := runCmd(t, "", vars, "admin", "allowance", "set", "--number", n.Phone, "--monthly", "121"); err != nil ||
		!strings.Contains(out, "120 used, 1 remains;") {
		t.Fatalf("allowance set with one message left: %q %v, want \"1 remains\"", out, err)
	}
}

// auditAround selects the audit trail from yesterday to tomorrow, which
// holds whatever a test just did.
func auditAround(t *testing.T, org *hiretext.Organization) hiretext.AuditFilter {
	t.Helper()
	now := time.Now().In(org.Location())
	p, err := hiretext.NewReportPeriod(now.AddDate(0, 0, -1).Format("2006-01-02"), now.AddDate(0, 0, 1).Format("2006-01-02"), org.Location(), now)
	if err != nil {
		t.Fatal(err)
	}
	return hiretext.AuditFilter{Period: p}
}
