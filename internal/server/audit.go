package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/export"
	"github.com/hiretext/hiretext/internal/phone"
)

// The audit trail of administrative acts: a page under Administration with
// filters, its CSV download and GET /api/v1/audit, all for administrators.
// The store records the entries; the route wrapper puts who acts, and from
// which address, into each request's context (hiretext.WithActor).

// auditPath is the trail's page; its download adds ".csv".
const auditPath = "/admin/audit"

// auditForm is the trail's filters as typed: the query parameters of the
// page, its download and the API. Actor is "", "user" (any user),
// "operator", "system" or a user's id.
type auditForm struct {
	From, To, Action, Actor string
}

func auditFormFrom(q url.Values) auditForm {
	return auditForm{From: q.Get("from"), To: q.Get("to"), Action: q.Get("action"), Actor: q.Get("actor")}
}

// url is path with the form's filters (and cursor) as its query.
func (f auditForm) url(path, cursor string) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"from", f.From}, {"to", f.To}, {"action", f.Action}, {"actor", f.Actor}, {"cursor", cursor}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if q := v.Encode(); q != "" {
		return path + "?" + q
	}
	return path
}

// parseAuditForm checks every field of f at once and turns it into the
// store's filter. A user named as actor must be one of the company's.
func (s *Server) parseAuditForm(ctx context.Context, p *principal, f auditForm) (hiretext.AuditFilter, error) {
	v := hiretext.Validation{}
	period, err := hiretext.NewReportPeriod(f.From, f.To, p.org.Location(), s.cfg.Clock.Now())
	for field, msg := range hiretext.ErrorFields(err) {
		v.Add(field, msg)
	}
	out := hiretext.AuditFilter{Period: period, Action: hiretext.AuditAction(f.Action)}
	if out.Action != "" && !out.Action.Valid() {
		v.Add("action", "Choose an action from the list.")
	}
	switch id, isID := parseID[hiretext.UserID](f.Actor); {
	case isID:
		if _, err := s.store.UserByID(ctx, p.org.ID, id); err != nil {
			if hiretext.ErrorCode(err) != hiretext.ENotFound {
				return out, err
			}
			v.Add("actor", "There is no such user in your company.")
		}
		out.ActorKind, out.ActorUser = hiretext.ActorUser, id
	case f.Actor == "", f.Actor == string(hiretext.ActorUser), f.Actor == string(hiretext.ActorOperator), f.Actor == string(hiretext.ActorSystem):
		out.ActorKind = hiretext.ActorKind(f.Actor)
	default:
		v.Add("actor", "Use user, operator, system or a user's id.")
	}
	return out, v.Err()
}

// auditPage is Administration → Audit trail.
type auditPage struct {
	Page     Page
	Form     auditForm
	Errors   map[string]string
	Error    string
	Period   string
	Timezone string
	Actions  []reportOption
	Actors   []reportOption
	Rows     []auditRow
	CSVURL   string
	FirstURL string
	NextURL  string
}

// auditRow is one entry as the page shows it.
type auditRow struct {
	Date, Clock, Actor, Action, Target, Details, IP string
}

// handleAudit shows a page of the trail with its filters.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	qs := r.URL.Query()
	data := &auditPage{Page: s.page(w, r, "Audit trail"), Form: auditFormFrom(qs), Timezone: p.org.Timezone}
	users, err := s.auditOptions(r.Context(), p, data)
	if err != nil {
		return err
	}
	f, err := s.parseAuditForm(r.Context(), p, data.Form)
	var page *hiretext.AuditPage
	if err == nil {
		page, err = s.store.AuditLog(r.Context(), p.org.ID, hiretext.AuditQuery{AuditFilter: f, Cursor: qs.Get("cursor")})
	}
	if hiretext.ErrorCode(err) == hiretext.EInvalid {
		data.Errors, data.Error = hiretext.ErrorFields(err), fieldMessages(err)
		return s.render(w, r, http.StatusUnprocessableEntity, "admin_audit", data)
	}
	if err != nil {
		return err
	}
	// The form and links show the dates the defaults chose, so "this month"
	// stays the same month across pages and in the download.
	data.Form.From, data.Form.To = f.Period.FromDate(), f.Period.ToDate()
	data.Period = periodLabel(f.Period)
	for _, e := range page.Entries {
		data.Rows = append(data.Rows, newAuditRow(e, p.org.Location(), users))
	}
	if page.NextCursor != "" {
		data.NextURL = data.Form.url(auditPath, page.NextCursor)
	}
	if qs.Get("cursor") != "" {
		data.FirstURL = data.Form.url(auditPath, "")
	}
	data.CSVURL = data.Form.url(auditPath+".csv", "")
	return s.render(w, r, http.StatusOK, "admin_audit", data)
}

