package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// auditClock is a fixed clock in March 2026, so the trail's period is known.
func auditClock() Config {
	c := NewClock(time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC))
	return Config{Clock: c.Now}
}

// marchTrail selects the whole of March 2026 in Chicago.
func marchTrail(t *testing.T) hiretext.AuditFilter {
	t.Helper()
	loc, _ := time.LoadLocation("America/Chicago")
	p, err := hiretext.NewReportPeriod("2026-03-01", "2026-03-31", loc, time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return hiretext.AuditFilter{Period: p}
}

// readTrail returns every entry f selects, oldest first, for easy reading.
func readTrail(t *testing.T, db *store.DB, org hiretext.OrgID, f hiretext.AuditFilter) []*hiretext.AuditEntry {
	t.Helper()
	var out []*hiretext.AuditEntry
	if err := db.EachAudit(ctx, org, f, func(e *hiretext.AuditEntry) error {
		out = append([]*hiretext.AuditEntry{e}, out...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func actions(entries []*hiretext.AuditEntry) string {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = string(e.Action)
	}
	return strings.Join(names, " ")
}

// TestAuditRecordsAdministrativeActs performs every act the trail records,
// as an administrator from an address and as the operator, and reads back
// who did what, to what, with which details; acts that change nothing or
// are refused record nothing.
func TestAuditRecordsAdministrativeActs(t *testing.T) {
	EachWith(t, auditClock, func(t *testing.T, db *store.DB, _ Config) {
		org := MustCreateOrg(t, db, "Acme")
		admin := MustCreateUser(t, db, org.ID, "Ada Admin", hiretext.RoleAdmin)
		asAdmin := hiretext.WithActor(ctx, hiretext.UserActor(admin.ID, "203.0.113.7"))
		asOperator := hiretext.WithActor(ctx, hiretext.OperatorActor())
		start := len(readTrail(t, db, org.ID, marchTrail(t))) // the fixture's own user.created

		must := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
		_, _, err := db.SetEntitlement(asOperator, org.ID, 2, 600)
		must("grant", err)
		num, err := db.AddNumber(asAdmin, org.ID, hiretext.NewNumber{Phone: RandomPhone(t), Provider: "test"})
		must("add number", err)
		rita, err := db.CreateUser(asAdmin, hiretext.NewUser{OrgID: org.ID, Email: "rita@acme.example", Name: "Rita Reyes",
			Role: hiretext.RoleUser, Permissions: []hiretext.Permission{hiretext.PermJobs}, Password: "rita-secret-password"})
		must("create user", err)
		must("assign", db.AssignUser(asAdmin, org.ID, num.ID, rita.ID))
		must("assign again (no change)", db.AssignUser(asAdmin, org.ID, num.ID, rita.ID))
		_, err = db.SetNumberUsers(asAdmin, org.ID, num.ID, []hiretext.UserID{rita.ID, admin.ID})
		must("set users", err)
		must("unassign", db.UnassignUser(asAdmin, org.ID, num.ID, admin.ID))
		perms := []hiretext.Permission{hiretext.PermJobs, hiretext.PermProfiles}
		_, err = db.UpdateUser(asAdmin, org.ID, rita.ID, hiretext.UserUpdate{Permissions: &perms})
		must("permissions", err)
		_, err = db.UpdateUser(asAdmin, org.ID, rita.ID, hiretext.UserUpdate{Permissions: &perms})
		must("same permissions (no change)", err)
		tok, secret, err := db.CreateToken(hiretext.WithActor(ctx, hiretext.UserActor(rita.ID, "198.51.100.9")), org.ID, rita.ID, "laptop")
		must("token", err)
		must("revoke", db.RevokeToken(asAdmin, org.ID, rita.ID, tok.ID))
		must("password reset", db.SetPassword(asAdmin, org.ID, rita.ID, "a-brand-new-password", hiretext.KeepAccess{}))
		asRita := hiretext.WithActor(ctx, hiretext.UserActor(rita.ID, "198.51.100.9"))
		must("own password", db.SetPassword(asRita, org.ID, rita.ID, "ritas-own-new-passphrase", hiretext.KeepAccess{Tokens: true}))
		_, err = db.SetAllowance(asOperator, num.Phone, 800)
		must("allowance", err)
		_, err = db.SetAllowance(asOperator, num.Phone, 800)
		must("same allowance (no change)", err)
		u := hiretext.TextingSettingsUpdate{ConsentDisclosure: hiretext.DefaultConsentDisclosure, OptOutConfirmation: hiretext.DefaultOptOutConfirmation,
			OptOutConfirmationEnabled: true, OptInConfirmation: hiretext.DefaultOptInConfirmation, HelpReply: hiretext.DefaultHelpReply,
			HelpContact: "jobs@acme.example"}
		_, err = db.UpdateTextingSettings(asAdmin, org.ID, u, admin.ID)
		must("texting settings", err)
		_, err = db.UpdateTextingSettings(asAdmin, org.ID, u, admin.ID)
		must("same texting settings (no change)", err)
		_, err = db.UpdateRetentionSettings(asAdmin, hiretext.RetentionSettings{OrgID: org.ID, MessageMonths: 24}, admin.ID)
		must("retention", err)
		job := MustCreateJob(t, db, org.ID, "Welder")
		cand := MustApply(t, db, org.ID, Applicant(job.ID, "Zebulon", "Quixote")).CandidateID
		must("export", db.RecordAudit(asAdmin, org.ID, hiretext.AuditCandidateExported, "candidate:"+fmt.Sprint(cand), hiretext.AuditDetails{"what": "everything"}))
		must("erase", db.EraseCandidate(asAdmin, org.ID, cand, admin.ID))
		deactivate := false
		_, err = db.UpdateUser(asAdmin, org.ID, rita.ID, hiretext.UserUpdate{Active: &deactivate})
		must("deactivate", err)
		_, err = db.ReleaseNumber(asAdmin, org.ID, num.ID)
		must("release", err)

		// Refused acts record nothing.
		if _, err := db.CreateUser(asAdmin, hiretext.NewUser{OrgID: org.ID, Email: "rita@acme.example", Name: "Rita Again",
			Role: hiretext.RoleUser, Password: "another-password"}); err == nil {
			t.Fatal("a taken email was accepted")
		}
		if _, err := db.ReleaseNumber(asAdmin, org.ID, num.ID); err == nil {
			t.Fatal("released twice")
		}
		if _, _, err := db.SetEntitlement(asOperator, org.ID, -1, 600); err == nil {
			t.Fatal("a negative grant was accepted")
		}

		trail := readTrail(t, db, org.ID, marchTrail(t))[start:]
		want := "entitlement.changed number.generated user.created number.users_changed number.users_changed number.users_changed " +
			"user.permissions_changed token.created token.revoked user.password_reset user.password_changed allowance.changed texting_settings.changed " +
			"retention.changed candidate.exported candidate.erased user.deactivated number.released"
		if got := actions(trail); got != want {
			t.Fatalf("trail:\n got %s\nwant %s", got, want)
		}
		byAction := map[hiretext.AuditAction]*hiretext.AuditEntry{}
		for _, e := range trail {
			byAction[e.Action] = e
		}
		grant := trail[0]
		if grant.Actor.Kind != hiretext.ActorOperator || grant.Actor.UserID != 0 || grant.Actor.IP != "" || grant.Target != "entitlement" ||
			fmt.Sprint(grant.Details["max_numbers"]) != "map[from:0 to:2]" {
			t.Errorf("the operator's grant: %+v", grant)
		}
		gen := byAction[hiretext.AuditNumberGenerated]
		if gen.Actor != hiretext.UserActor(admin.ID, "203.0.113.7") || gen.ActorName != "Ada Admin" || gen.Target != fmt.Sprintf("number:%d", num.ID) ||
			gen.Details["phone"] != num.Phone || !gen.At.Equal(time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)) {
			t.Errorf("number generated: %+v", gen)
		}
		if added := fmt.Sprint(trail[3].Details["added"]); added != fmt.Sprintf("[map[id:%d name:Rita Reyes]]", rita.ID) {
			t.Errorf("assignment added %s", added)
		}
		if removed := fmt.Sprint(trail[5].Details["removed"]); removed != fmt.Sprintf("[map[id:%d name:Ada Admin]]", admin.ID) {
			t.Errorf("unassignment removed %s", removed)
		}
		if p := fmt.Sprint(byAction[hiretext.AuditUserPermissions].Details["permissions"]); p != "map[from:[jobs] to:[jobs profiles]]" {
			t.Errorf("permissions changed: %s", p)
		}
		if tk := byAction[hiretext.AuditTokenCreated]; tk.Actor.UserID != rita.ID || tk.Actor.IP != "198.51.100.9" || tk.Details["name"] != "laptop" {
			t.Errorf("token created: %+v", tk)
		}
		if a := fmt.Sprint(byAction[hiretext.AuditAllowanceChanged].Details["monthly"]); a != "map[from:600 to:800]" {
			t.Errorf("allowance changed: %s", a)
		}
		if c := fmt.Sprint(byAction[hiretext.AuditTextingSettings].Details["changed"]); c != "[help_contact]" {
			t.Errorf("texting settings changed: %s", c)
		}
		if e := byAction[hiretext.AuditCandidateErased]; e.Target != fmt.Sprintf("candidate:%d", cand) || len(e.Details) != 0 {
			t.Errorf("candidate erased: %+v", e)
		}
		// The trail holds no password, token or personal value of the erased candidate.
		if r := byAction[hiretext.AuditUserPassword]; r.Actor.UserID != rita.ID || fmt.Sprint(r.Details["api_tokens_kept"]) != "true" {
			t.Errorf("own password change: %+v", r)
		}
		if r := byAction[hiretext.AuditUserPasswordReset]; r.Actor.UserID != admin.ID || r.Target != fmt.Sprintf("user:%d", rita.ID) {
			t.Errorf("password reset: %+v", r)
		}
		for _, secretValue := range []string{"rita-secret-password", "a-brand-new-password", "ritas-own-new-passphrase", secret, "Zebulon", "Quixote"} {
			if hits := searchEveryColumn(t, db, secretValue); len(hits) > 0 {
				t.Errorf("%q is stored in %v", secretValue, hits)
			}
		}
	})
}

// TestAuditTrailIsAppendOnly: the database itself refuses to change or
// delete an entry.
func TestAuditTrailIsAppendOnly(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		MustCreateUser(t, db, org.ID, "Ada Admin", hiretext.RoleAdmin)
		_, write := db.Pools()
		for _, stmt := range []string{"UPDATE audit_events SET action = 'user.deleted'", "DELETE FROM audit_events"} {
			if _, err := write.ExecContext(ctx, stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want the append-only refusal", stmt, err)
			}
		}
		var n int
		if err := write.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_events WHERE action = 'user.created'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("entries after the refused changes: %d, %v", n, err)
		}
	})
}

