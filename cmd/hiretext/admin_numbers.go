package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

// The operator's texting commands: how many numbers a company may have and
// the allowance its new numbers get (numbers grant), and one number's
// monthly allowance (allowance set).

type jsonGrant struct {
	MaxNumbers       int `json:"max_numbers"`
	MonthlyAllowance int `json:"monthly_allowance"`
}

type jsonEntitlement struct {
	Org string `json:"org"`
	jsonGrant
	NumbersInUse int       `json:"numbers_in_use"`
	Previous     jsonGrant `json:"previous"`
}

func adminNumbersGrant(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("numbers grant", e)
	org := f.fs.String("org", "", "company slug")
	count := f.fs.Int("count", 0, "how many texting numbers the company may have (0 to 1000)")
	allowance := f.fs.Int("monthly-allowance", 0, "messages a month that new numbers get (default: unchanged; 500 at the first grant)")
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	if err := f.required("org"); err != nil {
		return err
	}
	if err := requireSet(f.fs, "count"); err != nil {
		return err
	}
	return withOrg(ctx, *f.database, *org, func(db *store.DB, o *hiretext.Organization) error {
		if !isSet(f.fs, "monthly-allowance") {
			current, err := db.Entitlement(ctx, o.ID)
			if err != nil {
				return err
			}
			*allowance = current.MonthlyAllowance
		}
		before, after, err := db.SetEntitlement(ctx, o.ID, *count, *allowance)
		if err != nil {
			return describe(renameFields(err, map[string]string{"monthly_allowance": "monthly-allowance"}))
		}
		return f.output(e, grantSentence(o, before, after), jsonEntitlement{Org: o.Slug,
			jsonGrant:    jsonGrant{MaxNumbers: after.MaxNumbers, MonthlyAllowance: after.MonthlyAllowance},
			NumbersInUse: after.InUse, Previous: jsonGrant{MaxNumbers: before.MaxNumbers, MonthlyAllowance: before.MonthlyAllowance}})
	})
}

// grantSentence says what a grant changed.
func grantSentence(o *hiretext.Organization, before, after *hiretext.Entitlement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s) may now have %d texting number%s (%s); new numbers get %d messages a month (%s). ",
		o.Name, o.Slug, after.MaxNumbers, plural(after.MaxNumbers, "", "s"), was(before.MaxNumbers, after.MaxNumbers),
		after.MonthlyAllowance, was(before.MonthlyAllowance, after.MonthlyAllowance))
	fmt.Fprintf(&b, "It has %d number%s in use", after.InUse, plural(after.InUse, "", "s"))
	if after.InUse > after.MaxNumbers {
		b.WriteString(", more than granted: it cannot generate another until it releases some")
	}
	b.WriteString(". Existing numbers keep their allowance; change one with hiretext admin allowance set.")
	return b.String()
}

func was(before, after int) string {
	if before == after {
		return "unchanged"
	}
	return fmt.Sprintf("was %d", before)
}

type jsonAllowance struct {
	Number           string    `json:"number"`
	Org              string    `json:"org"`
	MonthlyAllowance int       `json:"monthly_allowance"`
	Previous         int       `json:"previous"`
	Period           string    `json:"period"`
	Used             int       `json:"used"`
	Remaining        int       `json:"remaining"`
	ResetsAt         time.Time `json:"resets_at"`
	Alerts           []string  `json:"alerts"`
}

func adminAllowanceSet(ctx context.Context, args []string, e env) error {
	f := newAdminFlags("allowance set", e)
	number := f.fs.String("number", "", "the texting number in E.164, e.g. +13125550142")
	monthly := f.fs.Int("monthly", 0, "messages a month, sent and received together (0 stops sending)")
	if done, err := parseFlags(f.fs, args); done {
		return err
	}
	if err := f.required("number"); err != nil {
		return err
	}
	if err := requireSet(f.fs, "monthly"); err != nil {
		return err
	}
	return withDB(ctx, *f.database, func(db *store.DB) error {
		set, err := db.SetAllowance(ctx, *number, *monthly)
		if err != nil {
			return describe(err)
		}
		o, err := db.OrgByID(ctx, set.Number.OrgID)
		if err != nil {
			return err
		}
		u := set.Number.Usage
		out := jsonAllowance{Number: set.Number.Phone, Org: o.Slug, MonthlyAllowance: u.Allowance, Previous: set.Previous,
			Period: u.Period, Used: u.Used, Remaining: u.Remaining(), ResetsAt: u.ResetsAt.In(o.Location()), Alerts: []string{}}
		for _, a := range set.Alerts {
			out.Alerts = append(out.Alerts, string(a.Kind))
		}
		return f.output(e, allowanceSentence(o, set), out)
	})
}

// allowanceSentence says what setting an allowance changed.
func allowanceSentence(o *hiretext.Organization, set *hiretext.AllowanceSet) string {
	u := set.Number.Usage
	month, _ := hiretext.PeriodStart(u.Period, o.Location())
	s := fmt.Sprintf("%s (%s) now has %d messages a month (%s). This applies at once to %s: %d used, %d %s; it resets %s.",
		set.Number.Phone, o.Name, u.Allowance, was(set.Previous, u.Allowance), month.Format("January 2006"),
		u.Used, u.Remaining(), plural(u.Remaining(), "remains", "remain"), u.ResetsAt.In(o.Location()).Format("Jan 2, 2006 3:04 PM MST"))
	for _, a := range set.Alerts {
		switch a.Kind {
		case hiretext.AlertAllowance90:
			s += fmt.Sprintf(" Its users were alerted that %d%% is used.", hiretext.WarnPercent)
		case hiretext.AlertAllowanceMax:
			s += " Its users were alerted that the allowance is used up; sending is paused."
		}
	}
	return s
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// requireSet reports a flag that has no usable default and was not given.
func requireSet(fs *flag.FlagSet, name string) error {
	if isSet(fs, name) {
		return nil
	}
	fmt.Fprintf(fs.Output(), "--%s is required\n", name)
	fs.Usage()
	return errUsage
}

// renameFields renames an error's field names (the domain's) to flag names.
func renameFields(err error, names map[string]string) error {
	fields := hiretext.ErrorFields(err)
	if fields == nil {
		return err
	}
	renamed := map[string]string{}
	for k, v := range fields {
		if n, ok := names[k]; ok {
			k = n
		}
		renamed[k] = v
	}
	return &hiretext.Error{Code: hiretext.ErrorCode(err), Message: hiretext.ErrorMessage(err), Fields: renamed}
}
