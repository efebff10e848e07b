package hiretext

import (
	"context"
	"time"
)

// The audit trail records administrative acts — who generated or released a
// number, assigned users, changed an allowance, created or deactivated a
// user, erased a candidate — with who did it, when and from where. It is
// append-only, and it never holds a password, a token or the words of a text.
// The store writes each entry in the transaction that makes the change, so
// an entry exists exactly when its change committed.

// AuditID identifies an entry of the audit trail.
type AuditID int64

// ActorKind says who performed an act.
type ActorKind string

// The kinds of actors.
const (
	ActorUser     ActorKind = "user"     // a user of the company, in a browser or with an API token
	ActorOperator ActorKind = "operator" // the vendor's operator, on the command line (hiretext admin)
	ActorSystem   ActorKind = "system"   // hiretext itself: the demo company's seed, a scheduled job
)

// Actor is who performs an act and from where.
type Actor struct {
	Kind   ActorKind
	UserID UserID // for ActorUser
	IP     string // the client's address, for ActorUser; "" otherwise
}

// UserActor is a user acting from the client address ip.
func UserActor(id UserID, ip string) Actor { return Actor{Kind: ActorUser, UserID: id, IP: ip} }

// OperatorActor is the operator on the command line.
func OperatorActor() Actor { return Actor{Kind: ActorOperator} }

type actorKey struct{}

// WithActor returns ctx carrying who acts in it. The server sets it once per
// authenticated request and the command line once per operator command, so
// the store can record who did what without every method taking it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns who acts in ctx: the actor set by WithActor, else
// hiretext itself (ActorSystem), which is what acts when no person asked.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Kind: ActorSystem}
}

// AuditAction names an administrative act, as a dotted name.
type AuditAction string

// The acts the audit trail records.
const (
	AuditNumberGenerated    AuditAction = "number.generated"
	AuditNumberReleased     AuditAction = "number.released"
	AuditNumberUsersChanged AuditAction = "number.users_changed"
	AuditNumberResumed      AuditAction = "number.sends_resumed" // an administrator resumed texts the carrier guard paused
	AuditAllowanceChanged   AuditAction = "allowance.changed"
	AuditEntitlementChanged AuditAction = "entitlement.changed"
	AuditUserCreated        AuditAction = "user.created"
	AuditUserDeactivated    AuditAction = "user.deactivated"
	AuditUserActivated      AuditAction = "user.activated"
	AuditUserRenamed        AuditAction = "user.renamed"
	AuditUserPermissions    AuditAction = "user.permissions_changed"
	AuditUserPassword       AuditAction = "user.password_changed"
	AuditUserPasswordReset  AuditAction = "user.password_reset"
	AuditTokenCreated       AuditAction = "token.created"
	AuditTokenRevoked       AuditAction = "token.revoked"
	AuditTextingSettings    AuditAction = "texting_settings.changed"
	AuditRetentionChanged   AuditAction = "retention.changed"
	AuditCandidateErased    AuditAction = "candidate.erased"
	AuditCandidateExported  AuditAction = "candidate.exported"
	AuditTemplateCreated    AuditAction = "template.created" // a company template; users' own are theirs alone
	AuditTemplateChanged    AuditAction = "template.changed"
	AuditTemplateDeleted    AuditAction = "template.deleted"
	AuditFormCreated        AuditAction = "application_form.created"
	AuditFormChanged        AuditAction = "application_form.changed"
	AuditFormDeleted        AuditAction = "application_form.deleted"
	AuditSSNCollection      AuditAction = "application_forms.ssn_changed" // the DOT form asks the SSN, or stops
	AuditAnswerRevealed     AuditAction = "answer.revealed"               // an administrator revealed a masked answer
)

