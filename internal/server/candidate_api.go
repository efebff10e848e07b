package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// apiSMS is a candidate's texting consent in the JSON API.
type apiSMS struct {
	Status hiretext.SMSStatus `json:"status"`
	Phone  *string            `json:"phone"` // "main", "alternate" or null when opted out
	// TextedFirst: opted out, but they texted us first (Candidate.TextedFirst).
	TextedFirst bool `json:"texted_first"`
}

// apiCandidate is a candidate in the JSON API.
type apiCandidate struct {
	ID             string    `json:"id"`
	FirstName      string    `json:"first_name"`
	LastName       string    `json:"last_name"`
	Email          string    `json:"email"`
	MainPhone      string    `json:"main_phone"`
	AlternatePhone *string   `json:"alternate_phone"`
	SMS            apiSMS    `json:"sms"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// optional returns nil for "", so JSON shows null.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optionalIDString returns nil for 0, else the id as the API writes it.
func optionalIDString[T ~int64](id T) *string {
	if id == 0 {
		return nil
	}
	s := idString(id)
	return &s
}

func toAPICandidate(c *hiretext.Candidate) apiCandidate {
	sms := apiSMS{Status: hiretext.SMSOptedOut, TextedFirst: c.TextedFirst()}
	if c.OptedIn() {
		sms = apiSMS{Status: hiretext.SMSOptedIn, Phone: optional(string(c.SMSPhone))}
	}
	return apiCandidate{ID: idString(c.ID), FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
		MainPhone: c.MainPhone, AlternatePhone: optional(c.AlternatePhone), SMS: sms, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// apiApplicationSummary names an application and its job.
type apiApplicationSummary struct {
	ID        string    `json:"id"`
	JobID     string    `json:"job_id"`
	JobTitle  string    `json:"job_title"`
	CreatedAt time.Time `json:"created_at"`
}

// apiPoolEntry is one candidate of GET /api/v1/candidates.
type apiPoolEntry struct {
	apiCandidate
	LastApplication apiApplicationSummary `json:"last_application"`
}

// handleAPICandidates lists one page of the pool.
func (s *Server) handleAPICandidates(w http.ResponseWriter, r *http.Request) error {
	qs := r.URL.Query()
	q, err := poolFilters{Q: qs.Get("q"), JobID: qs.Get("job_id"), SMSStatus: qs.Get("sms_status")}.query(qs.Get("cursor"), "")
	if err != nil {
		return err
	}
	if v := qs.Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 {
			return hiretext.FieldError("Use a limit between 1 and 200.", map[string]string{"limit": "Use a limit between 1 and 200."})
		}
	}
	page, err := s.store.SearchCandidates(r.Context(), principalFrom(r.Context()).org.ID, q)
	if err != nil {
		return err
	}
	out := struct {
		Candidates []apiPoolEntry `json:"candidates"`
		NextCursor *string        `json:"next_cursor"`
	}{Candidates: make([]apiPoolEntry, len(page.Entries)), NextCursor: optional(page.NextCursor)}
	for i, e := range page.Entries {
		a := e.Application
		out.Candidates[i] = apiPoolEntry{apiCandidate: toAPICandidate(e.Candidate), LastApplication: apiApplicationSummary{
			ID: idString(a.ID), JobID: idString(a.JobID), JobTitle: a.JobTitle, CreatedAt: a.CreatedAt}}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiApplication is an application in a candidate's details.
type apiApplication struct {
	ID        string                      `json:"id"`
	JobID     string                      `json:"job_id"`
	JobTitle  string                      `json:"job_title"`
	SMSOptIn  hiretext.SMSAnswer          `json:"sms_opt_in"`
	Channel   hiretext.ApplicationChannel `json:"channel"`
	Form      string                      `json:"form"`    // the form's name when the candidate applied
	Answers   []apiAnswer                 `json:"answers"` // the form's own questions, as asked
	CreatedAt time.Time                   `json:"created_at"`
}

// apiCandidateDetail is GET /api/v1/candidates/{id}.
type apiCandidateDetail struct {
	apiCandidate
	Applications []apiApplication `json:"applications"`
	// TimeZone is the IANA zone the candidate is texted by; TimeZones
	// lists them instead when the phone's prefix spans several. LocalTime
	// is the time there now (in the first zone).
	TimeZone  *string  `json:"time_zone,omitempty"`
	TimeZones []string `json:"time_zones,omitempty"`
	LocalTime string   `json:"local_time"`
}

// candidateZones are the zones c is texted by: the profile's, else those of
// the texting (or main) phone's prefix, else the company's.
func candidateZones(c *hiretext.Candidate, company *time.Location) []*time.Location {
	ph := c.TextingPhone()
	if ph == "" {
		ph = c.MainPhone
	}
	return hiretext.ResolveZones(c.TimeZone, phone.TimeZones(ph), company)
}

func (s *Server) handleAPICandidate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	return s.writeCandidateDetail(w, r, c)
}

func (s *Server) writeCandidateDetail(w http.ResponseWriter, r *http.Request, c *hiretext.Candidate) error {
	apps, err := s.store.CandidateApplications(r.Context(), c.OrgID, c.ID)
	if err != nil {
		return err
	}
	out := apiCandidateDetail{apiCandidate: toAPICandidate(c), Applications: make([]apiApplication, len(apps))}
	zones := candidateZones(c, principalFrom(r.Context()).org.Location())
	if len(zones) == 1 {
		name := zones[0].String()
		out.TimeZone = &name
	} else {
		for _, z := range zones {
			out.TimeZones = append(out.TimeZones, z.String())
		}
	}
	out.LocalTime = s.cfg.Clock.Now().In(zones[0]).Format(time.RFC3339)
	for i, a := range apps {
		out.Applications[i] = apiApplication{ID: idString(a.ID), JobID: idString(a.JobID), JobTitle: a.JobTitle,
			SMSOptIn: a.SMSAnswer, Channel: a.Channel, Form: a.FormName, Answers: toAPIAnswers(a.Answers), CreatedAt: a.CreatedAt}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiCandidatePatch is the body of PATCH /api/v1/candidates/{id}; absent
// fields stay, and an empty alternate_phone removes it.
type apiCandidatePatch struct {
	MainPhone      *string       `json:"main_phone"`
	AlternatePhone *string       `json:"alternate_phone"`
	SMS            *apiSMSChange `json:"sms"`
	TimeZone       nullableText  `json:"time_zone"` // an IANA name, or null to derive it from the phone again
}

// nullableText is a JSON field that may be absent, null or a string.
type nullableText struct {
	Set   bool    // the field was present
	Value *string // nil for null
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *nullableText) UnmarshalJSON(b []byte) error {
	n.Set = true
	return json.Unmarshal(b, &n.Value)
}

// apiSMSChange changes consent. Opting in through the API is the token
// user's statement that the candidate agreed; the ledger records the user.
type apiSMSChange struct {
	Status string `json:"status"`
	Phone  string `json:"phone"`
	Note   string `json:"note"`
}

func (s *Server) handleAPIUpdateCandidate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	var in apiCandidatePatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	zone := ""
	if in.TimeZone.Value != nil {
		zone = *in.TimeZone.Value
		// Checked before anything changes, so a bad name changes nothing.
		if _, err := hiretext.LoadZone(zone); err != nil {
			return hiretext.FieldError(hiretext.ErrorMessage(err), map[string]string{"time_zone": hiretext.ErrorMessage(err)})
		}
	}
	if in.MainPhone != nil || in.AlternatePhone != nil || in.SMS != nil || !in.TimeZone.Set {
		if c, err = s.updateCandidate(r, c, in); err != nil {
			return err
		}
	}
	if in.TimeZone.Set {
		if c, err = s.store.SetCandidateTimeZone(r.Context(), c.OrgID, c.ID, zone); err != nil {
			return err
		}
	}
	return s.writeCandidateDetail(w, r, c)
}

// updateCandidate applies in's phones and consent to c.
func (s *Server) updateCandidate(r *http.Request, c *hiretext.Candidate, in apiCandidatePatch) (*hiretext.Candidate, error) {
	u := hiretext.CandidateUpdate{MainPhone: in.MainPhone, AlternatePhone: in.AlternatePhone}
	if in.SMS != nil {
		u.SMS = &hiretext.SMSChange{Status: hiretext.SMSStatus(in.SMS.Status), Phone: hiretext.PhoneChoice(in.SMS.Phone),
			Note: in.SMS.Note, Confirmed: true}
	}
	c, err := s.store.UpdateCandidate(r.Context(), c.OrgID, c.ID, u, principalFrom(r.Context()).user.ID)
	if err != nil {
		return nil, withFieldPaths(err, candidatePatchPaths)
	}
	return c, nil
}

// candidatePatchPaths maps the field names of the candidate rules, which
// are the profile forms' names, to the JSON paths of the PATCH body.
var candidatePatchPaths = map[string]string{"sms_status": "sms.status", "sms_phone": "sms.phone", "note": "sms.note"}

// withFieldPaths returns err with its field errors keyed by paths where
// paths names a field, so a client finds each error at the place in its
// request that caused it, as it does for errors of type.
func withFieldPaths(err error, paths map[string]string) error {
	var e *hiretext.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := make(map[string]string, len(e.Fields))
	for k, msg := range e.Fields {
		if path, ok := paths[k]; ok {
			k = path
		}
		fields[k] = msg
	}
	return &hiretext.Error{Code: e.Code, Message: e.Message, Fields: fields}
}

// apiConsentEvent is one entry of a candidate's consent ledger.
type apiConsentEvent struct {
	ID            string                 `json:"id"`
	Status        hiretext.SMSStatus     `json:"status"`
	Phone         *string                `json:"phone"`
	PhoneNumber   *string                `json:"phone_number"`
	Source        hiretext.ConsentSource `json:"source"`
	ApplicationID *string                `json:"application_id"`
	Disclosure    *string                `json:"disclosure"`
	IP            *string                `json:"ip"`
	UserAgent     *string                `json:"user_agent"`
	UserID        *string                `json:"user_id"`
	UserName      *string                `json:"user_name"`
	Note          *string                `json:"note"`
	MessageID     *string                `json:"message_id"`
	Rule          *string                `json:"rule"`
	CreatedAt     time.Time              `json:"created_at"`
	Erased        bool                   `json:"erased"`
	Seq           int64                  `json:"seq"`
	PhoneHash     *string                `json:"phone_hash"`
	EvidenceHash  string                 `json:"evidence_hash"`
	PrevHash      string                 `json:"prev_hash"`
	Hash          string                 `json:"hash"`
}

func (s *Server) handleAPIConsent(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	events, err := s.store.ConsentHistory(r.Context(), c.OrgID, c.ID)
	if err != nil {
		return err
	}
	out := struct {
		Events []apiConsentEvent `json:"events"`
	}{Events: make([]apiConsentEvent, len(events))}
	for i, e := range events {
		out.Events[i] = toAPIConsentEvent(e)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// toAPIConsentEvent is a ledger entry with its place in the hash chain.
func toAPIConsentEvent(e *hiretext.ConsentEvent) apiConsentEvent {
	return apiConsentEvent{ID: idString(e.ID), Status: e.Status, Phone: optional(string(e.Phone)),
		PhoneNumber: optional(e.PhoneNumber), Source: e.Source, ApplicationID: optionalIDString(e.ApplicationID),
		Disclosure: optional(e.Disclosure), IP: optional(e.IP), UserAgent: optional(e.UserAgent),
		UserID: optionalIDString(e.UserID), UserName: optional(e.UserName), Note: optional(e.Note),
		MessageID: optionalIDString(e.MessageID), Rule: optional(e.Rule), CreatedAt: e.CreatedAt, Erased: e.Erased,
		Seq: e.Seq, PhoneHash: optional(e.PhoneHash), EvidenceHash: e.EvidenceHash, PrevHash: e.PrevHash, Hash: e.Hash}
}
