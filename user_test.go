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

// TestWhoMayTextWhom checks the texting rule for every kind of user: only
// users with the Candidate Pool and Candidate profiles read texts, and only
// they start them; the rest are told which permission they lack.
func TestWhoMayTextWhom(t *testing.T) {
	t.Parallel()
	const (
		ok          = ""
		needPool    = `Texts with candidates need the "Candidate pool" and "Candidate profiles" permissions; you do not have the "Candidate pool" permission.`
		needProfile = `Texts with candidates need the "Candidate pool" and "Candidate profiles" permissions; you do not have the "Candidate profiles" permission.`
		needBoth    = `Texts with candidates need the "Candidate pool" and "Candidate profiles" permissions; you have neither.`
	)
	user := func(perms ...hiretext.Permission) *hiretext.User {
		return &hiretext.User{Role: hiretext.RoleUser, Permissions: perms, Active: true}
	}
	for _, tt := range []struct {
		name string
		u    *hiretext.User
		want string // CheckTexts' message
	}{
		{"administrator", &hiretext.User{Role: hiretext.RoleAdmin, Active: true}, ok},
		{"jobs", user(hiretext.PermJobs), needBoth},
		{"pool", user(hiretext.PermPool), needProfile},
		{"profiles", user(hiretext.PermProfiles), needPool},
		{"jobs and profiles", user(hiretext.PermJobs, hiretext.PermProfiles), needPool},
		{"pool and profiles", user(hiretext.PermPool, hiretext.PermProfiles), ok},
		{"sms-report", user(hiretext.PermSMSReport), needBoth},
		{"deactivated administrator", &hiretext.User{Role: hiretext.RoleAdmin}, needBoth},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.u.CheckTexts()
			switch {
			case tt.want == ok && err != nil:
				t.Errorf("CheckTexts() = %v, want nil", err)
			case tt.want != ok && (hiretext.ErrorCode(err) != hiretext.EForbidden || hiretext.ErrorMessage(err) != tt.want):
				t.Errorf("CheckTexts() = %v (%s), want forbidden: %s", err, hiretext.ErrorCode(err), tt.want)
			}
			if sees := tt.u.SeesTexts(); sees != (tt.want == ok) || tt.u.FollowsNumber() != sees {
				t.Errorf("SeesTexts() = %v, FollowsNumber() = %v, want both %v", sees, tt.u.FollowsNumber(), tt.want == ok)
			}
		})
	}
}
