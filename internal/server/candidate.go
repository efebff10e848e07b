package server

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// poolFilters are the Candidate Pool's search form, as typed.
type poolFilters struct {
	Q, JobID, SMSStatus string
}

// query turns the filters into a store query for the page at cursor or
// before; a job id that is not a number is a field error.
func (f poolFilters) query(cursor, before string) (hiretext.CandidateQuery, error) {
	q := hiretext.CandidateQuery{Text: f.Q, SMSStatus: hiretext.SMSStatus(f.SMSStatus), Cursor: cursor, Before: before}
	if f.JobID != "" {
		id, ok := parseID[hiretext.JobID](f.JobID)
		if !ok {
			return q, hiretext.FieldError("Choose a job from the list.", map[string]string{"job_id": "Choose a job from the list."})
		}
		q.JobID = id
	}
	return q, nil
}

// link is the address of a pool page with the filters and v (its
// position and number).
func (f poolFilters) link(v url.Values) string {
	for k, s := range map[string]string{"q": f.Q, "job_id": f.JobID, "sms_status": f.SMSStatus} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if len(v) == 0 {
		return "/candidates"
	}
	return "/candidates?" + v.Encode()
}

type poolPage struct {
	Page    Page
	Filters poolFilters
	Jobs    []*hiretext.Job
	Table   candidateTable
	Error   string // a query that cannot run
	// FromTexts are candidates who have not applied (made from a
	// conversation the sender started), listed above the first page of the
	// unfiltered pool, which lists applications.
	FromTexts []*hiretext.Candidate
}

// fromTextsShown bounds the candidates from texts listed above the pool.
const fromTextsShown = 50

// handlePool is the Candidate Pool: every candidate, searchable and
// filterable, a page at a time (keyset pagination).
func (s *Server) handlePool(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	qs := r.URL.Query()
	f := poolFilters{Q: qs.Get("q"), JobID: qs.Get("job_id"), SMSStatus: qs.Get("sms_status")}
	jobs, err := s.store.ListJobs(r.Context(), p.org.ID)
	if err != nil {
		return err
	}
	data := &poolPage{Page: s.page(w, r, "Candidates"), Filters: f, Jobs: jobs,
		Table: candidateTable{Caption: "Candidates", Action: "/candidates/export", Empty: "No candidates match.", ShowJob: true}}
	q, err := f.query(qs.Get("cursor"), qs.Get("before"))
	var page *hiretext.CandidatePage
	if err == nil {
		page, err = s.store.SearchCandidates(r.Context(), p.org.ID, q)
	}
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		data.Error = fieldMessages(err)
		return s.render(w, r, http.StatusUnprocessableEntity, "candidates", data)
	}
	if err != nil {
		return err
	}
	if f == (poolFilters{}) && q.Cursor == "" && q.Before == "" {
		if data.FromTexts, err = s.store.CandidatesFromTexts(r.Context(), p.org.ID, fromTextsShown); err != nil {
			return err
		}
	}
	data.Table.Rows = candidateRows(page.Entries, p)
	data.Table.Pager = newPager(page, pageNumber(r), "candidates", f.link)
	if err := s.addSMSActions(r, p, &data.Table); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "candidates", data)
}

// fieldMessages joins the field errors of err in a stable order, or gives
// its message when it has none.
func fieldMessages(err error) string {
	fields := hiretext.ErrorFields(err)
	if len(fields) == 0 {
		return hiretext.ErrorMessage(err)
	}
	msgs := make([]string, 0, len(fields))
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		msgs = append(msgs, fields[k])
	}
	return strings.Join(msgs, " ")
}

// handleExportCandidates downloads the selected rows of the pool.
func (s *Server) handleExportCandidates(w http.ResponseWriter, r *http.Request) error {
	ids, err := selectedCandidates(r)
	if err != nil {
		return err
	}
	cs, err := s.store.CandidatesByIDs(r.Context(), principalFrom(r.Context()).org.ID, ids, 0)
	if err != nil {
		return err
	}
	return writeCandidatesCSV(w, "candidates.csv", cs)
}

