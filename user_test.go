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

// TestWhoMayTextWhom checks the texting rules for every kind of user: who
// sees texts, who may text candidates selected on a list, and who may text
// one or several candidates in one send, with the reason given to the rest.
func TestWhoMayTextWhom(t *testing.T) {
	t.Parallel()
	const (
		ok       = ""
		needList = `Texting selected candidates needs the "Jobs" or "Candidate pool" permission.`
		oneByOne = `Texting several candidates at once needs the "Jobs" or "Candidate pool" permission; with "Candidate profiles", text one candidate at a time.`
	)
	user := func(perms ...hiretext.Permission) *hiretext.User {
		return &hiretext.User{Role: hiretext.RoleUser, Permissions: perms, Active: true}
	}
	for _, tt := range []struct {
		name      string
		u         *hiretext.User
		seesTexts bool
		selection string // CheckTextSelection's message
		one, many string // CheckTextCandidates(1) and (2)'s
	}{
		{"administrator", &hiretext.User{Role: hiretext.RoleAdmin, Active: true}, true, ok, ok, ok},
		{"jobs", user(hiretext.PermJobs), false, ok, ok, ok},
		{"pool", user(hiretext.PermPool), false, ok, ok, ok},
		{"profiles", user(hiretext.PermProfiles), true, needList, ok, oneByOne},
		{"pool and profiles", user(hiretext.PermPool, hiretext.PermProfiles), true, ok, ok, ok},
		{"sms-report", user(hiretext.PermSMSReport), false, needList, needList, needList},
		{"no permission", user(), false, needList, needList, needList},
		{"deactivated administrator", &hiretext.User{Role: hiretext.RoleAdmin}, false, needList, needList, needList},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.SeesTexts(); got != tt.seesTexts {
				t.Errorf("SeesTexts() = %v, want %v", got, tt.seesTexts)
			}
			for _, c := range []struct {
				call string
				err  error
				want string
			}{
				{"CheckTextSelection()", tt.u.CheckTextSelection(), tt.selection},
				{"CheckTextCandidates(1)", tt.u.CheckTextCandidates(1), tt.one},
				{"CheckTextCandidates(2)", tt.u.CheckTextCandidates(2), tt.many},
			} {
				switch {
				case c.want == ok && c.err != nil:
					t.Errorf("%s = %v, want nil", c.call, c.err)
				case c.want != ok && (hiretext.ErrorCode(c.err) != hiretext.EForbidden || hiretext.ErrorMessage(c.err) != c.want):
					t.Errorf("%s = %v (%s), want forbidden: %s", c.call, c.err, hiretext.ErrorCode(c.err), c.want)
				}
			}
		})
	}
}
