package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/phone"
)

// Administration → Text Message Numbers: the company's numbers with their
// users and this month's allowance, generating numbers from the provider
// (area code → pick an offer → confirm), assigning and unassigning users,
// and releasing numbers after a confirmation that names them.

// numberView is a number as the pages show it.
type numberView struct {
	ID        hiretext.NumberID
	Phone     string // E.164
	Display   string // "(312) 555-0142"
	Users     []*hiretext.User
	Usage     hiretext.Usage
	Percent   int
	Level     string // "ok", "warn" (90% used) or "max"
	ResetsOn  string // "Apr 1" in the company's time zone
	ResetsAt  string // the full local time, for a tooltip
	Full      bool
	Released  string // the local date it was released; "" when active
	UserSlots int    // how many more users it may have
	// Checked is where reconciliation with the carrier stands: "Checked
	// with the carrier 2 minutes ago · 0 missing", or "" before any check.
	Checked string
	// Paused is the carrier guard's pause of its bulk and scheduled texts,
	// nil when they go; PausedSince is when, in the company's time.
	Paused      *hiretext.CarrierPause
	PausedSince string
}

func viewNumber(n *hiretext.Number, org *hiretext.Organization) numberView {
	loc := org.Location()
	v := numberView{ID: n.ID, Phone: n.Phone, Display: phone.Format(n.Phone), Users: n.Users, Usage: n.Usage,
		Percent: min(n.Usage.Percent(), 100), Level: "ok", ResetsOn: n.Usage.ResetsAt.In(loc).Format("Jan 2"),
		ResetsAt: localTime(org, n.Usage.ResetsAt), Full: n.Full(), UserSlots: hiretext.MaxUsersPerNumber - len(n.Users)}
	switch {
	case n.Usage.Exhausted():
		v.Level = "max"
	case n.Usage.NearLimit():
		v.Level = "warn"
	}
	if n.ReleasedAt != nil {
		v.Released = n.ReleasedAt.In(loc).Format("Jan 2, 2006")
	}
	return v
}

type adminNumbersPage struct {
	Page        Page
	Numbers     []numberView
	Released    []numberView
	Entitlement *hiretext.Entitlement
	Blocked     string     // why no number can be generated now, if so
	Area        numberArea // where an empty area code searches
}

func (s *Server) handleAdminNumbers(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	nums, err := s.store.ListNumbers(r.Context(), p.org.ID)
	if err != nil {
		return err
	}
	ent, err := s.canGenerate(r.Context(), p.org)
	if ent == nil {
		return err
	}
	checks, checkErr := s.store.ReconcileChecks(r.Context(), p.org.ID)
	if checkErr != nil {
		return checkErr
	}
	pauses, pauseErr := s.store.CarrierPauses(r.Context(), p.org.ID)
	if pauseErr != nil {
		return pauseErr
	}
	data := &adminNumbersPage{Page: s.page(w, r, "Text Message Numbers"), Entitlement: ent, Blocked: hiretext.ErrorMessage(err),
		Area: companyArea(p.org, nums)}
	for _, n := range nums {
		if n.Active() {
			v := viewNumber(n, p.org)
			if c, ok := checks[n.ID]; ok {
				v.Checked = fmt.Sprintf("Checked with the carrier %s · %d missing", hiretext.Ago(c.CheckedAt, s.cfg.Clock.Now()), c.Missing)
			}
			if pause, ok := pauses[n.ID]; ok {
				v.Paused, v.PausedSince = pause, localTime(p.org, pause.Since)
			}
			data.Numbers = append(data.Numbers, v)
		} else {
			data.Released = append(data.Released, viewNumber(n, p.org))
		}
	}
	return s.render(w, r, http.StatusOK, "admin_numbers", data)
}

// numberArea is where offers of new numbers come from: an area code and
// the place it covers, or anywhere in the company's country (no Code).
type numberArea struct {
	Code, Place string
	Country     string // "the United States"
	Why         string // why this area, when the administrator did not type it
}

// Label names the area for a sentence: "area code 312 (Chicago, IL)" or
// "anywhere in the United States".
func (a numberArea) Label() string {
	switch {
	case a.Code == "":
		return "anywhere in " + a.Country
	case a.Place == "":
		return "area code " + a.Code
	}
	return "area code " + a.Code + " (" + a.Place + ")"
}

