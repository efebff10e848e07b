package store

import (
	"context"
	"time"

	"github.com/hiretext/hiretext"
)

// ApplyDeliveryReport moves a sent message forward by a provider's status
// callback. A late or repeated status never moves it backwards. A report for
// a message not recorded yet (the callback raced the send's record) is kept
// and applied when the send is recorded. A failure saying the recipient is
// invalid releases the message's unit of allowance; a carrier opt-out opts
// the candidate out; a filtering or registration error counts toward the
// number's carrier guard (guardCarrierError).
func (db *DB) ApplyDeliveryReport(ctx context.Context, r hiretext.DeliveryReport) (*hiretext.StatusResult, error) {
	var res *hiretext.StatusResult
	// Status callbacks share transactions with the webhooks arriving at the
	// same time (see group.go).
	err := db.groups.do(ctx, func(ctx context.Context, tx conn, g *txGroup) error {
		if err := db.lockProviderMessages(ctx, tx, []any{providerMessageKey(r.Provider, r.ProviderMessageID)}); err != nil {
			return err
		}
		var err error
		res, err = db.applyReport(ctx, tx, &g.tally, r, db.now()) // counted at the group's end
		return err
	}, nil)
	return res, err
}

// providerLockClass namespaces the advisory locks on provider message ids
// (the migration lock uses the one-key form).
const providerLockClass = 0x6874 // "ht"

// lockProviderMessages takes, on PostgreSQL, a transaction-scoped advisory
// lock on each provider message key (dialect.lockKeys). Recording a send and applying a status
// report for it both take it, so they run one after the other. Otherwise,
// under READ COMMITTED, a report that raced the send's record could be kept
// as pending while the record looked for pending reports, each missing the
// other's uncommitted row, and the message would never move past
// "sending". SQLite's single writer serializes them already.
func (db *DB) lockProviderMessages(ctx context.Context, tx conn, keys []any) error {
	lock := db.dialect.lockKeys(len(keys))
	if lock == "" || len(keys) == 0 {
		return nil
	}
	// Queued: it goes with the statement after it, in the order written,
	// so the locks are held before that statement runs.
	return tx.execLater(ctx, lock, append([]any{providerLockClass}, keys...)...)
}

// providerMessageKey names a provider's message: for lockProviderMessages,
// and for a group's texts (inboundReads.key, txGroup.pending).
func providerMessageKey(provider, id string) string { return provider + ":" + id }

// applyReport applies r, counting the status it changes in tally.
func (db *DB) applyReport(ctx context.Context, tx conn, tally *textTally, r hiretext.DeliveryReport, now time.Time) (*hiretext.StatusResult, error) {
	m, err := knownProviderMessage(ctx, tx, r.Provider, r.ProviderMessageID)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return &hiretext.StatusResult{Pending: true}, keepPendingReport(ctx, tx, r, now)
	}
	if m.Direction != hiretext.Outbound || !m.Status.Advances(r.Status) {
		return &hiretext.StatusResult{Message: m}, nil
	}
	reason := hiretext.DeliveryFailureReason(r.ErrorCode, r.ErrorMessage)
	if r.InvalidRecipient {
		reason = hiretext.InvalidNumberReason(r.ErrorCode)
	}
	if _, err := tally.updateCounted(ctx, tx, m.Status, `UPDATE messages SET status = ?, error_code = ?, error_message = ?, updated_at = ?
		WHERE id = ? AND status = ? RETURNING `+countedColumns, r.Status, r.ErrorCode, reason, now, m.ID, m.Status); err != nil {
		return nil, err
	}
	if hiretext.Failed(r.Status) {
		if err := db.guardCarrierError(ctx, tx, m, r.ErrorCode, now); err != nil {
			return nil, err
		}
	}
	if err := responseTextChanged(ctx, tx, m, m.Status, r.Status); err != nil {
		return nil, err
	}
	if err := db.settleFailure(ctx, tx, m, r); err != nil {
		return nil, err
	}
	if r.ErrorCode == hiretext.BlockedCode && m.CandidateID != 0 {
		if err := db.carrierBlock(ctx, tx, m.OrgID, m.CandidateID, m.ID); err != nil {
			return nil, err
		}
	}
	m.Status, m.ErrorCode, m.ErrorMessage = r.Status, r.ErrorCode, reason
	return &hiretext.StatusResult{Message: m, Changed: true}, db.recordStatusEvent(ctx, tx, m.OrgID, m.NumberID, m.ID, now)
}

