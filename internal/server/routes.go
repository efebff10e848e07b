package server

import (
	"net/http"
	"slices"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// access says who may call a route. The route wrapper enforces it before the
// handler runs; handlers then check access to the particular object.
type access struct {
	login bool                // an authenticated user is required
	admin bool                // the user must be an administrator
	perm  hiretext.Permission // the user must hold this permission ("" for none)
	// texts requires the permissions reading texts with candidates needs
	// (hiretext.User.CheckTexts); the number is checked by the handler.
	texts bool
	// simulator admits administrators and requests from this machine, or
	// everyone with Config.SimulatorPublic (see checkSimulatorAccess).
	simulator bool
}

// The access rules the route table names. A permission's rule also admits
// administrators, who hold every permission.
var (
	public   = access{}
	loggedIn = access{login: true}
	admins   = access{login: true, admin: true}

	jobsAccess     = access{login: true, perm: hiretext.PermJobs}
	poolAccess     = access{login: true, perm: hiretext.PermPool}
	profilesAccess = access{login: true, perm: hiretext.PermProfiles}
	// textsAccess guards what reads or starts texts with candidates: the
	// conversation, the inbox, the composers and the messages API.
	textsAccess = access{login: true, texts: true}
	// reportAccess admits administrators and users with the sms-report
	// permission to the SMS Activity report: its page, exports and API.
	reportAccess = access{login: true, perm: hiretext.PermSMSReport}
	// simulatorAccess guards the simulator's phone and API, which show every
	// company's simulated texts and can send a STOP as any candidate.
	simulatorAccess = access{simulator: true}
)

// route is one entry of the HTTP surface.
type route struct {
	pattern string // a net/http ServeMux pattern, "METHOD /path"
	access  access
	api     bool // JSON errors and bearer tokens instead of HTML and redirects
	handle  handlerFunc
}

// Route describes a registered route, for tests and documentation.
type Route struct {
	Pattern string
	API     bool
}

// Routes lists every route the server registers.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.routes))
	for i, r := range s.routes {
		out[i] = Route{Pattern: r.pattern, API: r.api}
	}
	return out
}

