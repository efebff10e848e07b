package server_test

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hiretext/hiretext/internal/store"
	"github.com/hiretext/hiretext/internal/storetest"
)

// The principals of the authorization matrix, in column order. The texter
// and the profiler are there because a user on no number is refused by the
// number check anyway: only users on a number without the pool or without
// profiles show that routes and pages reading or starting texts check both.
const (
	pAnon         = iota // nobody logged in
	pManager             // hiring manager: jobs, pool, profiles; no number
	pRecruiter           // jobs, pool, profiles; on N1, which texts the candidate
	pOtherNumber         // jobs, pool, profiles; on N2
	pAdmin               // administrator on no number
	pReporter            // sms-report only
	pOtherCompany        // another company's administrator, on that company's number
	pTexter              // jobs only, on N1: may not text, for it could not read the answers
	pProfiler            // profiles only, on N1: opens profiles, but reads no texts without the pool
	nPrincipals
)

var principalNames = [nPrincipals]string{"anonymous", "manager", "recruiter-N1", "recruiter-N2", "admin",
	"reporter", "other-company-admin", "texter-N1", "profiler-N1"}

// outcome is what a caller gets: an HTTP status, or toLogin.
type outcome int

// The outcomes the matrix uses. seeOther is a redirect anywhere but the
// login page (a form that worked); toLogin is the redirect to log in.
const (
	toLogin   outcome = 1
	ok        outcome = http.StatusOK
	created   outcome = http.StatusCreated
	seeOther  outcome = http.StatusSeeOther
	unauth    outcome = http.StatusUnauthorized
	forbidden outcome = http.StatusForbidden
	notFound  outcome = http.StatusNotFound
	conflict  outcome = http.StatusConflict
	noContent outcome = http.StatusNoContent
	invalid   outcome = http.StatusUnprocessableEntity
)

func (o outcome) String() string {
	if o == toLogin {
		return "303 to /login"
	}
	return fmt.Sprint(int(o))
}

func (o outcome) matches(status int, location string) bool {
	login := status == http.StatusSeeOther && strings.HasPrefix(location, "/login")
	switch o {
	case toLogin:
		return login
	case seeOther:
		return status == http.StatusSeeOther && !login
	}
	return int(o) == status
}

// want is a row's expected outcome per principal, in column order.
type want [nPrincipals]outcome

// matrixRow is one request to one route.
type matrixRow struct {
	pattern string // the route as registered
	target  string // the path and query; "" fills the pattern's wildcards with the fixture's ids
	body    string // a form (pages) or JSON (API); "$name" is a fixture variable
	want    want
}

