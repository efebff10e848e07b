package hiretext

import "time"

// The messages table is the outbox: a queued outbound message waits there
// until a dispatcher claims it, sends it through the provider and records
// the outcome. A message on its way through the provider is a Delivery;
// "job", elsewhere, is always a job posting.

// Delivery is a queued message a dispatcher claimed, with what it needs to
// send it and to re-check consent just before.
type Delivery struct {
	ID          MessageID
	OrgID       OrgID
	NumberID    NumberID
	CandidateID CandidateID
	Kind        MessageKind
	Provider    string
	From, To    string
	Body        string
	Attempts    int // including this one
	Period      string
	CreatedAt   time.Time
	// InDoubt says an earlier provider call for this message may have
	// reached the provider (its answer was lost, or the process died
	// mid-call): it must be looked up there, from DoubtSince, before it is
	// sent again.
	InDoubt    bool
	DoubtSince time.Time
}

// SendPace is how fast one number may send: Rate texts a second on average,
// and after a quiet spell at most Burst at once.
type SendPace struct {
	Rate  float64
	Burst int
}

// Interval is the time one text takes of the pace, or 0 for no pace (a
// Rate or Burst of zero).
func (p SendPace) Interval() time.Duration {
	if p.Rate <= 0 || p.Burst <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / p.Rate)
}

// DeliveryClaim is what a claim within a number's pace leased, and the
// earliest time the pace lets the number send again.
type DeliveryClaim struct {
	Deliveries []*Delivery
	NextAt     time.Time
}

// ClaimRequest asks the transaction that records sends to claim, within
// the number's pace, up to Limit more of its due texts for Lease: the
// slots of the workers whose sends it records, so one durable commit
// records their sends and leases their next texts.
type ClaimRequest struct {
	Number NumberID
	Limit  int
	Lease  time.Duration
	Pace   SendPace
}

// SentDelivery is a delivery the provider accepted: its id for the message
// and the status it reported.
type SentDelivery struct {
	Delivery   *Delivery
	ProviderID string
	Status     MessageStatus
}
