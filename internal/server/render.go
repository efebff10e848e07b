package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
	"github.com/hiretext/hiretext/web"
)

// Page is what the layout needs on every page; each page's data struct has
// one in its Page field.
type Page struct {
	Title string
	User  *hiretext.User
	Org   *hiretext.Organization
	Nav   []NavItem
	Flash *Flash
	// Allowance warns a user whose number has used 90% of its allowance.
	Allowance *AllowanceBanner
	// Bell lists the unread conversations of the user's number; nil for
	// users who see no texts.
	Bell *Bell
	// EventsURL is where the page's script listens for live updates,
	// resuming from the moment the page was rendered.
	EventsURL string
}

// NavItem is one entry of the top navigation.
type NavItem struct {
	Label, Href, Description string
	Current                  bool
}

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind string // success, error, info, warning
	Text string
}

// AllowanceBanner is the warning on every page of a user whose number has
// used WarnPercent of its allowance this month, until the month ends.
type AllowanceBanner struct {
	Phone     string // formatted
	Used      int
	Allowance int
	Remaining int
	Percent   int
	ResetsOn  string // "Apr 1"
	Exhausted bool   // sending is paused
}

// basePage builds the Page for the request's principal.
func (s *Server) basePage(r *http.Request, title string) Page {
	p := Page{Title: title}
	if pr := principalFrom(r.Context()); pr != nil {
		p.User, p.Org = pr.user, pr.org
		p.Nav = navFor(pr.user, r.URL.Path)
		p.Allowance = s.allowanceBanner(r.Context(), pr)
		p.Bell = s.bell(r.Context(), pr)
		if p.Bell != nil { // the user has a number and may read its texts
			p.Bell.Notices, p.Bell.ReturnTo = s.bellNotices(r.Context(), pr), r.URL.RequestURI()
			p.Nav = append(p.Nav, NavItem{Label: "Inbox", Href: "/inbox", Description: "Conversations of your texting number, newest first; unread ones in bold.",
				Current: r.URL.Path == "/inbox" || strings.HasPrefix(r.URL.Path, "/inbox/")})
		}
		p.EventsURL = s.eventsURL(r.Context())
	}
	return p
}

// allowanceBanner returns the banner for the principal, or nil. A failure
// to look is logged and shows no banner rather than failing the page.
func (s *Server) allowanceBanner(ctx context.Context, pr *principal) *AllowanceBanner {
	n, err := s.store.NumberForUser(ctx, pr.org.ID, pr.user.ID)
	if err != nil {
		if hiretext.ErrorCode(err) != hiretext.ENotAssigned {
			s.log.Warn("allowance banner", "org_id", pr.org.ID, "err", err)
		}
		return nil
	}
	u := n.Usage
	if !u.NearLimit() {
		return nil
	}
	return &AllowanceBanner{Phone: phone.Format(n.Phone), Used: u.Used, Allowance: u.Allowance, Remaining: u.Remaining(),
		Percent: u.Percent(), ResetsOn: u.ResetsAt.In(pr.org.Location()).Format("Jan 2"), Exhausted: u.Exhausted()}
}

// navFor lists the sections u may open; hidden links are a courtesy, the
// routes enforce the rules.
func navFor(u *hiretext.User, current string) []NavItem {
	var items []NavItem
	add := func(ok bool, label, href, desc string) {
		if ok {
			items = append(items, NavItem{Label: label, Href: href, Description: desc,
				Current: current == href || strings.HasPrefix(current, href+"/") ||
					(strings.HasPrefix(href, "/admin/") && strings.HasPrefix(current, "/admin/"))})
		}
	}
	add(u.Can(hiretext.PermJobs), "Jobs", "/jobs", "Job postings, their application links and applicants.")
	add(u.Can(hiretext.PermPool), "Candidates", "/candidates", "Search every candidate by name, email or phone.")
	add(u.Can(hiretext.PermSMSReport), "Reports", "/reports/sms-activity", "SMS Activity: every text, with totals and downloads.")
	add(u.IsAdmin(), "Administration", "/admin/users", "Users and their permissions.")
	return items
}

// pageRenderer holds one parsed template set per page.
type pageRenderer struct {
	pages map[string]*template.Template
}