// settleFailure releases the allowance of a message that never reached the
// phone because the number is invalid or it never left the provider, and
// honours a carrier opt-out.
func (db *DB) settleFailure(ctx context.Context, tx conn, m *hiretext.Message, r hiretext.DeliveryReport) error {
	if r.Status != hiretext.StatusFailed && !(r.InvalidRecipient && r.Status == hiretext.StatusUndelivered) {
		return nil
	}
	var period string
	var counted bool
	if err := tx.queryRow(ctx, "SELECT period, counted FROM messages WHERE id = ?", m.ID).Scan(&period, &counted); err != nil {
		return err
	}
	if r.OptedOut && m.CandidateID != 0 {
		if err := db.providerOptOut(ctx, tx, m.OrgID, m.CandidateID, m.ID); err != nil {
			return err
		}
	}
	if !counted {
		return nil
	}
	if _, err := tx.exec(ctx, "UPDATE messages SET counted = ? WHERE id = ?", false, m.ID); err != nil {
		return err
	}
	return releaseAllowance(ctx, tx, m.OrgID, m.NumberID, period, 1) // the counter row last: see allowance.go
}

// pendingReportTTL is how long a report for an unrecorded send is kept. A
// send is recorded within its lease (minutes); a report still unmatched
// after a week is for a message this database never sent, and keeping it
// would let the table grow for ever.
const pendingReportTTL = 7 * 24 * time.Hour

// keepPendingReport stores a report for a message not recorded yet, and
// drops the reports that waited longer than pendingReportTTL (the table
// holds only reports in flight, so this is cheap).
func keepPendingReport(ctx context.Context, tx conn, r hiretext.DeliveryReport, now time.Time) error {
	if _, err := tx.exec(ctx, `DELETE FROM pending_reports WHERE received_at < ?`, now.Add(-pendingReportTTL)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO pending_reports (provider, provider_message_id, status, error_code, error_message,
		invalid_recipient, opted_out, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Provider, r.ProviderMessageID, r.Status, r.ErrorCode, r.ErrorMessage, r.InvalidRecipient, r.OptedOut, now)
	return err
}

// pendingLookup finds the status reports that arrived for sent messages
// before their sends were recorded (pending_reports): most sends have none,
// and one read per provider, sent in a batch with the record's update,
// finds out.
type pendingLookup struct {
	providers []string         // in order, for the reads
	ids       map[string][]any // the sent messages' provider ids, by provider
	reports   map[string][]hiretext.DeliveryReport
}

func newPendingLookup(sent []hiretext.SentDelivery) *pendingLookup {
	p := &pendingLookup{ids: map[string][]any{}, reports: map[string][]hiretext.DeliveryReport{}}
	for _, s := range sent {
		provider := s.Delivery.Provider
		if _, ok := p.ids[provider]; !ok {
			p.providers = append(p.providers, provider)
		}
		p.ids[provider] = append(p.ids[provider], s.ProviderID)
	}
	return p
}

// reads are the lookups, one per provider, oldest report first.
func (p *pendingLookup) reads() []batchRead {
	out := make([]batchRead, 0, len(p.providers))
	for _, provider := range p.providers {
		ids := p.ids[provider]
		out = append(out, batchQuery(`SELECT provider_message_id, status, error_code, error_message, invalid_recipient, opted_out
			FROM pending_reports WHERE provider = ? AND provider_message_id IN (`+placeholders(len(ids))+`) ORDER BY id`,
			func(row scanner) error {
				r := hiretext.DeliveryReport{Provider: provider}
				if err := row.Scan(&r.ProviderMessageID, &r.Status, &r.ErrorCode, &r.ErrorMessage, &r.InvalidRecipient, &r.OptedOut); err != nil {
					return err
				}
				p.reports[provider] = append(p.reports[provider], r)
				return nil
			}, append([]any{provider}, ids...)...))
	}
	return out
}

// applyPendingReports applies, in arrival order, the reports p found, and
// deletes them.
func (db *DB) applyPendingReports(ctx context.Context, tx conn, tally *textTally, p *pendingLookup, now time.Time) error {
	for _, provider := range p.providers {
		reports := p.reports[provider]
		if len(reports) == 0 {
			continue
		}
		for _, r := range reports {
			if _, err := db.applyReport(ctx, tx, tally, r, now); err != nil {
				return err
			}
		}
		ids := p.ids[provider]
		if _, err := tx.exec(ctx, "DELETE FROM pending_reports WHERE provider = ? AND provider_message_id IN ("+
			placeholders(len(ids))+")", append([]any{provider}, ids...)...); err != nil {
			return err
		}
	}
	return nil
}
