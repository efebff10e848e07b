package storetest

import (
	"strings"
	"sync"
	"testing"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/store"
)

func TestNumberEntitlement(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		_, err := db.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: RandomPhone(t), Provider: "test"})
		if hiretext.ErrorCode(err) != hiretext.EEntitlementExceeded || !strings.Contains(hiretext.ErrorMessage(err), "contact your account manager") {
			t.Fatalf("add without a grant: %v, want entitlement_exceeded naming the account manager", err)
		}
		before, after, err := db.SetEntitlement(ctx, org.ID, 2, 750)
		if err != nil || before.MaxNumbers != 0 || before.MonthlyAllowance != hiretext.DefaultMonthlyAllowance || after.MaxNumbers != 2 || after.MonthlyAllowance != 750 {
			t.Fatalf("SetEntitlement = %+v → %+v, %v", before, after, err)
		}
		first, err := db.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: RandomPhone(t), Provider: "test", ProviderID: "PN1"})
		if err != nil || first.MonthlyAllowance != 750 || !first.Active() || first.Usage.Allowance != 750 || first.Usage.Used != 0 {
			t.Fatalf("first number = %+v, %v", first, err)
		}
		if _, err := db.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: first.Phone, Provider: "test"}); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("same phone twice: %v, want conflict", err)
		}
		MustAddNumber(t, db, org.ID)
		_, err = db.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: RandomPhone(t), Provider: "test"})
		if hiretext.ErrorCode(err) != hiretext.EEntitlementExceeded || !strings.Contains(hiretext.ErrorMessage(err), "all 2 of the texting numbers") {
			t.Fatalf("third number: %v", err)
		}
		// A released number frees its place in the entitlement.
		if _, err := db.ReleaseNumber(ctx, org.ID, first.ID); err != nil {
			t.Fatal(err)
		}
		if e, _ := db.Entitlement(ctx, org.ID); e.InUse != 1 || !e.CanAddNumber() {
			t.Fatalf("after release: %+v", e)
		}
		for _, bad := range [][2]int{{-1, 500}, {2, 0}, {1001, 500}, {2, hiretext.MaxMonthlyAllowance + 1}} {
			if _, _, err := db.SetEntitlement(ctx, org.ID, bad[0], bad[1]); hiretext.ErrorCode(err) != hiretext.EInvalid {
				t.Errorf("SetEntitlement%v: %v, want invalid", bad, err)
			}
		}
		if e, _ := db.Entitlement(ctx, org.ID); e.MaxNumbers != 2 || e.MonthlyAllowance != 750 {
			t.Fatalf("invalid grants changed the entitlement: %+v", e)
		}
	})
}

func TestEntitlementHoldsUnderConcurrentAdds(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		MustGrantNumbers(t, db, org.ID, 3, 500)
		results := parallel(12, func(int) error {
			_, err := db.AddNumber(ctx, org.ID, hiretext.NewNumber{Phone: RandomPhone(t), Provider: "test"})
			return err
		})
		if got := count(results, ""); got != 3 || count(results, hiretext.EEntitlementExceeded) != 9 {
			t.Fatalf("12 concurrent adds with room for 3: %d added, results %v", got, results)
		}
	})
}