// phoneForm is the profile's phones form.
type phoneForm struct {
	Main, Alternate string
	Errors          map[string]string
}

// smsForm is the profile's consent form.
type smsForm struct {
	Phone, Note string
	Confirmed   bool
	Errors      map[string]string
}

// consentRow is one entry of the profile's consent history.
type consentRow struct {
	Event *hiretext.ConsentEvent
	Phone string // formatted
}

type candidatePage struct {
	Page           Page
	Candidate      *hiretext.Candidate
	MainPhone      string // formatted
	AlternatePhone string // formatted or ""
	TextingPhone   string // formatted or ""
	Phones         phoneForm
	SMS            smsForm
	Applications   []*hiretext.Application
	History        []consentRow
	CanExport      bool // administrators download the consent history and everything held, and may erase
	Erase          eraseForm
	// Notices say what the records hold about the phones beyond this
	// candidate: a wrong number, an opt-out of an erased candidate.
	Notices     []phoneNoticeRow
	CanOpenJobs bool // job titles link to their postings
	// Texting is the SMS Message History with the user's number, for users
	// assigned to a number; nil for everyone else, administrators included.
	Texting *textingPanel
	SMSIcon smsIcon
	// Revealed is the masked answer an administrator just asked to see,
	// shown once in place of its mask: "APPLICATION/KEY" → the answer.
	Revealed map[string]string
	Clock    localClock
}

// localClock is a candidate's local time on the profile, "Local time 7:42 AM
// (America/Denver)", and the form that sets their zone.
type localClock struct {
	Time, Zones string
	Set         string // the zone set on the profile, "" when derived from the phone
	Error       string
}

// newLocalClock reads c's clock at now.
func newLocalClock(c *hiretext.Candidate, company *time.Location, now time.Time) localClock {
	zones := candidateZones(c, company)
	names := make([]string, len(zones))
	for i, z := range zones {
		names[i] = z.String()
	}
	return localClock{Time: now.In(zones[0]).Format("3:04 PM"), Zones: strings.Join(names, ", "), Set: c.TimeZone}
}

// smsIcon is the data of the sms-icon partial.
type smsIcon struct {
	SMSURL, Name string
	Texted       bool
}

// eraseForm is the profile's Erase form, as typed.
type eraseForm struct {
	Typed, Error string
}

// phoneNoticeRow is one phone's notice on a profile.
type phoneNoticeRow struct {
	Phone       string // formatted
	WrongNumber string // when it answered "wrong number", or ""
	OptedOut    string // when its newest consent entry opted it out, or ""
}

// targetCandidate loads the candidate named by the {id} path value.
func (s *Server) targetCandidate(r *http.Request) (*hiretext.Candidate, error) {
	id, err := pathID[hiretext.CandidateID](r, "id", "Candidate")
	if err != nil {
		return nil, err
	}
	return s.store.CandidateByID(r.Context(), principalFrom(r.Context()).org.ID, id)
}

func (s *Server) handleCandidate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	return s.renderCandidate(w, r, http.StatusOK, c, phoneForm{}, smsForm{})
}

// renderCandidate shows a profile; forms without values show the
// candidate's current phones.
func (s *Server) renderCandidate(w http.ResponseWriter, r *http.Request, status int, c *hiretext.Candidate, pf phoneForm, sf smsForm) error {
	return s.renderCandidateWith(w, r, status, c, func(d *candidatePage) { d.Phones, d.SMS = pf, sf })
}

