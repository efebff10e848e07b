package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"github.com/hiretext/hiretext"
)

// sessionCookie names the browser session cookie.
const sessionCookie = "hiretext_session"

// principal is the authenticated caller of a request.
type principal struct {
	user *hiretext.User
	org  *hiretext.Organization
	// viaToken is true when the caller used an API token rather than a
	// browser session.
	viaToken bool
}

// principalFrom returns the request's principal, or nil when anonymous.
func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey).(*principal)
	return p
}

// handlerFunc is a handler that returns its error for central mapping.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// wrap refuses cross-origin browser requests, authenticates the caller,
// enforces the route's access rule, and maps the handler's error to an
// HTML page or a JSON body.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.serveRoute(w, r, rt); err != nil {
			s.handleError(w, r, rt.api, err)
		}
	})
}

// serveRoute runs the steps wrap lists.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, rt route) error {
	if err := s.checkOrigin(r, rt.api); err != nil {
		return err
	}
	p, err := s.authenticate(r, rt.api)
	if hiretext.ErrorCode(err) == hiretext.EUnauthorized && !rt.access.login {
		p, err = nil, nil // a public route stays public to a caller with a bad token
	}
	if err != nil {
		return err
	}
	if p != nil {
		// Who acts, and from where, travels with the request to the store,
		// which records administrative acts in the audit trail.
		ctx := hiretext.WithActor(context.WithValue(r.Context(), principalKey, p), hiretext.UserActor(p.user.ID, s.clientIP(r)))
		if s.cfg.Events != nil && !rt.api {
			// Taken before the handler reads anything: a page resumes its
			// live updates from here (eventsURL), so an event that commits
			// while the page is read and rendered still reaches it.
			ctx = context.WithValue(ctx, eventsPositionKey, s.cfg.Events.Position())
		}
		r = r.WithContext(ctx)
	}
	if err := checkAccess(rt.access, p, rt.api); err != nil {
		return err
	}
	if rt.access.simulator {
		if err := s.checkSimulatorAccess(r, p, rt.api); err != nil {
			return err
		}
	}
	if err := checkInput(r, rt); err != nil {
		return err
	}
	return rt.handle(w, r)
}

// checkOrigin refuses a cross-origin state-changing request (CSRF). An API
// request with a bearer token is exempt: the token, not a cookie the browser
// adds by itself, authenticates it (authenticate then ignores the session
// cookie), so another site cannot forge it.
func (s *Server) checkOrigin(r *http.Request, api bool) error {
	if api && bearerScheme(r.Header.Get("Authorization")) {
		return nil
	}
	if s.crossOrigin.Check(r) == nil {
		return nil
	}
	if api {
		return hiretext.Errorf(hiretext.EForbidden, "Cross-origin request refused: scripts authenticate with an API token (Authorization: Bearer <token>).")
	}
	return hiretext.Errorf(hiretext.EForbidden, "The form was sent from another site, so it was refused. Reload the page and try again.")
}

// bearerScheme reports whether an Authorization header uses the Bearer
// scheme, whose name is case-insensitive (RFC 9110, 11.1).
func bearerScheme(header string) bool {
	scheme, _, _ := strings.Cut(header, " ")
	return strings.EqualFold(scheme, "Bearer")
}

// authenticate finds the caller: a bearer token (API routes) or the session
// cookie. A missing credential is anonymous, not an error; a bad bearer token
// is an error, so scripts learn their token is wrong.
func (s *Server) authenticate(r *http.Request, api bool) (*principal, error) {
	ctx := r.Context()
	var user *hiretext.User
	viaToken := false
	if h := r.Header.Get("Authorization"); api && h != "" {
		_, token, _ := strings.Cut(h, " ")
		if !bearerScheme(h) || strings.TrimSpace(token) == "" {
			return nil, hiretext.Errorf(hiretext.EUnauthorized, apiLoginMessage)
		}
		u, err := s.store.TokenUser(ctx, strings.TrimSpace(token))
		if err != nil {
			return nil, err
		}
		user, viaToken = u, true
	} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		u, err := s.store.SessionUser(ctx, c.Value)
		if err != nil {
			return nil, nil // an ended session is simply anonymous
		}
		user = u
	}
	if user == nil {
		return nil, nil
	}
	org, err := s.store.OrgByID(ctx, user.OrgID)
	if err != nil {
		return nil, err
	}
	return &principal{user: user, org: org, viaToken: viaToken}, nil
}

