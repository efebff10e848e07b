package dispatch

import (
	"context"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// lookupFailed is the reason a failed lookup gives: it is retried like an
// uncertain send, the message staying in doubt and nothing sent.
const lookupFailed = "the provider could not say whether it took the text"

// resolveDoubt asks the provider whether an earlier call for dl, whose
// outcome is unknown, created the message. Found (and held by no other
// message of ours), it is adopted with its id and status, and nothing is
// sent; not there, dl may be sent (settled is false); the provider could
// not say, dl is retried later, still in doubt. settled reports whether dl
// was dealt with here.
func (d *Dispatcher) resolveDoubt(ctx context.Context, dl *hiretext.Delivery) (settled bool, err error) {
	callCtx, cancel := context.WithTimeout(ctx, d.cfg.SendTimeout)
	found, lookErr := d.provider.Lookup(callCtx, sms.LookupQuery{From: dl.From, To: dl.To, Body: dl.Body, Since: dl.DoubtSince})
	cancel()
	if lookErr != nil {
		d.lookups.add(LookupFailed)
		d.cfg.Logger.Warn("looking up a send in doubt failed; retrying later", "message_id", int64(dl.ID), "err", lookErr)
		return true, d.failed(ctx, dl, &sms.Error{Class: sms.Transient, Uncertain: true,
			Message: lookupFailed, Err: lookErr})
	}
	f, ok, err := d.unclaimed(ctx, found)
	if err != nil {
		return true, err
	}
	if !ok {
		d.lookups.add(LookupNotFound)
		return false, nil
	}
	d.lookups.add(LookupFound)
	d.cfg.Logger.Info("a send in doubt was found at the provider; adopted, not sent again",
		"message_id", int64(dl.ID), "provider_message_id", f.ProviderMessageID)
	return true, d.adopt(ctx, dl, f)
}

// unclaimed returns the oldest found message no message of ours holds yet:
// an identical text sent to the same phone in the same minutes is another
// message's, not this one's.
func (d *Dispatcher) unclaimed(ctx context.Context, found []sms.FoundMessage) (sms.FoundMessage, bool, error) {
	if len(found) == 0 {
		return sms.FoundMessage{}, false, nil
	}
	ids := make([]string, len(found))
	for i, f := range found {
		ids[i] = f.ProviderMessageID
	}
	known, err := d.store.KnownProviderMessages(ctx, d.provider.Name(), ids)
	if err != nil {
		return sms.FoundMessage{}, false, err
	}
	for _, f := range found {
		if _, taken := known[f.ProviderMessageID]; !taken {
			return f, true, nil
		}
	}
	return sms.FoundMessage{}, false, nil
}

// adopt records dl as the message f the provider holds: sent, with f's id,
// then f's final status when it has one. A failure goes through the same
// path as a status callback saying so, which releases the allowance and
// honours a carrier opt-out.
func (d *Dispatcher) adopt(ctx context.Context, dl *hiretext.Delivery, f sms.FoundMessage) error {
	status := f.Status
	failed := status == hiretext.StatusFailed || status == hiretext.StatusUndelivered || status == hiretext.StatusCanceled
	if failed || !status.Valid() {
		status = hiretext.StatusSent // recorded as handed over first; the failure follows
	}
	if _, err := d.rec.record(hiretext.SentDelivery{Delivery: dl, ProviderID: f.ProviderMessageID, Status: status}, false); err != nil {
		return err
	}
	if !failed {
		return nil
	}
	if d.cfg.OnFailure != nil && f.ErrorCode != "" {
		d.cfg.OnFailure(f.ErrorCode)
	}
	_, err := d.store.ApplyDeliveryReport(ctx, hiretext.DeliveryReport{Provider: dl.Provider, ProviderMessageID: f.ProviderMessageID,
		Status: f.Status, ErrorCode: f.ErrorCode, ErrorMessage: f.ErrorMessage,
		InvalidRecipient: f.Class == sms.InvalidRecipient, OptedOut: f.Class == sms.OptedOut})
	return err
}