// companyArea is where org's new numbers should come from when the
// administrator names no area code: that of its first number still of its
// country, so its numbers look local to the same candidates, else the city
// its time zone is named after ("America/Chicago": 312), else anywhere.
func companyArea(org *hiretext.Organization, nums []*hiretext.Number) numberArea {
	country := countryName(org.Region)
	for _, n := range nums {
		code := phone.AreaCode(n.Phone)
		if place, ok := phone.AreaCodePlace(code, org.Region); ok {
			return numberArea{Code: code, Place: place, Country: country,
				Why: "the area code of your company's number " + phone.Format(n.Phone)}
		}
	}
	code := phone.TimeZoneAreaCode(org.Timezone)
	if place, ok := phone.AreaCodePlace(code, org.Region); ok {
		return numberArea{Code: code, Place: place, Country: country,
			Why: "the area code of the city your company's time zone is named after (" + org.Timezone + ")"}
	}
	return numberArea{Country: country}
}

// typedArea validates an area code an administrator typed: three digits,
// assigned to a place in org's country.
func typedArea(org *hiretext.Organization, code string) (numberArea, error) {
	country := countryName(org.Region)
	if len(code) != 3 || strings.Trim(code, "0123456789") != "" || code[0] < '2' {
		return numberArea{}, hiretext.FieldError("An area code is three digits and does not start with 0 or 1, e.g. 312.",
			map[string]string{"area_code": "Enter an area code of three digits, e.g. 312."})
	}
	place, ok := phone.AreaCodePlace(code, org.Region)
	if !ok {
		msg := "That is not an area code of a place in " + country + ". Enter one such as 312, or leave the box empty."
		return numberArea{}, hiretext.FieldError(msg, map[string]string{"area_code": msg})
	}
	return numberArea{Code: code, Place: place, Country: country}, nil
}

// countryName names a company's country (its phone region) in a sentence.
func countryName(region string) string {
	switch region {
	case "US":
		return "the United States"
	case "CA":
		return "Canada"
	}
	return region
}

// offerView is a number the provider offers.
type offerView struct {
	Phone, Display, Place string
}

type adminNumberOffersPage struct {
	Page        Page
	AreaCode    string     // as typed
	Area        numberArea // where the offers are from
	Home        numberArea // the company's area, where an empty area code searches
	Fallback    string     // the company's area had no free numbers, so Area is anywhere
	Offers      []offerView
	Error       string
	Entitlement *hiretext.Entitlement
	Blocked     string // why no number can be generated, if so
}

// handleAdminNumberOffers is step 2 of generating a number: the numbers the
// provider offers in the area code entered in step 1, or near the company
// when it was left empty.
func (s *Server) handleAdminNumberOffers(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	data := &adminNumberOffersPage{AreaCode: strings.TrimSpace(r.URL.Query().Get("area_code"))}
	status, err := s.loadOffers(r.Context(), p.org, data)
	if err != nil {
		return err
	}
	data.Page = s.page(w, r, "Generate a number")
	return s.render(w, r, status, "admin_numbers_new", data)
}

// loadOffers fills data with the offers, or with why there are none; it
// returns the page's status.
func (s *Server) loadOffers(ctx context.Context, org *hiretext.Organization, data *adminNumberOffersPage) (int, error) {
	ent, err := s.canGenerate(ctx, org)
	data.Entitlement = ent
	if c := hiretext.ErrorCode(err); c == hiretext.EEntitlementExceeded || c == hiretext.EConflict {
		data.Blocked = hiretext.ErrorMessage(err)
		return statusOf(err), nil
	}
	if err != nil {
		return 0, err
	}
	found, err := s.findOffers(ctx, org, data.AreaCode)
	data.Area, data.Home, data.Fallback = found.Area, found.Home, found.Fallback
	if err != nil {
		return invalidOr(data, err)
	}
	for _, o := range found.Offers {
		place := strings.Trim(o.Locality+", "+o.Region, ", ")
		data.Offers = append(data.Offers, offerView{Phone: o.Phone, Display: phone.Format(o.Phone), Place: place})
	}
	return http.StatusOK, nil
}

