package hiretext_test

import (
	"testing"

	"github.com/hiretext/hiretext"
)

// TestPeopleSeeLabelsNotCodes checks that every role and permission has a
// label for people, distinct from its code.
func TestPeopleSeeLabelsNotCodes(t *testing.T) {
	t.Parallel()
	for code, want := range map[hiretext.Role]string{hiretext.RoleAdmin: "Administrator", hiretext.RoleUser: "User"} {
		if got := code.Label(); got != want {
			t.Errorf("Role(%q).Label() = %q, want %q", code, got, want)
		}
	}
	want := map[hiretext.Permission]string{hiretext.PermJobs: "Jobs", hiretext.PermPool: "Candidate pool",
		hiretext.PermProfiles: "Candidate profiles", hiretext.PermSMSReport: "SMS Activity report"}
	for _, p := range hiretext.AllPermissions {
		if got := p.Label(); got != want[p] {
			t.Errorf("Permission(%q).Label() = %q, want %q", p, got, want[p])
		}
		if p.Allows() == "" {
			t.Errorf("Permission(%q).Allows() is empty", p)
		}
	}
}