// auditOptions fills the filters' choices and returns the company's users
// by id, to name the users entries concern.
func (s *Server) auditOptions(ctx context.Context, p *principal, data *auditPage) (map[string]string, error) {
	for _, a := range hiretext.AuditActions {
		data.Actions = append(data.Actions, reportOption{string(a.Action), a.Label})
	}
	data.Actors = []reportOption{{"user", "Any user"}, {"operator", "The operator (command line)"}, {"system", "hiretext itself"}}
	users, err := s.store.ListUsers(ctx, p.org.ID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range users {
		names[idString(u.ID)] = u.Name
		data.Actors = append(data.Actors, reportOption{idString(u.ID), u.Name})
	}
	return names, nil
}

func newAuditRow(e *hiretext.AuditEntry, loc *time.Location, users map[string]string) auditRow {
	at := e.At.In(loc)
	return auditRow{Date: at.Format("Jan 2, 2006"), Clock: at.Format("3:04:05 PM"), Actor: auditActor(e), Action: e.Action.Label(),
		Target: auditTargetLabel(e, users), Details: auditDetailsText(e.Details), IP: e.Actor.IP}
}

// auditActor names who acted, for people.
func auditActor(e *hiretext.AuditEntry) string {
	switch e.Actor.Kind {
	case hiretext.ActorOperator:
		return "The operator (command line)"
	case hiretext.ActorSystem:
		return "hiretext"
	}
	if e.ActorName == "" {
		return "User " + idString(e.Actor.UserID)
	}
	return e.ActorName
}

// auditTargetLabel names what an entry concerns, for people: "Number
// (312) 555-0142", the user's name, "Candidate 42".
func auditTargetLabel(e *hiretext.AuditEntry, users map[string]string) string {
	kind, id, _ := strings.Cut(e.Target, ":")
	switch kind {
	case "number":
		if ph, ok := e.Details["phone"].(string); ok {
			return "Number " + phone.Format(ph)
		}
		return "Number " + id
	case "user":
		if name := users[id]; name != "" {
			return name
		}
		return "User " + id
	case "candidate":
		return "Candidate " + id
	case "token":
		if name, ok := e.Details["name"].(string); ok {
			return "API token “" + name + "”"
		}
		return "API token " + id
	case "texting_settings":
		return "Texting settings"
	case "retention":
		return "Data retention"
	case "entitlement":
		return "Numbers granted"
	}
	return e.Target
}

// auditDetailsText writes an entry's details for people, one "name: value"
// per detail in name order: a change as "before → after", a list joined
// with commas, a user by name.
func auditDetailsText(d hiretext.AuditDetails) string {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range d {
			if !yield(k) {
				return
			}
		}
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		value := auditValue(d[k])
		if ph, ok := d[k].(string); ok && k == "phone" {
			value = phone.Format(ph)
		}
		parts = append(parts, strings.ReplaceAll(k, "_", " ")+": "+value)
	}
	return strings.Join(parts, "; ")
}

