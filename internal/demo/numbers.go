package demo

import (
	"context"
	"fmt"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
)

// demoNumbers are the demo company's texting numbers: each recruiter has
// one, with part of this month's allowance used. Priya's is past 90%, so she
// sees the allowance banner and the alert has fired.
var demoNumbers = []struct {
	recruiter string
	used      int
}{
	{"marcus.reyes@acme-staffing.example", 137},
	{"priya.natarajan@acme-staffing.example", 456},
}

// seedNumbers grants the demo company three numbers of 500 messages a month
// (two in use, so the administrator can try generating one), provisions two
// Chicago numbers from the built-in simulator and assigns the recruiters.
func seedNumbers(ctx context.Context, db *store.DB, org *hiretext.Organization, users map[string]*hiretext.User) error {
	if _, _, err := db.SetEntitlement(ctx, org.ID, 3, hiretext.DefaultMonthlyAllowance); err != nil {
		return err
	}
	sim, err := simulator.New(ctx, simulator.Config{Store: db})
	if err != nil {
		return err
	}
	for _, d := range demoNumbers {
		u := users[d.recruiter]
		if u == nil {
			return fmt.Errorf("demo: no user %s", d.recruiter)
		}
		offers, err := sim.SearchNumbers(ctx, sms.NumberQuery{Country: org.Region, AreaCode: "312", Limit: 1})
		if err != nil {
			return err
		}
		pn, err := sim.BuyNumber(ctx, offers[0].Phone)
		if err != nil {
			return err
		}
		n, err := db.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: pn.Phone, Provider: sim.Name(), ProviderID: pn.ProviderID})
		if err != nil {
			return err
		}
		if err := db.AssignUser(ctx, org.ID, n.ID, u.ID); err != nil {
			return err
		}
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, d.used); err != nil {
			return err
		}
	}
	return nil
}