func TestAssignUsers(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		n1, n2 := MustAddNumber(t, db, org.ID), MustAddNumber(t, db, org.ID)
		var users []*hiretext.User
		for _, name := range []string{"Dora", "Carl", "Bea", "Abe"} {
			users = append(users, MustCreateUser(t, db, org.ID, name, hiretext.RoleUser))
		}
		if _, err := db.NumberForUser(ctx, org.ID, users[0].ID); hiretext.ErrorCode(err) != hiretext.ENotAssigned {
			t.Fatalf("unassigned user: %v, want not_assigned", err)
		}
		for _, u := range users[:3] {
			MustAssign(t, db, org.ID, n1.ID, u.ID)
		}
		MustAssign(t, db, org.ID, n1.ID, users[0].ID) // again: no change
		err := db.AssignUser(ctx, org.ID, n1.ID, users[3].ID)
		if hiretext.ErrorCode(err) != hiretext.ETooManyUsers || !strings.Contains(hiretext.ErrorMessage(err), "already has 3 users") {
			t.Fatalf("fourth user: %v", err)
		}
		err = db.AssignUser(ctx, org.ID, n2.ID, users[0].ID)
		if hiretext.ErrorCode(err) != hiretext.EUserOnOtherNumber || !strings.Contains(hiretext.ErrorMessage(err), "Dora already texts from") {
			t.Fatalf("user on two numbers: %v", err)
		}
		got, _ := db.NumberByID(ctx, org.ID, n1.ID)
		if names := userNames(got.Users); names != "Bea,Carl,Dora" || !got.Full() || !got.HasUser(users[1].ID) {
			t.Fatalf("users of n1 = %s", names)
		}
		if mine, err := db.NumberForUser(ctx, org.ID, users[2].ID); err != nil || mine.ID != n1.ID {
			t.Fatalf("NumberForUser = %v, %v", mine, err)
		}
		if err := db.UnassignUser(ctx, org.ID, n1.ID, users[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := db.UnassignUser(ctx, org.ID, n1.ID, users[0].ID); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("unassign twice: %v", err)
		}
		MustAssign(t, db, org.ID, n2.ID, users[0].ID)

		inactive := false
		if _, err := db.UpdateUser(ctx, org.ID, users[3].ID, hiretext.UserUpdate{Active: &inactive}); err != nil {
			t.Fatal(err)
		}
		if err := db.AssignUser(ctx, org.ID, n2.ID, users[3].ID); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Fatalf("deactivated user: %v, want invalid", err)
		}
	})
}

func TestSetNumberUsers(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		n1, n2 := MustAddNumber(t, db, org.ID), MustAddNumber(t, db, org.ID)
		a := MustCreateUser(t, db, org.ID, "Ann", hiretext.RoleUser)
		b := MustCreateUser(t, db, org.ID, "Ben", hiretext.RoleUser)
		c := MustCreateUser(t, db, org.ID, "Cat", hiretext.RoleUser)
		d := MustCreateUser(t, db, org.ID, "Dan", hiretext.RoleUser)
		got, err := db.SetNumberUsers(ctx, org.ID, n1.ID, []hiretext.UserID{a.ID, b.ID, a.ID})
		if err != nil || userNames(got.Users) != "Ann,Ben" {
			t.Fatalf("set [a b a] = %v, %v", got, err)
		}
		if _, err := db.SetNumberUsers(ctx, org.ID, n1.ID, []hiretext.UserID{a.ID, b.ID, c.ID, d.ID}); hiretext.ErrorCode(err) != hiretext.ETooManyUsers {
			t.Fatalf("four users: %v", err)
		}
		if _, err := db.SetNumberUsers(ctx, org.ID, n2.ID, []hiretext.UserID{c.ID, a.ID}); hiretext.ErrorCode(err) != hiretext.EUserOnOtherNumber {
			t.Fatalf("a is on n1: %v", err)
		}
		if got, _ := db.NumberByID(ctx, org.ID, n2.ID); len(got.Users) != 0 {
			t.Fatalf("a refused set changed n2: %s", userNames(got.Users))
		}
		got, err = db.SetNumberUsers(ctx, org.ID, n1.ID, []hiretext.UserID{b.ID, d.ID})
		if err != nil || userNames(got.Users) != "Ben,Dan" {
			t.Fatalf("replace = %v, %v", got, err)
		}
		if got, err = db.SetNumberUsers(ctx, org.ID, n1.ID, nil); err != nil || len(got.Users) != 0 {
			t.Fatalf("clear = %v, %v", got, err)
		}
	})
}