func auditValue(v any) string {
	switch v := v.(type) {
	case map[string]any:
		if name, ok := v["name"]; ok {
			return auditValue(name)
		}
		if from, ok := v["from"]; ok {
			return auditValue(from) + " → " + auditValue(v["to"])
		}
		b, _ := json.Marshal(v)
		return string(b)
	case []any:
		if len(v) == 0 {
			return "none"
		}
		items := make([]string, len(v))
		for i, x := range v {
			items[i] = auditValue(x)
		}
		return strings.Join(items, ", ")
	case string:
		if v == "" {
			return "(empty)"
		}
		return v
	case nil:
		return "none"
	}
	return fmt.Sprint(v)
}

// auditHeader heads the CSV download.
var auditHeader = []string{"Entry ID", "Date and time", "Actor", "User ID", "User", "Action", "Target", "Details (JSON)", "IP address"}

// handleAuditCSV downloads every entry the filters select, newest first,
// within the same export budget as the report's downloads.
func (s *Server) handleAuditCSV(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	form := auditFormFrom(r.URL.Query())
	f, err := s.parseAuditForm(r.Context(), p, form)
	if err != nil {
		return err
	}
	limits, release, err := s.startExport(w, p, "the audit trail")
	if err != nil {
		return err
	}
	defer release()
	header := slices.Clone(auditHeader)
	header[1] = "Date and time (" + p.org.Timezone + ")"
	loc := p.org.Location()
	d := newDownload(w, export.CSVMediaType, "audit-trail-"+f.Period.FromDate()+"-to-"+f.Period.ToDate()+".csv").lasting(limits.MaxDuration)
	out := export.NewCSV(d)
	err = out.Row(header...)
	if err == nil {
		err = s.store.EachAudit(r.Context(), p.org.ID, f, func(e *hiretext.AuditEntry) error {
			details, _ := json.Marshal(e.Details)
			return out.Row(idString(e.ID), e.At.In(loc).Format(exportTimeLayout), string(e.Actor.Kind), optionalID(e.Actor.UserID),
				e.ActorName, string(e.Action), e.Target, string(details), e.Actor.IP)
		})
	}
	if err == nil {
		err = out.Finish()
	}
	return s.endDownload(r, d, err, "audit")
}

// apiAuditEntry is one entry in the API.
type apiAuditEntry struct {
	ID      string                `json:"id"`
	At      time.Time             `json:"at"`
	Actor   apiAuditActor         `json:"actor"`
	Action  hiretext.AuditAction  `json:"action"`
	Target  string                `json:"target"`
	Details hiretext.AuditDetails `json:"details"`
	IP      *string               `json:"ip"`
}

type apiAuditActor struct {
	Kind   hiretext.ActorKind `json:"kind"`
	UserID *string            `json:"user_id"`
}

type apiAuditPage struct {
	Entries    []apiAuditEntry `json:"entries"`
	NextCursor *string         `json:"next_cursor"`
}

// handleAPIAudit is GET /api/v1/audit: a page of the trail, newest first.
func (s *Server) handleAPIAudit(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	qs := r.URL.Query()
	v := hiretext.Validation{}
	limit := queryLimit(qs, v, hiretext.DefaultAuditLimit, hiretext.MaxAuditLimit)
	f, err := s.parseAuditForm(r.Context(), p, auditFormFrom(qs))
	if err != nil && hiretext.ErrorCode(err) != hiretext.EInvalid {
		return err
	}
	for field, msg := range hiretext.ErrorFields(err) {
		v.Add(field, msg)
	}
	if err := v.Err(); err != nil {
		return err
	}
	page, err := s.store.AuditLog(r.Context(), p.org.ID, hiretext.AuditQuery{AuditFilter: f, Cursor: qs.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	out := apiAuditPage{Entries: []apiAuditEntry{}, NextCursor: optional(page.NextCursor)}
	for _, e := range page.Entries {
		a := apiAuditEntry{ID: idString(e.ID), At: e.At, Action: e.Action, Target: e.Target, Details: e.Details, IP: optional(e.Actor.IP),
			Actor: apiAuditActor{Kind: e.Actor.Kind, UserID: optionalIDString(e.Actor.UserID)}}
		out.Entries = append(out.Entries, a)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