// invalidOr shows an invalid request's message on the page (422) and
// returns any other error.
func invalidOr(data *adminNumberOffersPage, err error) (int, error) {
	if hiretext.ErrorCode(err) != hiretext.EInvalid {
		return 0, err
	}
	data.Error = hiretext.ErrorMessage(err)
	if msg := hiretext.ErrorFields(err)["area_code"]; msg != "" {
		data.Error = msg
	}
	return http.StatusUnprocessableEntity, nil
}

type adminNumberConfirmPage struct {
	Page        Page
	Phone       string
	Display     string
	Entitlement *hiretext.Entitlement
	Position    int // the new number will be number Position of Entitlement.MaxNumbers
}

// handleAdminNumberConfirm is step 3: confirm the number picked.
func (s *Server) handleAdminNumberConfirm(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	e164, err := phone.Parse(r.URL.Query().Get("phone"), "")
	if err != nil {
		return hiretext.Errorf(hiretext.EInvalid, "Pick one of the numbers offered.")
	}
	ent, err := s.canGenerate(r.Context(), p.org)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "admin_numbers_confirm", &adminNumberConfirmPage{Page: s.page(w, r, "Confirm the new number"),
		Phone: e164, Display: phone.Format(e164), Entitlement: ent, Position: ent.InUse + 1})
}

// handleAdminCreateNumber provisions the confirmed number.
func (s *Server) handleAdminCreateNumber(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	e164, err := phone.Parse(r.PostForm.Get("phone"), "")
	if err != nil {
		return hiretext.Errorf(hiretext.EInvalid, "Pick one of the numbers offered.")
	}
	n, err := s.generateNumber(r.Context(), p.org, e164)
	if err != nil {
		return providerError(err)
	}
	return s.redirectWithFlash(w, r, "/admin/numbers", "success",
		fmt.Sprintf("Added %s. Assign up to %d users to it.", phone.Format(n.Phone), hiretext.MaxUsersPerNumber))
}

// targetNumber returns the number named by the {id} path segment.
func (s *Server) targetNumber(r *http.Request) (*hiretext.Number, error) {
	id, err := pathID[hiretext.NumberID](r, "id", "Number")
	if err != nil {
		return nil, err
	}
	return s.store.NumberByID(r.Context(), principalFrom(r.Context()).org.ID, id)
}

// assignChoice is a user on the assign page.
type assignChoice struct {
	User      *hiretext.User
	Here      bool   // already on this number
	Elsewhere string // the other number they text from, formatted
}

type adminAssignPage struct {
	Page    Page
	Number  numberView
	Query   string
	Choices []assignChoice
	Error   string
}

func (s *Server) handleAdminAssignForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderAssign(w, r, http.StatusOK, "")
}

// renderAssign shows the assign page: the users whose name matches q.
func (s *Server) renderAssign(w http.ResponseWriter, r *http.Request, status int, message string) error {
	p := principalFrom(r.Context())
	n, err := s.targetNumber(r)
	if err != nil {
		return err
	}
	if !n.Active() {
		return hiretext.Errorf(hiretext.EConflict, "%s was released; it cannot have users.", phone.Format(n.Phone))
	}
	q := strings.TrimSpace(r.FormValue("q"))
	choices, err := s.assignChoices(r.Context(), p.org.ID, n, q)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "admin_numbers_assign", &adminAssignPage{Page: s.page(w, r, "Assign a user"),
		Number: viewNumber(n, p.org), Query: q, Choices: choices, Error: message})
}