// routeTable is the whole HTTP surface in one place. A page form posted to
// an address no page has is declared with form, which also answers GET
// there (see formRoutes).
func (s *Server) routeTable() []route {
	var forms formRoutes
	form := forms.add
	table := []route{
		// Pages.
		{"GET /{$}", loggedIn, false, s.handleHome},
		{"GET /login", public, false, s.handleLoginForm},
		{"POST /login", public, false, s.handleLogin},
		{"POST /logout", public, false, s.handleLogout},
		{"GET /settings", loggedIn, false, s.handleSettings},
		form("POST /settings/password", loggedIn, s.handleChangePassword, "/settings"),
		form("POST /settings/tokens", loggedIn, s.handleCreateTokenPage, "/settings"),
		form("POST /settings/tokens/{id}/revoke", loggedIn, s.handleRevokeTokenPage, "/settings"),
		form("POST /settings/signature", loggedIn, s.handleSaveSignature, "/settings"),
		form("POST /settings/notify", loggedIn, s.handleSaveNotify, "/settings"),
		form("POST /settings/templates", loggedIn, s.handleCreateTemplate(personalTemplates), "/settings"),
		{"GET /settings/templates/{id}", loggedIn, false, s.handleEditTemplate(personalTemplates)},
		{"POST /settings/templates/{id}", loggedIn, false, s.handleUpdateTemplate(personalTemplates)},
		form("POST /settings/templates/{id}/delete", loggedIn, s.handleDeleteTemplate(personalTemplates), "/settings/templates/{id}"),
		{"GET /admin/users", admins, false, s.handleAdminUsers},
		{"POST /admin/users", admins, false, s.handleAdminCreateUser},
		{"GET /admin/users/{id}", admins, false, s.handleAdminUser},
		{"POST /admin/users/{id}", admins, false, s.handleAdminUpdateUser},
		form("POST /admin/users/{id}/deactivate", admins, s.handleAdminSetActive(false), "/admin/users/{id}"),
		form("POST /admin/users/{id}/activate", admins, s.handleAdminSetActive(true), "/admin/users/{id}"),
		form("POST /admin/users/{id}/password", admins, s.handleAdminResetPassword, "/admin/users/{id}"),

		// ATS pages: jobs, the public application, the pool, profiles.
		{"GET /jobs", jobsAccess, false, s.handleJobs},
		{"GET /jobs/new", jobsAccess, false, s.handleNewJobForm},
		{"POST /jobs", jobsAccess, false, s.handleCreateJob},
		{"GET /jobs/{id}", jobsAccess, false, s.handleJob},
		{"GET /jobs/{id}/edit", jobsAccess, false, s.handleEditJobForm},
		{"POST /jobs/{id}", jobsAccess, false, s.handleUpdateJob},
		form("POST /jobs/{id}/status", jobsAccess, s.handleJobStatus, "/jobs/{id}"),
		form("POST /jobs/{id}/export", jobsAccess, s.withSelection("download", s.handleExportJobApplicants), "/jobs/{id}"),
		{"GET /apply/{org}/{job}", public, false, s.handleApplyForm},
		{"POST /apply/{org}/{job}", public, false, s.handleApply},
		{"GET /apply/{org}/{job}/thanks", public, false, s.handleApplyThanks},
		{"GET /candidates", poolAccess, false, s.handlePool},
		form("POST /candidates/export", poolAccess, s.withSelection("download", s.handleExportCandidates), "/candidates"),
		{"GET /candidates/{id}", profilesAccess, false, s.handleCandidate},
		form("POST /candidates/{id}/phones", profilesAccess, s.handleCandidatePhones, "/candidates/{id}"),
		form("POST /candidates/{id}/sms", profilesAccess, s.handleCandidateSMS, "/candidates/{id}"),
		form("POST /candidates/{id}/time-zone", profilesAccess, s.handleCandidateTimeZone, "/candidates/{id}"),
		{"GET /candidates/{id}/consent.csv", admins, false, s.handleConsentCSV},
		{"GET /candidates/{id}/export.zip", admins, false, s.handleCandidateExport},
		form("POST /candidates/{id}/erase", admins, s.handleEraseCandidate, "/candidates/{id}"),
		form("POST /candidates/{id}/applications/{app}/reveal", admins, s.handleRevealAnswer, "/candidates/{id}"),
		{"GET /admin/texting", admins, false, s.handleTextingSettings},
		{"POST /admin/texting", admins, false, s.handleSaveTextingSettings},
		{"GET " + sendWindowsPath, admins, false, s.handleSendWindows},
		{"POST " + sendWindowsPath, admins, false, s.handleSaveSendWindows},
		{"GET " + escalationPath, admins, false, s.handleEscalation},
		{"POST " + escalationPath, admins, false, s.handleSaveEscalation},
		{"GET " + carrierGuardPath, admins, false, s.handleCarrierGuard},
		{"POST " + carrierGuardPath, admins, false, s.handleSaveCarrierGuard},
		{"GET /admin/retention", admins, false, s.handleRetentionSettings},
		{"POST /admin/retention", admins, false, s.handleSaveRetentionSettings},
		{"GET " + auditPath, admins, false, s.handleAudit},
		{"GET " + auditPath + ".csv", admins, false, s.handleAuditCSV},
		{"GET /admin/templates", admins, false, s.handleAdminTemplates},
		{"POST /admin/templates", admins, false, s.handleCreateTemplate(companyTemplates)},
		{"GET /admin/templates/{id}", admins, false, s.handleEditTemplate(companyTemplates)},
		{"POST /admin/templates/{id}", admins, false, s.handleUpdateTemplate(companyTemplates)},
		form("POST /admin/templates/{id}/delete", admins, s.handleDeleteTemplate(companyTemplates), "/admin/templates/{id}"),
		{"GET /admin/forms", admins, false, s.handleAdminForms},
		{"POST /admin/forms", admins, false, s.handleAdminCreateForm},
		{"GET /admin/forms/{id}", admins, false, s.handleAdminForm},
		{"POST /admin/forms/{id}", admins, false, s.handleAdminUpdateForm},
		form("POST /admin/forms/{id}/delete", admins, s.handleAdminDeleteForm, "/admin/forms/{id}"),
		form("POST /admin/forms/dot/ssn", admins, s.handleAdminSSN, "/admin/forms/dot"),

		// Texting numbers: generating, assigning and releasing them.
		{"GET /admin/numbers", admins, false, s.handleAdminNumbers},
		{"POST /admin/numbers", admins, false, s.handleAdminCreateNumber},
		{"GET /admin/numbers/new", admins, false, s.handleAdminNumberOffers},
		{"GET /admin/numbers/new/confirm", admins, false, s.handleAdminNumberConfirm},
		{"GET /admin/numbers/{id}/assign", admins, false, s.handleAdminAssignForm},
		form("POST /admin/numbers/{id}/users", admins, s.handleAdminAssign, "/admin/numbers/{id}/assign"),
		{"POST /admin/numbers/{id}/users/{user}/unassign", admins, false, s.handleAdminUnassign},
		{"GET /admin/numbers/{id}/users/{user}/unassign", admins, false, s.handleAdminUnassignConfirm},
		{"GET /admin/numbers/{id}/release", admins, false, s.handleAdminReleaseConfirm},
		{"POST /admin/numbers/{id}/release", admins, false, s.handleAdminRelease},
		form("POST /admin/numbers/{id}/resume", admins, s.handleAdminResumeNumber, "/admin/numbers"),

		// Texting: conversations, the composer, bulk sends, the inbox.
		{"GET /candidates/{id}/conversation", textsAccess, false, s.handleConversation},
		form("POST /candidates/{id}/messages", textsAccess, s.handleSendToCandidate, "/candidates/{id}/conversation"),
		form("POST /messages/compose", textsAccess, s.withSelection("text", s.handleCompose), "/"),
		form("POST /messages/bulk", textsAccess, s.handleBulkSend, "/"),
		form("POST /messages/preview", textsAccess, s.handlePreview, "/"),
		{"GET /messages/bulk/{id}", loggedIn, false, s.handleBulkResults},
		{"GET /inbox", textsAccess, false, s.handleInbox},
		{"GET " + scheduledPath, loggedIn, false, s.handleScheduled},
		form("POST /scheduled/{id}/cancel", loggedIn, s.handleCancelScheduled, scheduledPath),
		{"GET /bell", loggedIn, false, s.handleBell},
		{"GET /conversations/{id}", textsAccess, false, s.handleThread},
		{"GET " + mediaPath + "{id}", textsAccess, false, s.handleMedia},
		form("POST /conversations/{id}/read", textsAccess, s.handleMarkRead, "/conversations/{id}"),
		form("POST /conversations/{id}/unread", textsAccess, s.handleMarkUnread, "/inbox"),
		form("POST /conversations/{id}/done", textsAccess, s.handleMarkDone, "/inbox"),
		form("POST /conversations/{id}/link", textsAccess, s.handleLinkConversation, "/conversations/{id}"),
		form("POST /conversations/{id}/candidate", textsAccess, s.handleCreateSenderCandidate, "/conversations/{id}"),
		form("POST /conversations/{id}/notes", textsAccess, s.handleAddNote, "/conversations/{id}"),
		// Notifications are each user's own: anyone logged in, their own only.
		form("POST /notifications/{id}/read", loggedIn, s.handleDismissNotification, "/"),

		// Reports: SMS Activity (admins and sms-report).
		{"GET " + reportPath, reportAccess, false, s.handleReport},
		{"GET " + reportPath + ".csv", reportAccess, false, s.handleReportExport(formatCSV)},
		{"GET " + reportPath + ".xlsx", reportAccess, false, s.handleReportExport(formatXLSX)},
		{"GET " + responseCSVPath, reportAccess, false, s.handleResponseCSV},
		{"GET " + possibleOptOutsPath, admins, false, s.handlePossibleOptOuts},

		// Provider webhooks: verified by signature, never by session.
		{"POST /webhooks/{provider}/inbound", public, true, s.handleWebhook(sms.WebhookInbound)},
		{"POST /webhooks/{provider}/status", public, true, s.handleWebhook(sms.WebhookStatus)},
		{"POST /webhooks/{provider}/check", public, true, s.handleWebhookCheck},

		// Live updates.
		{"GET /events", loggedIn, false, s.handleEvents},

		// JSON API.
		{"GET /api/v1/openapi.json", public, true, s.handleOpenAPI},
		{"GET /api/v1/me", loggedIn, true, s.handleAPIMe},
		{"PATCH /api/v1/me", loggedIn, true, s.handleAPIUpdateMe},
		{"GET /api/v1/events", loggedIn, true, s.handleEvents},
		{"GET /api/v1/users", admins, true, s.handleAPIUsers},
		{"POST /api/v1/users", admins, true, s.handleAPICreateUser},
		{"PATCH /api/v1/users/{id}", admins, true, s.handleAPIUpdateUser},
		{"GET /api/v1/audit", admins, true, s.handleAPIAudit},
		{"GET /api/v1/texting-settings/send-policy", admins, true, s.handleAPISendPolicy},
		{"PUT /api/v1/texting-settings/send-policy", admins, true, s.handleAPIPutSendPolicy},
		{"GET /api/v1/texting-settings/escalation", admins, true, s.handleAPIEscalation},
		{"PUT /api/v1/texting-settings/escalation", admins, true, s.handleAPIPutEscalation},
		{"GET /api/v1/texting-settings/carrier-guard", admins, true, s.handleAPICarrierGuard},
		{"PUT /api/v1/texting-settings/carrier-guard", admins, true, s.handleAPIPutCarrierGuard},

		// Texting API.
		{"POST /api/v1/messages", textsAccess, true, s.handleAPISend},
		{"POST /api/v1/messages/preview", textsAccess, true, s.handleAPIPreview},
		{"GET /api/v1/bulk-sends/{id}", textsAccess, true, s.handleAPIBulkSend},
		{"GET /api/v1/templates", loggedIn, true, s.handleAPITemplates},
		{"POST /api/v1/templates", loggedIn, true, s.handleAPICreateTemplate},
		{"GET /api/v1/templates/{id}", loggedIn, true, s.handleAPITemplate},
		{"PATCH /api/v1/templates/{id}", loggedIn, true, s.handleAPIUpdateTemplate},
		{"DELETE /api/v1/templates/{id}", loggedIn, true, s.handleAPIDeleteTemplate},
		{"GET /api/v1/messages/{id}", textsAccess, true, s.handleAPIMessage},
		{"DELETE /api/v1/messages/{id}", loggedIn, true, s.handleAPICancelMessage},
		{"GET /api/v1/scheduled-messages", loggedIn, true, s.handleAPIScheduledMessages},
		{"GET /api/v1/candidates/{id}/messages", textsAccess, true, s.handleAPICandidateMessages},
		{"GET " + apiMediaPath + "{id}", textsAccess, true, s.handleMedia},
		{"GET /api/v1/inbox", textsAccess, true, s.handleAPIInbox},
		{"POST /api/v1/conversations/{id}/read", textsAccess, true, s.handleAPIMarkRead},
		{"GET /api/v1/notifications", loggedIn, true, s.handleAPINotifications},
		{"POST /api/v1/notifications/{id}/read", loggedIn, true, s.handleAPIMarkNotificationRead},
		{"POST /api/v1/conversations/{id}/unread", textsAccess, true, s.handleAPIMarkUnread},
		{"POST /api/v1/conversations/{id}/done", textsAccess, true, s.handleAPIMarkDone},
		{"POST /api/v1/conversations/{id}/candidate", textsAccess, true, s.handleAPICreateSenderCandidate},
		{"GET /api/v1/conversations/{id}/notes", textsAccess, true, s.handleAPINotes},
		{"POST /api/v1/conversations/{id}/notes", textsAccess, true, s.handleAPIAddNote},

		// Reports API.
		{"GET /api/v1/reports/sms-activity", reportAccess, true, s.handleAPIReport},

		// ATS API.
		{"GET /api/v1/jobs", jobsAccess, true, s.handleAPIJobs},
		{"POST /api/v1/jobs", jobsAccess, true, s.handleAPICreateJob},
		{"GET /api/v1/jobs/{id}", jobsAccess, true, s.handleAPIJob},
		{"PATCH /api/v1/jobs/{id}", jobsAccess, true, s.handleAPIUpdateJob},
		{"POST /api/v1/jobs/{id}/applications", jobsAccess, true, s.handleAPIApply},
		{"GET /api/v1/consent-disclosure", jobsAccess, true, s.handleAPIConsentDisclosure},
		{"GET /api/v1/application-forms", jobsAccess, true, s.handleAPIForms},
		{"POST /api/v1/application-forms", admins, true, s.handleAPICreateForm},
		{"GET /api/v1/application-forms/{id}", jobsAccess, true, s.handleAPIForm},
		{"PATCH /api/v1/application-forms/{id}", admins, true, s.handleAPIUpdateForm},
		{"DELETE /api/v1/application-forms/{id}", admins, true, s.handleAPIDeleteForm},
		{"GET /api/v1/candidates", poolAccess, true, s.handleAPICandidates},
		{"GET /api/v1/candidates/{id}", profilesAccess, true, s.handleAPICandidate},
		{"PATCH /api/v1/candidates/{id}", profilesAccess, true, s.handleAPIUpdateCandidate},
		{"GET /api/v1/candidates/{id}/consent", profilesAccess, true, s.handleAPIConsent},
		{"DELETE /api/v1/candidates/{id}", admins, true, s.handleAPIEraseCandidate},
		{"GET /api/v1/candidates/{id}/export", admins, true, s.handleCandidateExport},

		// Numbers API.
		{"GET /api/v1/numbers", loggedIn, true, s.handleAPINumbers},
		{"POST /api/v1/numbers", admins, true, s.handleAPICreateNumber},
		{"PUT /api/v1/numbers/{id}/users", admins, true, s.handleAPISetNumberUsers},
		{"GET /api/v1/numbers/{id}/usage", loggedIn, true, s.handleAPINumberUsage},
		{"POST /api/v1/numbers/{id}/resume", admins, true, s.handleAPIResumeNumber},

		// Operations.
		{"GET /healthz", public, true, s.handleHealthz},
		{"GET /readyz", public, true, s.handleReadyz},
		{"GET /static/", public, false, s.handleStatic},
	}
	return slices.Concat(table, forms.gets, s.simulatorRoutes())
}

