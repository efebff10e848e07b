package simulator

import (
	"context"
	"time"

	"github.com/hiretext/hiretext/internal/sms/simulator/simstate"
)

// Store is where the simulator keeps its state, so it survives restarts and
// is shared by every instance on one database. The records are simstate's;
// store.SimulatorStore (db.Simulator()) implements it.
type Store interface {
	// AppSecret returns the random key stored under name, creating it once.
	AppSecret(ctx context.Context, name string) ([]byte, error)

	// NumberActive reports whether phone is provisioned and not released.
	NumberActive(ctx context.Context, phone string) (bool, error)
	// ProvisionNumber records phone as provisioned with providerID; it
	// returns false, and changes nothing, when phone is already provisioned.
	ProvisionNumber(ctx context.Context, phone, providerID string, at time.Time) (bool, error)
	// ReleaseNumber marks phone released; releasing twice is not an error.
	ReleaseNumber(ctx context.Context, phone string, at time.Time) error

	// PhoneFlag returns how the simulated network treats phone ("" for an
	// ordinary mobile).
	PhoneFlag(ctx context.Context, phone string) (simstate.Flag, error)
	// SetPhoneFlag sets or (with "") clears phone's flag.
	SetPhoneFlag(ctx context.Context, phone string, flag simstate.Flag, at time.Time) error

	// Enqueue records a handset message and the webhook that reports it, in
	// one transaction, and returns the webhook with its ID. Like a carrier
	// it never deduplicates: every call adds a message.
	Enqueue(ctx context.Context, m simstate.HandsetMessage, cb simstate.Callback) (stored simstate.Callback, err error)
	// MessageMedia lists the files of the messages, each message's in
	// order, without their content.
	MessageMedia(ctx context.Context, messageIDs ...string) ([]simstate.Media, error)
	// MediaByID returns one file with its content.
	MediaByID(ctx context.Context, id string) (simstate.Media, error)
	// ClaimCallbacks leases up to limit webhooks due at now until
	// leaseUntil, counting an attempt for each, oldest first.
	ClaimCallbacks(ctx context.Context, now, leaseUntil time.Time, limit int) ([]simstate.Callback, error)
	// AdvanceCallback moves a status webhook to its next status, due at due,
	// with its attempts reset.
	AdvanceCallback(ctx context.Context, id int64, status string, due time.Time) error
	// RetryCallback makes a webhook due again at due.
	RetryCallback(ctx context.Context, id int64, due time.Time) error
	// FinishCallback deletes a delivered (or abandoned) webhook.
	FinishCallback(ctx context.Context, id int64) error

	// HandsetMessages lists the messages a simulated phone sent and received,
	// oldest first.
	HandsetMessages(ctx context.Context, phone string) ([]simstate.HandsetMessage, error)
	// CounterpartMessages lists up to limit texts, both directions, that
	// simulated phones exchanged with the hiretext number counterpart
	// since since, oldest first.
	CounterpartMessages(ctx context.Context, counterpart string, since time.Time, limit int) ([]simstate.HandsetMessage, error)
	// HandsetPhones lists up to limit simulated phones that sent or received
	// texts, the one with the latest text first.
	HandsetPhones(ctx context.Context, limit int) ([]simstate.HandsetSummary, error)
}
