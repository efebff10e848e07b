package server

import (
	"net/http"

	"github.com/hiretext/hiretext"
)

// senderForm is the form on an unknown sender's conversation that makes
// them a candidate: the names as typed, the conversation's phone (shown,
// not editable: the texts are from it) and the problems found.
type senderForm struct {
	FirstName, LastName, Phone string
	Error                      string            // a problem with no field (the phone is a candidate's)
	Errors                     map[string]string // by field
}

// handleCreateSenderCandidate makes the sender of an unknown conversation a
// candidate from the conversation page and opens their conversation. Bad
// names, or a phone that is already a candidate's, show the form again with
// the reason and change nothing.
func (s *Server) handleCreateSenderCandidate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	num, v, err := s.targetConversation(r)
	if err != nil {
		return err
	}
	n := hiretext.SenderCandidate{FirstName: r.PostForm.Get("first_name"), LastName: r.PostForm.Get("last_name")}
	p := principalFrom(r.Context())
	c, err := s.store.CandidateFromConversation(r.Context(), p.org.ID, num.ID, v.ID, n, p.user.ID)
	if code := hiretext.ErrorCode(err); code == hiretext.EInvalid || code == hiretext.EConflict {
		form := senderForm{FirstName: n.FirstName, LastName: n.LastName, Errors: hiretext.ErrorFields(err)}
		if len(form.Errors) == 0 {
			form.Error = hiretext.ErrorMessage(err)
		}
		return s.renderThread(w, r, statusOf(err), num, v, form)
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/candidates/"+idString(c.ID)+"/conversation", "success",
		c.Name()+" is now a candidate who texted us first, with this conversation. Bulk texts skip them until they opt in.")
}

// apiSenderCandidate is the body of POST /api/v1/conversations/{id}/candidate.
type apiSenderCandidate struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

// handleAPICreateSenderCandidate is POST /api/v1/conversations/{id}/candidate:
// it makes the sender of an unknown conversation a candidate (201, the
// candidate), or changes nothing and says why (422 names, 409 a phone or
// conversation that is a candidate's already).
func (s *Server) handleAPICreateSenderCandidate(w http.ResponseWriter, r *http.Request) error {
	var in apiSenderCandidate
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	num, v, err := s.targetConversation(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	c, err := s.store.CandidateFromConversation(r.Context(), p.org.ID, num.ID, v.ID,
		hiretext.SenderCandidate{FirstName: in.FirstName, LastName: in.LastName}, p.user.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/candidates/"+idString(c.ID))
	writeJSON(w, http.StatusCreated, toAPICandidate(c))
	return nil
}

// composerBlock is why the composer to c cannot send, "" when it can:
// opted out, or texted first while the company does not let users answer
// such candidates.
func composerBlock(c *hiretext.Candidate, policy *hiretext.SendPolicy) string {
	switch {
	case c.OptedIn():
		return ""
	case c.TextedFirst() && policy.AnswerTextedFirst:
		return ""
	case c.TextedFirst():
		return "This candidate texted us first and has not opted in; the company's texting settings do not allow answering them until they opt in."
	}
	return "This candidate has opted out of texts."
}