// formRoutes declares the page forms of a route table and keeps the GET
// routes at their addresses.
type formRoutes struct{ gets []route }

// add returns the route of a page form posted to pattern ("POST /path")
// and notes a GET route at the same address, with the same access, that
// leads back to page, the page the form is on (see back): a form shown
// again with its errors leaves its address in the address bar, which must
// survive a reload or a return from the history.
func (f *formRoutes) add(pattern string, a access, h handlerFunc, page string) route {
	f.gets = append(f.gets, route{"GET " + strings.TrimPrefix(pattern, "POST "), a, false, back(page)})
	return route{pattern, a, false, h}
}

// apiPrefix is where the JSON API lives; what no route there serves is
// answered in JSON too (handleAPINoRoute).
const apiPrefix = "/api/v1/"

// buildHandler registers the routes on a ServeMux and wraps it in the
// middleware every request passes through, outermost first. Cross-origin
// protection runs in wrap, which knows whether the route is an API route.
func (s *Server) buildHandler() http.Handler {
	s.crossOrigin = http.NewCrossOriginProtection()
	// Providers' webhooks are cross-origin by nature and verified by signature.
	s.crossOrigin.AddInsecureBypassPattern(webhookPrefix)
	mux := http.NewServeMux()
	s.patterns = map[string]bool{}
	fallbacks := []route{ // what no route serves: a page, or JSON under /api/v1
		{pattern: "/", handle: s.handleNoRoute(mux)},
		{pattern: apiPrefix, api: true, handle: handleAPINoRoute(mux)},
	}
	for _, rt := range slices.Concat(s.routes, fallbacks) {
		mux.Handle(rt.pattern, s.wrap(rt))
		s.patterns[rt.pattern] = true
	}
	var h http.Handler = mux
	h = s.limitBody(h)
	h = securityHeaders(s.secureCookies(), h)
	h = s.observe(h)
	h = s.recoverPanics(h)
	return requestID(h)
}