// TestAssignmentLimitsUnderConcurrency assigns from two connection pools at
// once (two instances): at most three users per number, one number per user.
func TestAssignmentLimitsUnderConcurrency(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"sqlite": SQLiteURL, "postgres": PostgresURL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			dbs := []*store.DB{Open(t, u, Config{}), Open(t, u, Config{})}
			org := MustCreateOrg(t, dbs[0], "Acme")
			nums := []*hiretext.Number{MustAddNumber(t, dbs[0], org.ID), MustAddNumber(t, dbs[0], org.ID), MustAddNumber(t, dbs[0], org.ID)}
			var users []*hiretext.User
			for range 10 {
				users = append(users, MustCreateUser(t, dbs[0], org.ID, "User", hiretext.RoleUser))
			}
			results := parallel(10, func(i int) error { return dbs[i%2].AssignUser(ctx, org.ID, nums[0].ID, users[i].ID) })
			if count(results, "") != 3 || count(results, hiretext.ETooManyUsers) != 7 {
				t.Fatalf("10 users onto one number: %v", results)
			}
			// The seven refused users each try both other numbers at once:
			// six places, so exactly six assignments succeed and every
			// other attempt is refused by one of the two rules.
			var rest []*hiretext.User
			for i, u := range users {
				if results[i] != "" {
					rest = append(rest, u)
				}
			}
			results = parallel(2*len(rest), func(i int) error {
				return dbs[i%2].AssignUser(ctx, org.ID, nums[1+i%2].ID, rest[i/2].ID)
			})
			if count(results, "") != 6 || count(results, hiretext.ETooManyUsers)+count(results, hiretext.EUserOnOtherNumber) != 8 {
				t.Fatalf("7 users onto two numbers at once: %v", results)
			}
			total := 0
			for _, n := range nums {
				got, _ := dbs[0].NumberByID(ctx, org.ID, n.ID)
				if len(got.Users) > hiretext.MaxUsersPerNumber {
					t.Fatalf("%s has %d users", got.Phone, len(got.Users))
				}
				total += len(got.Users)
			}
			assigned := 0
			for _, u := range users {
				if _, err := dbs[1].NumberForUser(ctx, org.ID, u.ID); err == nil {
					assigned++
				}
			}
			if assigned != total {
				t.Fatalf("%d users assigned but numbers list %d: a user is on two numbers", assigned, total)
			}
		})
	}
}

func TestReleaseNumberKeepsHistory(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		n := MustAddNumber(t, db, org.ID)
		u := MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
		MustAssign(t, db, org.ID, n.ID, u.ID)
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 7); err != nil {
			t.Fatal(err)
		}
		got, err := db.ReleaseNumber(ctx, org.ID, n.ID)
		if err != nil || got.Active() || got.ReleasedAt == nil || len(got.Users) != 0 || got.Usage.Used != 7 {
			t.Fatalf("released = %+v, %v", got, err)
		}
		if _, err := db.ReleaseNumber(ctx, org.ID, n.ID); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("release twice: %v", err)
		}
		if _, err := db.NumberByPhone(ctx, n.Phone); hiretext.ErrorCode(err) != hiretext.ENotFound {
			t.Fatalf("released number still routes inbound: %v", err)
		}
		if _, err := db.NumberForUser(ctx, org.ID, u.ID); hiretext.ErrorCode(err) != hiretext.ENotAssigned {
			t.Fatalf("user still on a released number: %v", err)
		}
		if err := db.AssignUser(ctx, org.ID, n.ID, u.ID); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("assign to released: %v", err)
		}
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 1); hiretext.ErrorCode(err) != hiretext.EConflict {
			t.Fatalf("reserve on released: %v", err)
		}
		if ch, err := db.CountInbound(ctx, org.ID, n.ID, 1); err != nil || ch.Usage.Used != 8 {
			t.Fatalf("a late reply to a released number is still counted: %+v, %v", ch, err)
		}
		list, _ := db.ListNumbers(ctx, org.ID)
		if len(list) != 1 || list[0].Status != hiretext.NumberReleased {
			t.Fatalf("history gone: %+v", list)
		}
		// The phone may be provisioned again, by any company.
		other := MustCreateOrg(t, db, "Globex")
		MustGrantNumbers(t, db, other.ID, 1, 500)
		again, err := db.AddNumber(ctx, other.ID, hiretext.NewNumber{Phone: n.Phone, Provider: "test"})
		if err != nil {
			t.Fatalf("re-provision a released phone: %v", err)
		}
		if byPhone, err := db.NumberByPhone(ctx, n.Phone); err != nil || byPhone.ID != again.ID || byPhone.OrgID != other.ID {
			t.Fatalf("NumberByPhone = %+v, %v", byPhone, err)
		}
	})
}

