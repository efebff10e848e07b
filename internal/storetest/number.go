package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/internal/store"
)

// RandomPhone returns a random valid Chicago number in E.164.
func RandomPhone(tb testing.TB) string {
	tb.Helper()
	for range 1000 {
		p := fmt.Sprintf("+1312%03d%04d", rand.IntN(800)+200, rand.IntN(10000))
		if e164, err := phone.Parse(p, "US"); err == nil {
			return e164
		}
	}
	tb.Fatal("no valid random phone number found")
	return ""
}

// MustGrantNumbers lets org have count numbers, new ones with allowance
// messages a month.
func MustGrantNumbers(tb testing.TB, db *store.DB, org hiretext.OrgID, count, allowance int) {
	tb.Helper()
	if _, _, err := db.SetEntitlement(context.Background(), org, count, allowance); err != nil {
		tb.Fatalf("grant numbers: %v", err)
	}
}

// MustAddNumber records a number with a random phone for org, raising the
// entitlement by one when org has all its numbers.
func MustAddNumber(tb testing.TB, db *store.DB, org hiretext.OrgID) *hiretext.Number {
	tb.Helper()
	ctx := context.Background()
	e, err := db.Entitlement(ctx, org)
	if err != nil {
		tb.Fatal(err)
	}
	if !e.CanAddNumber() {
		MustGrantNumbers(tb, db, org, e.InUse+1, e.MonthlyAllowance)
	}
	n, err := db.AddNumber(ctx, org, hiretext.NewNumber{Phone: RandomPhone(tb), Provider: "test", ProviderID: "PN-test"})
	if err != nil {
		tb.Fatalf("add number: %v", err)
	}
	return n
}

// MustAssign assigns user to number.
func MustAssign(tb testing.TB, db *store.DB, org hiretext.OrgID, number hiretext.NumberID, user hiretext.UserID) {
	tb.Helper()
	if err := db.AssignUser(context.Background(), org, number, user); err != nil {
		tb.Fatalf("assign user: %v", err)
	}
}
