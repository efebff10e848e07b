package server

import (
	"archive/zip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// handleEraseCandidate erases a candidate from the profile's Erase form,
// confirmed by typing their name (administrators).
func (s *Server) handleEraseCandidate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	typed := r.PostForm.Get("confirm_name")
	if !sameName(typed, c.Name()) {
		return s.renderCandidateWith(w, r, http.StatusUnprocessableEntity, c, func(d *candidatePage) {
			d.Erase = eraseForm{Typed: typed, Error: "Type the candidate's name, " + c.Name() + ", exactly as shown to erase them."}
		})
	}
	if err := s.store.EraseCandidate(r.Context(), c.OrgID, c.ID, principalFrom(r.Context()).user.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/candidates", "success", "Erased the candidate's personal data. "+
		"Their texts still count in the reports, and an opt-out of their phone stays in force.")
}

// sameName compares a typed confirmation with a name, ignoring case and
// the spaces around and between words.
func sameName(typed, name string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(typed), " "), strings.Join(strings.Fields(name), " "))
}

// apiEraseRequest is the body of DELETE /api/v1/candidates/{id}.
type apiEraseRequest struct {
	Confirm *bool `json:"confirm"`
}

// handleAPIEraseCandidate erases a candidate: 204, after which the
// candidate is 404 (administrators).
func (s *Server) handleAPIEraseCandidate(w http.ResponseWriter, r *http.Request) error {
	c, err := s.targetCandidate(r)
	if err != nil {
		return err
	}
	var in apiEraseRequest
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Confirm == nil || !*in.Confirm {
		msg := `Send {"confirm": true}: erasure cannot be undone.`
		return hiretext.FieldError(msg, map[string]string{"confirm": msg})
	}
	if err := s.store.EraseCandidate(r.Context(), c.OrgID, c.ID, principalFrom(r.Context()).user.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// exportProfile is profile.json of a subject access export.
type exportProfile struct {
	apiCandidate
	TextingPhone *string `json:"texting_phone"`
}

// exportMessage is one text of messages.json.
type exportMessage struct {
	apiMessage
	NumberID string `json:"number_id"`
	From     string `json:"from"`
	To       string `json:"to"`
	Kind     string `json:"kind"`
	Erased   bool   `json:"erased"`
}

// handleCandidateExport downloads everything held about a candidate as one
// ZIP: JSON for the profile, applications, consent history and texts
// (administrators; the profile's button and the API).
func (s *Server) handleCandidateExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID[hiretext.CandidateID](r, "id", "Candidate")
	if err != nil {
		return err
	}
	rec, err := s.store.CandidateRecord(r.Context(), principalFrom(r.Context()).org.ID, id)
	if err != nil {
		return err
	}
	c := rec.Candidate
	// The download is recorded before any of it goes out: a download the
	// trail cannot record does not happen.
	if err := s.store.RecordAudit(r.Context(), c.OrgID, hiretext.AuditCandidateExported, "candidate:"+idString(c.ID),
		hiretext.AuditDetails{"what": "everything held (ZIP)"}); err != nil {
		return err
	}
	files := []struct {
		name string
		v    any
	}{
		{"profile.json", exportProfile{apiCandidate: toAPICandidate(c), TextingPhone: optional(c.TextingPhone())}},
		{"applications.json", exportApplications(rec.Applications)},
		{"consent.json", exportConsent(rec.Consent)},
		{"messages.json", exportMessages(rec.Messages)},
		{"notes.json", exportNotes(rec.Notes)},
	}
	zw := zip.NewWriter(newDownload(w, "application/zip", "candidate-"+idString(c.ID)+".zip"))
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: s.cfg.Clock.Now()})
		if err != nil {
			return err
		}
		enc := json.NewEncoder(fw)
		enc.SetIndent("", "  ")
		if err := enc.Encode(f.v); err != nil {
			return err
		}
	}
	if err := exportFiles(zw, rec.Files, s.cfg.Clock.Now()); err != nil {
		return err
	}
	readme, err := zw.Create("README.txt")
	if err != nil {
		return err
	}
	if _, err := readme.Write([]byte(exportReadme(c, s.cfg.Clock.Now()))); err != nil {
		return err
	}
	return zw.Close()
}

// exportReadme says what the export holds.
func exportReadme(c *hiretext.Candidate, at time.Time) string {
	return "Everything hiretext holds about " + c.Name() + " (candidate " + idString(c.ID) + "), exported " +
		at.UTC().Format(time.RFC3339) + ".\n\n" +
		"profile.json       name, email, phones and texting consent\n" +
		"applications.json  every application, as submitted\n" +
		"consent.json       the consent history with its evidence and hash chain entries\n" +
		"messages.json      every text with the company's numbers, both ways\n" +
		"notes.json         the internal notes the company's users wrote on those conversations (never sent)\n" +
		"media/             the pictures and files the candidate sent with their texts, named by the id in messages.json (picture-ID.png)\n"
}

// exportFiles adds the candidate's files under media/, stored as they are
// (pictures are compressed already).
func exportFiles(zw *zip.Writer, files []*hiretext.MediaFile, at time.Time) error {
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: "media/" + f.FileName(), Method: zip.Store, Modified: at})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Content); err != nil {
			return err
		}
	}
	return nil
}

