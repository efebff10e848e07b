package hiretext_test

import (
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

func TestCandidateTextingPhone(t *testing.T) {
	t.Parallel()
	base := hiretext.Candidate{MainPhone: "+13125550101", AlternatePhone: "+17735550102"}
	tests := []struct {
		name   string
		status hiretext.SMSStatus
		phone  hiretext.PhoneChoice
		alt    string
		want   string
		label  string
	}{
		{"opted in on main", hiretext.SMSOptedIn, hiretext.PhoneMain, base.AlternatePhone, "+13125550101", "Opted in (main)"},
		{"opted in on alternate", hiretext.SMSOptedIn, hiretext.PhoneAlternate, base.AlternatePhone, "+17735550102", "Opted in (alternate)"},
		{"opted in on a removed alternate", hiretext.SMSOptedIn, hiretext.PhoneAlternate, "", "", "SMS: Opted Out"},
		{"opted out", hiretext.SMSOptedOut, hiretext.PhoneNone, base.AlternatePhone, "", "SMS: Opted Out"},
		{"never answered", "", hiretext.PhoneNone, "", "", "SMS: Opted Out"},
	}
	for _, tt := range tests {
		c := base
		c.SMSStatus, c.SMSPhone, c.AlternatePhone = tt.status, tt.phone, tt.alt
		if got := c.TextingPhone(); got != tt.want || c.OptedIn() != (tt.want != "") || c.SMSLabel() != tt.label {
			t.Errorf("%s: TextingPhone = %q, OptedIn = %v, label %q; want %q, %q", tt.name, got, c.OptedIn(), c.SMSLabel(), tt.want, tt.label)
		}
	}
	if got := base.PhoneChoiceOf("+17735550102"); got != hiretext.PhoneAlternate {
		t.Errorf("PhoneChoiceOf(alternate) = %q", got)
	}
	if got := base.PhoneChoiceOf("+19995550100"); got != hiretext.PhoneNone {
		t.Errorf("PhoneChoiceOf(unknown) = %q", got)
	}
}

func TestPhoneChangeRevokes(t *testing.T) {
	t.Parallel()
	in := hiretext.Candidate{MainPhone: "+13125550101", AlternatePhone: "+17735550102", SMSStatus: hiretext.SMSOptedIn, SMSPhone: hiretext.PhoneAlternate}
	tests := []struct {
		name      string
		main, alt string
		want      bool
	}{
		{"nothing changes", in.MainPhone, in.AlternatePhone, false},
		{"the other phone changes", "+13125550109", in.AlternatePhone, false},
		{"the consented phone changes", in.MainPhone, "+17735550109", true},
		{"the consented phone is removed", in.MainPhone, "", true},
	}
	for _, tt := range tests {
		after := in
		after.MainPhone, after.AlternatePhone = tt.main, tt.alt
		if got := hiretext.PhoneChangeRevokes(&in, &after); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	out := in
	out.SMSStatus, out.SMSPhone = hiretext.SMSOptedOut, hiretext.PhoneNone
	if hiretext.PhoneChangeRevokes(&out, &hiretext.Candidate{MainPhone: "+13125550109"}) {
		t.Error("an opted-out candidate's phone change revokes")
	}
}

func TestCandidateUpdateApply(t *testing.T) {
	t.Parallel()
	c := hiretext.Candidate{MainPhone: "+13125550101"}
	str := func(s string) *string { return &s }
	tests := []struct {
		name   string
		u      hiretext.CandidateUpdate
		fields []string
	}{
		{"new alternate and opt in on it", hiretext.CandidateUpdate{AlternatePhone: str("(773) 555-0102"),
			SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneAlternate, Confirmed: true}}, nil},
		{"opt in without confirmation", hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneMain}}, []string{"confirm"}},
		{"opt in on a missing phone", hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedIn, Phone: hiretext.PhoneAlternate, Confirmed: true}}, []string{"sms_phone"}},
		{"opt in without a phone", hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedIn, Confirmed: true}}, []string{"sms_phone"}},
		{"opt out needs nothing", hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: hiretext.SMSOptedOut}}, nil},
		{"unknown status", hiretext.CandidateUpdate{SMS: &hiretext.SMSChange{Status: "maybe"}}, []string{"sms_status"}},
		{"blank main phone", hiretext.CandidateUpdate{MainPhone: str(" ")}, []string{"main_phone"}},
		{"alternate equals main", hiretext.CandidateUpdate{AlternatePhone: str("312-555-0101")}, []string{"alternate_phone"}},
	}
	for _, tt := range tests {
		after, err := tt.u.Apply(c, phone.Parse, "US")
		fields := hiretext.ErrorFields(err)
		if len(fields) != len(tt.fields) {
			t.Errorf("%s: fields %v, want %v", tt.name, fields, tt.fields)
		}
		for _, f := range tt.fields {
			if fields[f] == "" {
				t.Errorf("%s: no error on %s (%v)", tt.name, f, fields)
			}
		}
		if err == nil && tt.u.AlternatePhone != nil && after.AlternatePhone != "+17735550102" {
			t.Errorf("%s: alternate = %q, want E.164", tt.name, after.AlternatePhone)
		}
	}
}

