package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hiretext/hiretext"
	"github.com/hiretext/hiretext/internal/sms"
)

// apiNumber is a texting number in the JSON API.
type apiNumber struct {
	ID               string          `json:"id"`
	PhoneNumber      string          `json:"phone_number"`
	MonthlyAllowance int             `json:"monthly_allowance"`
	Used             int             `json:"used"`
	Remaining        int             `json:"remaining"`
	Period           string          `json:"period"`
	ResetsAt         time.Time       `json:"resets_at"`
	Users            []apiNumberUser `json:"users"`
	// Paused is the carrier guard's pause of the number's bulk and
	// scheduled texts; null when they go.
	Paused *apiCarrierPause `json:"paused"`
}

type apiNumberUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

func toAPINumber(n *hiretext.Number, org *hiretext.Organization) apiNumber {
	out := apiNumber{ID: idString(n.ID), PhoneNumber: n.Phone, MonthlyAllowance: n.Usage.Allowance, Used: n.Usage.Used,
		Remaining: n.Usage.Remaining(), Period: n.Usage.Period, ResetsAt: resetsAt(n.Usage, org), Users: []apiNumberUser{}}
	for _, u := range n.Users {
		out.Users = append(out.Users, apiNumberUser{ID: idString(u.ID), Email: u.Email, Name: u.Name})
	}
	return out
}

// handleAPINumbers lists the company's active numbers to administrators, and
// to anyone else the number they text from (if any).
func (s *Server) handleAPINumbers(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	var nums []*hiretext.Number
	if p.user.IsAdmin() {
		all, err := s.store.ListNumbers(r.Context(), p.org.ID)
		if err != nil {
			return err
		}
		for _, n := range all {
			if n.Active() {
				nums = append(nums, n)
			}
		}
	} else {
		n, err := s.store.NumberForUser(r.Context(), p.org.ID, p.user.ID)
		switch hiretext.ErrorCode(err) {
		case "":
			nums = append(nums, n)
		case hiretext.ENotAssigned:
		default:
			return err
		}
	}
	out := struct {
		Numbers []apiNumber `json:"numbers"`
	}{Numbers: []apiNumber{}}
	pauses, err := s.store.CarrierPauses(r.Context(), p.org.ID)
	if err != nil {
		return err
	}
	for _, n := range nums {
		an := toAPINumber(n, p.org)
		an.Paused = toAPIPause(pauses[n.ID])
		out.Numbers = append(out.Numbers, an)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiNewNumber is the (optional) body of POST /api/v1/numbers.
type apiNewNumber struct {
	AreaCode string `json:"area_code"`
}

// handleAPICreateNumber generates a number, within the area code when given,
// else in the company's area as the page offers: the first the provider
// offers that is still free when bought.
func (s *Server) handleAPICreateNumber(w http.ResponseWriter, r *http.Request) error {
	var in apiNewNumber
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
	}
	p := principalFrom(r.Context())
	if _, err := s.canGenerate(r.Context(), p.org); err != nil {
		return err
	}
	found, err := s.findOffers(r.Context(), p.org, strings.TrimSpace(in.AreaCode))
	if err != nil {
		return err
	}
	for _, o := range found.Offers {
		n, err := s.generateNumber(r.Context(), p.org, o.Phone)
		var se *sms.Error
		if errors.As(err, &se) && se.Class == sms.Permanent {
			continue // bought by someone else since the search: try the next
		}
		if err != nil {
			return providerError(err)
		}
		writeJSON(w, http.StatusCreated, toAPINumber(n, p.org))
		return nil
	}
	return hiretext.Errorf(hiretext.EConflict, "The numbers offered were taken before they could be bought; try again.")
}

// apiNumberUsers is the body of PUT /api/v1/numbers/{id}/users.
type apiNumberUsers struct {
	UserIDs []string `json:"user_ids"`
}

// handleAPISetNumberUsers replaces a number's users.
func (s *Server) handleAPISetNumberUsers(w http.ResponseWriter, r *http.Request) error {
	n, err := s.targetNumber(r)
	if err != nil {
		return err
	}
	var in apiNumberUsers
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.UserIDs == nil {
		return hiretext.FieldError("Send user_ids, a list of user ids (empty to unassign everyone).", map[string]string{"user_ids": "Required."})
	}
	ids := make([]hiretext.UserID, len(in.UserIDs))
	for i, s := range in.UserIDs {
		id, ok := parseID[hiretext.UserID](s)
		if !ok {
			return hiretext.FieldError("User ids are strings of digits, as the API returns them.", map[string]string{"user_ids": "Unknown user " + strconv.Quote(s) + "."})
		}
		ids[i] = id
	}
	p := principalFrom(r.Context())
	n, err = s.store.SetNumberUsers(r.Context(), p.org.ID, n.ID, ids)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAPINumber(n, p.org))
	return nil
}

// apiUsage is a number's usage in one month.
type apiUsage struct {
	NumberID         string    `json:"number_id"`
	PhoneNumber      string    `json:"phone_number"`
	Period           string    `json:"period"`
	MonthlyAllowance int       `json:"monthly_allowance"`
	Used             int       `json:"used"`
	Remaining        int       `json:"remaining"`
	ResetsAt         time.Time `json:"resets_at"`
}

// handleAPINumberUsage reports a number's usage in ?month=YYYY-MM (default:
// this month). Users other than administrators see only their own number.
func (s *Server) handleAPINumberUsage(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	n, err := s.targetNumber(r)
	if err != nil {
		return err
	}
	if !p.user.IsAdmin() && !n.HasUser(p.user.ID) {
		return hiretext.Errorf(hiretext.ENotFound, "Number not found.")
	}
	u, err := s.store.Usage(r.Context(), p.org.ID, n.ID, r.URL.Query().Get("month"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiUsage{NumberID: idString(n.ID), PhoneNumber: n.Phone, Period: u.Period,
		MonthlyAllowance: u.Allowance, Used: u.Used, Remaining: u.Remaining(), ResetsAt: resetsAt(u, p.org)})
	return nil
}

// resetsAt is when u's allowance resets, in the company's time zone, so the
// API shows the local midnight with its offset.
func resetsAt(u hiretext.Usage, org *hiretext.Organization) time.Time {
	return u.ResetsAt.In(org.Location())
}