func TestNumberTenantIsolation(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		acme, globex := MustCreateOrg(t, db, "Acme"), MustCreateOrg(t, db, "Globex")
		n := MustAddNumber(t, db, acme.ID)
		ann := MustCreateUser(t, db, acme.ID, "Ann", hiretext.RoleUser)
		gus := MustCreateUser(t, db, globex.ID, "Gus", hiretext.RoleUser)
		MustAssign(t, db, acme.ID, n.ID, ann.ID)
		if byPhone, err := db.NumberByPhone(ctx, n.Phone); err != nil || byPhone.OrgID != acme.ID || userNames(byPhone.Users) != "Ann" {
			t.Fatalf("NumberByPhone = %+v, %v", byPhone, err)
		}
		checks := map[string]error{
			"NumberByID":   second(db.NumberByID(ctx, globex.ID, n.ID)),
			"AssignUser":   db.AssignUser(ctx, globex.ID, n.ID, gus.ID),
			"UnassignUser": db.UnassignUser(ctx, globex.ID, n.ID, ann.ID),
			"SetUsers":     second(db.SetNumberUsers(ctx, globex.ID, n.ID, nil)),
			"Release":      second(db.ReleaseNumber(ctx, globex.ID, n.ID)),
			"Usage":        second(db.Usage(ctx, globex.ID, n.ID, "")),
			"Reserve":      second(db.ReserveAllowance(ctx, globex.ID, n.ID, 1)),
			"CountInbound": second(db.CountInbound(ctx, globex.ID, n.ID, 1)),
		}
		for name, err := range checks {
			if hiretext.ErrorCode(err) != hiretext.ENotFound {
				t.Errorf("%s from another company: %v, want not_found", name, err)
			}
		}
		if err := db.AssignUser(ctx, acme.ID, n.ID, gus.ID); hiretext.ErrorCode(err) != hiretext.EInvalid {
			t.Errorf("assigning another company's user: %v, want invalid", err)
		}
		if list, _ := db.ListNumbers(ctx, globex.ID); len(list) != 0 {
			t.Errorf("ListNumbers(globex) = %d numbers", len(list))
		}
		if got, _ := db.NumberByID(ctx, acme.ID, n.ID); userNames(got.Users) != "Ann" || got.Usage.Used != 0 {
			t.Errorf("another company changed the number: %+v", got)
		}
	})
}

func TestSetAllowance(t *testing.T) {
	Each(t, func(t *testing.T, db *store.DB) {
		org := MustCreateOrg(t, db, "Acme")
		n := MustAddNumber(t, db, org.ID)
		u := MustCreateUser(t, db, org.ID, "Rita", hiretext.RoleUser)
		MustAssign(t, db, org.ID, n.ID, u.ID)
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 300); err != nil {
			t.Fatal(err)
		}
		set, err := db.SetAllowance(ctx, n.Phone, 320)
		if err != nil || set.Previous != 500 || set.Number.MonthlyAllowance != 320 || set.Number.Usage.Allowance != 320 || set.Number.Usage.Remaining() != 20 {
			t.Fatalf("SetAllowance = %+v, %v", set, err)
		}
		if len(set.Alerts) != 1 || set.Alerts[0].Kind != hiretext.AlertAllowance90 {
			t.Fatalf("lowering to 300/320 (93%%) alerts %+v, want the 90%% alert", set.Alerts)
		}
		if _, err := db.ReserveAllowance(ctx, org.ID, n.ID, 21); hiretext.ErrorCode(err) != hiretext.EAllowanceExceeded {
			t.Fatalf("the new allowance does not apply this month: %v", err)
		}
		for _, bad := range []struct {
			phone string
			n     int
			code  string
		}{{n.Phone, -1, hiretext.EInvalid}, {"555", 10, hiretext.EInvalid}, {RandomPhone(t), 10, hiretext.ENotFound}} {
			if _, err := db.SetAllowance(ctx, bad.phone, bad.n); hiretext.ErrorCode(err) != bad.code {
				t.Errorf("SetAllowance(%s, %d) = %v, want %s", bad.phone, bad.n, err, bad.code)
			}
		}
	})
}

// parallel runs fn(0..n-1) at once and returns their error codes ("" for success).
func parallel(n int, fn func(i int) error) []string {
	out := make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = hiretext.ErrorCode(fn(i))
		})
	}
	close(start)
	wg.Wait()
	return out
}

func count(codes []string, code string) int {
	n := 0
	for _, c := range codes {
		if c == code {
			n++
		}
	}
	return n
}

func userNames(users []*hiretext.User) string {
	names := make([]string, len(users))
	for i, u := range users {
		names[i] = u.Name
	}
	return strings.Join(names, ",")
}

func second[T any](_ T, err error) error { return err }