func TestNewApplicationValidate(t *testing.T) {
	t.Parallel()
	valid := hiretext.NewApplication{FirstName: " Ana ", LastName: "García", Email: " Ana@Example.com", MainPhone: "(312) 555-0101",
		SMS: hiretext.AnswerMain, Channel: hiretext.ChannelForm, Disclosure: "Reply STOP to opt out."}
	n := valid
	if err := n.Validate(phone.Parse, "US"); err != nil || n.FirstName != "Ana" || n.Email != "ana@example.com" || n.MainPhone != "+13125550101" {
		t.Fatalf("valid application: %+v, %v", n, err)
	}
	tests := []struct {
		name   string
		change func(*hiretext.NewApplication)
		field  string
	}{
		{"no answer", func(n *hiretext.NewApplication) { n.SMS = "" }, "sms_opt_in"},
		{"alternate without phone", func(n *hiretext.NewApplication) { n.SMS = hiretext.AnswerAlternate }, "alternate_phone"},
		{"opt-in without disclosure", func(n *hiretext.NewApplication) { n.Disclosure = "" }, "disclosure"},
		{"long name", func(n *hiretext.NewApplication) { n.LastName = string(make([]byte, 101)) }, "last_name"},
		{"long first name", func(n *hiretext.NewApplication) { n.FirstName = strings.Repeat("a", 101) }, "first_name"},
		{"no name at all", func(n *hiretext.NewApplication) { n.FirstName, n.LastName = "", " " }, "last_name"},
		{"first name only", func(n *hiretext.NewApplication) { n.LastName = "" }, "last_name"},
		{"unknown channel", func(n *hiretext.NewApplication) { n.Channel = "fax" }, "channel"},
	}
	for _, tt := range tests {
		n := valid
		tt.change(&n)
		if err := n.Validate(phone.Parse, "US"); hiretext.ErrorFields(err)[tt.field] == "" {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
	}
	n = valid
	n.SMS, n.Disclosure, n.UserAgent = hiretext.AnswerNone, "", string([]byte{0xff})+string(make([]byte, 600))
	if err := n.Validate(phone.Parse, "US"); err != nil || len(n.UserAgent) > hiretext.MaxUserAgentLength {
		t.Fatalf("declining needs no disclosure and the user agent is cut: %v (%d bytes)", err, len(n.UserAgent))
	}
}

// TestMononym: a person with one name leaves the first name empty; lists
// and sentences show the one name.
func TestMononym(t *testing.T) {
	t.Parallel()
	n := hiretext.NewApplication{FirstName: "  ", LastName: " Suharto ", Email: "s@example.com", MainPhone: "(312) 555-0101",
		SMS: hiretext.AnswerNone, Channel: hiretext.ChannelAPI}
	if err := n.Validate(phone.Parse, "US"); err != nil || n.FirstName != "" || n.LastName != "Suharto" {
		t.Fatalf("mononym: %+v, %v", n, err)
	}
	c := hiretext.Candidate{LastName: "Suharto"}
	if c.Name() != "Suharto" || c.ShortName() != "Suharto" {
		t.Errorf("Name %q, ShortName %q; want the one name", c.Name(), c.ShortName())
	}
	c.FirstName = "Ana"
	if c.Name() != "Ana Suharto" || c.ShortName() != "Ana" {
		t.Errorf("Name %q, ShortName %q", c.Name(), c.ShortName())
	}
}

func TestSMSAnswerConsent(t *testing.T) {
	t.Parallel()
	for answer, want := range map[hiretext.SMSAnswer]hiretext.PhoneChoice{
		hiretext.AnswerMain: hiretext.PhoneMain, hiretext.AnswerAlternate: hiretext.PhoneAlternate,
		hiretext.AnswerNone: hiretext.PhoneNone, hiretext.AnswerUnanswered: hiretext.PhoneNone,
	} {
		status, phone := answer.Consent()
		if phone != want || (status == hiretext.SMSOptedIn) != (want != hiretext.PhoneNone) {
			t.Errorf("%s: %s/%s", answer, status, phone)
		}
	}
}
