package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/hiretext/hiretext"
)

// statusByCode maps every domain error code to its HTTP status, in one place.
var statusByCode = map[string]int{
	hiretext.EBadRequest:          http.StatusBadRequest,
	hiretext.EInvalid:             http.StatusUnprocessableEntity,
	hiretext.EUnauthorized:        http.StatusUnauthorized,
	hiretext.EForbidden:           http.StatusForbidden,
	hiretext.ENotAssigned:         http.StatusForbidden,
	hiretext.ENotFound:            http.StatusNotFound,
	hiretext.EConflict:            http.StatusConflict,
	hiretext.EAllowanceExceeded:   http.StatusConflict,
	hiretext.EEntitlementExceeded: http.StatusConflict,
	hiretext.ETooManyUsers:        http.StatusUnprocessableEntity,
	hiretext.EUserOnOtherNumber:   http.StatusUnprocessableEntity,
	hiretext.EPayloadTooLarge:     http.StatusRequestEntityTooLarge,
	hiretext.ERateLimited:         http.StatusTooManyRequests,
	hiretext.EInternal:            http.StatusInternalServerError,
	hiretext.EUnavailable:         http.StatusServiceUnavailable,
}

// unavailableRetry is how long a client is asked to wait, in seconds, when
// the database cannot serve: a PostgreSQL restart took about 2 seconds.
const unavailableRetry = "5"

// statusOf returns the HTTP status for err.
func statusOf(err error) int {
	if st, ok := statusByCode[hiretext.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// normalizeError turns transport errors (an oversized body) and a database
// that cannot serve into domain errors.
func normalizeError(err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return hiretext.Errorf(hiretext.EPayloadTooLarge, "The request body is larger than %d bytes.", tooBig.Limit)
	case hiretext.ErrorCode(err) == hiretext.EInternal && databaseUnavailable(err):
		return fmt.Errorf("%w: %w", hiretext.Errorf(hiretext.EUnavailable, "hiretext cannot reach its database just now. Try again in a few seconds."), err)
	}
	return err
}

// databaseUnavailable reports whether err says the database cannot serve
// now, rather than that something is wrong with the request or the code:
// the driver's own code decides, never its wording. PostgreSQL: SQLSTATE
// class 08 (connection exception), 53 (insufficient resources) and 57P01–
// 57P03 (shutting down, crashed, starting up). SQLite: BUSY and LOCKED
// (another process holds the write lock past the busy timeout), IOERR,
// FULL, CANTOPEN and READONLY. And a network error on the way to the
// database (a refused or reset connection).
func databaseUnavailable(err error) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		s := pg.SQLState()
		return strings.HasPrefix(s, "08") || strings.HasPrefix(s, "53") || s == "57P01" || s == "57P02" || s == "57P03"
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff { // the primary code, whatever the extended one
		case 5, 6, 8, 10, 13, 14: // SQLITE_BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}

// apiError is the JSON error envelope.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Missing lists, for a send refused because some candidates lack a
	// merge field's value, each field and those candidates.
	Missing []apiMissing `json:"missing,omitempty"`
}

// apiMissing is one merge field and the candidates without a value for it.
type apiMissing struct {
	Field        hiretext.MergeField `json:"field"`
	CandidateIDs []string            `json:"candidate_ids"`
}

// missingOf lists the candidates a *hiretext.MissingValues names, or nil.
func missingOf(err error) []apiMissing {
	var m *hiretext.MissingValues
	if !errors.As(err, &m) {
		return nil
	}
	out := make([]apiMissing, len(m.By))
	for i, f := range m.By {
		out[i] = apiMissing{Field: f.Field, CandidateIDs: make([]string, len(f.Candidates))}
		for j, id := range f.Candidates {
			out[i].CandidateIDs[j] = idString(id)
		}
	}
	return out
}

// statusClientClosed is the status recorded, in the access log and the
// metrics, for a request that failed because its client went away before
// it was answered (nginx's 499). Nobody receives it.
const statusClientClosed = 499

// clientWentAway reports whether a request's failure is its client's doing:
// net/http cancels the request's context when the connection closes (a tab
// closed, a page left, a fetch aborted), and whatever the handler was
// waiting for then fails. Database drivers describe an interrupted query in
// their own words, so the context decides, not the error's text.
func clientWentAway(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}

// handleError answers a failed request: JSON for the API, an HTML page or a
// login redirect for browsers. Internal errors are logged, never shown.
func (s *Server) handleError(w http.ResponseWriter, r *http.Request, api bool, err error) {
	err = normalizeError(err)
	status := statusOf(err)
	if status >= http.StatusInternalServerError && clientWentAway(r) {
		s.log.Info("client went away", "request_id", requestIDFrom(r.Context()), "route", r.Pattern, "err", err)
		w.WriteHeader(statusClientClosed)
		return
	}
	switch status {
	case http.StatusInternalServerError:
		s.log.Error("internal error", "request_id", requestIDFrom(r.Context()), "route", r.Pattern, "err", err)
	case http.StatusServiceUnavailable:
		s.log.Warn("database unavailable", "request_id", requestIDFrom(r.Context()), "route", r.Pattern, "err", err)
		w.Header().Set("Retry-After", unavailableRetry)
	}
	code := hiretext.ErrorCode(err)
	if api {
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", "Bearer") // RFC 6750: the API takes bearer tokens
		}
		writeJSON(w, status, apiError{Error: apiErrorBody{Code: code, Message: hiretext.ErrorMessage(err), Fields: hiretext.ErrorFields(err),
			Missing: missingOf(err)}})
		return
	}
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.renderErrorPage(w, r, status, hiretext.ErrorMessage(err))
}