func newPageRenderer(a *assets) (*pageRenderer, error) {
	funcs := template.FuncMap{
		"asset":        a.url,
		"initials":     initials,
		"localtime":    localTime,
		"formatPhone":  phone.Format,
		"simulatorURL": simulatorURL,
		"inc":          func(i int) int { return i + 1 },
	}
	base, err := template.New("").Funcs(funcs).ParseFS(web.Templates, "templates/layouts/*.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("server: parse layouts: %w", err)
	}
	files, err := fs.Glob(web.Templates, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	pr := &pageRenderer{pages: map[string]*template.Template{}}
	for _, f := range files {
		t, err := template.Must(base.Clone()).ParseFS(web.Templates, f)
		if err != nil {
			return nil, fmt.Errorf("server: parse %s: %w", f, err)
		}
		pr.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return pr, nil
}

// render writes page name with data. It renders into a buffer first so a
// template error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) error {
	t, ok := s.pages.pages[name]
	if !ok {
		return fmt.Errorf("server: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return fmt.Errorf("server: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// renderFragment writes one named template of a page without the layout:
// the content a script places into the page (the conversation dialog).
func (s *Server) renderFragment(w http.ResponseWriter, status int, page, name string, data any) error {
	t, ok := s.pages.pages[page]
	if !ok {
		return fmt.Errorf("server: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("server: render %s/%s: %w", page, name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

func initials(name string) string {
	var out []rune
	for _, f := range strings.Fields(name) {
		out = append(out, []rune(strings.ToUpper(f))[0])
		if len(out) == 2 {
			break
		}
	}
	return string(out)
}

// localTime formats t in the organization's time zone.
func localTime(org *hiretext.Organization, t time.Time) string {
	return t.In(org.Location()).Format("Jan 2, 2006 3:04 PM MST")
}

// flashCookie carries a one-time message across a redirect, signed with a
// key shared by every instance so nobody else can plant messages.
const flashCookie = "hiretext_flash"

// setFlash stores a message for the next page.
func (s *Server) setFlash(w http.ResponseWriter, kind, text string) {
	payload := base64.RawURLEncoding.EncodeToString([]byte(kind + "\n" + text))
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: payload + "." + s.sign(payload), Path: "/",
		MaxAge: 60, HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
}

// takeFlash returns and clears the pending message, if any. Only a page the
// browser navigates to takes it: a live-update script's fetch of the page
// being left (Sec-Fetch-Mode other than navigate) would otherwise swallow
// the message meant for the page the redirect loads.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *Flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" && mode != "navigate" {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode})
	payload, sig, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(payload))) {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil
	}
	kind, text, _ := strings.Cut(string(raw), "\n")
	return &Flash{Kind: kind, Text: text}
}

func (s *Server) sign(payload string) string {
	m := hmac.New(sha256.New, s.flashKey)
	m.Write([]byte(payload))
	return hex.EncodeToString(m.Sum(nil))
}

// page builds the Page for a rendered page, consuming any flash message.
func (s *Server) page(w http.ResponseWriter, r *http.Request, title string) Page {
	p := s.basePage(r, title)
	p.Flash = s.takeFlash(w, r)
	return p
}

// redirectWithFlash sends the browser to target with a message.
func (s *Server) redirectWithFlash(w http.ResponseWriter, r *http.Request, target, kind, text string) error {
	s.setFlash(w, kind, text)
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// back answers a GET of a form's POST-only address with a redirect to the
// page the form is on. A form with mistakes is shown again in answer to its
// POST, so the address bar keeps the POST's address; reloading it later or
// coming back to it from the history then finds that page instead of
// nothing. The {wildcards} of target are filled from the request's path.
func back(target string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		segs := strings.Split(target, "/")
		for i, seg := range segs {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				segs[i] = url.PathEscape(r.PathValue(strings.TrimSuffix(name, "}")))
			}
		}
		http.Redirect(w, r, strings.Join(segs, "/"), http.StatusSeeOther)
		return nil
	}
}

// formatOptional formats a phone that may be absent ("" stays "").
func formatOptional(e164 string) string {
	if e164 == "" {
		return ""
	}
	return phone.Format(e164)
}
