package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/hiretext/hiretext"
)

// TestSeedTemplates: the demo has the three company templates, a template
// of each recruiter's own, Marcus's texts filled in from his, and Priya's
// signature.
func TestSeedTemplates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, org := seededDemo(t)
	users, _ := db.ListUsers(ctx, org.ID)
	byEmail := map[string]*hiretext.User{}
	for _, u := range users {
		byEmail[u.Email] = u
	}
	marcus, priya := byEmail["marcus.reyes@acme-staffing.example"], byEmail["priya.natarajan@acme-staffing.example"]
	ts, err := db.Templates(ctx, org.ID, marcus.ID)
	if err != nil || len(ts) != 4 || ts[0].Name != "Documents reminder" || ts[3].Name != "Quick call" {
		t.Fatalf("Marcus's templates: %d, %v", len(ts), err)
	}
	if s, _ := db.Signature(ctx, org.ID, priya.ID); s.Text == "" || s.Every {
		t.Errorf("Priya's signature: %+v", s)
	}
	num, _ := db.NumberForUser(ctx, org.ID, marcus.ID)
	convs, _ := db.ListConversations(ctx, org.ID, num.ID, false, 10)
	from := 0
	for _, v := range convs {
		msgs, _ := db.ConversationMessages(ctx, org.ID, v.ID, v.CreatedAt)
		for _, m := range msgs {
			if m.TemplateName == "Quick call" {
				from++
				first := strings.Fields(v.CandidateName)[0]
				if !strings.HasPrefix(m.Body, "Hi "+first+", this is Marcus from Acme Staffing.") || strings.Contains(m.Body, "{") {
					t.Errorf("Marcus's text to %s: %q", v.CandidateName, m.Body)
				}
			}
		}
	}
	if from != 5 {
		t.Errorf("%d texts from Marcus's template, want 5", from)
	}
}