func exportApplications(apps []*hiretext.Application) []map[string]any {
	out := make([]map[string]any, len(apps))
	for i, a := range apps {
		out[i] = map[string]any{"id": idString(a.ID), "job_id": idString(a.JobID), "job_title": a.JobTitle,
			"first_name": a.FirstName, "last_name": a.LastName, "email": a.Email, "main_phone": a.MainPhone,
			"alternate_phone": optional(a.AlternatePhone), "sms_opt_in": a.SMSAnswer, "channel": a.Channel, "created_at": a.CreatedAt,
			"form": a.FormName, "answers": toAPIAnswers(a.Answers)} // sensitive answers masked
	}
	return out
}

func exportConsent(events []*hiretext.ConsentEvent) []apiConsentEvent {
	out := make([]apiConsentEvent, len(events))
	for i, e := range events {
		out[i] = toAPIConsentEvent(e)
	}
	return out
}

func exportMessages(msgs []*hiretext.Message) []exportMessage {
	out := make([]exportMessage, len(msgs))
	for i, m := range msgs {
		out[i] = exportMessage{apiMessage: toAPIMessage(m), NumberID: idString(m.NumberID), From: m.From, To: m.To,
			Kind: string(m.Kind), Erased: m.Erased}
	}
	return out
}

// exportNote is a note in the export: which conversation it is on too.
type exportNote struct {
	apiNote
	ConversationID string `json:"conversation_id"`
	NumberID       string `json:"number_id"`
}

func exportNotes(notes []*hiretext.Note) []exportNote {
	out := make([]exportNote, len(notes))
	for i, n := range notes {
		out[i] = exportNote{apiNote: toAPINote(n), ConversationID: idString(n.ConversationID), NumberID: idString(n.NumberID)}
	}
	return out
}

// possibleOptOutsPage lists replies that may mean "stop texting me".
type possibleOptOutsPage struct {
	Page Page
	Rows []possibleOptOutRow
}

type possibleOptOutRow struct {
	Item      *hiretext.PossibleOptOut
	Time      string
	Phone     string
	ReturnTo  string
	OptOutURL string
}

// possibleOptOutsPath is the administrators' review list of possible
// opt-outs, under Reports.
const possibleOptOutsPath = "/reports/possible-opt-outs"

// handlePossibleOptOuts lists, for administrators, the replies that may
// revoke consent from candidates still opted in, each with its one-click
// opt-out.
func (s *Server) handlePossibleOptOuts(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	items, err := s.store.PossibleOptOuts(r.Context(), p.org.ID, 200)
	if err != nil {
		return err
	}
	data := &possibleOptOutsPage{Page: s.page(w, r, "Possible opt-outs")}
	for _, it := range items {
		data.Rows = append(data.Rows, possibleOptOutRow{Item: it, Time: localTime(p.org, it.Message.CreatedAt),
			Phone: phone.Format(it.Message.From), ReturnTo: possibleOptOutsPath,
			OptOutURL: "/candidates/" + idString(it.Candidate.ID) + "/sms"})
	}
	return s.render(w, r, http.StatusOK, "possible_opt_outs", data)
}

// retentionForm is the Data retention form, as typed.
type retentionForm struct {
	MessageMonths, CandidateMonths string
	Errors                         map[string]string
}

type retentionPage struct {
	Page  Page
	Form  retentionForm
	Saved *hiretext.RetentionSettings
}

func monthsText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// handleRetentionSettings shows the company's retention settings.
func (s *Server) handleRetentionSettings(w http.ResponseWriter, r *http.Request) error {
	saved, err := s.store.RetentionSettings(r.Context(), principalFrom(r.Context()).org.ID)
	if err != nil {
		return err
	}
	f := retentionForm{MessageMonths: monthsText(saved.MessageMonths), CandidateMonths: monthsText(saved.CandidateMonths)}
	return s.render(w, r, http.StatusOK, "admin_retention", &retentionPage{Page: s.page(w, r, "Data retention"), Form: f, Saved: saved})
}

// handleSaveRetentionSettings saves them; a bad period shows the form again
// with its error and saves nothing.
func (s *Server) handleSaveRetentionSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	f := retentionForm{MessageMonths: strings.TrimSpace(r.PostForm.Get("message_months")),
		CandidateMonths: strings.TrimSpace(r.PostForm.Get("candidate_months"))}
	v := hiretext.Validation{}
	settings := hiretext.RetentionSettings{OrgID: p.org.ID,
		MessageMonths:   hiretext.ParseRetentionMonths(v, "message_months", f.MessageMonths),
		CandidateMonths: hiretext.ParseRetentionMonths(v, "candidate_months", f.CandidateMonths)}
	err := v.Err()
	if err == nil {
		_, err = s.store.UpdateRetentionSettings(r.Context(), settings, p.user.ID)
	}
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		f.Errors = hiretext.ErrorFields(err)
		saved, err := s.store.RetentionSettings(r.Context(), p.org.ID)
		if err != nil {
			return err
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "admin_retention", &retentionPage{Page: s.page(w, r, "Data retention"), Form: f, Saved: saved})
	}
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/retention", "success", "Saved the retention settings. The daily job applies them.")
}
