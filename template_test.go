package hiretext

import (
	"strings"
	"testing"
)

func TestTemplateInputValidate(t *testing.T) {
	t.Parallel()
	in := TemplateInput{Scope: ScopeCompany, Name: "  Interview invitation ", Body: "Hi {FirstName|there}!"}
	if err := in.Validate(); err != nil || in.Name != "Interview invitation" {
		t.Fatalf("valid input: %+v, %v", in, err)
	}
	tests := []struct {
		name  string
		in    TemplateInput
		field string
	}{
		{"unknown scope", TemplateInput{Scope: "team", Name: "a", Body: "b"}, "scope"},
		{"no name", TemplateInput{Scope: ScopePersonal, Name: " ", Body: "b"}, "name"},
		{"long name", TemplateInput{Scope: ScopePersonal, Name: strings.Repeat("n", MaxTemplateName+1), Body: "b"}, "name"},
		{"name on two lines", TemplateInput{Scope: ScopePersonal, Name: "a\nb", Body: "b"}, "name"},
		{"control character in the name", TemplateInput{Scope: ScopePersonal, Name: "a\x1bb", Body: "b"}, "name"},
		{"no body", TemplateInput{Scope: ScopePersonal, Name: "a", Body: ""}, "body"},
		{"body over the limit", TemplateInput{Scope: ScopePersonal, Name: "a", Body: strings.Repeat("b", MaxBodyChars+1)}, "body"},
		{"control character in the body", TemplateInput{Scope: ScopePersonal, Name: "a", Body: "b\x00"}, "body"},
		{"unbalanced braces", TemplateInput{Scope: ScopePersonal, Name: "a", Body: "Hi {FirstName"}, "body"},
		{"unknown field", TemplateInput{Scope: ScopePersonal, Name: "a", Body: "Pay: {Salary}"}, "body"},
	}
	for _, tt := range tests {
		if err := tt.in.Validate(); ErrorFields(err)[tt.field] == "" {
			t.Errorf("%s: %v, want an error on %s", tt.name, err, tt.field)
		}
	}
}

func TestTemplateUpdateApply(t *testing.T) {
	t.Parallel()
	tpl := Template{ID: 1, Scope: ScopeCompany, Name: "Old", Body: "Old body"}
	name, body := " New ", "Hi {JobTitle|there}"
	got, err := TemplateUpdate{Name: &name, Body: &body}.Apply(tpl)
	if err != nil || got.Name != "New" || got.Body != body || got.Scope != ScopeCompany {
		t.Fatalf("Apply = %+v, %v", got, err)
	}
	bad := "{Salary}"
	if _, err := (TemplateUpdate{Body: &bad}).Apply(tpl); ErrorFields(err)["body"] == "" {
		t.Errorf("an unknown field is saved: %v", err)
	}
}

func TestTemplateNameKey(t *testing.T) {
	t.Parallel()
	if TemplateNameKey("  Interview   INVITATION ") != TemplateNameKey("interview invitation") {
		t.Error("names differing in case and spacing are different names")
	}
}

func TestCheckEditTemplates(t *testing.T) {
	t.Parallel()
	admin := &User{Role: RoleAdmin, Active: true}
	user := &User{Role: RoleUser, Active: true, Permissions: AllPermissions}
	if admin.CheckEditTemplates(ScopeCompany) != nil || user.CheckEditTemplates(ScopePersonal) != nil {
		t.Error("an administrator edits company templates, a user their own")
	}
	if ErrorCode(user.CheckEditTemplates(ScopeCompany)) != EForbidden {
		t.Error("a user who is not an administrator edits company templates")
	}
}

func TestMatchTemplates(t *testing.T) {
	t.Parallel()
	ts := []*Template{{Name: "Interview invitation", Body: "Hi {FirstName}, can you come in?"},
		{Name: "Documents reminder", Body: "Please bring your ID"}, {Name: "Open house", Body: "Meet the team Friday"}}
	ts[1].Body += " to your interview"
	for q, want := range map[string]int{"": 3, "INTERVIEW": 2, "doc rem": 1, "friday": 1, "bring id": 1, "nothing": 0} {
		if got := MatchTemplates(ts, q); len(got) != want {
			t.Errorf("MatchTemplates(%q) = %d templates, want %d", q, len(got), want)
		}
	}
	if got := MatchTemplates(ts[1:], "interview"); len(got) != 1 {
		t.Fatal("a body match is lost")
	}
	if got := MatchTemplates([]*Template{ts[1], ts[0]}, "interview"); got[0] != ts[0] {
		t.Errorf("a name match comes after a text match: %q first", got[0].Name)
	}
}
