package hiretext

import (
	"context"
	"slices"
	"time"
)

// NumberID identifies one of a company's texting numbers.
type NumberID int64

// MaxUsersPerNumber is how many users may share one texting number and its
// allowance. A user belongs to at most one number.
const MaxUsersPerNumber = 3

// DefaultMonthlyAllowance is the allowance new numbers get until the operator
// grants another.
const DefaultMonthlyAllowance = 500

// Bounds on what the operator may grant.
const (
	MaxMonthlyAllowance = 1_000_000 // messages per number per month
	MaxEntitledNumbers  = 1_000     // numbers per company
)

// NumberStatus is whether a number can still text.
type NumberStatus string

// The number statuses. A released number went back to the provider; its row
// stays so its conversations and usage history remain readable.
const (
	NumberActive   NumberStatus = "active"
	NumberReleased NumberStatus = "released"
)

// Number is a phone number a company texts from, provisioned from an SMS
// provider. Its users share its monthly allowance.
type Number struct {
	ID               NumberID
	OrgID            OrgID
	Phone            string // E.164
	Provider         string // the sms.Provider's name, e.g. "simulator"
	ProviderID       string // the provider's id for the number
	Status           NumberStatus
	MonthlyAllowance int // messages per month for months that start from now on
	CreatedAt        time.Time
	ReleasedAt       *time.Time

	// Filled when a number is read from the store:
	Users []*User // assigned users, by name
	Usage Usage   // this month's usage, in the company's time zone
}

// Active reports whether the number can still text.
func (n *Number) Active() bool { return n.Status == NumberActive }

// HasUser reports whether user is assigned to n.
func (n *Number) HasUser(user UserID) bool {
	return slices.ContainsFunc(n.Users, func(u *User) bool { return u.ID == user })
}

// Full reports whether n has its maximum of users.
func (n *Number) Full() bool { return len(n.Users) >= MaxUsersPerNumber }

// NewNumber is a number just provisioned from a provider, to be recorded.
type NewNumber struct {
	Phone      string // E.164
	Provider   string
	ProviderID string
}

// Entitlement is what the operator granted a company: how many numbers it may
// have and the monthly allowance its new numbers get.
type Entitlement struct {
	OrgID            OrgID
	MaxNumbers       int
	MonthlyAllowance int
	InUse            int // active numbers now
	UpdatedAt        time.Time
}

// CanAddNumber reports whether the company may provision another number.
func (e *Entitlement) CanAddNumber() bool { return e.InUse < e.MaxNumbers }

// EntitlementExceeded returns the EEntitlementExceeded error for a company
// that has all the numbers e grants.
func EntitlementExceeded(e *Entitlement) *Error {
	if e.MaxNumbers == 0 {
		return Errorf(EEntitlementExceeded, "Your company has no texting numbers granted yet. To get numbers, contact your account manager.")
	}
	return Errorf(EEntitlementExceeded, "Your company has all %d of the texting numbers it may have. To get more, contact your account manager.",
		e.MaxNumbers)
}

// ValidateEntitlement checks a grant: 0 to MaxEntitledNumbers numbers, and a
// positive allowance of at most MaxMonthlyAllowance. Errors name the fields
// "count" and "monthly_allowance".
func ValidateEntitlement(maxNumbers, monthlyAllowance int) error {
	v := Validation{}
	if maxNumbers < 0 || maxNumbers > MaxEntitledNumbers {
		v.Add("count", "Grant between 0 and 1000 numbers.")
	}
	if monthlyAllowance < 1 || monthlyAllowance > MaxMonthlyAllowance {
		v.Add("monthly_allowance", "Use an allowance between 1 and 1000000 messages a month.")
	}
	return v.Err()
}

// ValidateAllowance checks a number's monthly allowance: 0 (texting stopped)
// to MaxMonthlyAllowance. The error names the field "monthly".
func ValidateAllowance(monthly int) error {
	if monthly < 0 || monthly > MaxMonthlyAllowance {
		return FieldError("The allowance must be between 0 and 1000000 messages a month.",
			map[string]string{"monthly": "Use 0 to 1000000 messages a month."})
	}
	return nil
}

// AllowanceSet is the outcome of the operator changing a number's allowance.
type AllowanceSet struct {
	Number   *Number // with this month's usage under the new allowance
	Previous int     // the allowance before
	Alerts   []AllowanceAlert
}

// NumberService manages a company's texting numbers, their users and the
// operator's entitlements. Every method but NumberByPhone and SetAllowance
// takes the organization explicitly; a number of another company is not found.
type NumberService interface {
	// ListNumbers lists the company's numbers, active ones first.
	ListNumbers(ctx context.Context, org OrgID) ([]*Number, error)
	// NumberByID returns one number of org.
	NumberByID(ctx context.Context, org OrgID, id NumberID) (*Number, error)
	// NumberForUser returns the number user texts from, or an ENotAssigned error.
	NumberForUser(ctx context.Context, org OrgID, user UserID) (*Number, error)
	// NumberByPhone returns the active number with this E.164 phone, whichever
	// company owns it: inbound webhooks find the company by the number called.
	NumberByPhone(ctx context.Context, phone string) (*Number, error)
	// AddNumber records a provisioned number, within the entitlement
	// (EEntitlementExceeded otherwise), with the entitlement's allowance.
	AddNumber(ctx context.Context, org OrgID, n NewNumber) (*Number, error)
	// ReleaseNumber marks a number released and unassigns its users; its
	// history stays.
	ReleaseNumber(ctx context.Context, org OrgID, id NumberID) (*Number, error)
	// AssignUser adds user to a number: at most MaxUsersPerNumber users
	// (ETooManyUsers) and one number per user (EUserOnOtherNumber).
	AssignUser(ctx context.Context, org OrgID, number NumberID, user UserID) error
	// UnassignUser removes user from a number.
	UnassignUser(ctx context.Context, org OrgID, number NumberID, user UserID) error
	// SetNumberUsers replaces a number's users, under the same limits.
	SetNumberUsers(ctx context.Context, org OrgID, number NumberID, users []UserID) (*Number, error)
	// Entitlement returns what the operator granted org.
	Entitlement(ctx context.Context, org OrgID) (*Entitlement, error)
	// SetEntitlement grants org maxNumbers numbers whose allowance starts at
	// monthlyAllowance, returning the entitlement before and after.
	SetEntitlement(ctx context.Context, org OrgID, maxNumbers, monthlyAllowance int) (before, after *Entitlement, err error)
	// SetAllowance changes the allowance of the active number phone, for the
	// current month at once and for the months after.
	SetAllowance(ctx context.Context, phone string, monthly int) (*AllowanceSet, error)
}