// assignChoices lists org's active users whose name contains q (any case),
// saying who is on this number or another.
func (s *Server) assignChoices(ctx context.Context, org hiretext.OrgID, n *hiretext.Number, q string) ([]assignChoice, error) {
	users, err := s.store.ListUsers(ctx, org)
	if err != nil {
		return nil, err
	}
	nums, err := s.store.ListNumbers(ctx, org)
	if err != nil {
		return nil, err
	}
	onNumber := map[hiretext.UserID]*hiretext.Number{}
	for _, other := range nums {
		for _, u := range other.Users {
			onNumber[u.ID] = other
		}
	}
	var out []assignChoice
	for _, u := range users {
		if !u.Active || !strings.Contains(strings.ToLower(u.Name), strings.ToLower(q)) {
			continue
		}
		c := assignChoice{User: u}
		if other := onNumber[u.ID]; other != nil {
			c.Here = other.ID == n.ID
			if !c.Here {
				c.Elsewhere = phone.Format(other.Phone)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// handleAdminAssign assigns the chosen user. A refusal (the number is full,
// the user is on another number) shows the assign page again with the reason.
func (s *Server) handleAdminAssign(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return badForm(err)
	}
	p := principalFrom(r.Context())
	n, err := s.targetNumber(r)
	if err != nil {
		return err
	}
	uid, _ := parseID[hiretext.UserID](r.PostForm.Get("user_id")) // no user (0) is the store's to refuse
	err = s.store.AssignUser(r.Context(), p.org.ID, n.ID, uid)
	switch hiretext.ErrorCode(err) {
	case "":
	case hiretext.ETooManyUsers, hiretext.EUserOnOtherNumber, hiretext.EInvalid:
		return s.renderAssign(w, r, statusOf(err), hiretext.ErrorMessage(err))
	default:
		return err
	}
	u, err := s.store.UserByID(r.Context(), p.org.ID, uid)
	if err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/numbers", "success", fmt.Sprintf("%s now texts from %s.", u.Name, phone.Format(n.Phone)))
}

func (s *Server) handleAdminUnassign(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	n, err := s.targetNumber(r)
	if err != nil {
		return err
	}
	uid, err := pathID[hiretext.UserID](r, "user", "User")
	if err != nil {
		return err
	}
	u, err := s.store.UserByID(r.Context(), p.org.ID, uid)
	if err != nil {
		return err
	}
	if err := s.store.UnassignUser(r.Context(), p.org.ID, n.ID, u.ID); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/numbers", "success",
		fmt.Sprintf("%s no longer texts from %s.", u.Name, phone.Format(n.Phone)))
}

// adminUnassignPage asks before a user loses a number.
type adminUnassignPage struct {
	Page   Page
	Number numberView
	User   *hiretext.User
	Others []*hiretext.User // who keeps the number's conversations
}

// handleAdminUnassignConfirm asks before unassigning: the user loses the
// number's conversations, inbox and bell at once.
func (s *Server) handleAdminUnassignConfirm(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	n, err := s.targetNumber(r)
	if err != nil {
		return err
	}
	uid, err := pathID[hiretext.UserID](r, "user", "User")
	if err != nil {
		return err
	}
	view := viewNumber(n, p.org)
	data := &adminUnassignPage{Number: view}
	for _, u := range n.Users {
		if u.ID == uid {
			data.User = u
		} else {
			data.Others = append(data.Others, u)
		}
	}
	if data.User == nil {
		return s.redirectWithFlash(w, r, "/admin/numbers", "info", "That user no longer texts from "+view.Display+".")
	}
	data.Page = s.page(w, r, "Unassign "+data.User.Name)
	return s.render(w, r, http.StatusOK, "admin_numbers_unassign", data)
}

type adminReleasePage struct {
	Page   Page
	Number numberView
}

func (s *Server) handleAdminReleaseConfirm(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	n, err := s.targetNumber(r)
	if err != nil {
		return err
	}
	if !n.Active() {
		return hiretext.Errorf(hiretext.EConflict, "%s was already released.", phone.Format(n.Phone))
	}
	return s.render(w, r, http.StatusOK, "admin_numbers_release", &adminReleasePage{
		Page: s.page(w, r, "Release "+phone.Format(n.Phone)), Number: viewNumber(n, p.org)})
}

// handleAdminRelease releases the number (see releaseNumber).
func (s *Server) handleAdminRelease(w http.ResponseWriter, r *http.Request) error {
	n, err := s.targetNumber(r)
	if err != nil {
		return err
	}
	if err := s.releaseNumber(r.Context(), n); err != nil {
		return err
	}
	return s.redirectWithFlash(w, r, "/admin/numbers", "success",
		fmt.Sprintf("Released %s. Its conversations stay readable in the SMS Activity report.", phone.Format(n.Phone)))
}
