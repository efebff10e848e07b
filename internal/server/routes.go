package server

import (
	"net/http"

	"github.com/hiretext/hiretext"
)

// access says who may call a route. The route wrapper enforces it before the
// handler runs; handlers then check access to the particular object.
type access struct {
	login bool                // an authenticated user is required
	admin bool                // the user must be an administrator
	perm  hiretext.Permission // the user must hold this permission ("" for none)
}

var (
	public   = access{}
	loggedIn = access{login: true}
	admins   = access{login: true, admin: true}
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

// routeTable is the whole HTTP surface in one place.
func (s *Server) routeTable() []route {
	return []route{
		// Pages.
		{"GET /{$}", loggedIn, false, s.handleHome},
		{"GET /login", public, false, s.handleLoginForm},
		{"POST /login", public, false, s.handleLogin},
		{"POST /logout", public, false, s.handleLogout},
		{"GET /settings", loggedIn, false, s.handleSettings},
		{"POST /settings/password", loggedIn, false, s.handleChangePassword},
		{"POST /settings/tokens", loggedIn, false, s.handleCreateTokenPage},
		{"POST /settings/tokens/{id}/revoke", loggedIn, false, s.handleRevokeTokenPage},
		{"GET /admin/users", admins, false, s.handleAdminUsers},
		{"POST /admin/users", admins, false, s.handleAdminCreateUser},
		{"GET /admin/users/{id}", admins, false, s.handleAdminUser},
		{"POST /admin/users/{id}", admins, false, s.handleAdminUpdateUser},
		{"POST /admin/users/{id}/deactivate", admins, false, s.handleAdminSetActive(false)},
		{"POST /admin/users/{id}/activate", admins, false, s.handleAdminSetActive(true)},

		// ATS pages: jobs, the public application, the pool, profiles (insert here).

		// Texting numbers and the allowance pages (insert here).

		// JSON API.
		{"GET /api/v1/openapi.json", public, true, s.handleOpenAPI},
		{"GET /api/v1/me", loggedIn, true, s.handleAPIMe},
		{"GET /api/v1/users", admins, true, s.handleAPIUsers},
		{"POST /api/v1/users", admins, true, s.handleAPICreateUser},
		{"PATCH /api/v1/users/{id}", admins, true, s.handleAPIUpdateUser},

		// ATS API (insert here).

		// Numbers API (insert here).

		// Operations.
		{"GET /healthz", public, true, s.handleHealthz},
		{"GET /readyz", public, true, s.handleReadyz},
		{"GET /static/", public, false, s.handleStatic},
	}
}

// buildHandler registers the routes on a ServeMux and wraps it in the
// middleware every request passes through, outermost first.
func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.pattern, s.wrap(rt))
	}
	mux.Handle("/", s.wrap(route{pattern: "/", handle: s.handleNotFound}))
	csrf := http.NewCrossOriginProtection()
	// Providers' webhooks are cross-origin by nature and verified by signature.
	csrf.AddInsecureBypassPattern("POST /webhooks/")
	var h http.Handler = mux
	h = csrf.Handler(h)
	h = s.limitBody(h)
	h = securityHeaders(h)
	h = s.observe(h)
	h = s.recoverPanics(h)
	return requestID(h)
}