// renderCandidateWith shows a profile after set has filled in the forms
// shown again (with what was typed and its errors).
func (s *Server) renderCandidateWith(w http.ResponseWriter, r *http.Request, status int, c *hiretext.Candidate, set func(*candidatePage)) error {
	p := principalFrom(r.Context())
	apps, err := s.store.CandidateApplications(r.Context(), p.org.ID, c.ID)
	if err != nil {
		return err
	}
	events, err := s.store.ConsentHistory(r.Context(), p.org.ID, c.ID)
	if err != nil {
		return err
	}
	data := &candidatePage{Page: s.page(w, r, c.Name()), Candidate: c, MainPhone: phone.Format(c.MainPhone),
		AlternatePhone: formatOptional(c.AlternatePhone), TextingPhone: formatOptional(c.TextingPhone()),
		Applications: apps, CanExport: p.user.IsAdmin(), CanOpenJobs: p.user.Can(hiretext.PermJobs)}
	data.Clock = newLocalClock(c, p.org.Location(), s.cfg.Clock.Now())
	set(data)
	if data.Phones.Errors == nil {
		data.Phones.Main, data.Phones.Alternate = phone.Format(c.MainPhone), formatOptional(c.AlternatePhone)
	}
	if data.Notices, err = s.phoneNotices(r, c); err != nil {
		return err
	}
	for _, e := range events {
		data.History = append(data.History, consentRow{Event: e, Phone: formatOptional(e.PhoneNumber)})
	}
	if num, ok := s.textingNumber(r.Context(), p); ok {
		if data.Texting, err = s.loadPanel(r.Context(), p, num, c, true); err != nil {
			return err
		}
		comp := &data.Texting.Composer
		comp.ReturnTo = "/candidates/" + idString(c.ID) + "#sms-history"
		if data.Texting.OtherPhone != nil {
			data.Texting.OtherPhone.ReturnTo = comp.ReturnTo
		}
		if err := s.fillSingleComposer(r.Context(), p, comp, c, r.URL.Query()); err != nil {
			return err
		}
		comp.Picker.Action, comp.Picker.Hidden = comp.ReturnTo, nil // the profile, at its SMS Message History
		if c.OptedIn() {
			data.SMSIcon = smsIcon{SMSURL: "/candidates/" + idString(c.ID) + "/conversation", Name: c.Name(), Texted: len(data.Texting.Messages) > 0}
		}
	}
	return s.render(w, r, status, "candidate", data)
}

