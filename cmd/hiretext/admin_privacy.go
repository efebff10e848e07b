package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// adminConsentVerify checks a company's consent ledger hash chain: exit 0
// when it holds, 1 naming the first entry that does not.
func adminConsentVerify(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("consent verify", e)
	org := f.fs.String("org", "", "company slug")
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	if err := f.required("org"); err != nil {
		return err
	}
	return withOrg(ctx, *f.database, *org, func(db *store.DB, o *hiretext.Organization) error {
		rep, err := db.VerifyConsentLedger(ctx, o.ID)
		if err != nil {
			return err
		}
		out := struct {
			OK      bool   `json:"ok"`
			Entries int64  `json:"entries"`
			Head    string `json:"head"`
			Problem string `json:"problem,omitempty"`
		}{rep.OK(), rep.Entries, rep.Head, rep.Problem}
		human := fmt.Sprintf("The consent ledger of %q holds: %d entries, the last hash %s.", o.Name, rep.Entries, rep.Head)
		switch {
		case !rep.OK():
			human = fmt.Sprintf("The consent ledger of %q does NOT verify: %s.", o.Name, rep.Problem)
		case rep.Entries == 0:
			human = fmt.Sprintf("The consent ledger of %q has no entries yet: nothing to verify, nothing wrong.", o.Name)
		}
		if err := f.output(e, human, out); err != nil || rep.OK() {
			return err
		}
		return fmt.Errorf("consent ledger of %s: %s", o.Slug, rep.Problem)
	})
}

// adminCandidateErase erases a candidate's personal data.
func adminCandidateErase(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("candidate erase", e)
	org := f.fs.String("org", "", "company slug")
	id := f.fs.String("id", "", "candidate id")
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	if err := f.required("org", "id"); err != nil {
		return err
	}
	n, err := strconv.ParseInt(*id, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("--id: %q is not a candidate id", *id)
	}
	return withOrg(ctx, *f.database, *org, func(db *store.DB, o *hiretext.Organization) error {
		if err := db.EraseCandidate(ctx, o.ID, hiretext.CandidateID(n), 0); err != nil {
			return describe(err)
		}
		return f.output(e, fmt.Sprintf("Erased candidate %d of %q: their texts still count, and an opt-out of their phones stays in force.", n, o.Name),
			struct {
				Erased string `json:"erased"`
			}{strconv.FormatInt(n, 10)})
	})
}