type errorPage struct {
	Page    Page
	Heading string
	Message string
}

func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	heading := map[int]string{400: "Bad request", 401: "Please log in", 403: "Not allowed", 404: "Not found",
		405: "Not here", 409: "Conflict", 413: "Too large", 422: "Please check your input", 429: "Slow down",
		503: "Try again in a moment"}[status]
	if heading == "" {
		heading = "Something went wrong"
	}
	page := &errorPage{Page: s.basePage(r, heading), Heading: heading, Message: message}
	if err := s.render(w, r, status, "error", page); err != nil {
		http.Error(w, message, status)
	}
}

// handleNoRoute answers a request outside /api/v1 that no route serves:
// 405 with the Allow header when the path has routes for other methods
// (a GET of a webhook, say), else 404.
func (s *Server) handleNoRoute(mux *http.ServeMux) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		allow := allowedMethods(mux, r)
		if len(allow) == 0 {
			return hiretext.Errorf(hiretext.ENotFound, "There is no page at %s.", r.URL.Path)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.renderErrorPage(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("%s does not answer %s; use %s.", r.URL.Path, r.Method, strings.Join(allow, " or ")))
		return nil
	}
}

// handleAPINoRoute answers a request under /api/v1 that no route serves:
// 405 with the Allow header when the path has routes for other methods,
// else 404, both in JSON.
func handleAPINoRoute(mux *http.ServeMux) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		allow := allowedMethods(mux, r)
		if len(allow) == 0 {
			return hiretext.Errorf(hiretext.ENotFound, "There is no API endpoint at %s.", r.URL.Path)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: apiErrorBody{Code: "method_not_allowed",
			Message: fmt.Sprintf("%s does not answer %s; use %s.", r.URL.Path, r.Method, strings.Join(allow, " or "))}})
		return nil
	}
}

// allowedMethods lists the methods a route of mux serves at r's path, other
// than the catch-all ones.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/" && pattern != apiPrefix {
			allow = append(allow, m)
		}
	}
	return allow
}

// badForm reports an unreadable form body.
func badForm(err error) error {
	if e := normalizeError(err); e != err {
		return e
	}
	return hiretext.Errorf(hiretext.EBadRequest, "The form could not be read.")
}
