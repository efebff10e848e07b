package server

import (
	"net/http"
	"time"

	"github.com/hiretext/hiretext"
)

// apiBulkSend is what a bulk send achieved so far.
type apiBulkSend struct {
	ID        string              `json:"id"`
	Total     int                 `json:"total"`
	Delivered int                 `json:"delivered"`
	Failed    int                 `json:"failed"`
	Replied   int                 `json:"replied"`
	OptedOut  int                 `json:"opted_out"`
	SentAt    time.Time           `json:"sent_at"`
	Body      string              `json:"body"`
	Results   []apiBulkSendResult `json:"candidates"`
	// Paused: the carrier guard holds the texts not sent yet; null when they go.
	Paused *apiCarrierPause `json:"paused"`
}

// apiBulkSendResult is one requested candidate of a bulk send.
type apiBulkSendResult struct {
	CandidateID string `json:"candidate_id"`
	// Status is the text's status now, or "skipped" (Reason says why).
	Status   string  `json:"status"`
	Reason   *string `json:"reason"`
	Replied  bool    `json:"replied"`
	OptedOut bool    `json:"opted_out"`
}

// handleAPIBulkSend shows one of the caller's bulk sends as it is now:
// delivered, failed, replied and opted out since, per candidate and in all.
func (s *Server) handleAPIBulkSend(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if _, err := s.requireTexting(r.Context(), p); err != nil {
		return err
	}
	b, err := s.targetBulkSend(r, p)
	if err != nil {
		return err
	}
	o := b.Outcomes()
	out := apiBulkSend{ID: idString(b.ID), Total: o.Total, Delivered: o.Delivered, Failed: o.Failed, Replied: o.Replied,
		OptedOut: o.OptedOut, SentAt: b.CreatedAt, Body: b.Body, Results: make([]apiBulkSendResult, len(b.Results)), Paused: toAPIPause(b.Paused)}
	for i, x := range b.Results {
		res := apiBulkSendResult{CandidateID: idString(x.CandidateID), Status: string(x.Status), Replied: x.Replied, OptedOut: x.OptedOut}
		if x.MessageID == 0 {
			reason := string(x.Skipped)
			res.Status, res.Reason = "skipped", &reason
		}
		out.Results[i] = res
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// targetBulkSend returns p's bulk send named by the {id} path value.
func (s *Server) targetBulkSend(r *http.Request, p *principal) (*hiretext.BulkSend, error) {
	id, err := pathID[hiretext.BulkSendID](r, "id", "Send")
	if err != nil {
		return nil, err
	}
	return s.store.BulkSendByID(r.Context(), p.org.ID, p.user.ID, id)
}
