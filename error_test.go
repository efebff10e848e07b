package hiretext_test

import (
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// TestRequiredTextMessages checks every required text field: blank (or only
// spaces) asks for the value, only too long an entry mentions the limit, and
// a value at the limit (counted in characters, not bytes) passes.
func TestRequiredTextMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		field    string
		limit    int
		validate func(text string) error
		blank    string // the message for a blank value
		long     string // the message for a value over the limit
	}{
		{"new job title", "title", hiretext.MaxJobTitle, func(s string) error {
			return (&hiretext.NewJob{Title: s}).Validate()
		}, "Enter a job title.", "Use at most 200 characters for the job title."},
		{"job title update", "title", hiretext.MaxJobTitle, func(s string) error {
			_, err := hiretext.JobUpdate{Title: &s}.Apply(hiretext.Job{Title: "Welder", Status: hiretext.JobOpen})
			return err
		}, "Enter a job title.", "Use at most 200 characters for the job title."},
		{"new user name", "name", hiretext.MaxUserName, func(s string) error {
			return (&hiretext.NewUser{Email: "ann@example.com", Name: s, Role: hiretext.RoleUser, Password: "a-long-password"}).Validate()
		}, "Enter a name.", "Use at most 200 characters for the name."},
		{"user name update", "name", hiretext.MaxUserName, func(s string) error {
			return (&hiretext.UserUpdate{Name: &s}).Validate()
		}, "Enter a name.", "Use at most 200 characters for the name."},
		{"company name", "name", hiretext.MaxOrgName, func(s string) error {
			return (&hiretext.NewOrganization{Name: s, Slug: "acme"}).Validate(nil)
		}, "Enter a company name.", "Use at most 200 characters for the company name."},
		{"applicant's first name", "first_name", hiretext.MaxNameLength, func(s string) error {
			return (&hiretext.NewApplication{FirstName: s, LastName: "García", Email: "ana@example.com", MainPhone: "(312) 555-0101",
				SMS: hiretext.AnswerNone, Channel: hiretext.ChannelForm}).Validate(phone.Parse, "US")
		}, "", "Use at most 100 characters for the first name."}, // a mononym has none
		{"applicant's last name", "last_name", hiretext.MaxNameLength, func(s string) error {
			return (&hiretext.NewApplication{FirstName: "Ana", LastName: s, Email: "ana@example.com", MainPhone: "(312) 555-0101",
				SMS: hiretext.AnswerNone, Channel: hiretext.ChannelForm}).Validate(phone.Parse, "US")
		}, "Enter a last name.", "Use at most 100 characters for the last name."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct{ value, want string }{
				{"", tt.blank},
				{" \t\n", tt.blank},
				{strings.Repeat("é", tt.limit), ""},
				{strings.Repeat("é", tt.limit+1), tt.long},
			} {
				if got := hiretext.ErrorFields(tt.validate(c.value))[tt.field]; got != c.want {
					t.Errorf("%d characters %q…: %s error %q, want %q", len([]rune(c.value)), firstRunes(c.value, 3), tt.field, got, c.want)
				}
			}
		})
	}
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	return string(r[:min(n, len(r))])
}

// TestValidationCombined checks that a single field at fault keeps its own
// message and several share the general one, each field keeping its own.
func TestValidationCombined(t *testing.T) {
	t.Parallel()
	if err := (hiretext.Validation{}).Combined(); err != nil {
		t.Fatalf("nothing wrong: %v", err)
	}
	one := hiretext.Validation{"body": "Write a message."}.Combined()
	if hiretext.ErrorCode(one) != hiretext.EInvalid || hiretext.ErrorMessage(one) != "Write a message." || hiretext.ErrorFields(one)["body"] != "Write a message." {
		t.Fatalf("one field: %v", one)
	}
	two := hiretext.Validation{"body": "Write a message.", "candidate_ids": "Choose at least one candidate."}.Combined()
	if hiretext.ErrorMessage(two) != "Please correct the highlighted fields." || len(hiretext.ErrorFields(two)) != 2 {
		t.Fatalf("two fields: %v %v", two, hiretext.ErrorFields(two))
	}
}