// AuditActions lists every action with its label, in the order filters
// offer them.
var AuditActions = []struct {
	Action AuditAction
	Label  string
}{
	{AuditNumberGenerated, "Number generated"},
	{AuditNumberReleased, "Number released"},
	{AuditNumberUsersChanged, "Number's users changed"},
	{AuditNumberResumed, "Number's paused texts resumed"},
	{AuditAllowanceChanged, "Allowance changed"},
	{AuditEntitlementChanged, "Numbers granted changed"},
	{AuditUserCreated, "User created"},
	{AuditUserDeactivated, "User deactivated"},
	{AuditUserActivated, "User reactivated"},
	{AuditUserRenamed, "User renamed"},
	{AuditUserPermissions, "User's role or permissions changed"},
	{AuditUserPassword, "Password changed"},
	{AuditUserPasswordReset, "Password reset by an administrator"},
	{AuditTokenCreated, "API token created"},
	{AuditTokenRevoked, "API token revoked"},
	{AuditTextingSettings, "Texting settings changed"},
	{AuditRetentionChanged, "Data retention changed"},
	{AuditCandidateErased, "Candidate erased"},
	{AuditCandidateExported, "Candidate's data downloaded"},
	{AuditTemplateCreated, "Company text template created"},
	{AuditTemplateChanged, "Company text template changed"},
	{AuditTemplateDeleted, "Company text template deleted"},
	{AuditFormCreated, "Application form created"},
	{AuditFormChanged, "Application form changed"},
	{AuditFormDeleted, "Application form deleted"},
	{AuditSSNCollection, "Social Security numbers asked or no longer asked"},
	{AuditAnswerRevealed, "Masked answer revealed"},
}

// Label is the action as people read it, such as "Number generated".
func (a AuditAction) Label() string {
	for _, x := range AuditActions {
		if x.Action == a {
			return x.Label
		}
	}
	return string(a)
}

// Valid reports whether a is a known action.
func (a AuditAction) Valid() bool { return a.Label() != string(a) }

// AuditDetails are an entry's particulars as JSON values: numbers, strings,
// lists, or {"from", "to"} for a value that changed. They never hold a
// password, a token or the words of a text.
type AuditDetails map[string]any

// Changed is the detail of a value that went from one thing to another.
func Changed[T any](from, to T) map[string]any { return map[string]any{"from": from, "to": to} }

// AuditEntry is one administrative act.
type AuditEntry struct {
	ID     AuditID
	OrgID  OrgID
	At     time.Time
	Actor  Actor
	Action AuditAction
	// Target is what the act concerned, written "kind:id" (number:7,
	// user:12, candidate:42, token:5) or a setting's name
	// (texting_settings, retention, entitlement).
	Target  string
	Details AuditDetails
	// ActorName is the acting user's name when read back (for display);
	// empty for the operator and the system.
	ActorName string
}

// AuditFilter selects entries of the trail: those of the period, narrowed
// by action and actor (zero values mean any).
type AuditFilter struct {
	Period    ReportPeriod
	Action    AuditAction
	ActorKind ActorKind // "" for anyone
	ActorUser UserID    // with ActorKind user: that user only
}

// Validate checks the action and actor. Errors name the fields "action" and
// "actor".
func (f AuditFilter) Validate() error {
	v := Validation{}
	if f.Action != "" && !f.Action.Valid() {
		v.Add("action", "Choose an action from the list.")
	}
	switch f.ActorKind {
	case "", ActorUser, ActorOperator, ActorSystem:
	default:
		v.Add("actor", "Choose who acted from the list.")
	}
	if f.Period.First.IsZero() {
		v.Add("from", "Choose the dates to show.")
	}
	return v.Err()
}

// AuditQuery asks for one page of the trail, newest first.
type AuditQuery struct {
	AuditFilter
	Cursor string // from the previous page's NextCursor; "" for the first page
	Limit  int    // entries per page; 0 means DefaultAuditLimit
}

// Audit page sizes.
const (
	DefaultAuditLimit = 50
	MaxAuditLimit     = 500
)

// AuditPage is one page of the trail.
type AuditPage struct {
	Entries    []*AuditEntry
	NextCursor string // "" on the last page
}

// AuditService records and reads the audit trail of a company. The store
// records most acts itself, inside the transaction that makes the change;
// RecordAudit is for acts that change nothing stored, such as exports.
type AuditService interface {
	RecordAudit(ctx context.Context, org OrgID, action AuditAction, target string, details AuditDetails) error
	AuditLog(ctx context.Context, org OrgID, q AuditQuery) (*AuditPage, error)
	// EachAudit calls each with every entry f selects, newest first.
	EachAudit(ctx context.Context, org OrgID, f AuditFilter, each func(*AuditEntry) error) error
}