// phoneNotices lists what the records say about the candidate's phones.
func (s *Server) phoneNotices(r *http.Request, c *hiretext.Candidate) ([]phoneNoticeRow, error) {
	notices, err := s.store.PhoneNotices(r.Context(), c.OrgID, c.MainPhone, c.AlternatePhone)
	if err != nil {
		return nil, err
	}
	org := principalFrom(r.Context()).org
	var rows []phoneNoticeRow
	for _, p := range []string{c.MainPhone, c.AlternatePhone} {
		n, ok := notices[p]
		if !ok {
			continue
		}
		row := phoneNoticeRow{Phone: phone.Format(p)}
		if !n.WrongNumberAt.IsZero() {
			row.WrongNumber = localTime(org, n.WrongNumberAt)
		}
		if !n.OptedOutAt.IsZero() {
			row.OptedOut = localTime(org, n.OptedOutAt)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// handleCandidatePhones saves the phones. Changing the phone the candidate
// consented to opts them out (the store records why).
func (s *Server) handleCandidatePhones(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	pf := phoneForm{Main: r.PostForm.Get("main_phone"), Alternate: r.PostForm.Get("alternate_phone")}
	p := principalFrom(r.Context())
	after, err := s.store.UpdateCandidate(r.Context(), c.OrgID, c.ID, hiretext.CandidateUpdate{MainPhone: &pf.Main, AlternatePhone: &pf.Alternate}, p.user.ID)
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		pf.Errors = hiretext.ErrorFields(err)
		return s.renderCandidate(w, r, http.StatusUnprocessableEntity, c, pf, smsForm{})
	}
	if err != nil {
		return err
	}
	msg := "Saved the phones."
	if c.OptedIn() && !after.OptedIn() {
		msg += " " + after.Name() + " is now opted out: they agreed to texts on the old number, and consent does not carry over."
	}
	return s.redirectWithFlash(w, r, "/candidates/"+idString(c.ID), "success", msg)
}

// handleCandidateTimeZone sets the zone a candidate is texted by; an empty
// field derives it from their phone again.
func (s *Server) handleCandidateTimeZone(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	zone := strings.TrimSpace(r.PostForm.Get("time_zone"))
	after, err := s.store.SetCandidateTimeZone(r.Context(), c.OrgID, c.ID, zone)
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		return s.renderCandidateWith(w, r, http.StatusUnprocessableEntity, c, func(d *candidatePage) {
			d.Clock.Set, d.Clock.Error = zone, hiretext.ErrorFields(err)["time_zone"]
		})
	}
	if err != nil {
		return err
	}
	msg := "Saved: " + after.ShortName() + " is texted by their phone's time zone."
	if zone != "" {
		msg = "Saved: " + after.ShortName() + " is texted by " + zone + " time."
	}
	return s.redirectWithFlash(w, r, "/candidates/"+idString(c.ID), "success", msg)
}

// handleCandidateSMS opts a candidate in (a phone and the user's
// confirmation that the candidate agreed are required) or out.
func (s *Server) handleCandidateSMS(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	change := hiretext.SMSChange{Status: hiretext.SMSStatus(r.PostForm.Get("sms_status")), Phone: hiretext.PhoneChoice(r.PostForm.Get("sms_phone")),
		Note: r.PostForm.Get("note"), Confirmed: r.PostForm.Get("confirm") == "yes"}
	p := principalFrom(r.Context())
	after, err := s.store.UpdateCandidate(r.Context(), c.OrgID, c.ID, hiretext.CandidateUpdate{SMS: &change}, p.user.ID)
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		sf := smsForm{Phone: string(change.Phone), Note: change.Note, Confirmed: change.Confirmed, Errors: hiretext.ErrorFields(err)}
		return s.renderCandidate(w, r, http.StatusUnprocessableEntity, c, phoneForm{}, sf)
	}
	if err != nil {
		return err
	}
	msg := after.Name() + " is opted out of texts."
	if after.OptedIn() {
		msg = after.Name() + " is opted in to texts on the " + string(after.SMSPhone) + " phone, " + phone.Format(after.TextingPhone()) + "."
	}
	back := "/candidates/" + idString(c.ID)
	if next := r.PostForm.Get("return_to"); next != "" {
		back = safeNext(next) // the one-click opt-out from a conversation
	}
	return s.redirectWithFlash(w, r, back, "success", msg)
}

// handleConsentCSV downloads a candidate's consent ledger (administrators).
func (s *Server) handleConsentCSV(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	events, err := s.store.ConsentHistory(r.Context(), c.OrgID, c.ID)
	if err != nil {
		return err
	}
	rows := [][]string{{"Time (UTC)", "Candidate ID", "Candidate", "Status", "Phone", "Phone number", "Source",
		"Application ID", "Disclosure shown", "IP address", "User agent", "User ID", "User", "Note", "Message ID", "Rule",
		"Entry", "Phone hash", "Evidence hash", "Previous hash", "Hash"}}
	for _, e := range events {
		rows = append(rows, []string{e.CreatedAt.UTC().Format(hiretext.LedgerTimeFormat), idString(c.ID), c.Name(),
			string(e.Status), string(e.Phone), phone.ForSpreadsheet(e.PhoneNumber), string(e.Source), optionalID(e.ApplicationID), e.Disclosure,
			e.IP, e.UserAgent, optionalID(e.UserID), e.UserName, e.Note, optionalID(e.MessageID), e.Rule,
			strconv.FormatInt(e.Seq, 10), e.PhoneHash, e.EvidenceHash, e.PrevHash, e.Hash})
	}
	if err := s.store.RecordAudit(r.Context(), c.OrgID, hiretext.AuditCandidateExported, "candidate:"+idString(c.ID),
		hiretext.AuditDetails{"what": "consent history (CSV)"}); err != nil {
		return err
	}
	return writeCSV(w, "consent-candidate-"+idString(c.ID)+".csv", rows)
}

// optionalID formats an id, or "" for none.
func optionalID[T ~int64](id T) string {
	if id == 0 {
		return ""
	}
	return idString(id)
}
