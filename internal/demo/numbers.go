package demo

import (
	"context"
	"fmt"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
	"github.com/hiretext/hiretext/internal/sms/simulator"
	"github.com/hiretext/hiretext/internal/store"
)

// demoRecruiters are the recruiters who get a texting number each. Their
// usage comes from the texts the demo stores (see seedTexting), so the
// Numbers page, the banner and the SMS Activity report agree.
var demoRecruiters = []string{"marcus.reyes@acme-staffing.example", "priya.natarajan@acme-staffing.example"}

// seedNumbers grants the demo company three numbers of 500 messages a month
// (two in use, so the administrator can try generating one), provisions two
// Chicago numbers from the built-in simulator and assigns the recruiters.
func seedNumbers(ctx context.Context, db *store.DB, org *hiretext.Organization, users map[string]*hiretext.User) error {
	if _, _, err := db.SetEntitlement(ctx, org.ID, 3, hiretext.DefaultMonthlyAllowance); err != nil {
		return err
	}
	sim, err := simulator.New(ctx, simulator.Config{Store: db.Simulator()})
	if err != nil {
		return err
	}
	for _, email := range demoRecruiters {
		u := users[email]
		if u == nil {
			return fmt.Errorf("demo: no user %s", email)
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
	}
	return nil
}