// TestAuditLogFiltersAndPages: the page reads newest first, filters by
// action and actor, walks pages by cursor without repeats, keeps companies
// apart and refuses bad filters and cursors.
func TestAuditLogFiltersAndPages(t *testing.T) {
	EachWith(t, auditClock, func(t *testing.T, db *store.DB, _ Config) {
		org := MustCreateOrg(t, db, "Acme")
		other := MustCreateOrg(t, db, "Other")
		admin := MustCreateUser(t, db, org.ID, "Ada Admin", hiretext.RoleAdmin)
		asAdmin := hiretext.WithActor(ctx, hiretext.UserActor(admin.ID, "203.0.113.7"))
		for i := range 5 {
			if _, err := db.CreateUser(asAdmin, hiretext.NewUser{OrgID: org.ID, Email: fmt.Sprintf("u%d@acme.example", i), Name: fmt.Sprintf("User %d", i),
				Role: hiretext.RoleUser, Password: "long-enough-password"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := db.SetEntitlement(hiretext.WithActor(ctx, hiretext.OperatorActor()), org.ID, 3, 500); err != nil {
			t.Fatal(err)
		}
		MustCreateUser(t, db, other.ID, "Olga Other", hiretext.RoleAdmin)

		f := marchTrail(t)
		var seen []hiretext.AuditID
		cursor := ""
		for range 10 {
			page, err := db.AuditLog(ctx, org.ID, hiretext.AuditQuery{AuditFilter: f, Cursor: cursor, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Entries {
				if e.OrgID != org.ID {
					t.Fatalf("another company's entry: %+v", e)
				}
				seen = append(seen, e.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 7 { // the fixture's admin, five users, the grant
			t.Fatalf("pages held %d entries, want 7: %v", len(seen), seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] >= seen[i-1] {
				t.Fatalf("not newest first without repeats: %v", seen)
			}
		}
		byAction := f
		byAction.Action = hiretext.AuditEntitlementChanged
		if got := readTrail(t, db, org.ID, byAction); actions(got) != "entitlement.changed" {
			t.Errorf("by action: %s", actions(got))
		}
		byUser := f
		byUser.ActorKind, byUser.ActorUser = hiretext.ActorUser, admin.ID
		if got := readTrail(t, db, org.ID, byUser); len(got) != 5 {
			t.Errorf("by user: %s", actions(got))
		}
		bySystem := f
		bySystem.ActorKind = hiretext.ActorSystem
		if got := readTrail(t, db, org.ID, bySystem); actions(got) != "user.created" || got[0].ActorName != "" {
			t.Errorf("by system (the fixture's admin, created without an actor): %+v", got)
		}
		april := f
		april.Period.First, april.Period.Last = april.Period.First.AddDate(0, 1, 0), april.Period.Last.AddDate(0, 1, 0)
		if got := readTrail(t, db, org.ID, april); len(got) != 0 {
			t.Errorf("April holds %d entries", len(got))
		}

		bad := f
		bad.Action = "user.deleted"
		if _, err := db.AuditLog(ctx, org.ID, hiretext.AuditQuery{AuditFilter: bad}); hiretext.ErrorFields(err)["action"] == "" {
			t.Errorf("unknown action: %v", err)
		}
		bad = f
		bad.ActorKind = "robot"
		if _, err := db.AuditLog(ctx, org.ID, hiretext.AuditQuery{AuditFilter: bad}); hiretext.ErrorFields(err)["actor"] == "" {
			t.Errorf("unknown actor: %v", err)
		}
		if _, err := db.AuditLog(ctx, org.ID, hiretext.AuditQuery{AuditFilter: f, Cursor: "not-a-cursor"}); hiretext.ErrorFields(err)["cursor"] == "" {
			t.Errorf("damaged cursor: %v", err)
		}
		if err := db.RecordAudit(ctx, org.ID, "user.deleted", "user:1", nil); err == nil {
			t.Error("RecordAudit took an unknown action")
		}
	})
}