// authzMatrix is every route × principal. Columns: anonymous, manager,
// recruiter-N1, recruiter-N2, admin, reporter, other-company-admin,
// texter-N1, profiler-N1.
//
// Safety. Every principal gets a fresh fixture (its own database and
// server), so nothing one caller changes is seen by another, and the test
// can run any number of times. Writes send input that passes every
// authorization check and is then refused (422, or 409 where the company
// may not add a number), or that changes nothing others see (a token of the
// caller's own, a read mark, a number's current users again). The rows that
// do change what later rows see when allowed (link the unknown sender,
// unassign Sam, release N3, reset Sam's password, deactivate and reactivate
// Sam, log out) come last, in that order.
//
// A GET of a form's POST-only address redirects to the form's page (see
// back), after the same access check as the POST.
//
// Objects: {id} after /jobs, /candidates, /users, /tokens, /numbers,
// /conversations, /messages is the first company's job, candidate, Sam (a
// spare user on N2), Sam's API token, N1, the unknown sender's conversation
// with N1 and the recruiter's text to the candidate.
var authzMatrix = []matrixRow{
	// Pages.
	{"GET /{$}", "", "", want{toLogin, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /login", "", "", want{ok, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /login", "", "email=nobody%40example.com&password=wrong", want{unauth, unauth, unauth, unauth, unauth, unauth, unauth, unauth, unauth}},
	{"GET /settings", "", "", want{toLogin, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"POST /settings/password", "", "current=wrong&new=a-new-long-password", want{unauth, invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid}},
	{"GET /settings/password", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /settings/tokens", "", "name=matrix", want{unauth, created, created, created, created, created, created, created, created}},
	{"GET /settings/tokens", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /settings/tokens/{id}/revoke", "", "", want{unauth, notFound, notFound, notFound, notFound, notFound, notFound, notFound, notFound}},
	{"GET /settings/tokens/{id}/revoke", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"GET /admin/users", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/users", "", "name=&email=&role=user", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/users/{id}", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/users/{id}", "", "name=&role=user", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"GET /admin/users/{id}/deactivate", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"GET /admin/users/{id}/activate", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"GET /admin/users/{id}/password", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},

	// ATS pages.
	{"GET /jobs", "", "", want{toLogin, ok, ok, ok, ok, forbidden, ok, ok, forbidden}},
	{"GET /jobs/new", "", "", want{toLogin, ok, ok, ok, ok, forbidden, ok, ok, forbidden}},
	{"POST /jobs", "", "title=", want{unauth, invalid, invalid, invalid, invalid, forbidden, invalid, invalid, forbidden}},
	{"GET /jobs/{id}", "", "", want{toLogin, ok, ok, ok, ok, forbidden, notFound, ok, forbidden}},
	{"GET /jobs/{id}/edit", "", "", want{toLogin, ok, ok, ok, ok, forbidden, notFound, ok, forbidden}},
	{"POST /jobs/{id}", "", "title=", want{unauth, invalid, invalid, invalid, invalid, forbidden, notFound, invalid, forbidden}},
	{"POST /jobs/{id}/status", "", "status=paused", want{unauth, invalid, invalid, invalid, invalid, forbidden, notFound, invalid, forbidden}},
	{"GET /jobs/{id}/status", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, seeOther, forbidden}},
	{"POST /jobs/{id}/export", "", "candidate=$cand", want{unauth, ok, ok, ok, ok, forbidden, notFound, ok, forbidden}},
	{"GET /jobs/{id}/export", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, seeOther, forbidden}},
	{"GET /apply/{org}/{job}", "", "", want{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"POST /apply/{org}/{job}", "", "first_name=", want{invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid}},
	{"GET /apply/{org}/{job}/thanks", "", "", want{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /candidates", "", "", want{toLogin, ok, ok, ok, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /candidates/export", "", "candidate=$cand", want{unauth, ok, ok, ok, ok, forbidden, ok, forbidden, forbidden}},
	{"GET /candidates/export", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"GET /candidates/{id}", "", "", want{toLogin, ok, ok, ok, ok, forbidden, notFound, forbidden, ok}},
	{"POST /candidates/{id}/phones", "", "main_phone=12", want{unauth, invalid, invalid, invalid, invalid, forbidden, notFound, forbidden, invalid}},
	{"GET /candidates/{id}/phones", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, seeOther}},
	{"POST /candidates/{id}/sms", "", "sms_status=maybe", want{unauth, invalid, invalid, invalid, invalid, forbidden, notFound, forbidden, invalid}},
	{"GET /candidates/{id}/sms", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, seeOther}},
	{"POST /candidates/{id}/time-zone", "", "time_zone=Mars/Olympus", want{unauth, invalid, invalid, invalid, invalid, forbidden, notFound, forbidden, invalid}},
	{"GET /candidates/{id}/time-zone", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, seeOther}},
	{"GET /candidates/{id}/consent.csv", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"GET /candidates/{id}/export.zip", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"POST /candidates/{id}/erase", "", "confirm_name=Somebody+Else", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"GET /candidates/{id}/erase", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"GET /admin/retention", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/retention", "", "message_months=0", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/audit", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"GET /admin/audit.csv", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"GET /admin/audit", "/admin/audit?actor=$rec1", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/texting", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/texting", "", "consent_disclosure=", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/texting/send-windows", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/texting/send-windows", "", "mon_open=yes&mon_start=20:00&mon_end=09:00&reply_grace_minutes=30&attempt_limit=3", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/texting/escalation", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/texting/escalation", "", "enabled=yes&mon_open=yes&mon_start=17:00&mon_end=09:00&team_after_hours=4&admins_after_hours=4", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/texting/carrier-guard", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/texting/carrier-guard", "", "error_limit=-1&window_minutes=10", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},

	// Text templates: the company's are administrators' to change; each
	// user's own are theirs alone ($rtpl is the recruiter's).
	{"GET /admin/templates", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/templates", "", "name=&body=", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/templates/{id}", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/templates/{id}", "", "name=&body=", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"GET /admin/templates/{id}/delete", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},

	// Application forms: administrators manage them; the built-in ones are
	// every company's, the custom ones their company's alone.
	{"GET /admin/forms", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/forms", "", "name=&base=standard", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/forms/{id}", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"GET /admin/forms/{id}", "/admin/forms/dot", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/forms/{id}", "", "name=", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"GET /admin/forms/{id}/delete", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"POST /admin/forms/dot/ssn", "", "collect_ssn=no", want{unauth, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"GET /admin/forms/dot/ssn", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},
	// Revealing a masked answer: administrators of the candidate's company
	// (the fixture's application has none: 404 after the checks).
	{"POST /candidates/{id}/applications/{app}/reveal", "", "key=ssn", want{unauth, forbidden, forbidden, forbidden, notFound, forbidden, notFound, forbidden, forbidden}},
	{"GET /candidates/{id}/applications/{app}/reveal", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"POST /settings/signature", "", "signature=%7BSalary%7D", want{unauth, invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid}},
	{"GET /settings/signature", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /settings/notify", "", "away_reply=yes", want{unauth, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"GET /settings/notify", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /settings/templates", "", "name=&body=", want{unauth, invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid}},
	{"GET /settings/templates", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"GET /settings/templates/{id}", "/settings/templates/$rtpl", "", want{toLogin, notFound, ok, notFound, notFound, notFound, notFound, notFound, notFound}},
	{"POST /settings/templates/{id}", "/settings/templates/$rtpl", "name=&body=", want{unauth, notFound, invalid, notFound, notFound, notFound, notFound, notFound, notFound}},
	{"GET /settings/templates/{id}/delete", "/settings/templates/$rtpl/delete", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},

	// Numbers pages. The other company has all its numbers: it gets no offers.
	{"GET /admin/numbers", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /admin/numbers", "", "phone=", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /admin/numbers/new", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, conflict, forbidden, forbidden}},
	{"GET /admin/numbers/new/confirm", "/admin/numbers/new/confirm?phone=$offer", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, conflict, forbidden, forbidden}},
	{"GET /admin/numbers/{id}/assign", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/numbers/{id}/users", "", "user_id=$rec2", want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"GET /admin/numbers/{id}/users", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"GET /admin/numbers/{id}/users/{user}/unassign", "/admin/numbers/$n2/users/$sam/unassign", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"GET /admin/numbers/{id}/release", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/numbers/{id}/resume", "", "", want{unauth, forbidden, forbidden, forbidden, seeOther, forbidden, notFound, forbidden, forbidden}},
	{"GET /admin/numbers/{id}/resume", "", "", want{toLogin, forbidden, forbidden, forbidden, seeOther, forbidden, seeOther, forbidden, forbidden}},

	// Texting. Only users on a number text; objects of another number are not found.
	{"GET /candidates/{id}/conversation", "", "", want{toLogin, forbidden, ok, ok, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"POST /candidates/{id}/messages", "", "body=", want{unauth, forbidden, invalid, invalid, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /candidates/{id}/messages", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"POST /messages/compose", "", "candidate=$cand", want{unauth, forbidden, ok, ok, forbidden, forbidden, ok, forbidden, forbidden}},
	{"GET /messages/compose", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"POST /messages/bulk", "", "candidate=$cand&body=", want{unauth, forbidden, invalid, invalid, forbidden, forbidden, invalid, forbidden, forbidden}},
	{"GET /messages/bulk", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"POST /messages/preview", "", "candidate=$cand&body=%7BSalary%7D", want{unauth, forbidden, invalid, invalid, forbidden, forbidden, invalid, forbidden, forbidden}},
	{"GET /messages/preview", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	// A bulk send's results are its sender's; the fixture has none.
	{"GET /messages/bulk/{id}", "/messages/bulk/424242", "", want{toLogin, notFound, notFound, notFound, notFound, notFound, notFound, notFound, notFound}},
	{"GET /inbox", "", "", want{toLogin, forbidden, ok, ok, forbidden, forbidden, ok, forbidden, forbidden}},
	{"GET /scheduled", "", "", want{toLogin, ok, ok, ok, ok, ok, ok, ok, ok}},
	// The fixture's text has gone: its sender and the administrator are
	// told so on the page; no one else may know it exists.
	{"GET /scheduled/{id}/cancel", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /scheduled/{id}/cancel", "", "", want{unauth, notFound, seeOther, notFound, seeOther, notFound, notFound, notFound, notFound}},
	{"GET /bell", "", "", want{toLogin, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /conversations/{id}", "", "", want{toLogin, forbidden, ok, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /media/{id}", "", "", want{toLogin, forbidden, ok, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"POST /conversations/{id}/read", "", "", want{unauth, forbidden, seeOther, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /conversations/{id}/read", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"POST /conversations/{id}/unread", "", "", want{unauth, forbidden, seeOther, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /conversations/{id}/unread", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"POST /conversations/{id}/done", "", "", want{unauth, forbidden, seeOther, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /conversations/{id}/done", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"GET /conversations/{id}/link", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	// Making the sender a candidate: names are checked first, so nothing changes.
	{"POST /conversations/{id}/candidate", "", "first_name=&last_name=", want{unauth, forbidden, invalid, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /conversations/{id}/candidate", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},
	{"POST /conversations/{id}/notes", "", "body=Matrix+note", want{unauth, forbidden, seeOther, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /conversations/{id}/notes", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, forbidden, seeOther, forbidden, forbidden}},

	// Provider webhooks: a well-formed inbound text and status with a forged
	// signature is refused whoever sends it.
	{"POST /webhooks/{provider}/inbound", "", "EventType=inbound&MessageID=SMforged&From=$candphone&To=$n1phone&Body=STOP&Timestamp=$now",
		want{forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}},
	{"POST /webhooks/{provider}/status", "", "EventType=status&MessageID=SMforged&From=$n1phone&To=$candphone&MessageStatus=delivered&Timestamp=$now",
		want{forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}},
	{"POST /webhooks/{provider}/check", "", "EventType=check&Timestamp=$now",
		want{forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden}},

	// Live updates.
	{"GET /events", "", "", want{toLogin, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /api/v1/events", "", "", want{unauth, ok, ok, ok, ok, ok, ok, ok, ok}},

	// JSON API.
	{"GET /api/v1/openapi.json", "", "", want{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /api/v1/me", "", "", want{unauth, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"PATCH /api/v1/me", "", `{"notify":{"away_reply":true}}`, want{unauth, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /api/v1/users", "", "", want{unauth, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"POST /api/v1/users", "", `{}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"PATCH /api/v1/users/{id}", "", `{"name":""}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/audit", "", "", want{unauth, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"GET /api/v1/texting-settings/send-policy", "", "", want{unauth, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"PUT /api/v1/texting-settings/send-policy", "", `{"quiet_hours":{}}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /api/v1/texting-settings/escalation", "", "", want{unauth, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"PUT /api/v1/texting-settings/escalation", "", `{"enabled":true}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /api/v1/texting-settings/carrier-guard", "", "", want{unauth, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"PUT /api/v1/texting-settings/carrier-guard", "", `{"error_limit":-1,"window_minutes":10}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},

	// Texting API.
	{"POST /api/v1/messages", "", `{"candidate_ids":["$cand"],"body":""}`, want{unauth, forbidden, invalid, invalid, forbidden, forbidden, invalid, forbidden, forbidden}},
	{"POST /api/v1/messages/preview", "", `{"candidate_ids":["$cand"],"body":"{Salary}"}`, want{unauth, forbidden, invalid, invalid, forbidden, forbidden, invalid, forbidden, forbidden}},

	// Templates API.
	{"GET /api/v1/templates", "", "", want{unauth, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"POST /api/v1/templates", "", `{"name":"","body":"","scope":"company"}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /api/v1/templates/{id}", "", "", want{unauth, ok, ok, ok, ok, ok, notFound, ok, ok}},
	{"PATCH /api/v1/templates/{id}", "", `{"name":""}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/messages/{id}", "", "", want{unauth, forbidden, ok, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/media/{id}", "", "", want{unauth, forbidden, ok, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	// The fixture's text has gone: its sender and the company's administrator
	// are told so; no one else may know it exists.
	{"DELETE /api/v1/messages/{id}", "", "", want{unauth, notFound, conflict, notFound, conflict, notFound, notFound, notFound, notFound}},
	{"GET /api/v1/scheduled-messages", "", "", want{unauth, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /api/v1/candidates/{id}/messages", "", "", want{unauth, forbidden, ok, ok, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/bulk-sends/{id}", "/api/v1/bulk-sends/424242", "", want{unauth, forbidden, notFound, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/inbox", "", "", want{unauth, forbidden, ok, ok, forbidden, forbidden, ok, forbidden, forbidden}},
	{"POST /api/v1/conversations/{id}/read", "", "", want{unauth, forbidden, ok, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	// Notifications: everyone's own; $note is the recruiter's (the texter and the
	// profiler on N1 have their own).
	{"GET /api/v1/notifications", "", "", want{unauth, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"POST /api/v1/notifications/{id}/read", "", "", want{unauth, notFound, ok, notFound, notFound, notFound, notFound, notFound, notFound}},
	{"POST /notifications/{id}/read", "", "return_to=%2Finbox", want{unauth, notFound, seeOther, notFound, notFound, notFound, notFound, notFound, notFound}},
	{"GET /notifications/{id}/read", "", "", want{toLogin, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /api/v1/conversations/{id}/unread", "", "", want{unauth, forbidden, ok, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"POST /api/v1/conversations/{id}/done", "", "", want{unauth, forbidden, ok, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"POST /api/v1/conversations/{id}/candidate", "", `{"first_name":"Matrix"}`, want{unauth, forbidden, invalid, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/conversations/{id}/notes", "", "", want{unauth, forbidden, ok, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"POST /api/v1/conversations/{id}/notes", "", `{"body":"Matrix note"}`, want{unauth, forbidden, created, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},

	// ATS API.
	{"GET /api/v1/jobs", "", "", want{unauth, ok, ok, ok, ok, forbidden, ok, ok, forbidden}},
	{"POST /api/v1/jobs", "", `{}`, want{unauth, invalid, invalid, invalid, invalid, forbidden, invalid, invalid, forbidden}},
	{"GET /api/v1/jobs/{id}", "", "", want{unauth, ok, ok, ok, ok, forbidden, notFound, ok, forbidden}},
	{"PATCH /api/v1/jobs/{id}", "", `{"status":"paused"}`, want{unauth, invalid, invalid, invalid, invalid, forbidden, notFound, invalid, forbidden}},
	{"POST /api/v1/jobs/{id}/applications", "", `{}`, want{unauth, invalid, invalid, invalid, invalid, forbidden, notFound, invalid, forbidden}},
	{"GET /api/v1/consent-disclosure", "", "", want{unauth, ok, ok, ok, ok, forbidden, ok, ok, forbidden}},
	{"GET /api/v1/application-forms", "", "", want{unauth, ok, ok, ok, ok, forbidden, ok, ok, forbidden}},
	{"POST /api/v1/application-forms", "", `{"name":"","base":"standard"}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, invalid, forbidden, forbidden}},
	{"GET /api/v1/application-forms/{id}", "", "", want{unauth, ok, ok, ok, ok, forbidden, notFound, ok, forbidden}},
	{"GET /api/v1/application-forms/{id}", "/api/v1/application-forms/standard", "", want{unauth, ok, ok, ok, ok, forbidden, ok, ok, forbidden}},
	{"PATCH /api/v1/application-forms/{id}", "", `{"name":""}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"PATCH /api/v1/application-forms/{id}", "/api/v1/application-forms/dot", `{"name":"Mine"}`, want{unauth, forbidden, forbidden, forbidden, conflict, forbidden, conflict, forbidden, forbidden}},
	{"PATCH /api/v1/jobs/{id}", "", `{"application_form_id":"$form"}`, want{unauth, ok, ok, ok, ok, forbidden, notFound, ok, forbidden}},
	{"GET /api/v1/candidates", "", "", want{unauth, ok, ok, ok, ok, forbidden, ok, forbidden, forbidden}},
	{"GET /api/v1/candidates/{id}", "", "", want{unauth, ok, ok, ok, ok, forbidden, notFound, forbidden, ok}},
	{"PATCH /api/v1/candidates/{id}", "", `{"sms":{"status":"maybe"}}`, want{unauth, invalid, invalid, invalid, invalid, forbidden, notFound, forbidden, invalid}},
	{"DELETE /api/v1/candidates/{id}", "", `{"confirm":false}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/candidates/{id}/export", "", "", want{unauth, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/candidates/{id}/consent", "", "", want{unauth, ok, ok, ok, ok, forbidden, notFound, forbidden, ok}},

	// Numbers API. Users other than administrators see only their own number.
	{"GET /api/v1/numbers", "", "", want{unauth, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"POST /api/v1/numbers", "", `{"area_code":"12"}`, want{unauth, forbidden, forbidden, forbidden, invalid, forbidden, conflict, forbidden, forbidden}},
	{"PUT /api/v1/numbers/{id}/users", "", `{"user_ids":["$rec1","$texter","$profiler"]}`, want{unauth, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"GET /api/v1/numbers/{id}/usage", "", "", want{unauth, notFound, ok, notFound, ok, notFound, notFound, ok, ok}},
	// Resuming a number the carrier guard paused: administrators of its
	// company (N1 is not paused: a conflict, saying so).
	{"POST /api/v1/numbers/{id}/resume", "", "", want{unauth, forbidden, forbidden, forbidden, conflict, forbidden, notFound, forbidden, forbidden}},

	// SMS Activity report: administrators and sms-report users, each of their own company.
	{"GET /reports/sms-activity", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, ok, ok, forbidden, forbidden}},
	{"GET /reports/possible-opt-outs", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, forbidden, ok, forbidden, forbidden}},
	{"GET /reports/sms-activity.csv", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, ok, ok, forbidden, forbidden}},
	{"GET /reports/sms-activity.xlsx", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, ok, ok, forbidden, forbidden}},
	{"GET /reports/sms-activity/response.csv", "", "", want{toLogin, forbidden, forbidden, forbidden, ok, ok, ok, forbidden, forbidden}},
	{"GET /api/v1/reports/sms-activity", "", "", want{unauth, forbidden, forbidden, forbidden, ok, ok, ok, forbidden, forbidden}},

	// Operations.
	{"GET /healthz", "", "", want{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /readyz", "", "", want{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"GET /static/", "/static/0/css/app.css", "", want{ok, ok, ok, ok, ok, ok, ok, ok, ok}},

	// The simulator: the matrix's callers are on this machine, which may use
	// it (TestSimulatorIsForAdministratorsAndThisMachine tries from elsewhere).
	{"GET /simulator", "", "", want{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
	{"POST /simulator/reply", "", "phone=$candphone&to=$n1phone&body=", want{invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid}},
	{"GET /simulator/reply", "", "", want{seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /simulator/flag", "", "phone=$candphone&flag=", want{seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"GET /simulator/flag", "", "", want{seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther, seeOther}},
	{"POST /simulator/api/inbound", "", `{}`, want{invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid, invalid}},
	{"GET /simulator/api/messages", "/simulator/api/messages?phone=$candphone", "", want{ok, ok, ok, ok, ok, ok, ok, ok, ok}},
	// The simulated carrier's files answer only a request it signed.
	{"GET /simulator/media/{id}", "/simulator/media/ME0123", "", want{notFound, notFound, notFound, notFound, notFound, notFound, notFound, notFound, notFound}},

	// Last, in this order: rows that change what other rows see when allowed.
	{"POST /admin/templates/{id}/delete", "", "", want{unauth, forbidden, forbidden, forbidden, seeOther, forbidden, notFound, forbidden, forbidden}},
	{"DELETE /api/v1/templates/{id}", "/api/v1/templates/$tpl2", "", want{unauth, forbidden, forbidden, forbidden, noContent, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/forms/{id}/delete", "/admin/forms/$form2/delete", "", want{unauth, forbidden, forbidden, forbidden, seeOther, forbidden, notFound, forbidden, forbidden}},
	{"DELETE /api/v1/application-forms/{id}", "/api/v1/application-forms/$form3", "", want{unauth, forbidden, forbidden, forbidden, noContent, forbidden, notFound, forbidden, forbidden}},
	{"DELETE /api/v1/application-forms/{id}", "/api/v1/application-forms/$form", "", want{unauth, forbidden, forbidden, forbidden, conflict, forbidden, notFound, forbidden, forbidden}},
	{"POST /settings/templates/{id}/delete", "/settings/templates/$rtpl/delete", "", want{unauth, notFound, seeOther, notFound, notFound, notFound, notFound, notFound, notFound}},
	{"POST /conversations/{id}/link", "", "candidate_id=$cand", want{unauth, forbidden, seeOther, notFound, forbidden, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/numbers/{id}/users/{user}/unassign", "/admin/numbers/$n2/users/$sam/unassign", "", want{unauth, forbidden, forbidden, forbidden, seeOther, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/numbers/{id}/release", "/admin/numbers/$n3/release", "", want{unauth, forbidden, forbidden, forbidden, seeOther, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/users/{id}/password", "", "", want{unauth, forbidden, forbidden, forbidden, ok, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/users/{id}/deactivate", "", "", want{unauth, forbidden, forbidden, forbidden, seeOther, forbidden, notFound, forbidden, forbidden}},
	{"POST /admin/users/{id}/activate", "", "", want{unauth, forbidden, forbidden, forbidden, seeOther, forbidden, notFound, forbidden, forbidden}},
	{"POST /logout", "", "", want{toLogin, toLogin, toLogin, toLogin, toLogin, toLogin, toLogin, toLogin, toLogin}},
}

// wildcardVars names the fixture variable for each wildcard: {id} by the
// collection it follows, the others by their own name.
var wildcardVars = map[string]string{
	"jobs": "$job", "candidates": "$cand", "users": "$sam", "tokens": "$token", "numbers": "$n1",
	"conversations": "$conv", "messages": "$message", "media": "$media", "scheduled": "$message", "templates": "$tpl", "notifications": "$note", "forms": "$form", "application-forms": "$form",
	"{user}": "$sam", "{org}": "$org", "{job}": "$job", "{app}": "$app",
	"{provider}": "simulator",
}

// hiddenFrom lists, per principal, the markers no response may contain:
// texts only for those who may read the number's conversations, the
// candidate only for those who may see the company's candidates. The SMS
// Activity report shows both to the company's administrators and reporters.
var hiddenFrom = [nPrincipals][]string{
	pAnon: {candidateMarker, messageMarker}, pManager: {messageMarker}, pOtherNumber: {messageMarker},
	pAdmin: {messageMarker}, pReporter: {candidateMarker, messageMarker}, pOtherCompany: {candidateMarker, messageMarker},
	pTexter: {messageMarker}, pProfiler: {messageMarker},
}

// TestAuthorizationMatrix sends every route's request as every principal
// and checks the outcome, and that no response shows a caller data it may
// not see. The table must list every registered route.
func TestAuthorizationMatrix(t *testing.T) {
	for name, open := range map[string]func(testing.TB, storetest.Config) *store.DB{
		"sqlite": storetest.NewSQLite, "postgres": storetest.NewPostgres,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first := newMatrixFixture(t, open(t, storetest.Config{}))
			registered := checkMatrixCoversRoutes(t, first.ts)
			for p := range nPrincipals {
				t.Run(principalNames[p], func(t *testing.T) {
					t.Parallel()
					f := first // the anonymous caller's
					if p != pAnon {
						f = newMatrixFixture(t, open(t, storetest.Config{}))
					}
					runMatrix(t, f, p, registered)
				})
			}
		})
	}
}

// runMatrix sends every row as principal p.
func runMatrix(t *testing.T, f *matrixFixture, p int, registered map[string]bool) {
	c := f.caller(t, f.users[p])
	readsReport := p == pAdmin || p == pReporter // the report shows their company's texts
	sawTexts := false
	for _, row := range authzMatrix {
		method, target := fillTarget(t, row)
		st, loc, body := c.send(t, f.ts.URL, method, f.expand(target), f.expand(row.body), registered[row.pattern])
		if w := row.want[p]; !w.matches(st, loc) {
			t.Errorf("%s (%s %s): got %d %s, want %s", row.pattern, method, target, st, loc, w)
		}
		for _, m := range hiddenFrom[p] {
			if strings.Contains(body, m) && !(readsReport && strings.Contains(row.pattern, "/reports/")) {
				t.Errorf("%s %s shows %q to %s", method, target, m, principalNames[p])
			}
		}
		sawTexts = sawTexts || strings.Contains(body, messageMarker)
	}
	if (p == pRecruiter || readsReport) && !sawTexts {
		t.Errorf("%s never saw the texts: the marker checks prove nothing", principalNames[p])
	}
}

// fillTarget returns a row's method and target, filling the pattern's
// wildcards from wildcardVars unless the row gives its own target.
func fillTarget(t *testing.T, row matrixRow) (method, target string) {
	method, path, _ := strings.Cut(row.pattern, " ")
	if row.target != "" {
		return method, row.target
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		switch {
		case s == "{$}":
			segs[i] = ""
		case s == "{id}":
			segs[i] = wildcardVars[segs[i-1]]
		case strings.HasPrefix(s, "{"):
			segs[i] = wildcardVars[s]
		default:
			continue
		}
		if segs[i] == "" && s != "{$}" {
			t.Fatalf("%s: no fixture object for %s; add it to wildcardVars or give the row a target", row.pattern, s)
		}
	}
	return method, strings.Join(segs, "/")
}

// checkMatrixCoversRoutes fails for a registered route without a row, for
// a row whose route no longer exists, and for a request that the router
// would send to another route than its row's. It returns the registered
// patterns, true for API routes.
func checkMatrixCoversRoutes(t *testing.T, ts *testServer) map[string]bool {
	t.Helper()
	registered, mux := map[string]bool{}, http.NewServeMux()
	for _, r := range ts.srv.Routes() {
		registered[r.Pattern] = r.API
		mux.HandleFunc(r.Pattern, func(http.ResponseWriter, *http.Request) {})
	}
	rows := map[string]bool{}
	for _, row := range authzMatrix {
		rows[row.pattern] = true
		if _, ok := registered[row.pattern]; !ok {
			t.Errorf("the matrix has a row for %s, which is not a route", row.pattern)
			continue
		}
		method, target := fillTarget(t, row)
		req, _ := http.NewRequest(method, "http://x"+strings.NewReplacer("$", "9").Replace(target), nil)
		if _, got := mux.Handler(req); got != row.pattern {
			t.Errorf("the row for %s requests %s, which routes to %q", row.pattern, target, got)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(registered)) {
		if !rows[p] {
			t.Errorf("route %s has no row in the authorization matrix: add one with the outcome for every principal", p)
		}
	}
	return registered
}