// apiLoginMessage tells an API caller without a usable token what to send.
const apiLoginMessage = "Use the Authorization header as: Bearer <token>."

// checkAccess enforces a route's access rule for p; api says whether the
// route is an API route, for the wording of the refusal to log in.
func checkAccess(a access, p *principal, api bool) error {
	switch {
	case !a.login:
		return nil
	case p == nil && api:
		return hiretext.Errorf(hiretext.EUnauthorized, apiLoginMessage)
	case p == nil:
		return hiretext.Errorf(hiretext.EUnauthorized, "Please log in.")
	case a.admin && !p.user.IsAdmin():
		return hiretext.Errorf(hiretext.EForbidden, "Only administrators can do that.")
	case a.perm != "" && !p.user.Can(a.perm):
		return hiretext.Errorf(hiretext.EForbidden, "You do not have the %q permission.", a.perm.Label())
	case a.texts:
		return p.user.CheckTexts()
	}
	return nil
}

// setSessionCookie stores a session secret in the browser.
func (s *Server) setSessionCookie(w http.ResponseWriter, secret string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

type loginPage struct {
	Page  Page
	Email string
	Next  string
	Error string
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) error {
	if principalFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return s.render(w, r, http.StatusOK, "login", &loginPage{Page: Page{Title: "Log in"}, Next: r.URL.Query().Get("next")})
}

// handleLogin checks the credentials, throttling repeated failures (see
// passwordCheck), and starts a new session (a new id, so a session fixed
// before login is useless).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	email, next := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("next")
	page := &loginPage{Page: Page{Title: "Log in"}, Email: email, Next: next}
	check := s.newPasswordCheck(r, email)
	wait, err := s.wait(r.Context(), check)
	if err != nil {
		return err
	}
	if wait > 0 {
		w.Header().Set("Retry-After", retryAfter(wait))
		page.Error = "Too many failed attempts. Wait " + humanWait(wait) + " and try again."
		return s.render(w, r, http.StatusTooManyRequests, "login", page)
	}
	u, err := s.store.Authenticate(r.Context(), email, r.PostForm.Get("password"))
	if hiretext.ErrorCode(err) == hiretext.EUnauthorized {
		if err := s.failed(r.Context(), check); err != nil {
			return err
		}
		page.Error = hiretext.ErrorMessage(err)
		return s.render(w, r, http.StatusUnauthorized, "login", page)
	}
	if err != nil {
		return err
	}
	if err := s.succeeded(r.Context(), check); err != nil {
		return err
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.store.DeleteSession(r.Context(), c.Value)
	}
	secret, err := s.store.CreateSession(r.Context(), u)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, secret, 0)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
	return nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.store.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.setSessionCookie(w, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// safeNext keeps a redirect taken from the request (login's next, a form's
// return_to) on this site: it returns next when it is a path of this site,
// with an optional query, and "/" otherwise. http.Redirect cleans the path
// it is given, and browsers read a backslash as a slash and drop tabs and
// newlines, so "/../\evil.example" or "/\t/evil.example" would leave the
// site after cleaning: a backslash, a control character, a "." or ".."
// segment or a path starting "//" is refused rather than repaired.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || !strings.HasPrefix(next, "/") || u.Scheme != "" || u.Host != "" || u.Opaque != "" ||
		strings.HasPrefix(u.Path, "//") || strings.ContainsRune(u.Path, '\\') || strings.ContainsRune(next, '\\') ||
		strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return "/"
		}
	}
	return next
}
